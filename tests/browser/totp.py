"""TOTP codes for the browser walks' sign-ins, never one a user has already used.

allauth refuses a code that the same user has used before (replay protection), and
every demo user shares one secret, so two walks that sign in as the same person within
one 30-second window would be refused. The walks run in one process: remember each
user's last code and wait for the next one when it would repeat. A code read in the
last seconds of its window could expire before the form is sent (no tolerance is
allowed), so then the next window's code is waited for too.
"""

from __future__ import annotations

import time

from amends.demo.codes import current_code

_last_used: dict[str, str] = {}


PERIOD = 30  # seconds, allauth's MFA_TOTP_PERIOD
MARGIN = 5  # seconds left in a window below which its code is not used


def unused_code(email: str) -> str:
    left = PERIOD - time.time() % PERIOD
    if left < MARGIN:
        time.sleep(left + 0.1)
    code = current_code()
    while _last_used.get(email.lower()) == code:
        time.sleep(1)
        code = current_code()
    _last_used[email.lower()] = code
    return code
