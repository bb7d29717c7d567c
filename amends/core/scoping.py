"""The one scoping rule: staff reach personal data only through scoped selectors.

Each app's `selectors.py` builds `<records>_visible_to(user)` from the sharing
rules of design.md; views and API handlers fetch through it, and `get_or_404`
turns "not yours" into the same 404 as "does not exist", never a 403 and
never a partial page.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


def get_or_404(visible: models.QuerySet[M], **lookup: Any) -> M:
    try:
        return visible.get(**lookup)
    except ObjectDoesNotExist:
        raise Http404(f"No {visible.model._meta.verbose_name} here.") from None
