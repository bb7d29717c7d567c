"""The current TOTP code of the demo users' shared, published secret."""

from __future__ import annotations

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from amends.demo.data import DEMO_TOTP_SECRET


def current_code() -> str:
    counters = list(yield_hotp_counters_from_time())
    return str(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counters[len(counters) // 2])))
