"""Fixed-window counters in the database: API keys per minute, applications per address per hour.

`rate_hit` counts one event and returns the window's total in a single upsert
statement (SQLite 3.35+ and PostgreSQL both speak `INSERT … ON CONFLICT … RETURNING`),
so a burst of concurrent requests never loses a count and costs one short write each.
Windows that have ended are deleted now and then by the hits themselves.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time

from django.db import connection
from django.utils import timezone

from amends.core.models import RateCounter

# About one hit in this many also deletes the counters of windows that have ended.
_PRUNE_ONE_IN = 500


def _window(window_seconds: int, now: float | None) -> int:
    moment = time.time() if now is None else now
    return int(moment // window_seconds) * window_seconds


def rate_hit(*, key: str, window_seconds: int, now: float | None = None) -> int:
    """Count one event for `key` in the current window; return the window's count so far."""
    start = _window(window_seconds, now)
    expires = dt.datetime.fromtimestamp(start + window_seconds, tz=dt.UTC)
    q = connection.ops.quote_name
    table, k, w, c, e = (
        q(n) for n in (RateCounter._meta.db_table, "key", "window_start", "count", "expires_at")
    )
    sql = (
        f"INSERT INTO {table} ({k}, {w}, {c}, {e}) VALUES (%s, %s, 1, %s) "  # noqa: S608 - our names
        f"ON CONFLICT ({k}, {w}) DO UPDATE SET {c} = {table}.{c} + 1 RETURNING {c}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"{key}/{window_seconds}", start, expires])
        row = cursor.fetchone()
    if secrets.randbelow(_PRUNE_ONE_IN) == 0:
        rate_counters_prune()
    return int(row[0])


def rate_count(*, key: str, window_seconds: int, now: float | None = None) -> int:
    """How many events `key` has had in the current window (0 if none)."""
    start = _window(window_seconds, now)
    found = (
        RateCounter.objects.filter(key=f"{key}/{window_seconds}", window_start=start)
        .values_list("count", flat=True)
        .first()
    )
    return int(found or 0)


def rate_counters_prune() -> int:
    """Delete the counters of windows that have ended."""
    deleted, _ = RateCounter.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
