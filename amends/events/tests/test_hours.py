"""Volunteer hours and expenses: own entries, the coordinator's totals, claims, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amends.core.models import AuditAction, AuditEvent
from amends.events import services
from amends.events.models import ExpensesStatus, VolunteerHours
from amends.events.tests.factories import VolunteerHoursFactory, past_event
from amends.practitioners.tests.factories import (
    PractitionerFactory,
    ProviderFactory,
    eligible_practitioner_factory,
    facilitator_user_factory,
    provider_coordinator_factory,
    volunteer_coordinator_factory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return ProviderFactory(slug="north-london-rj")


@pytest.fixture
def volunteer(provider):
    user = facilitator_user_factory(provider)
    practitioner = eligible_practitioner_factory(
        provider=provider, user=user, first_name="Robin", last_name="Ashby"
    )
    return user, practitioner


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hours_data(**overrides):
    data = {
        "submission_key": "h" * 43,
        "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "hours": "2.5",
        "activity": "other",
        "description": "Library stall",
    }
    data.update(overrides)
    return data


def test_a_volunteer_logs_hours_once_however_often_they_submit(volunteer):
    user, practitioner = volunteer
    client = as_user(user)
    assert client.post("/staff/events/hours/", hours_data()).status_code == 302
    assert client.post("/staff/events/hours/", hours_data()).status_code == 302
    entry = VolunteerHours.objects.get()
    assert (entry.practitioner, entry.hours) == (practitioner, Decimal("2.5"))
    assert "Library stall" in client.get("/staff/events/hours/").content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hours": "-2"}, "Enter hours between 0.5 and 24."),
        ({"hours": "30"}, "Enter hours between 0.5 and 24."),
        ({"hours": "two"}, "Enter the hours as a number, like 2 or 1.5."),
        ({"date": "2999-01-01"}, "The date must be today or in the past."),
        ({"expenses": "-4"}, "Expenses cannot be negative."),
        ({"expenses": "12.50"}, "Say what the expenses were for."),
        ({"activity": "event"}, "Choose the event."),
        ({"activity": "case"}, "Enter the case reference."),
    ],
)
def test_bad_hours_get_a_clear_error(volunteer, overrides, message):
    user, _ = volunteer
    response = as_user(user).post("/staff/events/hours/", hours_data(**overrides))
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text
    assert message in text
    assert not VolunteerHours.objects.exists()


def test_a_volunteer_sees_only_their_own_hours(volunteer, provider):
    user, practitioner = volunteer
    VolunteerHoursFactory(practitioner=practitioner, description="Mine")
    other = eligible_practitioner_factory(provider=provider)
    VolunteerHoursFactory(practitioner=other, description="Someone else's")
    text = as_user(user).get("/staff/events/hours/").content.decode()
    assert "Mine" in text
    assert "Someone else" not in text


def test_hours_against_an_event_and_a_claim(volunteer, provider):
    user, _ = volunteer
    event = past_event(organiser=provider, title="Officer training")
    response = as_user(user).post(
        "/staff/events/hours/",
        hours_data(activity="event", event=event.pk, expenses="7.20", expenses_for="Bus"),
    )
    assert response.status_code == 302
    entry = VolunteerHours.objects.get()
    assert (entry.event, entry.expenses_pence, entry.expenses_status) == (
        event,
        720,
        ExpensesStatus.PENDING,
    )


def test_a_facilitator_without_a_practitioner_record_is_told_why(provider):
    text = as_user(facilitator_user_factory(provider)).get("/staff/events/hours/").content.decode()
    assert "not linked to a practitioner record" in text
    assert "Save hours" not in text


def test_my_hours_makes_the_same_number_of_queries_for_2_or_20_entries(volunteer, provider):
    user, practitioner = volunteer
    client = as_user(user)
    event = past_event(organiser=provider)
    for _ in range(2):
        VolunteerHoursFactory(practitioner=practitioner, event=event, activity="event")

    def count() -> int:
        client.get("/staff/events/hours/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/events/hours/").status_code == 200
        return len(captured)

    few = count()
    for _ in range(18):
        VolunteerHoursFactory(practitioner=practitioner, event=event, activity="event")
    assert count() == few


# --- the volunteer coordinator --------------------------------------------------------


def test_totals_per_volunteer_and_month_and_their_csv(provider, volunteer):
    _, robin = volunteer
    coordinator = volunteer_coordinator_factory(provider)
    sam = PractitionerFactory(provider=provider, first_name="Sam", last_name="Bell")
    year = timezone.localdate().year
    VolunteerHoursFactory(practitioner=robin, date=dt.date(year, 1, 10), hours=Decimal("2"))
    VolunteerHoursFactory(
        practitioner=robin,
        date=dt.date(year, 1, 20),
        hours=Decimal("3.5"),
        expenses_pence=1250,
        expenses_for="Train",
        expenses_status=ExpensesStatus.PENDING,
    )
    VolunteerHoursFactory(
        practitioner=sam,
        date=dt.date(year, 1, 5),
        hours=Decimal("1"),
        expenses_pence=500,
        expenses_for="Bus",
        expenses_status=ExpensesStatus.APPROVED,
    )
    VolunteerHoursFactory(practitioner=sam, date=dt.date(year - 1, 12, 31), hours=Decimal("9"))
    other = PractitionerFactory(provider=ProviderFactory(slug="elsewhere"), first_name="Zed")
    VolunteerHoursFactory(practitioner=other, date=dt.date(year, 1, 5), hours=Decimal("4"))

    client = as_user(coordinator)
    text = client.get("/staff/events/hours/totals/").content.decode()
    assert "Robin Ashby" in text
    assert "Sam Bell" in text
    assert "Zed" not in text
    assert "2 volunteers gave 6.5 hours" in text

    response = client.get(f"/staff/events/hours/totals.csv?year={year}")
    assert response["Content-Disposition"] == (f'attachment; filename="volunteer-hours-{year}.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Volunteer",
        "Reference",
        "Month",
        "Hours",
        "Expenses claimed (GBP)",
        "Expenses approved (GBP)",
        "Expenses waiting for approval (GBP)",
    ]
    assert rows[1:] == [
        ["Robin Ashby", robin.reference, f"{year}-01", "5.5", "12.50", "0.00", "12.50"],
        ["Sam Bell", sam.reference, f"{year}-01", "1.0", "5.00", "5.00", "0.00"],
    ]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_totals_make_the_same_number_of_queries_for_few_or_many_volunteers(provider):
    coordinator = volunteer_coordinator_factory(provider)
    client = as_user(coordinator)

    def count() -> int:
        client.get("/staff/events/hours/totals/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/events/hours/totals/").status_code == 200
        return len(captured)

    VolunteerHoursFactory(practitioner=PractitionerFactory(provider=provider))
    few = count()
    for _ in range(12):
        VolunteerHoursFactory(practitioner=PractitionerFactory(provider=provider))
    assert count() == few


def test_the_coordinator_decides_a_claim_and_the_volunteer_sees_why(provider, volunteer):
    user, _ = volunteer
    claim = services.hours_log(
        actor=user,
        date=timezone.localdate(),
        hours=Decimal("2"),
        activity="other",
        expenses_pence=9900,
        expenses_for="Taxi home",
    )
    coordinator = as_user(volunteer_coordinator_factory(provider))
    listing = coordinator.get("/staff/events/hours/claims/").content.decode()
    assert "Taxi home" in listing
    assert "£99.00" in listing
    url = f"/staff/events/hours/claims/{claim.pk}/"
    response = coordinator.post(url, {"version": 1, "decision": "reject"})
    assert response.status_code == 400
    assert "Give a reason for not approving the claim." in response.content.decode()
    response = coordinator.post(
        url, {"version": 1, "decision": "reject", "reason": "Please use the night bus"}
    )
    assert response.status_code == 302
    assert VolunteerHours.objects.get(pk=claim.pk).expenses_status == ExpensesStatus.REJECTED
    mine = as_user(user).get("/staff/events/hours/").content.decode()
    assert "Not approved" in mine
    assert "Please use the night bus" in mine


def test_only_the_providers_volunteer_coordinator_sees_totals_and_claims(provider, volunteer):
    user, _ = volunteer
    claim = VolunteerHoursFactory(
        practitioner=volunteer[1],
        expenses_pence=100,
        expenses_for="Tea",
        expenses_status=ExpensesStatus.PENDING,
    )
    for who in (
        user,
        provider_coordinator_factory(provider),
        volunteer_coordinator_factory(ProviderFactory(slug="elsewhere")),
    ):
        client = as_user(who)
        if who.organisation_id == provider.pk:
            assert client.get("/staff/events/hours/totals/").status_code == 404
        assert client.get(f"/staff/events/hours/claims/{claim.pk}/").status_code == 404


def test_the_claims_list_makes_the_same_number_of_queries_for_1_or_15_claims(provider):
    client = as_user(volunteer_coordinator_factory(provider))
    event = past_event(organiser=provider)

    def claim() -> None:
        VolunteerHoursFactory(
            practitioner=PractitionerFactory(provider=provider),
            event=event,
            activity="event",
            expenses_pence=350,
            expenses_for="Bus",
            expenses_status=ExpensesStatus.PENDING,
        )

    def count() -> int:
        client.get("/staff/events/hours/claims/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/events/hours/claims/").status_code == 200
        return len(captured)

    claim()
    few = count()
    for _ in range(14):
        claim()
    assert count() == few
