"""Writes to practitioners' records: rules, bad inputs, double submits, audit, stale versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from amends.accounts.models import Role
from amends.accounts.tests.factories import UserFactory
from amends.core.errors import DomainError, StaleVersion, TransitionRefused
from amends.core.models import AuditAction, AuditEvent
from amends.practitioners import services
from amends.practitioners.models import (
    AccreditationRole,
    CpdEntry,
    DbsCheck,
    DbsOutcome,
    ObservedPractice,
    Practitioner,
    PractitionerKind,
    PractitionerLevel,
    PractitionerState,
    RjcStatus,
    SupervisionSession,
    TrainingCourse,
    TrainingRecord,
)
from amends.practitioners.tests.factories import (
    PractitionerFactory,
    ProviderFactory,
    RefereeFactory,
    facilitator_user_factory,
    provider_coordinator_factory,
    volunteer_coordinator_factory,
)

pytestmark = pytest.mark.django_db
S = PractitionerState
TODAY = timezone.localdate


@pytest.fixture
def provider():
    return ProviderFactory()


@pytest.fixture
def coordinator(provider):
    return volunteer_coordinator_factory(provider)


@pytest.fixture
def practitioner(provider):
    return PractitionerFactory(provider=provider, state=S.ACTIVE)


def created_audits(model):
    return AuditEvent.objects.filter(action=AuditAction.CREATE, record_type=model._meta.label_lower)


# --- DBS -----------------------------------------------------------------------------------


def dbs(coordinator, practitioner, **overrides):
    fields: dict[str, Any] = {
        "certificate_number": "001234567890",
        "issue_date": TODAY() - dt.timedelta(days=10),
        "outcome": DbsOutcome.CLEAR,
    }
    fields.update(overrides)
    return services.dbs_check_record(actor=coordinator, practitioner=practitioner, **fields)


def test_a_dbs_check_is_recorded_once_however_often_it_is_saved(coordinator, practitioner):
    first = dbs(coordinator, practitioner, certificate_number="0012 3456 7890")
    again = dbs(coordinator, practitioner)
    assert first.pk == again.pk
    assert first.certificate_number == "001234567890"
    assert first.recorded_by == coordinator
    assert DbsCheck.objects.count() == 1
    audit = created_audits(DbsCheck).get()
    assert audit.actor_id == coordinator.pk
    assert audit.detail == {"practitioner": practitioner.pk, "outcome": "clear"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"certificate_number": "12345678901"}, "must be 12 digits"),
        ({"certificate_number": "1234567890123"}, "must be 12 digits"),
        ({"certificate_number": "00123456789X"}, "must be 12 digits"),
        ({"certificate_number": ""}, "must be 12 digits"),
        ({"issue_date": dt.date.today() + dt.timedelta(days=1)}, "today or in the past"),
        ({"outcome": "maybe"}, "Choose the outcome"),
    ],
)
def test_a_dbs_check_with_bad_details_is_refused(coordinator, practitioner, overrides, message):
    with pytest.raises(DomainError, match=message):
        dbs(coordinator, practitioner, **overrides)
    assert not DbsCheck.objects.exists()


def test_the_same_certificate_with_other_details_is_refused(coordinator, practitioner):
    dbs(coordinator, practitioner)
    with pytest.raises(DomainError, match="already recorded"):
        dbs(coordinator, practitioner, outcome=DbsOutcome.NOT_ACCEPTED)


# --- training --------------------------------------------------------------------------------


def test_training_from_an_event_is_recorded_once_per_event(practitioner):
    def attend():
        return services.training_record_add(
            actor=None,
            practitioner=practitioner,
            course=TrainingCourse.FACILITATOR,
            completed_on=TODAY(),
            hours=Decimal("21"),
            title="Spring facilitator course",
            event_reference="EVT-0001",
        )

    first, second = attend(), attend()
    assert first.pk == second.pk
    assert first.event_reference == "EVT-0001"
    assert first.recorded_by is None
    assert TrainingRecord.objects.count() == 1
    # Another event on the same day is another record.
    services.training_record_add(
        actor=None,
        practitioner=practitioner,
        course=TrainingCourse.FACILITATOR,
        completed_on=TODAY(),
        hours=Decimal("7"),
        event_reference="EVT-0002",
    )
    assert TrainingRecord.objects.count() == 2


def test_the_provider_coordinator_may_record_training_only_from_an_event(provider, practitioner):
    runner = provider_coordinator_factory(provider)
    record = services.training_record_add(
        actor=runner,
        practitioner=practitioner,
        course=TrainingCourse.REFRESHER,
        completed_on=TODAY(),
        hours=Decimal("3"),
        event_reference="EVT-0003",
    )
    assert record.recorded_by == runner
    with pytest.raises(DomainError, match="volunteer coordinator"):
        services.training_record_add(
            actor=runner,
            practitioner=practitioner,
            course=TrainingCourse.REFRESHER,
            completed_on=TODAY(),
            hours=Decimal("3"),
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"course": "juggling"}, "Choose the training course"),
        ({"completed_on": dt.date.today() + dt.timedelta(days=2)}, "today or in the past"),
        ({"hours": Decimal("-1")}, "more than 0"),
        ({"hours": Decimal("1001")}, "1000 or fewer"),
        ({"hours": Decimal("1.25")}, "nearest tenth"),
    ],
)
def test_training_with_bad_details_is_refused(coordinator, practitioner, overrides, message):
    fields: dict[str, Any] = {
        "course": TrainingCourse.FACILITATOR,
        "completed_on": TODAY(),
        "hours": Decimal("28"),
    }
    fields.update(overrides)
    with pytest.raises(DomainError, match=message):
        services.training_record_add(actor=coordinator, practitioner=practitioner, **fields)
    assert not TrainingRecord.objects.exists()


# --- supervision, observation, CPD -----------------------------------------------------------


def test_supervision_observation_and_cpd_are_recorded_once_and_audited(coordinator, practitioner):
    day = TODAY() - dt.timedelta(days=3)
    for _ in range(2):
        services.supervision_record(
            actor=coordinator, practitioner=practitioner, held_on=day, supervisor="Dr Ann Lee"
        )
        services.observation_record(
            actor=coordinator,
            practitioner=practitioner,
            observed_on=day,
            observer="Owen Hughes",
            satisfactory=False,
            notes="Rushed the preparation meeting.",
        )
        services.cpd_entry_add(
            actor=coordinator,
            practitioner=practitioner,
            completed_on=day,
            activity="Reading: RJC practitioner handbook",
            hours=Decimal("1.5"),
        )
    assert SupervisionSession.objects.get().supervisor == "Dr Ann Lee"
    assert ObservedPractice.objects.get().satisfactory is False
    assert CpdEntry.objects.get().hours == Decimal("1.5")
    for model in (SupervisionSession, ObservedPractice, CpdEntry):
        assert created_audits(model).count() == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a, p: services.supervision_record(
            actor=a, practitioner=p, held_on=dt.date.today(), supervisor="  "
        ), "Enter who supervised them"),
        (lambda a, p: services.supervision_record(
            actor=a, practitioner=p, held_on=dt.date.today() + dt.timedelta(days=1),
            supervisor="Ann",
        ), "today or in the past"),
        (lambda a, p: services.observation_record(
            actor=a, practitioner=p, observed_on=dt.date.today(), observer=""
        ), "Enter who observed their practice"),
        (lambda a, p: services.cpd_entry_add(
            actor=a, practitioner=p, completed_on=dt.date.today(), activity="",
            hours=Decimal("1"),
        ), "Enter what the CPD activity was"),
        (lambda a, p: services.cpd_entry_add(
            actor=a, practitioner=p, completed_on=dt.date.today(), activity="Webinar",
            hours=Decimal("0"),
        ), "more than 0"),
    ],
)  # fmt: skip
def test_practice_records_with_bad_details_are_refused(coordinator, practitioner, call, message):
    with pytest.raises(DomainError, match=message):
        call(coordinator, practitioner)


@pytest.mark.parametrize("state", [S.LEFT, S.NOT_PROGRESSED])
def test_nothing_is_added_to_someone_who_has_gone(provider, coordinator, state):
    gone = PractitionerFactory(provider=provider, state=state)
    with pytest.raises(DomainError, match="no longer with the service"):
        services.supervision_record(
            actor=coordinator, practitioner=gone, held_on=TODAY(), supervisor="Ann"
        )
    with pytest.raises(DomainError, match="no longer with the service"):
        dbs(coordinator, gone)


# --- referees --------------------------------------------------------------------------------


def test_a_reference_is_requested_then_received(coordinator, practitioner):
    referee = RefereeFactory(practitioner=practitioner)
    requested = TODAY() - dt.timedelta(days=7)
    services.referee_request(actor=coordinator, referee=referee, requested_on=requested)
    with pytest.raises(DomainError, match="cannot be received before it was requested"):
        services.referee_record(
            actor=coordinator,
            referee=referee,
            received_on=requested - dt.timedelta(days=1),
            satisfactory=True,
        )
    with pytest.raises(DomainError, match="today or in the past"):
        services.referee_record(
            actor=coordinator,
            referee=referee,
            received_on=TODAY() + dt.timedelta(days=1),
            satisfactory=True,
        )
    services.referee_record(
        actor=coordinator, referee=referee, received_on=TODAY(), satisfactory=True, notes=" Fine "
    )
    referee.refresh_from_db()
    assert (referee.requested_on, referee.received_on, referee.satisfactory, referee.notes) == (
        requested,
        TODAY(),
        True,
        "Fine",
    )
    change = AuditEvent.objects.filter(action=AuditAction.CHANGE, record_id=str(referee.pk))
    last = change.order_by("id").last()
    assert last is not None
    assert sorted(last.fields) == ["notes", "received_on", "satisfactory"]


def test_a_referee_needs_a_name_a_relationship_and_a_way_to_reach_them(coordinator, practitioner):
    with pytest.raises(DomainError, match="email address or phone number"):
        services.referee_add(
            actor=coordinator, practitioner=practitioner, name="Jo", relationship="Manager"
        )
    with pytest.raises(DomainError, match="Enter the referee's name"):
        services.referee_add(
            actor=coordinator,
            practitioner=practitioner,
            name=" ",
            relationship="Manager",
            phone="07700900982",
        )


# --- details ----------------------------------------------------------------------------------


def test_details_change_with_the_version_they_loaded(coordinator, practitioner):
    updated = services.practitioner_update(
        actor=coordinator,
        practitioner=practitioner,
        expected_version=practitioner.version,
        changes={
            "availability": ["weekday_evening", "weekend", "weekend"],
            "languages": " English, Polish ",
            "case_limit": 4,
            "rjc_status": RjcStatus.REGISTERED,
            "rjc_number": "RJC12345",
        },
    )
    assert updated.version == practitioner.version + 1
    assert updated.availability == ["weekday_evening", "weekend"]
    assert updated.languages == "English, Polish"
    audit = AuditEvent.objects.get(action=AuditAction.CHANGE, record_id=str(practitioner.pk))
    assert audit.fields == sorted(
        ["availability", "languages", "case_limit", "rjc_status", "rjc_number"]
    )
    assert "Polish" not in str(audit.detail)


def test_a_stale_version_is_refused_and_recorded(coordinator, practitioner):
    services.practitioner_update(
        actor=coordinator,
        practitioner=practitioner,
        expected_version=practitioner.version,
        changes={"areas": "Haringey"},
    )
    with pytest.raises(StaleVersion):
        services.practitioner_update(
            actor=coordinator,
            practitioner=practitioner,
            expected_version=practitioner.version,  # the one loaded before the first save
            changes={"areas": "Enfield"},
        )
    practitioner.refresh_from_db()
    assert practitioner.areas == "Haringey"
    assert AuditEvent.objects.filter(
        action=AuditAction.CONFLICT, record_id=str(practitioner.pk)
    ).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"case_limit": 0}, "whole number from 1 to 20"),
        ({"case_limit": 21}, "whole number from 1 to 20"),
        ({"rjc_status": RjcStatus.ACCREDITED}, "Enter their RJC registration number"),
        ({"level": "grand_master"}, "not a valid level"),
        ({"email": " "}, "Enter their email address"),
        ({"state": S.ACTIVE}, "cannot be changed here: state"),
        ({"availability": "weekends"}, "list of day parts"),
    ],
)
def test_bad_details_are_refused(coordinator, practitioner, changes, message):
    with pytest.raises(DomainError, match=message):
        services.practitioner_update(
            actor=coordinator,
            practitioner=practitioner,
            expected_version=practitioner.version,
            changes=changes,
        )


def test_only_a_free_facilitator_of_the_provider_can_be_linked(provider, coordinator):
    practitioner = PractitionerFactory(provider=provider)
    other = PractitionerFactory(provider=provider)
    facilitator = facilitator_user_factory(provider)
    outsider = facilitator_user_factory(ProviderFactory())
    not_a_facilitator = provider_coordinator_factory(provider)

    def link(user, target=practitioner):
        target.refresh_from_db()
        return services.practitioner_update(
            actor=coordinator,
            practitioner=target,
            expected_version=target.version,
            changes={"user": user},
        )

    for user in (outsider, not_a_facilitator):
        with pytest.raises(DomainError, match="only a facilitator's sign-in can be linked"):
            link(user)
    assert link(facilitator).user == facilitator
    with pytest.raises(DomainError, match="already linked"):
        link(facilitator, other)
    assert link(None).user is None


# --- who may write -----------------------------------------------------------------------------


def test_another_providers_coordinator_gets_404_and_readers_are_refused(provider, practitioner):
    stranger = volunteer_coordinator_factory(ProviderFactory())
    with pytest.raises(Http404):
        dbs(stranger, practitioner)
    with pytest.raises(Http404):
        services.practitioner_transition(
            actor=stranger, practitioner=practitioner, to_state=S.PAUSED
        )
    reader = provider_coordinator_factory(provider)
    with pytest.raises(DomainError, match="Only the provider's volunteer coordinator"):
        dbs(reader, practitioner)
    with pytest.raises(DomainError, match="Only the provider's volunteer coordinator"):
        services.practitioner_update(
            actor=reader,
            practitioner=practitioner,
            expected_version=practitioner.version,
            changes={"areas": "Barnet"},
        )
    assert not DbsCheck.objects.exists()


def test_a_stale_transition_is_refused(coordinator, practitioner):
    with pytest.raises(StaleVersion):
        services.practitioner_transition(
            actor=coordinator,
            practitioner=practitioner,
            to_state=S.PAUSED,
            expected_version=practitioner.version + 1,
        )
    practitioner.refresh_from_db()
    assert practitioner.state == S.ACTIVE


# --- staff ---------------------------------------------------------------------------------------


def test_a_member_of_staff_starts_at_training(provider, coordinator):
    user = facilitator_user_factory(provider, full_name="Ruth Anne Campbell")
    added = services.practitioner_add_staff(actor=coordinator, user=user, phone="020 7946 0001")
    assert (added.kind, added.state, added.user) == (PractitionerKind.STAFF, S.TRAINING, user)
    assert (added.first_name, added.last_name, added.email) == ("Ruth", "Anne Campbell", user.email)
    again = services.practitioner_add_staff(actor=coordinator, user=user)
    assert again.pk == added.pk
    assert Practitioner.objects.count() == 1


def test_a_member_of_staff_with_training_is_accredited_at_once(provider, coordinator):
    user = facilitator_user_factory(provider)
    added = services.practitioner_add_staff(
        actor=coordinator,
        user=user,
        course=TrainingCourse.FACILITATOR,
        completed_on=TODAY() - dt.timedelta(days=400),
        hours=Decimal("28"),
        accreditation_role=AccreditationRole.FACILITATOR,
        level=PractitionerLevel.SENIOR,
    )
    added.refresh_from_db()
    assert added.state == S.ACCREDITED
    assert added.level == PractitionerLevel.SENIOR
    assert added.training_records.get().hours == Decimal("28")


def test_staff_accreditation_that_fails_its_check_adds_nothing(provider, coordinator):
    user = facilitator_user_factory(provider)
    with pytest.raises(TransitionRefused, match="Choose the role"):
        services.practitioner_add_staff(
            actor=coordinator,
            user=user,
            course=TrainingCourse.FACILITATOR,
            completed_on=TODAY(),
            hours=Decimal("28"),
        )
    assert not Practitioner.objects.exists()
    assert not TrainingRecord.objects.exists()


def test_only_the_providers_own_active_staff_can_be_added(provider, coordinator):
    outsider = facilitator_user_factory(ProviderFactory())
    with pytest.raises(DomainError, match="does not work for"):
        services.practitioner_add_staff(actor=coordinator, user=outsider)
    disabled = facilitator_user_factory(provider, is_active=False)
    with pytest.raises(DomainError, match="disabled"):
        services.practitioner_add_staff(actor=coordinator, user=disabled)
    linked = facilitator_user_factory(provider)
    PractitionerFactory(provider=provider, user=linked)
    with pytest.raises(DomainError, match="already linked"):
        services.practitioner_add_staff(actor=coordinator, user=linked)
    reader = UserFactory(organisation=provider, roles=[Role.PROVIDER_COORDINATOR])
    with pytest.raises(DomainError, match="volunteer coordinator"):
        services.practitioner_add_staff(actor=reader, user=facilitator_user_factory(provider))
    with pytest.raises(DomainError, match="course and the date"):
        services.practitioner_add_staff(
            actor=coordinator,
            user=facilitator_user_factory(provider),
            course=TrainingCourse.FACILITATOR,
        )


# --- correcting a supervision record ---------------------------------------------------------


def test_a_supervision_record_can_be_corrected_and_the_change_is_audited(coordinator, practitioner):
    session = services.supervision_record(
        actor=coordinator, practitioner=practitioner, held_on=TODAY(), supervisor="Dr Ann Lee"
    )
    thirteen_weeks_ago = TODAY() - dt.timedelta(weeks=13)
    corrected = services.supervision_correct(
        actor=coordinator, session=session, held_on=thirteen_weeks_ago, supervisor="Dr Ann Lee"
    )
    assert corrected.held_on == thirteen_weeks_ago
    session.refresh_from_db()
    assert session.held_on == thirteen_weeks_ago
    event = AuditEvent.objects.get(
        action=AuditAction.CHANGE, record_type="practitioners.supervisionsession"
    )
    assert event.fields == ["held_on"]
    assert event.detail == {"practitioner": practitioner.pk, "held_on_was": TODAY().isoformat()}
    # The same again changes nothing and writes no second event.
    services.supervision_correct(
        actor=coordinator, session=session, held_on=thirteen_weeks_ago, supervisor="Dr Ann Lee"
    )
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == 1


def test_a_correction_is_refused_in_the_future_without_a_supervisor_or_by_others(
    coordinator, practitioner, provider
):
    session = services.supervision_record(
        actor=coordinator, practitioner=practitioner, held_on=TODAY(), supervisor="Dr Ann Lee"
    )
    with pytest.raises(DomainError, match="today or in the past"):
        services.supervision_correct(
            actor=coordinator,
            session=session,
            held_on=TODAY() + dt.timedelta(days=1),
            supervisor="Dr Ann Lee",
        )
    with pytest.raises(DomainError, match="who supervised"):
        services.supervision_correct(
            actor=coordinator, session=session, held_on=TODAY(), supervisor="  "
        )
    elsewhere = volunteer_coordinator_factory(ProviderFactory(name="Another Provider"))
    with pytest.raises(Http404):
        services.supervision_correct(
            actor=elsewhere, session=session, held_on=TODAY(), supervisor="Someone"
        )
    session.refresh_from_db()
    assert (session.held_on, session.supervisor) == (TODAY(), "Dr Ann Lee")
