"""TOTP codes for the browser walks' sign-ins, never one a user has already used.

allauth refuses a code that the same user has used before (replay protection), and
every demo user shares one secret, so two walks that sign in as the same person within
one 30-second window would be refused. The walks run in one process: remember each
user's last code and wait for the next one when it would repeat.
"""

from __future__ import annotations

import time

from amends.demo.codes import current_code

_last_used: dict[str, str] = {}


def unused_code(email: str) -> str:
    code = current_code()
    while _last_used.get(email.lower()) == code:
        time.sleep(1)
        code = current_code()
    _last_used[email.lower()] = code
    return code
