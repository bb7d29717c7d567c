"""The public /events/ page: public, upcoming, not cancelled; never who registered."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amends.events import services
from amends.events.models import EventState
from amends.events.tests.factories import EventFactory, RegistrationFactory, past_event
from amends.practitioners.tests.factories import ProviderFactory, provider_coordinator_factory

pytestmark = pytest.mark.django_db


def test_only_public_upcoming_and_not_cancelled_events_are_listed(client):
    provider = ProviderFactory()
    shown = EventFactory(organiser=provider, public=True, title="RJ Week open evening")
    EventFactory(organiser=provider, public=False, title="Internal supervision day")
    past_event(organiser=provider, public=True, title="Last year's open evening")
    cancelled = EventFactory(organiser=provider, public=True, title="Cancelled coffee morning")
    services.event_transition(
        actor=provider_coordinator_factory(provider),
        event=cancelled,
        to_state=EventState.CANCELLED,
        reason="Venue flooded",
    )
    response = client.get("/events/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "RJ Week open evening" in text
    assert f'href="/events/{shown.reference}.ics"' in text
    assert "Add to calendar (.ics)" in text
    for hidden in ("Internal supervision day", "Last year", "Cancelled coffee morning"):
        assert hidden not in text


def test_an_event_that_has_started_is_no_longer_listed(client):
    start = timezone.now() - dt.timedelta(minutes=5)
    EventFactory(
        public=True, title="Under way", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    assert "Under way" not in client.get("/events/").content.decode()


def test_the_public_page_never_shows_who_registered(client):
    event = EventFactory(public=True, booking_details="Email events@example.org to book.")
    people = RegistrationFactory.create_batch(3, event=event)
    text = client.get("/events/").content.decode()
    assert "events@example.org" in text
    for person in people:
        assert person.name not in text
        assert person.email not in text
    ics = client.get(f"/events/{event.reference}.ics").content.decode()
    for person in people:
        assert person.name not in ics
        assert person.email not in ics


def test_the_public_calendar_file_parses_and_private_events_have_none(client):
    public = EventFactory(public=True, title="Community circle")
    response = client.get(f"/events/{public.reference}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    (vevent,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Community circle"
    private = EventFactory(public=False)
    assert client.get(f"/events/{private.reference}.ics").status_code == 404
    assert client.get("/events/EVT-0000-0000.ics").status_code == 404


def test_the_public_page_makes_the_same_number_of_queries_for_2_or_20_events(client):
    provider = ProviderFactory()
    for _ in range(2):
        EventFactory(organiser=provider, public=True)

    def count() -> int:
        client.get("/events/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/events/").status_code == 200
        return len(captured)

    few = count()
    for n in range(18):
        EventFactory(organiser=ProviderFactory(slug=f"p-{n}"), public=True)
    assert count() == few
