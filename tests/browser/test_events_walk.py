"""Events and training in a real browser: the coordinator runs officer training and a school
session, the public sees upcoming public events, and volunteers' hours reach the volunteer
coordinator. axe-core runs on every page the walks visit.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import icalendar
import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.totp import unused_code

pytestmark = pytest.mark.browser

PASSWORD = "Amends-demo-2026"


def sign_in(page, email: str) -> None:
    page.goto("/staff/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/2fa/authenticate/"))
    for attempt in range(2):
        page.get_by_label(re.compile("code", re.I)).first.fill(unused_code(email))
        page.get_by_role("button", name="Continue", exact=True).click()
        page.wait_for_load_state()
        if "/2fa/authenticate/" not in page.url:
            return
        # Another walk used this code for the same person a moment ago: wait for the next one.
        if attempt == 0:
            time.sleep(31 - time.time() % 30)
    raise AssertionError(f"could not sign in as {email}")


def test_the_coordinator_runs_officer_training_and_a_school_session(page):
    sign_in(page, "coordinator@calm-mediation.example")
    page.get_by_role("link", name="Events and training").click()
    page.wait_for_url(re.compile(r"/staff/events/$"))
    assert page.locator("h1").inner_text() == "Events and training"
    assert_accessible(page)

    page.get_by_role("link", name="Create an event").click()
    page.get_by_role("button", name="Create event").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)

    day = dt.date.today() + dt.timedelta(days=9)
    page.get_by_label("Police officer awareness training").check()
    page.get_by_label("Title").fill("RJ for custody sergeants")
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("09:00")
    page.get_by_label("Venue", exact=True).fill("Colindale Police Station")
    page.get_by_label("Number of places").fill("1")
    page.get_by_role("button", name="Create event").click()
    assert page.get_by_role("link", name="The event must end after it starts.").is_visible()
    page.get_by_label("End time").fill("12:30")
    page.get_by_role("button", name="Create event").click()
    page.wait_for_url(re.compile(r"/staff/events/EVT-[0-9A-Z-]+/$"))
    assert page.locator("h1").inner_text() == "RJ for custody sergeants"
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "RJ for custody sergeants"

    officers = (("PS Ada Lovell", "ada.lovell@met.example"), ("PS Ben Ode", "b@met.example"))
    for name, email in officers:
        page.get_by_role("link", name="Register someone").click()
        page.get_by_label("Police officer", exact=True).check()
        page.get_by_label("Full name").fill(name)
        page.get_by_label("Email address").fill(email)
        page.get_by_role("button", name="Register them").click()
    assert page.get_by_text("This event is full: all 1 places are taken.").first.is_visible()
    assert_accessible(page)

    page.goto("/staff/events/?when=past")
    assert_accessible(page)
    page.get_by_role("link", name="Restorative justice awareness for response officers").click()
    page.get_by_role("link", name="Record attendance").click()
    assert page.locator("h1").inner_text() == "Record attendance"
    assert_accessible(page)
    page.get_by_role("button", name="Save attendance").click()
    assert page.get_by_text("Attendance saved.").is_visible()

    page.goto("/staff/events/?when=past")
    page.get_by_role("link", name="Assembly: harm, responsibility and putting things right").click()
    assert page.get_by_text("Their names are never recorded.").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Record pupil numbers").click()
    page.get_by_label("Year 10").fill("Sam Smith")
    page.get_by_role("button", name="Save pupil numbers").click()
    assert page.get_by_role(
        "link", name="Enter the number of pupils in Year 10 as a whole number, like 28."
    ).is_visible()
    assert_accessible(page)


def test_the_public_sees_upcoming_public_events(page):
    page.goto("/events/")
    assert page.locator("h1").inner_text() == "Restorative justice events and training"
    assert page.get_by_role("heading", name=re.compile("RJ Week open evening")).is_visible()
    assert page.get_by_text("RJ for custody sergeants").count() == 0
    assert_accessible(page)


def test_volunteer_hours_reach_the_volunteer_coordinator(page):
    sign_in(page, "facilitator@calm-mediation.example")
    page.get_by_role("link", name="My hours").click()
    page.wait_for_url(re.compile(r"/staff/events/hours/$"))
    assert_accessible(page)
    if page.get_by_role("button", name="Save hours").count():
        page.get_by_label("Hours", exact=True).fill("-1")
        page.get_by_role("button", name="Save hours").click()
        assert page.get_by_role("link", name="Enter hours between 0.5 and 24.").is_visible()
        assert_accessible(page)
    page.context.clear_cookies()

    sign_in(page, "volunteers@calm-mediation.example")
    page.get_by_role("link", name="Volunteer hours").click()
    page.wait_for_url(re.compile(r"/staff/events/hours/totals/$"))
    assert page.locator("h1").inner_text() == "Volunteer hours and expenses"
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Expense claims waiting for approval")).click()
    assert_accessible(page)
