"""An event as an iCalendar file (RFC 5545), for "Add to calendar".

The `icalendar` library writes the text: CRLF line endings, lines folded at 75 octets, and
commas, semicolons, backslashes and newlines escaped in text values. Times are in UTC.
Nothing about who registered is ever put in the file.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import icalendar
from django.conf import settings

from amends.events.models import Event, EventState

PRODID = "-//Amends//Events and training//EN"


def _uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "amends.invalid"


def event_uid(event: Event) -> str:
    """Stable for the life of the event, so a calendar updates rather than duplicates it."""
    return f"{event.reference.lower()}@{_uid_domain()}"


def _location(event: Event) -> str:
    address = ", ".join(line.strip() for line in event.venue_address.splitlines() if line.strip())
    return f"{event.venue_name}, {address}" if address else event.venue_name


def _description(event: Event) -> str:
    parts = [event.description.strip()]
    if event.booking_details.strip():
        parts.append(f"How to book: {event.booking_details.strip()}")
    return "\n\n".join(p for p in parts if p)


def event_ical(event: Event) -> bytes:
    """The calendar file for one event: a VCALENDAR holding its one VEVENT."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", event.updated_at.astimezone(dt.UTC).replace(microsecond=0))
    vevent.add("dtstart", event.starts_at.astimezone(dt.UTC).replace(microsecond=0))
    vevent.add("dtend", event.ends_at.astimezone(dt.UTC).replace(microsecond=0))
    vevent.add("sequence", max(event.version - 1, 0))
    vevent.add("summary", event.title)
    vevent.add("location", _location(event))
    description = _description(event)
    if description:
        vevent.add("description", description)
    vevent.add("status", "CANCELLED" if event.state == EventState.CANCELLED else "CONFIRMED")
    calendar.add_component(vevent)
    return bytes(calendar.to_ical())


def ical_filename(event: Event) -> str:
    return f"{event.reference}.ics"
