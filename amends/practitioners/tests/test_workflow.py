"""The volunteer workflow: every transition allowed and refused, with its guard's message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from amends.core.errors import TransitionRefused
from amends.core.models import AuditAction, AuditEvent, OutboundMessage, TransitionLog
from amends.practitioners import services
from amends.practitioners.compliance import add_months
from amends.practitioners.models import (
    AccreditationRole,
    DbsOutcome,
    PractitionerKind,
    PractitionerLevel,
    PractitionerState,
    TrainingCourse,
)
from amends.practitioners.tests.factories import (
    DbsCheckFactory,
    PractitionerFactory,
    ProviderFactory,
    RefereeFactory,
    TrainingRecordFactory,
    applicant_factory,
    facilitator_user_factory,
    provider_coordinator_factory,
    volunteer_coordinator_factory,
    walk_to,
)
from amends.practitioners.workflow import BEFORE_ACTIVE, PRACTITIONER_WORKFLOW, next_steps

pytestmark = pytest.mark.django_db
S = PractitionerState


@pytest.fixture
def provider():
    return ProviderFactory()


@pytest.fixture
def coordinator(provider):
    return volunteer_coordinator_factory(provider)


def move(practitioner, to, actor, **kwargs):
    return services.practitioner_transition(
        actor=actor, practitioner=practitioner, to_state=to, **kwargs
    )


def refused(practitioner, to, actor, **kwargs) -> str:
    version = practitioner.version
    with pytest.raises(TransitionRefused) as caught:
        move(practitioner, to, actor, **kwargs)
    practitioner.refresh_from_db()
    assert practitioner.version == version  # nothing changed
    return caught.value.message


def test_an_applicant_goes_all_the_way_to_active_and_every_step_is_logged(provider, coordinator):
    applicant = applicant_factory(provider=provider)
    walk_to(applicant, S.ACTIVE, actor=coordinator)
    applicant.refresh_from_db()
    assert applicant.state == S.ACTIVE
    assert applicant.accreditation_role == AccreditationRole.FACILITATOR
    assert applicant.level == PractitionerLevel.FOUNDATION
    logged = list(
        TransitionLog.objects.filter(object_id=applicant.pk)
        .order_by("id")
        .values_list("from_state", "to_state")
    )
    assert logged == [
        (S.APPLIED, S.SHORTLISTED),
        (S.SHORTLISTED, S.INTERVIEW),
        (S.INTERVIEW, S.REFERENCES),
        (S.REFERENCES, S.VETTING),
        (S.VETTING, S.INDUCTION),
        (S.INDUCTION, S.TRAINING),
        (S.TRAINING, S.ACCREDITED),
        (S.ACCREDITED, S.ACTIVE),
    ]
    assert AuditEvent.objects.filter(
        action=AuditAction.TRANSITION, record_id=str(applicant.pk)
    ).count() == len(logged)


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.APPLIED, S.SHORTLISTED),
        (S.SHORTLISTED, S.INTERVIEW),
        (S.INTERVIEW, S.REFERENCES),
        (S.INDUCTION, S.TRAINING),
        (S.ACTIVE, S.PAUSED),
        (S.PAUSED, S.ACTIVE),
        (S.ACTIVE, S.LEFT),
        (S.PAUSED, S.LEFT),
    ],
)
def test_steps_without_a_guard_are_allowed(provider, coordinator, start, target):
    practitioner = PractitionerFactory(provider=provider, state=start)
    move(practitioner, target, coordinator)
    practitioner.refresh_from_db()
    assert practitioner.state == target


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.APPLIED, S.INTERVIEW),
        (S.APPLIED, S.VETTING),
        (S.APPLIED, S.ACTIVE),
        (S.SHORTLISTED, S.REFERENCES),
        (S.VETTING, S.TRAINING),
        (S.ACCREDITED, S.PAUSED),
        (S.ACCREDITED, S.LEFT),
        (S.ACTIVE, S.ACCREDITED),
        (S.LEFT, S.ACTIVE),
        (S.NOT_PROGRESSED, S.APPLIED),
        (S.ACTIVE, S.NOT_PROGRESSED),
        (S.PAUSED, S.NOT_PROGRESSED),
    ],
)
def test_steps_not_in_the_table_are_refused(provider, coordinator, start, target):
    practitioner = PractitionerFactory(provider=provider, state=start)
    message = refused(practitioner, target, coordinator, reason="A reason")
    assert "cannot go from" in message


def test_only_the_volunteer_coordinator_moves_a_practitioner(provider):
    practitioner = PractitionerFactory(provider=provider)
    for reader in (provider_coordinator_factory(provider), facilitator_user_factory(provider)):
        if reader.has_role("facilitator"):
            practitioner.user = reader
            practitioner.save()
        message = refused(practitioner, S.SHORTLISTED, reader)
        assert message == (
            "Only a volunteer coordinator can move a practitioner from ‘Applied’ to ‘Shortlisted’."
        )


def test_references_are_needed_before_the_dbs_check(provider, coordinator):
    practitioner = PractitionerFactory(provider=provider, state=S.REFERENCES)
    first = RefereeFactory(practitioner=practitioner)
    second = RefereeFactory(practitioner=practitioner)
    assert refused(practitioner, S.VETTING, coordinator) == (
        "Both references must be received and satisfactory before the DBS check: 0 of 2 are."
    )
    today = timezone.localdate()
    services.referee_record(actor=coordinator, referee=first, received_on=today, satisfactory=True)
    assert "1 of 2 is." in refused(practitioner, S.VETTING, coordinator)
    services.referee_record(
        actor=coordinator, referee=second, received_on=today, satisfactory=False
    )
    message = refused(practitioner, S.VETTING, coordinator)
    assert "1 of 2 is." in message
    assert "Ask for another reference" in message
    third = services.referee_add(
        actor=coordinator,
        practitioner=practitioner,
        name="Jo Bloggs",
        relationship="Volunteer supervisor",
        email="jo@example.org",
    )
    services.referee_record(actor=coordinator, referee=third, received_on=today, satisfactory=True)
    move(practitioner, S.VETTING, coordinator)
    assert practitioner.state == S.VETTING


def test_a_clear_or_accepted_dbs_check_in_date_is_needed_before_induction(provider, coordinator):
    practitioner = PractitionerFactory(provider=provider, state=S.VETTING)
    assert refused(practitioner, S.INDUCTION, coordinator) == (
        "Record their enhanced DBS check before induction."
    )
    today = timezone.localdate()
    DbsCheckFactory(
        practitioner=practitioner,
        outcome=DbsOutcome.ACCEPTED,
        issue_date=today - dt.timedelta(days=3 * 366 + 1),
    )
    message = refused(practitioner, S.INDUCTION, coordinator)
    assert message.startswith("Their DBS certificate expired on ")
    assert message.endswith("Record a new DBS check before induction.")
    DbsCheckFactory(
        practitioner=practitioner,
        outcome=DbsOutcome.NOT_ACCEPTED,
        issue_date=today - dt.timedelta(days=5),
    )
    assert refused(practitioner, S.INDUCTION, coordinator) == (
        "Their latest DBS check was not accepted: they cannot go on to induction. "
        "Move them to ‘Not progressed’ instead."
    )
    DbsCheckFactory(practitioner=practitioner, outcome=DbsOutcome.ACCEPTED, issue_date=today)
    move(practitioner, S.INDUCTION, coordinator)
    assert practitioner.state == S.INDUCTION


def test_a_dbs_certificate_is_in_date_up_to_its_renewal_day(provider, coordinator):
    issued = dt.date(2023, 3, 3)
    due = add_months(issued, settings.DBS_RENEWAL_MONTHS)
    practitioner = PractitionerFactory(provider=provider, state=S.VETTING)
    DbsCheckFactory(practitioner=practitioner, issue_date=issued)
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(12))):
        assert "expired on" in refused(practitioner, S.INDUCTION, coordinator)
    with time_machine.travel(dt.datetime.combine(due, dt.time(12))):
        move(practitioner, S.INDUCTION, coordinator)
    assert practitioner.state == S.INDUCTION


def test_accrediting_needs_a_role_a_level_and_the_matching_training(provider, coordinator):
    practitioner = PractitionerFactory(provider=provider, state=S.TRAINING)
    assert refused(practitioner, S.ACCREDITED, coordinator) == (
        "Choose the role they are accredited for: facilitator, co-facilitator or advocate."
    )
    assert refused(
        practitioner, S.ACCREDITED, coordinator, accreditation_role=AccreditationRole.ADVOCATE
    ) == ("Choose their practitioner level.")
    assert refused(
        practitioner,
        S.ACCREDITED,
        coordinator,
        accreditation_role=AccreditationRole.ADVOCATE,
        level="grand_master",
    ) == ("Choose their practitioner level.")
    TrainingRecordFactory(practitioner=practitioner, course=TrainingCourse.FACILITATOR)
    assert refused(
        practitioner,
        S.ACCREDITED,
        coordinator,
        accreditation_role=AccreditationRole.ADVOCATE,
        level=PractitionerLevel.FOUNDATION,
    ) == (
        "Record their completed training before accrediting them as advocate: "
        "victim advocate training."
    )
    move(
        practitioner,
        S.ACCREDITED,
        coordinator,
        accreditation_role=AccreditationRole.CO_FACILITATOR,
        level=PractitionerLevel.PRACTITIONER,
    )
    practitioner.refresh_from_db()
    assert practitioner.state == S.ACCREDITED
    assert practitioner.accreditation_role == AccreditationRole.CO_FACILITATOR
    assert practitioner.level == PractitionerLevel.PRACTITIONER


def test_accrediting_without_any_training_names_the_courses(provider, coordinator):
    practitioner = PractitionerFactory(
        provider=provider,
        state=S.TRAINING,
        accreditation_role=AccreditationRole.FACILITATOR,
        level=PractitionerLevel.SENIOR,
    )
    assert refused(practitioner, S.ACCREDITED, coordinator) == (
        "Record their completed training before accrediting them as facilitator: "
        "advanced facilitator training (sensitive and complex cases) or rj facilitator training."
    )
    TrainingRecordFactory(practitioner=practitioner, course=TrainingCourse.ADVANCED)
    move(practitioner, S.ACCREDITED, coordinator)
    assert practitioner.state == S.ACCREDITED


def test_becoming_active_needs_availability_and_a_case_limit(provider, coordinator):
    practitioner = PractitionerFactory(
        provider=provider, state=S.ACCREDITED, availability=[], case_limit=0
    )
    assert refused(practitioner, S.ACTIVE, coordinator) == (
        "Record when they are available and how many cases they can hold at once "
        "(their case limit) before making them active."
    )
    services.practitioner_update(
        actor=coordinator,
        practitioner=practitioner,
        expected_version=practitioner.version,
        changes={"availability": ["weekday_evening"], "case_limit": 2},
    )
    move(practitioner, S.ACTIVE, coordinator)
    assert practitioner.state == S.ACTIVE


@pytest.mark.parametrize("start", sorted(BEFORE_ACTIVE))
def test_not_progressed_from_any_step_before_active_needs_a_reason(provider, coordinator, start):
    practitioner = PractitionerFactory(provider=provider, state=start)
    assert refused(practitioner, S.NOT_PROGRESSED, coordinator, reason="   ") == (
        "Give a reason for moving the practitioner to ‘Not progressed’."
    )
    move(practitioner, S.NOT_PROGRESSED, coordinator, reason="Withdrew: moved away.")
    practitioner.refresh_from_db()
    assert practitioner.state == S.NOT_PROGRESSED
    assert practitioner.not_progressed_reason == "Withdrew: moved away."
    log = TransitionLog.objects.get(object_id=practitioner.pk, to_state=S.NOT_PROGRESSED)
    assert log.reason == "Withdrew: moved away."


def test_a_volunteer_cannot_jump_to_training_as_staff_do(provider, coordinator):
    practitioner = PractitionerFactory(provider=provider)
    assert refused(practitioner, S.TRAINING, coordinator) == (
        "Only a member of staff starts at training; a volunteer is shortlisted first."
    )


def test_next_steps_offer_only_the_table_and_never_the_staff_entry(provider, coordinator):
    applied = PractitionerFactory(provider=provider)
    assert [t.target for t in next_steps(applied, coordinator)] == [
        S.SHORTLISTED,
        S.NOT_PROGRESSED,
    ]
    active = PractitionerFactory(provider=provider, state=S.ACTIVE)
    assert {t.target for t in next_steps(active, coordinator)} == {S.PAUSED, S.LEFT}
    left = PractitionerFactory(provider=provider, state=S.LEFT)
    assert next_steps(left, coordinator) == []
    reader = provider_coordinator_factory(provider)
    assert next_steps(applied, reader) == []


def test_the_table_names_only_known_states():
    targets = {t.target for t in PRACTITIONER_WORKFLOW.transitions}
    assert targets | {S.APPLIED} == set(S.values)


# --- what the applicant is told ----------------------------------------------------------


def messages_for(practitioner):
    return list(
        OutboundMessage.objects.filter(record_id=str(practitioner.pk))
        .order_by("id")
        .values_list("template", flat=True)
    )


def test_the_applicant_hears_at_the_steps_that_concern_them(provider, coordinator):
    applicant = applicant_factory(provider=provider, email="asha@example.org")
    walk_to(applicant, S.ACTIVE, actor=coordinator)
    assert messages_for(applicant) == [
        "volunteer_shortlisted",
        "volunteer_references_requested",
        "volunteer_dbs_started",
        "volunteer_training_place",
        "volunteer_accredited",
    ]
    sent = OutboundMessage.objects.filter(record_id=str(applicant.pk))
    assert {m.recipient for m in sent} == {"asha@example.org"}
    accredited = sent.get(template="volunteer_accredited")
    assert accredited.personalisation["accreditation_role"] == "facilitator"
    assert accredited.personalisation["reference"] == applicant.reference


def test_not_progressed_is_told_kindly_without_the_reason(provider, coordinator):
    applicant = applicant_factory(provider=provider)
    move(applicant, S.NOT_PROGRESSED, coordinator, reason="Concerns raised at interview.")
    message = OutboundMessage.objects.get(record_id=str(applicant.pk))
    assert message.template == "volunteer_not_progressed"
    assert "Concerns" not in str(message.personalisation)


def test_requesting_references_marks_the_referees_asked(provider, coordinator):
    applicant = applicant_factory(provider=provider, state=S.INTERVIEW)
    move(applicant, S.REFERENCES, coordinator)
    assert all(r.requested_on == timezone.localdate() for r in applicant.referees.all())


def test_a_refused_step_sends_nothing(provider, coordinator):
    applicant = applicant_factory(provider=provider, state=S.REFERENCES)
    refused(applicant, S.VETTING, coordinator)
    assert messages_for(applicant) == []


def test_staff_are_not_written_to(provider, coordinator):
    staff = PractitionerFactory(provider=provider, kind=PractitionerKind.STAFF, state=S.TRAINING)
    TrainingRecordFactory(practitioner=staff, hours=Decimal("28"))
    move(
        staff,
        S.ACCREDITED,
        coordinator,
        accreditation_role=AccreditationRole.FACILITATOR,
        level=PractitionerLevel.PRACTITIONER,
    )
    assert messages_for(staff) == []
