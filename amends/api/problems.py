"""Errors on the API as `application/problem+json` (RFC 9457), one shape for every error."""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus

from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Relative to the API; each type is listed in the README ("API", errors).
PROBLEM_BASE = "/api/v1/problems/"


def problem_response(
    *,
    status: int,
    kind: str,
    detail: str,
    title: str | None = None,
    errors: Iterable[tuple[str, str]] = (),
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem document: type, title, status, detail and the invalid fields, if any."""
    body = {
        "type": f"{PROBLEM_BASE}{kind}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": [{"field": field, "message": message} for field, message in errors],
    }
    response = HttpResponse(
        json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE, headers=headers
    )
    return response
