"""The iCalendar file (RFC 5545): parsed back, and its text checked line by line."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from amends.events import services
from amends.events.ics import event_ical, event_uid
from amends.events.models import EventState
from amends.events.tests.factories import EventFactory, RegistrationFactory
from amends.practitioners.tests.factories import provider_coordinator_factory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 7, 14, 9, 30, tzinfo=dt.UTC)  # 10:30 in London (BST)


@pytest.fixture
def event():
    return EventFactory(
        title="Officer awareness: RJ, victims; and the Code \\ part 1",
        description="Bring your warrant card, a pen; and questions.\nTea provided – £0.",
        booking_details="Email training@northlondonrj.example.org",
        venue_name="Colindale Police Station",
        venue_address="Grahame Park Way\nLondon\nNW9 5TW",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=3, minutes=15),
    )


def parse(data: bytes) -> icalendar.Component:
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def test_the_file_parses_back_to_the_event(event):
    data = event_ical(event)
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0"
    assert "Amends" in str(calendar["PRODID"])
    vevent = parse(data)
    assert str(vevent["UID"]) == event_uid(event)
    assert vevent.decoded("DTSTART") == START
    assert vevent.decoded("DTEND") == START + dt.timedelta(hours=3, minutes=15)
    assert vevent.decoded("DTSTAMP").tzinfo is not None
    assert str(vevent["SUMMARY"]) == event.title
    assert str(vevent["LOCATION"]) == "Colindale Police Station, Grahame Park Way, London, NW9 5TW"
    description = str(vevent["DESCRIPTION"])
    assert description.startswith(event.description)
    assert "How to book: Email training@northlondonrj.example.org" in description
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_times_are_written_in_utc(event):
    text = event_ical(event).decode()
    assert "DTSTART:20260714T093000Z" in text
    assert "DTEND:20260714T124500Z" in text
    assert "DTSTAMP:" in text
    assert text.split("DTSTAMP:")[1][:16].endswith("Z")


def test_lines_end_in_crlf_and_are_folded_at_75_octets(event):
    event.description = "Restorative justice – ‘a conversation’ – " * 20
    data = event_ical(event)
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines), max(len(line) for line in lines)
    assert any(line.startswith(b" ") for line in lines), "a long DESCRIPTION is folded"
    # Every folded line is whole UTF-8: no character is cut in two.
    for line in lines:
        line.decode("utf-8")
    assert str(parse(data)["DESCRIPTION"]).startswith(event.description.strip())


def test_commas_semicolons_backslashes_and_newlines_are_escaped(event):
    unfolded = event_ical(event).decode().replace("\r\n ", "")
    summary = next(line for line in unfolded.split("\r\n") if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:Officer awareness: RJ\\, victims\\; and the Code \\\\ part 1"
    description = next(line for line in unfolded.split("\r\n") if line.startswith("DESCRIPTION:"))
    assert "\\n" in description
    assert "\n" not in description
    assert "a pen\\; and questions." in description


def test_the_uid_is_stable_and_a_cancelled_event_says_so():
    event = EventFactory()
    first = parse(event_ical(event))
    coordinator = provider_coordinator_factory(event.organiser)
    services.event_update(
        actor=coordinator, event=event, expected_version=1, changes={"title": "Renamed"}
    )
    services.event_transition(
        actor=coordinator, event=event, to_state=EventState.CANCELLED, reason="Venue closed"
    )
    event.refresh_from_db()
    changed = parse(event_ical(event))
    assert changed["UID"] == first["UID"]
    assert str(changed["SUMMARY"]) == "Renamed"
    assert str(changed["STATUS"]) == "CANCELLED"
    assert changed.decoded("SEQUENCE") > first.decoded("SEQUENCE")


def test_no_registrant_ever_appears_in_the_file(event):
    people = RegistrationFactory.create_batch(3, event=event)
    text = event_ical(event).decode().replace("\r\n ", "")
    for person in people:
        assert person.name not in text
        assert person.email not in text
