"""Fixtures for the accounts tests: a clean cache and a steady clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Rate limits and used TOTP codes live in the cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def steady_clock() -> Iterator[time_machine.Traveller]:
    """Time stands still in the middle of a TOTP period, so a code never expires mid-test."""
    now = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    start = now.replace(second=10 if now.second < 30 else 40)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller
