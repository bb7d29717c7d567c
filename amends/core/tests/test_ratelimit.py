"""Fixed-window counters in the database (core/ratelimit.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from amends.core.models import RateCounter
from amends.core.ratelimit import rate_count, rate_counters_prune, rate_hit

pytestmark = pytest.mark.django_db

T0 = 1_800_000_000.0  # a whole number of minutes and hours


def test_hits_count_up_within_a_window_and_start_again_in_the_next():
    assert rate_count(key="k", window_seconds=60, now=T0) == 0
    assert [rate_hit(key="k", window_seconds=60, now=T0 + s) for s in (0, 10, 59)] == [1, 2, 3]
    assert rate_count(key="k", window_seconds=60, now=T0 + 30) == 3
    assert rate_hit(key="k", window_seconds=60, now=T0 + 60) == 1
    assert rate_count(key="k", window_seconds=60, now=T0 + 61) == 1


def test_keys_and_window_lengths_are_counted_apart():
    rate_hit(key="a", window_seconds=60, now=T0)
    rate_hit(key="a", window_seconds=60, now=T0)
    rate_hit(key="b", window_seconds=60, now=T0)
    rate_hit(key="a", window_seconds=3600, now=T0)
    assert rate_count(key="a", window_seconds=60, now=T0) == 2
    assert rate_count(key="b", window_seconds=60, now=T0) == 1
    assert rate_count(key="a", window_seconds=3600, now=T0) == 1


def test_one_row_per_key_and_window_however_many_hits():
    for _ in range(25):
        rate_hit(key="busy", window_seconds=60, now=T0)
    assert RateCounter.objects.get().count == 25


def test_ended_windows_are_pruned_and_open_ones_kept():
    now = timezone.now().timestamp()
    rate_hit(key="old", window_seconds=60, now=now - 3600)
    rate_hit(key="new", window_seconds=3600, now=now)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=1), tick=False):
        assert rate_counters_prune() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new/3600"]
