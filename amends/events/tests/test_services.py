"""Event, registration, attendance and hours services: the rules and what they refuse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from amends.core.errors import DomainError, StaleVersion, TransitionRefused
from amends.core.models import AuditAction, AuditEvent, TransitionLog
from amends.events import services
from amends.events.models import (
    Event,
    EventKind,
    EventState,
    ExpensesStatus,
    RegistrantKind,
    Registration,
    SchoolAttendance,
    VolunteerHours,
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
    eligible_practitioner_factory,
    facilitator_user_factory,
    provider_coordinator_factory,
    volunteer_coordinator_factory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return ProviderFactory(slug="north-london-rj", name="North London RJ")


@pytest.fixture
def coordinator(provider):
    return provider_coordinator_factory(provider)


@pytest.fixture
def volunteer_coordinator(provider):
    return volunteer_coordinator_factory(provider)


def event_fields(**overrides):
    start = timezone.now() + dt.timedelta(days=7)
    fields = {
        "kind": EventKind.OFFICER_AWARENESS,
        "title": "RJ awareness for response officers",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "venue_name": "Colindale Police Station",
        "capacity": 12,
    }
    fields.update(overrides)
    return fields


# --- events ----------------------------------------------------------------------------


def test_a_coordinator_creates_an_event_for_their_own_organisation(coordinator, provider):
    event = services.event_create(actor=coordinator, **event_fields())
    assert event.organiser == provider
    assert event.state == EventState.SCHEDULED
    assert event.reference.startswith("EVT-")
    created = AuditEvent.objects.get(action=AuditAction.CREATE, record_id=str(event.pk))
    assert created.actor_id == coordinator.pk


def test_an_event_that_ends_before_it_starts_is_refused(coordinator):
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(DomainError, match="must end after it starts") as refused:
        services.event_create(
            actor=coordinator,
            **event_fields(starts_at=start, ends_at=start - dt.timedelta(hours=1)),
        )
    assert refused.value.code == "ends_at"
    assert not Event.objects.exists()


def test_training_without_hours_is_refused(coordinator):
    with pytest.raises(DomainError, match="hours of training"):
        services.event_create(
            actor=coordinator, **event_fields(training_course="facilitator", training_hours=0)
        )


def test_only_coordinators_create_events(provider):
    facilitator = facilitator_user_factory(provider)
    with pytest.raises(DomainError, match="coordinators"):
        services.event_create(actor=facilitator, **event_fields())
    assert not Event.objects.exists()


def test_the_same_create_form_submitted_twice_makes_one_event(coordinator):
    first = services.event_create(actor=coordinator, submission_key="k" * 43, **event_fields())
    again = services.event_create(actor=coordinator, submission_key="k" * 43, **event_fields())
    assert first.pk == again.pk
    assert Event.objects.count() == 1


def test_someone_elses_submission_key_is_refused(coordinator):
    services.event_create(actor=coordinator, submission_key="k" * 43, **event_fields())
    other = provider_coordinator_factory(ProviderFactory(slug="elsewhere"))
    with pytest.raises(DomainError, match="already been used"):
        services.event_create(actor=other, submission_key="k" * 43, **event_fields())


def test_a_police_rj_coordinator_runs_their_forces_officer_training():
    force = police_force_factory()
    coordinator = police_rj_coordinator_factory(force)
    event = services.event_create(actor=coordinator, **event_fields())
    assert event.organiser == force


def test_a_stale_edit_is_refused_and_audited(coordinator, provider):
    event = EventFactory(organiser=provider)
    services.event_update(
        actor=coordinator, event=event, expected_version=1, changes={"title": "First"}
    )
    with pytest.raises(StaleVersion):
        services.event_update(
            actor=coordinator, event=event, expected_version=1, changes={"title": "Second"}
        )
    event.refresh_from_db()
    assert (event.title, event.version) == ("First", 2)
    assert AuditEvent.objects.filter(action=AuditAction.CONFLICT, record_id=str(event.pk)).exists()


def test_places_cannot_drop_below_the_people_registered(coordinator, provider):
    event = EventFactory(organiser=provider, capacity=5)
    RegistrationFactory.create_batch(3, event=event)
    with pytest.raises(DomainError, match="3 people are registered") as refused:
        services.event_update(
            actor=coordinator, event=event, expected_version=1, changes={"capacity": 2}
        )
    assert refused.value.code == "capacity"


def test_a_school_session_with_pupil_numbers_stays_a_school_session(coordinator, provider):
    event = past_event(organiser=provider, kind=EventKind.SCHOOL_SESSION)
    services.school_attendance_record(
        actor=coordinator, event=event, counts={"year_7": 20}, expected_version=1
    )
    with pytest.raises(DomainError, match="stays a school session"):
        services.event_update(
            actor=coordinator,
            event=event,
            expected_version=2,
            changes={"kind": EventKind.COMMUNITY_EVENT},
        )


def test_another_organisations_coordinator_gets_a_404(provider):
    event = EventFactory(organiser=provider)
    stranger = provider_coordinator_factory(ProviderFactory(slug="elsewhere"))
    with pytest.raises(Http404):
        services.event_update(
            actor=stranger, event=event, expected_version=1, changes={"title": "Mine now"}
        )
    with pytest.raises(Http404):
        services.registration_add(
            actor=stranger, event=event, kind=RegistrantKind.OTHER, name="A", email="a@b.org"
        )


def test_an_event_is_held_only_once_it_has_started(coordinator, provider):
    future = EventFactory(organiser=provider)
    with pytest.raises(TransitionRefused, match="once it has started"):
        services.event_transition(actor=coordinator, event=future, to_state=EventState.HELD)
    started = past_event(organiser=provider)
    services.event_transition(actor=coordinator, event=started, to_state=EventState.HELD)
    assert Event.objects.get(pk=started.pk).state == EventState.HELD


def test_cancelling_needs_a_reason_and_can_be_undone(coordinator, provider):
    event = EventFactory(organiser=provider)
    with pytest.raises(TransitionRefused, match="Give a reason"):
        services.event_transition(actor=coordinator, event=event, to_state=EventState.CANCELLED)
    services.event_transition(
        actor=coordinator, event=event, to_state=EventState.CANCELLED, reason="Trainer ill"
    )
    assert Event.objects.get(pk=event.pk).state == EventState.CANCELLED
    services.event_transition(
        actor=coordinator, event=event, to_state=EventState.SCHEDULED, reason="Trainer better"
    )
    assert Event.objects.get(pk=event.pk).state == EventState.SCHEDULED
    assert TransitionLog.objects.filter(object_id=event.pk).count() == 2


# --- registration ----------------------------------------------------------------------


def test_a_full_event_refuses_another_registration(coordinator, provider):
    event = EventFactory(organiser=provider, capacity=2)
    for n in range(2):
        services.registration_add(
            actor=coordinator,
            event=event,
            kind=RegistrantKind.POLICE_OFFICER,
            name=f"Officer {n}",
            email=f"officer{n}@met.example.org",
        )
    with pytest.raises(DomainError, match="This event is full: all 2 places are taken"):
        services.registration_add(
            actor=coordinator,
            event=event,
            kind=RegistrantKind.POLICE_OFFICER,
            name="One too many",
            email="late@met.example.org",
        )
    assert event.registrations.count() == 2


def test_registering_the_same_person_twice_makes_one_registration(coordinator, provider):
    event = EventFactory(organiser=provider)
    practitioner = PractitionerFactory(provider=provider, state=PractitionerState.TRAINING)
    first, created = services.registration_add(
        actor=coordinator, event=event, kind=RegistrantKind.PRACTITIONER, practitioner=practitioner
    )
    again, created_again = services.registration_add(
        actor=coordinator, event=event, kind=RegistrantKind.PRACTITIONER, practitioner=practitioner
    )
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert first.name == practitioner.full_name
    assert first.organisation_name == provider.name
    person, _ = services.registration_add(
        actor=coordinator, event=event, kind=RegistrantKind.OTHER, name="X", email="A@B.ORG"
    )
    same, created = services.registration_add(
        actor=coordinator, event=event, kind=RegistrantKind.OTHER, name="X", email="a@b.org"
    )
    assert (person.pk, created) == (same.pk, False)
    assert event.registrations.count() == 2


def test_only_the_organisers_own_practitioners_and_staff_can_be_registered(coordinator, provider):
    event = EventFactory(organiser=provider)
    elsewhere = ProviderFactory(slug="elsewhere")
    with pytest.raises(DomainError, match="your practitioners"):
        services.registration_add(
            actor=coordinator,
            event=event,
            kind=RegistrantKind.PRACTITIONER,
            practitioner=PractitionerFactory(provider=elsewhere),
        )
    with pytest.raises(DomainError, match="your staff"):
        services.registration_add(
            actor=coordinator,
            event=event,
            kind=RegistrantKind.STAFF,
            user=facilitator_user_factory(elsewhere),
        )


def test_a_named_person_needs_a_name_and_an_email(coordinator, provider):
    event = EventFactory(organiser=provider)
    with pytest.raises(DomainError, match="full name"):
        services.registration_add(
            actor=coordinator, event=event, kind=RegistrantKind.POLICE_OFFICER, email="a@b.org"
        )
    with pytest.raises(DomainError, match="email"):
        services.registration_add(
            actor=coordinator, event=event, kind=RegistrantKind.POLICE_OFFICER, name="PC Jones"
        )


def test_nobody_registers_for_a_cancelled_event(coordinator, provider):
    event = EventFactory(organiser=provider)
    services.event_transition(
        actor=coordinator, event=event, to_state=EventState.CANCELLED, reason="Venue closed"
    )
    with pytest.raises(DomainError, match="cancelled"):
        services.registration_add(
            actor=coordinator, event=event, kind=RegistrantKind.OTHER, name="A", email="a@b.org"
        )


# --- attendance and training records ---------------------------------------------------


def mark(registration, *, attended=True, completed=True):
    registration.refresh_from_db()
    return services.AttendanceMark(
        registration_id=registration.pk,
        attended=attended,
        completed=completed,
        expected_version=registration.version,
    )


def test_completing_training_adds_it_to_the_practitioners_record_once(coordinator, provider):
    event = training_event(organiser=provider)
    practitioner = PractitionerFactory(provider=provider, state=PractitionerState.TRAINING)
    registration, _ = services.registration_add(
        actor=coordinator, event=event, kind=RegistrantKind.PRACTITIONER, practitioner=practitioner
    )
    services.attendance_record(actor=coordinator, event=event, marks=[mark(registration)])
    services.attendance_record(actor=coordinator, event=event, marks=[mark(registration)])
    records = TrainingRecord.objects.filter(practitioner=practitioner)
    assert records.count() == 1
    record = records.get()
    assert (record.course, record.hours, record.event_reference, record.title) == (
        "facilitator",
        Decimal("21.0"),
        event.reference,
        event.title,
    )
    assert record.completed_on == timezone.localdate(event.ends_at)
    registration.refresh_from_db()
    assert registration.training_record == record
    assert (registration.attended, registration.completed) == (True, True)


def test_a_completion_on_a_training_record_cannot_be_undone_here(coordinator, provider):
    event = training_event(organiser=provider)
    practitioner = PractitionerFactory(provider=provider, state=PractitionerState.TRAINING)
    registration, _ = services.registration_add(
        actor=coordinator, event=event, kind=RegistrantKind.PRACTITIONER, practitioner=practitioner
    )
    services.attendance_record(actor=coordinator, event=event, marks=[mark(registration)])
    with pytest.raises(DomainError, match="cannot be undone here"):
        services.attendance_record(
            actor=coordinator, event=event, marks=[mark(registration, completed=False)]
        )
    assert Registration.objects.get(pk=registration.pk).completed is True
    assert TrainingRecord.objects.filter(practitioner=practitioner).count() == 1


def test_an_event_that_is_not_training_adds_no_training_record(coordinator, provider):
    event = past_event(organiser=provider, kind=EventKind.COMMUNITY_EVENT)
    practitioner = eligible_practitioner_factory(provider=provider)
    before = TrainingRecord.objects.filter(practitioner=practitioner).count()
    registration, _ = services.registration_add(
        actor=coordinator, event=event, kind=RegistrantKind.PRACTITIONER, practitioner=practitioner
    )
    services.attendance_record(actor=coordinator, event=event, marks=[mark(registration)])
    assert TrainingRecord.objects.filter(practitioner=practitioner).count() == before
    assert Registration.objects.get(pk=registration.pk).completed is True


def test_completion_needs_attendance(coordinator, provider):
    event = training_event(organiser=provider)
    registration = RegistrationFactory(event=event)
    with pytest.raises(DomainError, match="without attending"):
        services.attendance_record(
            actor=coordinator, event=event, marks=[mark(registration, attended=False)]
        )


def test_attendance_waits_for_the_event_to_start(coordinator, provider):
    event = EventFactory(organiser=provider)
    registration = RegistrationFactory(event=event)
    with pytest.raises(DomainError, match="once the event has started"):
        services.attendance_record(actor=coordinator, event=event, marks=[mark(registration)])


def test_attendance_saved_over_a_newer_save_is_refused(coordinator, provider):
    event = past_event(organiser=provider)
    registration = RegistrationFactory(event=event)
    loaded = mark(registration, completed=False)
    services.attendance_record(actor=coordinator, event=event, marks=[loaded])
    with pytest.raises(StaleVersion):
        services.attendance_record(
            actor=coordinator,
            event=event,
            marks=[services.AttendanceMark(registration.pk, False, False, loaded.expected_version)],
        )
    assert Registration.objects.get(pk=registration.pk).attended is True


# --- school sessions: counts, never names ----------------------------------------------


def test_the_school_attendance_model_cannot_hold_a_name():
    names = {f.name for f in SchoolAttendance._meta.get_fields()}
    assert names == {"id", "event", "year_group", "pupils", "recorded_by", "recorded_at"}
    assert not [n for n in names if "name" in n]
    text_fields = [
        f.name
        for f in SchoolAttendance._meta.concrete_fields
        if f.get_internal_type() in {"CharField", "TextField"} and not f.choices
    ]
    assert text_fields == []


def test_a_school_session_records_pupils_as_counts_by_year_group(coordinator, provider):
    event = past_event(organiser=provider, kind=EventKind.SCHOOL_SESSION, capacity=90)
    services.school_attendance_record(
        actor=coordinator,
        event=event,
        counts={"year_7": 28, "year_8": 30, "year_9": None},
        expected_version=1,
    )
    counts = dict(SchoolAttendance.objects.filter(event=event).values_list("year_group", "pupils"))
    assert counts == {"year_7": 28, "year_8": 30}
    services.school_attendance_record(
        actor=coordinator, event=event, counts={"year_7": 27, "year_8": 0}, expected_version=2
    )
    counts = dict(SchoolAttendance.objects.filter(event=event).values_list("year_group", "pupils"))
    assert counts == {"year_7": 27}
    audit = AuditEvent.objects.filter(action=AuditAction.CHANGE, record_id=str(event.pk)).first()
    assert audit is not None
    assert audit.detail["pupils"] == 27


def test_pupil_numbers_cannot_exceed_the_places_or_go_to_other_events(coordinator, provider):
    event = past_event(organiser=provider, kind=EventKind.SCHOOL_SESSION, capacity=30)
    with pytest.raises(DomainError, match="more than the 30 places"):
        services.school_attendance_record(
            actor=coordinator, event=event, counts={"year_7": 20, "year_8": 11}, expected_version=1
        )
    officer_training = past_event(organiser=provider)
    with pytest.raises(DomainError, match="school sessions only"):
        services.school_attendance_record(
            actor=coordinator, event=officer_training, counts={"year_7": 2}, expected_version=1
        )
    with pytest.raises(DomainError, match="by year group only"):
        services.school_attendance_record(
            actor=coordinator, event=event, counts={"Sam Smith": 1}, expected_version=1
        )
    assert not SchoolAttendance.objects.exists()


# --- hours and expenses ----------------------------------------------------------------


@pytest.fixture
def volunteer(provider):
    user = facilitator_user_factory(provider)
    practitioner = eligible_practitioner_factory(provider=provider, user=user)
    return user, practitioner


def log(actor, **overrides):
    fields: dict[str, Any] = {
        "date": timezone.localdate() - dt.timedelta(days=1),
        "hours": Decimal("3"),
        "activity": "other",
        "description": "Stall at the library",
    }
    fields.update(overrides)
    return services.hours_log(actor=actor, **fields)


def test_a_volunteer_logs_hours_and_claims_expenses(volunteer):
    user, practitioner = volunteer
    entry = log(user, expenses_pence=1250, expenses_for="Bus fares")
    assert entry.practitioner == practitioner
    assert entry.expenses_status == ExpensesStatus.PENDING
    plain = log(user)
    assert plain.expenses_status == ExpensesStatus.NOT_CLAIMED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hours": Decimal("-2")}, "between 0.5 and 24"),
        ({"hours": Decimal("25")}, "between 0.5 and 24"),
        ({"date": dt.date.today() + dt.timedelta(days=2)}, "today or in the past"),
        ({"expenses_pence": -100, "expenses_for": "x"}, "between £0 and £1,000"),
        ({"expenses_pence": 500}, "what the expenses were for"),
        ({"activity": "case"}, "case reference"),
        ({"activity": "event"}, "Choose the event"),
    ],
)
def test_bad_hours_are_refused(volunteer, overrides, message):
    user, _ = volunteer
    with pytest.raises(DomainError, match=message):
        log(user, **overrides)
    assert not VolunteerHours.objects.exists()


def test_hours_for_another_providers_event_are_refused(volunteer):
    user, _ = volunteer
    elsewhere = past_event(organiser=ProviderFactory(slug="elsewhere"))
    with pytest.raises(DomainError, match="Choose the event"):
        log(user, activity="event", event=elsewhere)


def test_a_sign_in_without_a_practitioner_record_cannot_log_hours(provider):
    with pytest.raises(DomainError, match="not linked to a practitioner"):
        log(facilitator_user_factory(provider))


def test_the_same_hours_form_submitted_twice_makes_one_entry(volunteer):
    user, _ = volunteer
    first = log(user, submission_key="s" * 43)
    again = log(user, submission_key="s" * 43)
    assert first.pk == again.pk
    assert VolunteerHours.objects.count() == 1


def test_the_volunteer_coordinator_approves_or_rejects_a_claim(volunteer, volunteer_coordinator):
    user, _ = volunteer
    approved = log(user, expenses_pence=800, expenses_for="Parking")
    rejected = log(user, expenses_pence=9000, expenses_for="Taxi")
    services.expense_claim_decide(actor=volunteer_coordinator, entry=approved, approve=True)
    with pytest.raises(TransitionRefused, match="Give a reason"):
        services.expense_claim_decide(actor=volunteer_coordinator, entry=rejected, approve=False)
    services.expense_claim_decide(
        actor=volunteer_coordinator, entry=rejected, approve=False, reason="Use the bus"
    )
    assert VolunteerHours.objects.get(pk=approved.pk).expenses_status == ExpensesStatus.APPROVED
    assert VolunteerHours.objects.get(pk=rejected.pk).expenses_status == ExpensesStatus.REJECTED
    with pytest.raises(TransitionRefused):
        services.expense_claim_decide(actor=volunteer_coordinator, entry=approved, approve=True)


def test_only_the_providers_volunteer_coordinator_decides_claims(volunteer, coordinator):
    user, _ = volunteer
    claim = log(user, expenses_pence=800, expenses_for="Parking")
    with pytest.raises(Http404):
        services.expense_claim_decide(actor=coordinator, entry=claim, approve=True)
    stranger = volunteer_coordinator_factory(ProviderFactory(slug="elsewhere"))
    with pytest.raises(Http404):
        services.expense_claim_decide(actor=stranger, entry=claim, approve=True)
    assert VolunteerHours.objects.get(pk=claim.pk).expenses_status == ExpensesStatus.PENDING


def test_someone_is_taken_off_an_event_until_their_attendance_is_recorded(coordinator, provider):
    event = past_event(organiser=provider)
    leaving, staying = RegistrationFactory.create_batch(2, event=event)
    assert (
        services.registration_remove(actor=coordinator, event=event, registration_id=leaving.pk)
        == leaving.name
    )
    assert (
        services.registration_remove(actor=coordinator, event=event, registration_id=leaving.pk)
        is None
    )
    services.attendance_record(
        actor=coordinator, event=event, marks=[mark(staying, completed=False)]
    )
    with pytest.raises(DomainError, match="stay on the event's record"):
        services.registration_remove(actor=coordinator, event=event, registration_id=staying.pk)
    assert list(event.registrations.all()) == [staying]
    stranger = provider_coordinator_factory(ProviderFactory(slug="elsewhere"))
    with pytest.raises(Http404):
        services.registration_remove(actor=stranger, event=event, registration_id=staying.pk)
