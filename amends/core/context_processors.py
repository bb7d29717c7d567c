from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from amends.core.navigation import staff_navigation


def service(request: HttpRequest) -> dict[str, Any]:
    return {
        "service_name": settings.SERVICE_NAME,
        "staff_navigation": staff_navigation(request),
        "is_staff_area": request.path.startswith("/staff/"),
    }
