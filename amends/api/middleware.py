"""Refuse an oversized API request body before anything reads or parses it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from amends.api.problems import problem_response

API_PREFIX = "/api/"


def _too_large(limit: int) -> HttpResponse:
    return problem_response(
        status=413,
        kind="body-too-large",
        title="Request body too large",
        detail=f"The request body must be at most {limit} bytes.",
    )


class ApiBodySizeMiddleware:
    """413 for an API body over API_MAX_BODY_BYTES: by Content-Length, then by what arrived.

    Other paths are left to Django's own DATA_UPLOAD_MAX_MEMORY_SIZE.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and request.method not in {"GET", "HEAD"}:
            limit: int = settings.API_MAX_BODY_BYTES
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                return _too_large(limit)
            try:
                # Reads at most Content-Length bytes; Django refuses more than
                # DATA_UPLOAD_MAX_MEMORY_SIZE whatever the header says.
                body = request.body
            except RequestDataTooBig:
                return _too_large(limit)
            if len(body) > limit:
                return _too_large(limit)
        return self.get_response(request)
