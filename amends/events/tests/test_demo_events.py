"""`amends demo` makes events of every kind once, through the services."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from amends.events.models import Event, EventKind, EventState, Registration, SchoolAttendance

pytestmark = pytest.mark.django_db


def test_the_demo_makes_events_once():
    out = io.StringIO()
    call_command("demo", referrals=4, quiet_sign_ins=True, stdout=out)
    assert "demo events" in out.getvalue()
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {EventKind.OFFICER_AWARENESS, EventKind.SCHOOL_SESSION, EventKind.RJ_WEEK} <= kinds
    assert Event.objects.filter(public=True, state=EventState.SCHEDULED).count() >= 2
    assert Event.objects.filter(organiser__slug="met-police").exists()
    held = Event.objects.get(state=EventState.HELD, kind=EventKind.OFFICER_AWARENESS)
    assert held.registrations.filter(attended=True, completed=True).exists()
    assert held.registrations.filter(attended=False).exists()
    assert SchoolAttendance.objects.filter(event__kind=EventKind.SCHOOL_SESSION).count() == 2
    before = (Event.objects.count(), Registration.objects.count())
    call_command("demo", referrals=4, quiet_sign_ins=True, stdout=io.StringIO())
    assert (Event.objects.count(), Registration.objects.count()) == before
