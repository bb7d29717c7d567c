"""Who is calling: `Authorization: Bearer <key>`, and how often each key may call."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from amends.api.models import ApiKey
from amends.api.selectors import api_key_for_token
from amends.api.services import api_key_touch
from amends.core.ratelimit import rate_hit


class ApiKeyAuth(HttpBearer):
    """An active key of an organisation; unknown, malformed and revoked keys are refused alike."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        api_key = api_key_for_token(token=token.strip())
        if api_key is not None:
            api_key_touch(api_key=api_key)
        return api_key


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'120/m' → (120, 60): that many requests in a window of that many seconds."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[:1]]


class ApiKeyRateThrottle(BaseThrottle):
    """At most API_RATE_LIMIT requests per key in each fixed window (core/ratelimit.py)."""

    def allow_request(self, request: HttpRequest) -> bool:
        api_key = getattr(request, "auth", None)
        if not isinstance(api_key, ApiKey):
            return True
        limit, window = parse_rate(settings.API_RATE_LIMIT)
        count = rate_hit(key=f"api:{api_key.prefix}", window_seconds=window)
        return count <= limit

    def wait(self) -> float | None:
        # Until the window ends (windows are the same for every key: whole minutes, ...).
        _, window = parse_rate(settings.API_RATE_LIMIT)
        return float(max(1, math.ceil(window - time.time() % window)))
