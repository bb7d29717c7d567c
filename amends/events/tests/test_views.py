"""Staff event pages: scoping, forms and their bad inputs, exports, query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amends.core.models import AuditAction, AuditEvent
from amends.events import services
from amends.events.models import (
    Event,
    EventKind,
    EventState,
    RegistrantKind,
    Registration,
    SchoolAttendance,
)
from amends.events.tests.factories import (
    EventFactory,
    RegistrationFactory,
    past_event,
    police_force_factory,
    police_rj_coordinator_factory,
    training_event,
)
from amends.practitioners.models import PractitionerState, TrainingRecord
from amends.practitioners.tests.factories import (
    PractitionerFactory,
    ProviderFactory,
    facilitator_user_factory,
    provider_coordinator_factory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return ProviderFactory(slug="north-london-rj", name="North London RJ")


@pytest.fixture
def coordinator(provider):
    return provider_coordinator_factory(provider, full_name="Priya Coordinator")


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries_for(client, url):
    client.get(url)  # warm up: the first request of a session also records the MFA check
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response
    return len(captured)


def page(response) -> str:
    return response.content.decode()


# --- scoping ---------------------------------------------------------------------------


def test_another_organisation_gets_a_404_on_every_event_page(provider):
    event = past_event(organiser=provider, kind=EventKind.SCHOOL_SESSION)
    RegistrationFactory(event=event)
    stranger = as_user(provider_coordinator_factory(ProviderFactory(slug="elsewhere")))
    ref = event.reference
    for path in (
        "",
        "edit/",
        "register/",
        "attendance/",
        "pupils/",
        "attendance.csv",
        "calendar.ics",
    ):
        assert stranger.get(f"/staff/events/{ref}/{path}").status_code == 404, path
    assert stranger.post(f"/staff/events/{ref}/status/", {"version": 1}).status_code == 404
    police = as_user(police_rj_coordinator_factory(police_force_factory()))
    assert police.get(f"/staff/events/{ref}/").status_code == 404


def test_people_who_do_not_run_events_get_a_404(provider):
    event = EventFactory(organiser=provider)
    facilitator = as_user(facilitator_user_factory(provider))
    assert facilitator.get("/staff/events/").status_code == 404
    assert facilitator.get(f"/staff/events/{event.reference}/").status_code == 404
    assert facilitator.get("/staff/events/new/").status_code == 404


def test_the_events_list_shows_only_the_organisers_events(signed_in, provider):
    mine = EventFactory(organiser=provider, title="Ours")
    EventFactory(organiser=ProviderFactory(slug="elsewhere"), title="Theirs")
    text = page(signed_in.get("/staff/events/"))
    assert mine.reference in text
    assert "Ours" in text
    assert "Theirs" not in text


def test_upcoming_and_past_events_are_listed_apart(signed_in, provider):
    EventFactory(organiser=provider, title="Next month's course")
    past_event(organiser=provider, title="Last week's course")
    upcoming = page(signed_in.get("/staff/events/"))
    past = page(signed_in.get("/staff/events/?when=past"))
    assert "Next month&#x27;s course" in upcoming
    assert "Last week" not in upcoming
    assert "Last week&#x27;s course" in past
    assert "Next month" not in past


def test_the_events_list_makes_the_same_number_of_queries_for_2_or_30_events(signed_in, provider):
    for _ in range(2):
        RegistrationFactory(event=EventFactory(organiser=provider))
    few = queries_for(signed_in, "/staff/events/")
    for _ in range(28):
        event = EventFactory(organiser=provider, kind=EventKind.SCHOOL_SESSION)
        RegistrationFactory.create_batch(2, event=event)
    many = queries_for(signed_in, "/staff/events/")
    assert few == many


def test_the_event_page_makes_the_same_number_of_queries_for_1_or_15_registrants(
    signed_in, provider
):
    small = training_event(organiser=provider)
    RegistrationFactory(event=small)
    big = training_event(organiser=provider)
    RegistrationFactory.create_batch(10, event=big)
    for _ in range(5):
        services.registration_add(
            actor=provider_coordinator_factory(provider),
            event=big,
            kind=RegistrantKind.PRACTITIONER,
            practitioner=PractitionerFactory(provider=provider, state=PractitionerState.TRAINING),
        )
    assert queries_for(signed_in, f"/staff/events/{small.reference}/") == queries_for(
        signed_in, f"/staff/events/{big.reference}/"
    )


def test_viewing_the_registrant_list_is_audited(signed_in, provider, coordinator):
    event = EventFactory(organiser=provider)
    people = RegistrationFactory.create_batch(2, event=event)
    signed_in.get(f"/staff/events/{event.reference}/")
    listed = AuditEvent.objects.get(action=AuditAction.LIST, record_type="events.registration")
    assert listed.actor_id == coordinator.pk
    assert sorted(listed.detail["ids"]) == sorted(p.pk for p in people)


# --- creating and changing an event -----------------------------------------------------


def create_data(**overrides):
    day = timezone.localdate() + dt.timedelta(days=10)
    data = {
        "submission_key": "a" * 43,
        "kind": "officer_awareness",
        "title": "RJ for response officers",
        "start_date": day.isoformat(),
        "start_time": "09:30",
        "end_time": "12:00",
        "venue_name": "Colindale Police Station",
        "capacity": "15",
    }
    data.update(overrides)
    return data


def test_creating_an_event_twice_with_one_form_makes_one_event(signed_in, provider):
    first = signed_in.post("/staff/events/new/", create_data())
    again = signed_in.post("/staff/events/new/", create_data())
    event = Event.objects.get()
    assert first["Location"] == again["Location"] == f"/staff/events/{event.reference}/"
    assert (event.organiser, event.capacity) == (provider, 15)
    assert timezone.localtime(event.starts_at).strftime("%H:%M") == "09:30"


def test_an_event_ending_before_it_starts_gets_a_clear_error(signed_in):
    response = signed_in.post(
        "/staff/events/new/", create_data(start_time="14:00", end_time="13:00")
    )
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text
    assert '<a href="#id_end_time">The event must end after it starts.</a>' in text
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title for the event."),
        ({"start_date": "2026-02-30"}, "Enter a real date."),
        ({"start_time": "25:00"}, "Enter a time on the 24-hour clock"),
        ({"capacity": "0"}, "The number of places must be 1 or more."),
        ({"capacity": "lots"}, "Enter the number of places as a whole number"),
        ({"training_course": "facilitator"}, "Enter how many hours of training it counts as."),
        ({"kind": "party"}, "Select a valid choice"),
    ],
)
def test_bad_event_details_are_named(signed_in, overrides, message):
    response = signed_in.post("/staff/events/new/", create_data(**overrides))
    assert message in page(response)
    assert not Event.objects.exists()


def test_a_stale_edit_gets_the_conflict_page(signed_in, provider):
    event = EventFactory(organiser=provider, title="Original")
    colleague = as_user(provider_coordinator_factory(provider))
    form = page(colleague.get(f"/staff/events/{event.reference}/edit/"))
    assert 'name="version"' in form
    data = create_data(version=1)
    data.pop("submission_key")
    assert (
        colleague.post(
            f"/staff/events/{event.reference}/edit/", {**data, "title": "Colleague's title"}
        ).status_code
        == 302
    )
    response = signed_in.post(f"/staff/events/{event.reference}/edit/", {**data, "title": "Mine"})
    assert response.status_code == 409
    assert "Someone else changed this event" in page(response)
    assert Event.objects.get(pk=event.pk).title == "Colleague's title"


def test_a_refused_status_change_says_why(signed_in, provider):
    event = EventFactory(organiser=provider)
    response = signed_in.post(
        f"/staff/events/{event.reference}/status/", {"version": 1, "to_state": "held"}
    )
    assert response.status_code == 400
    assert "once it has started" in page(response)
    assert Event.objects.get(pk=event.pk).state == EventState.SCHEDULED


# --- registration ------------------------------------------------------------------------


def test_registering_past_capacity_is_refused_with_a_clear_message(signed_in, provider):
    event = EventFactory(organiser=provider, capacity=1)
    RegistrationFactory(event=event)
    response = signed_in.post(
        f"/staff/events/{event.reference}/register/",
        {
            "who": "person",
            "person-kind": "police_officer",
            "person-name": "PC Sam Okafor",
            "person-email": "sam.okafor@met.example.org",
        },
    )
    assert response.status_code == 400
    text = page(response)
    assert "This event is full: all 1 places are taken." in text
    assert "Error:" in text.split("</title>")[0]
    assert event.registrations.count() == 1


def test_registering_an_officer_and_a_practitioner(signed_in, provider):
    event = EventFactory(organiser=provider)
    practitioner = PractitionerFactory(provider=provider, state=PractitionerState.TRAINING)
    officer = {
        "who": "person",
        "person-kind": "police_officer",
        "person-name": "PC Sam Okafor",
        "person-email": "Sam.Okafor@met.example.org",
        "person-organisation_name": "Met Police, Barnet",
    }
    url = f"/staff/events/{event.reference}/register/"
    assert signed_in.post(url, officer).status_code == 302
    assert signed_in.post(url, officer).status_code == 302  # a double submit
    assert (
        signed_in.post(
            url, {"who": "practitioner", "practitioner-practitioner": practitioner.pk}
        ).status_code
        == 302
    )
    names = sorted(event.registrations.values_list("name", "email"))
    assert names == sorted(
        [
            ("PC Sam Okafor", "sam.okafor@met.example.org"),
            (practitioner.full_name, practitioner.email),
        ]
    )
    response = signed_in.post(url, {"who": "person", "person-name": "No email"})
    assert response.status_code == 400
    assert "Enter the person&#x27;s email address." in page(response)


# --- attendance, completion, CSV and iCalendar ----------------------------------------


def test_officer_training_attendance_exports_as_csv(signed_in, provider, coordinator):
    force = police_force_factory()
    event = past_event(organiser=provider, title="RJ awareness, North West BCU")
    attended = RegistrationFactory(event=event, name="PC Sam Okafor", email="sam@met.example.org")
    absent = RegistrationFactory(event=event, name="DC Jo O'Neill, Jr", email="jo@met.example.org")
    not_taken = RegistrationFactory(event=event, name="=HYPERLINK(1)", email="x@met.example.org")
    data = {}
    for r in (attended, absent, not_taken):
        data[f"version_{r.pk}"] = r.version
    data[f"attended_{attended.pk}"] = "on"
    data[f"completed_{attended.pk}"] = "on"
    response = signed_in.post(f"/staff/events/{event.reference}/attendance/", data)
    assert response.status_code == 302, page(response)

    response = signed_in.get(f"/staff/events/{event.reference}/attendance.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{event.reference}-attendance.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == ["Name", "Organisation", "Email", "Attended", "Completed"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["PC Sam Okafor"] == [
        "PC Sam Okafor",
        "Metropolitan Police, North West BCU",
        "sam@met.example.org",
        "Yes",
        "Yes",
    ]
    assert by_name["DC Jo O'Neill, Jr"][3:] == ["No", "No"]
    # A name a spreadsheet would run as a formula is written as text.
    assert by_name["'=HYPERLINK(1)"][3:] == ["No", "No"]
    assert len(rows) == 4
    exported = AuditEvent.objects.get(action=AuditAction.EXPORT, record_id=str(event.pk))
    assert exported.actor_id == coordinator.pk
    assert force.slug not in response.content.decode()


def test_the_event_downloads_as_a_valid_icalendar_file(signed_in, provider):
    event = EventFactory(organiser=provider, title="RJ awareness; North West BCU")
    RegistrationFactory(event=event, name="PC Sam Okafor")
    response = signed_in.get(f"/staff/events/{event.reference}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.reference}.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "RJ awareness; North West BCU"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert "Sam Okafor" not in response.content.decode()


def test_completing_training_on_the_attendance_page_updates_the_training_record(
    signed_in, provider
):
    event = training_event(organiser=provider)
    practitioner = PractitionerFactory(provider=provider, state=PractitionerState.TRAINING)
    registration, _ = services.registration_add(
        actor=provider_coordinator_factory(provider),
        event=event,
        kind=RegistrantKind.PRACTITIONER,
        practitioner=practitioner,
    )
    url = f"/staff/events/{event.reference}/attendance/"
    data = {
        f"version_{registration.pk}": 1,
        f"attended_{registration.pk}": "on",
        f"completed_{registration.pk}": "on",
    }
    assert signed_in.post(url, data).status_code == 302
    # The same form sent again (a double click) changes nothing.
    assert signed_in.post(url, data).status_code == 302
    assert (
        TrainingRecord.objects.filter(
            practitioner=practitioner, event_reference=event.reference
        ).count()
        == 1
    )
    assert "On their training record" in page(signed_in.get(f"/staff/events/{event.reference}/"))


def test_completed_without_attended_is_an_error_on_that_row(signed_in, provider):
    event = past_event(organiser=provider)
    registration = RegistrationFactory(event=event, name="PC Sam Okafor")
    response = signed_in.post(
        f"/staff/events/{event.reference}/attendance/",
        {f"version_{registration.pk}": 1, f"completed_{registration.pk}": "on"},
    )
    assert response.status_code == 400
    assert f'href="#id_completed_{registration.pk}"' in page(response)
    assert "PC Sam Okafor cannot have completed the event without attending it." in page(response)
    assert Registration.objects.get(pk=registration.pk).completed is False


# --- school sessions ------------------------------------------------------------------


def test_a_school_session_takes_counts_by_year_group_and_refuses_names(signed_in, provider):
    event = past_event(
        organiser=provider, kind=EventKind.SCHOOL_SESSION, title="Year 9 assembly", capacity=200
    )
    url = f"/staff/events/{event.reference}/pupils/"
    form = page(signed_in.get(url))
    assert "Never enter pupils" in form
    assert "Reception" in form
    assert "Year 13" in form
    response = signed_in.post(url, {"version": 1, "year_9": "Sam Smith, Ali Khan"})
    assert response.status_code == 400
    assert "Enter the number of pupils in Year 9 as a whole number, like 28." in page(response)
    assert not SchoolAttendance.objects.exists()
    response = signed_in.post(url, {"version": 1, "year_9": "-3"})
    assert "cannot be negative" in page(response)
    assert signed_in.post(url, {"version": 1, "year_9": "118", "year_10": "4"}).status_code == 302
    counts = dict(SchoolAttendance.objects.values_list("year_group", "pupils"))
    assert counts == {"year_9": 118, "year_10": 4}
    detail = page(signed_in.get(f"/staff/events/{event.reference}/"))
    assert "<strong>122</strong>" in detail
    assert "Pupils are counted by year group. Their names are never recorded." in detail


def test_pupil_numbers_only_for_school_sessions(signed_in, provider):
    event = past_event(organiser=provider)
    assert signed_in.get(f"/staff/events/{event.reference}/pupils/").status_code == 404


# --- navigation -------------------------------------------------------------------------


def test_navigation_offers_events_to_coordinators_and_my_hours_to_facilitators(provider):
    coordinator_page = page(as_user(provider_coordinator_factory(provider)).get("/staff/events/"))
    assert ">Events and training<" in coordinator_page
    facilitator = as_user(facilitator_user_factory(provider))
    facilitator_page = page(facilitator.get("/staff/events/hours/"))
    assert ">My hours<" in facilitator_page
    assert "Events and training" not in facilitator_page


def test_training_hours_are_kept_when_the_event_counts_as_training(signed_in):
    response = signed_in.post(
        "/staff/events/new/",
        create_data(
            kind="rj_facilitator_training", training_course="facilitator", training_hours="7.5"
        ),
    )
    assert response.status_code == 302
    assert Event.objects.get().training_hours == Decimal("7.5")


def test_removing_a_registration_from_the_event_page(signed_in, provider):
    event = EventFactory(organiser=provider)
    registration = RegistrationFactory(event=event, name="PC Sam Okafor")
    assert 'Remove<span class="govuk-visually-hidden"> PC Sam Okafor' in page(
        signed_in.get(f"/staff/events/{event.reference}/")
    )
    url = f"/staff/events/{event.reference}/registrations/{registration.pk}/remove/"
    response = signed_in.post(url, follow=True)
    assert "PC Sam Okafor is no longer registered." in page(response)
    assert signed_in.post(url).status_code == 302  # a second click changes nothing
    assert not Registration.objects.filter(pk=registration.pk).exists()
    assert signed_in.get(url).status_code == 405


def test_a_volunteers_equality_answers_never_reach_the_attendance_export(signed_in, provider):
    """They are kept with no link to anyone, so a named export cannot carry them."""
    from amends.practitioners.tests.factories import EqualityMonitoringResponseFactory

    volunteer = PractitionerFactory(provider=provider, first_name="Ayo", last_name="Bello")
    answers = EqualityMonitoringResponseFactory(
        provider=provider,
        age_band="25 to 34",
        ethnicity="Black, Black British, Caribbean or African: African",
        religion="Christian",
        sexual_orientation="Bisexual",
        disability="Yes",
    )
    event = past_event(organiser=provider, title="Facilitator skills, day 1")
    RegistrationFactory(
        event=event,
        kind="practitioner",
        practitioner=volunteer,
        name=volunteer.full_name,
        email=volunteer.email,
        organisation_name=provider.name,
    )
    response = signed_in.get(f"/staff/events/{event.reference}/attendance.csv")
    assert response.status_code == 200
    exported = response.content.decode()
    assert "Ayo Bello" in exported
    for value in (answers.age_band, answers.ethnicity, answers.religion, "Bisexual"):
        assert value not in exported
