"""Every write to practitioners' records: keyword-only, in one transaction, audited.

Only the provider's volunteer coordinator changes a practitioner's record. Each
service re-checks, under a row lock, that the actor still may (`_lock_for_change`):
a record outside the actor's organisation is a 404, as it is on the pages; a record
they may only read (the provider coordinator, the facilitator themselves) is refused.

Adding a record twice (a double-clicked Save) gives back the first: DBS checks by
certificate number, training by course and date (or by event), supervision,
observations and CPD by date and who or what.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from amends.accounts.models import OrganisationKind, Role, User
from amends.core.audit import audit_record
from amends.core.errors import DomainError, StaleVersion
from amends.core.models import AuditAction
from amends.core.workflow import transition_apply
from amends.practitioners.compliance import long_date
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
    Referee,
    RjcStatus,
    SupervisionSession,
    TrainingCourse,
    TrainingRecord,
)
from amends.practitioners.notifications import practitioner_state_notify
from amends.practitioners.selectors import practitioners_visible_to
from amends.practitioners.workflow import PRACTITIONER_WORKFLOW, STAFF_ENTRY

S = PractitionerState
CLOSED_STATES = frozenset({S.LEFT, S.NOT_PROGRESSED})
DBS_CERTIFICATE = re.compile(r"\d{12}")
MAX_CASE_LIMIT = 20
MAX_HOURS = Decimal("1000")
EDITABLE_FIELDS = (
    "email",
    "phone",
    "availability",
    "languages",
    "areas",
    "case_limit",
    "rjc_status",
    "rjc_number",
    "level",
    "accreditation_role",
    "user",
)


# --- who may write ---------------------------------------------------------------------


def _require_coordinator(actor: User) -> None:
    if not actor.has_role(Role.VOLUNTEER_COORDINATOR):
        raise DomainError("Only the provider's volunteer coordinator can change practitioners.")


def _lock(actor: User | None, practitioner: Practitioner) -> Practitioner:
    """The row, locked for this transaction, if `actor` may see it (anyone if None); else 404."""
    rows = (
        Practitioner.objects.all() if actor is None else practitioners_visible_to(actor)
    ).select_for_update()
    try:
        return rows.get(pk=practitioner.pk)
    except Practitioner.DoesNotExist:
        raise Http404("No practitioner here.") from None


def _lock_for_change(actor: User, practitioner: Practitioner) -> Practitioner:
    current = _lock(actor, practitioner)
    if not actor.has_role(Role.VOLUNTEER_COORDINATOR) or (
        actor.organisation_id != current.provider_id
    ):
        raise DomainError("Only the provider's volunteer coordinator can change practitioners.")
    return current


def _still_with_us(practitioner: Practitioner) -> None:
    if practitioner.state in CLOSED_STATES:
        raise DomainError(
            f"{practitioner.full_name} is no longer with the service "
            f"({practitioner.get_state_display().lower()}): nothing more can be added."
        )


def _not_in_future(value: dt.date, what: str) -> None:
    if value > timezone.localdate():
        raise DomainError(f"The {what} must be today or in the past.")


def _required(value: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError(message)
    return value


def _hours(value: Decimal, what: str, *, allow_zero: bool = False) -> Decimal:
    if value < 0 or (value == 0 and not allow_zero):
        raise DomainError(f"The {what} must be more than 0.")
    if value > MAX_HOURS:
        raise DomainError(f"The {what} must be {MAX_HOURS} or fewer.")
    if value != value.quantize(Decimal("0.1")):
        raise DomainError(f"Give the {what} to the nearest tenth of an hour, like 1.5.")
    return value


def _created(actor: User | None, record: Any, practitioner: Practitioner, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        record=record,
        detail={"practitioner": practitioner.pk, **detail},
    )


# --- reads that are audited --------------------------------------------------------------


def practitioner_viewed(*, actor: User, practitioner: Practitioner) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, record=practitioner)


def practitioners_listed(*, actor: User, practitioners: list[Practitioner]) -> None:
    if practitioners:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=Practitioner._meta.label_lower,
            detail={"ids": [p.pk for p in practitioners]},
        )


# --- the workflow ------------------------------------------------------------------------


def practitioner_transition(
    *,
    actor: User,
    practitioner: Practitioner,
    to_state: str,
    reason: str = "",
    expected_version: int | None = None,
    accreditation_role: str = "",
    level: str = "",
) -> Practitioner:
    """Move the practitioner on (or refuse with TransitionRefused / StaleVersion).

    Accrediting takes the role and level, if not already on the record. Requesting
    references marks the referees not yet asked as asked today. The applicant hears
    about the steps in `notifications.TEMPLATE_FOR_STATE`.
    """
    with transaction.atomic():
        current = _lock(actor, practitioner)
        transition_apply(
            workflow=PRACTITIONER_WORKFLOW,
            record=current,
            actor=actor,
            to_state=to_state,
            reason=reason,
            expected_version=expected_version,
            extra={"accreditation_role": accreditation_role, "level": level},
        )
        if to_state == S.REFERENCES:
            _mark_referees_requested(actor, current)
        current.refresh_from_db()
        practitioner_state_notify(practitioner=current, state=current.state)
    for attr in ("state", "version", "accreditation_role", "level", "not_progressed_reason"):
        setattr(practitioner, attr, getattr(current, attr))
    return current


def _mark_referees_requested(actor: User, practitioner: Practitioner) -> None:
    today = timezone.localdate()
    for referee in practitioner.referees.filter(requested_on__isnull=True):
        referee.requested_on = today
        referee.save(update_fields=["requested_on"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=referee,
            fields=["requested_on"],
            detail={"practitioner": practitioner.pk},
        )


def practitioner_add_staff(
    *,
    actor: User,
    user: User,
    phone: str = "",
    course: str = "",
    completed_on: dt.date | None = None,
    hours: Decimal | None = None,
    title: str = "",
    trainer: str = "",
    accreditation_role: str = "",
    level: str = "",
) -> Practitioner:
    """Add a member of staff (a user of the provider) as a practitioner, starting at training.

    With a completed course (course and completed_on) they are accredited at once, as
    `accreditation_role` at `level`, through the same step and checks as a volunteer.
    Adding the same person twice gives back their record.
    """
    _require_coordinator(actor)
    provider = actor.organisation
    if provider is None or provider.kind != OrganisationKind.RJ_PROVIDER:
        raise DomainError("Only an RJ provider's volunteer coordinator can add practitioners.")
    if user.organisation_id != provider.pk:
        raise DomainError(f"{user} does not work for {provider.name}.")
    if not user.is_active:
        raise DomainError(f"{user}'s account is disabled: they cannot be added.")
    if bool(course) != bool(completed_on):
        raise DomainError("Give both the course and the date it was completed, or neither.")
    with transaction.atomic():
        existing = Practitioner.objects.select_for_update().filter(user=user).first()
        if existing is not None:
            if existing.provider_id == provider.pk and existing.kind == PractitionerKind.STAFF:
                return existing
            raise DomainError(f"{user} is already linked to practitioner {existing.reference}.")
        first_name, _, last_name = user.full_name.strip().partition(" ")
        practitioner = Practitioner.objects.create(
            provider=provider,
            kind=PractitionerKind.STAFF,
            first_name=first_name or user.email,
            last_name=last_name,
            email=user.email,
            phone=phone.strip(),
            user=user,
        )
        _created(actor, practitioner, practitioner, kind=PractitionerKind.STAFF)
        transition_apply(
            workflow=PRACTITIONER_WORKFLOW,
            record=practitioner,
            actor=actor,
            to_state=STAFF_ENTRY.target,
            reason="Added as a member of staff.",
        )
        if course and completed_on is not None:
            training_record_add(
                actor=actor,
                practitioner=practitioner,
                course=course,
                completed_on=completed_on,
                hours=hours if hours is not None else Decimal("0"),
                title=title,
                trainer=trainer,
            )
            practitioner_transition(
                actor=actor,
                practitioner=practitioner,
                to_state=S.ACCREDITED,
                accreditation_role=accreditation_role,
                level=level,
            )
    return practitioner


def practitioner_update(
    *,
    actor: User,
    practitioner: Practitioner,
    expected_version: int,
    changes: dict[str, Any],
) -> Practitioner:
    """Change the practitioner's details, refusing with StaleVersion if the record changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These details cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = _lock_for_change(actor, practitioner)
        stale = current.version != expected_version
        if not stale:
            cleaned = _clean_details(current, changes)
            changed = [name for name, value in cleaned.items() if getattr(current, name) != value]
            if changed:
                for name in changed:
                    setattr(current, name, cleaned[name])
                current.version += 1
                current.save(update_fields=[*changed, "version", "updated_at"])
                audit_record(actor=actor, action=AuditAction.CHANGE, record=current, fields=changed)
    if stale:
        # Outside the transaction, so that the refused save is on the record too.
        audit_record(actor=actor, action=AuditAction.CONFLICT, record=current)
        raise StaleVersion()
    return current


def _clean_details(practitioner: Practitioner, changes: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(changes)
    if "email" in cleaned:
        cleaned["email"] = _required(cleaned["email"], "Enter their email address.").lower()
    for name in ("phone", "languages", "areas", "rjc_number"):
        if name in cleaned:
            cleaned[name] = cleaned[name].strip()
    if "availability" in cleaned:
        availability = cleaned["availability"]
        if not isinstance(availability, list) or not all(isinstance(a, str) for a in availability):
            raise DomainError("Availability must be a list of day parts.")
        cleaned["availability"] = list(dict.fromkeys(availability))
    if "case_limit" in cleaned:
        limit = cleaned["case_limit"]
        if not isinstance(limit, int) or not 1 <= limit <= MAX_CASE_LIMIT:
            raise DomainError(f"The case limit must be a whole number from 1 to {MAX_CASE_LIMIT}.")
    choices = {
        "rjc_status": RjcStatus.values,
        "level": ["", *PractitionerLevel.values],
        "accreditation_role": ["", *AccreditationRole.values],
    }
    for name, allowed in choices.items():
        if name in cleaned and cleaned[name] not in allowed:
            raise DomainError(f"{cleaned[name]!r} is not a valid {name.replace('_', ' ')}.")
    rjc_status = cleaned.get("rjc_status", practitioner.rjc_status)
    rjc_number = cleaned.get("rjc_number", practitioner.rjc_number)
    if rjc_status in {RjcStatus.REGISTERED, RjcStatus.ACCREDITED} and not rjc_number:
        raise DomainError("Enter their RJC registration number: they are registered.")
    if "user" in cleaned and cleaned["user"] is not None:
        user: User = cleaned["user"]
        if user.organisation_id != practitioner.provider_id or not user.has_role(Role.FACILITATOR):
            raise DomainError(
                f"{user} is not a facilitator at {practitioner.provider.name}: "
                "only a facilitator's sign-in can be linked."
            )
        taken = Practitioner.objects.filter(user=user).exclude(pk=practitioner.pk).first()
        if taken is not None:
            raise DomainError(f"{user} is already linked to practitioner {taken.reference}.")
    return cleaned


# --- referees ----------------------------------------------------------------------------


def referee_add(
    *,
    actor: User,
    practitioner: Practitioner,
    name: str,
    relationship: str,
    email: str = "",
    phone: str = "",
) -> Referee:
    """Another referee (in place of one who did not answer or was not satisfactory)."""
    name = _required(name, "Enter the referee's name.")
    relationship = _required(relationship, "Enter how the referee knows them.")
    if not email.strip() and not phone.strip():
        raise DomainError("Enter the referee's email address or phone number.")
    with transaction.atomic():
        current = _lock_for_change(actor, practitioner)
        _still_with_us(current)
        existing = current.referees.filter(name__iexact=name, email__iexact=email.strip()).first()
        if existing is not None:
            return existing
        referee = Referee.objects.create(
            practitioner=current,
            name=name,
            relationship=relationship,
            email=email.strip().lower(),
            phone=phone.strip(),
        )
        _created(actor, referee, current)
    return referee


def _lock_referee(actor: User, referee: Referee) -> Referee:
    current = _lock_for_change(actor, referee.practitioner)
    _still_with_us(current)
    return Referee.objects.select_for_update().get(pk=referee.pk, practitioner=current)


def referee_request(
    *, actor: User, referee: Referee, requested_on: dt.date | None = None
) -> Referee:
    """Record that the reference was asked for (today unless said)."""
    requested_on = requested_on or timezone.localdate()
    _not_in_future(requested_on, "date the reference was requested")
    with transaction.atomic():
        current = _lock_referee(actor, referee)
        if current.requested_on != requested_on:
            current.requested_on = requested_on
            current.save(update_fields=["requested_on"])
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                record=current,
                fields=["requested_on"],
                detail={"practitioner": current.practitioner_id},
            )
    return current


def referee_record(
    *,
    actor: User,
    referee: Referee,
    received_on: dt.date,
    satisfactory: bool,
    notes: str = "",
) -> Referee:
    """Record the reference received, and whether it was satisfactory."""
    _not_in_future(received_on, "date the reference was received")
    with transaction.atomic():
        current = _lock_referee(actor, referee)
        if current.requested_on is not None and received_on < current.requested_on:
            raise DomainError(
                f"The reference cannot be received before it was requested "
                f"({long_date(current.requested_on)})."
            )
        values = {
            "received_on": received_on,
            "satisfactory": satisfactory,
            "notes": notes.strip(),
        }
        if current.requested_on is None:
            values["requested_on"] = received_on
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        if changed:
            for name in changed:
                setattr(current, name, values[name])
            current.save(update_fields=changed)
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                record=current,
                fields=changed,
                detail={"practitioner": current.practitioner_id},
            )
    return current


# --- vetting, training and practice records ----------------------------------------------


def dbs_check_record(
    *,
    actor: User,
    practitioner: Practitioner,
    certificate_number: str,
    issue_date: dt.date,
    outcome: str,
    update_service: bool = False,
) -> DbsCheck:
    """An enhanced DBS certificate: 12 digits, issued today or earlier, and its outcome."""
    certificate_number = re.sub(r"\s", "", certificate_number)
    if not DBS_CERTIFICATE.fullmatch(certificate_number):
        raise DomainError("The DBS certificate number must be 12 digits, like 001234567890.")
    _not_in_future(issue_date, "DBS certificate's issue date")
    if outcome not in DbsOutcome.values:
        raise DomainError("Choose the outcome of the DBS check.")
    with transaction.atomic():
        current = _lock_for_change(actor, practitioner)
        _still_with_us(current)
        existing = current.dbs_checks.filter(certificate_number=certificate_number).first()
        if existing is not None:
            if existing.issue_date != issue_date or existing.outcome != outcome:
                raise DomainError(
                    f"DBS certificate {certificate_number} is already recorded for "
                    f"{current.full_name}, with a different issue date or outcome."
                )
            return existing
        check = DbsCheck.objects.create(
            practitioner=current,
            certificate_number=certificate_number,
            issue_date=issue_date,
            outcome=outcome,
            update_service=update_service,
            recorded_by=actor,
        )
        _created(actor, check, current, outcome=outcome)
    return check


def training_record_add(
    *,
    actor: User | None,
    practitioner: Practitioner,
    course: str,
    completed_on: dt.date,
    hours: Decimal,
    title: str = "",
    trainer: str = "",
    event_reference: str = "",
) -> TrainingRecord:
    """Record completed training; once per practitioner and event when `event_reference` is given.

    `actor` is None for the system. A person must be the volunteer coordinator of the
    practitioner's provider or, for attendance at an event (`event_reference`), its
    provider coordinator, who runs events.
    """
    if course not in TrainingCourse.values:
        raise DomainError("Choose the training course.")
    _not_in_future(completed_on, "date the training was completed")
    hours = _hours(Decimal(hours), "number of hours", allow_zero=True)
    with transaction.atomic():
        current = _lock(actor, practitioner)
        if actor is not None:
            runs_events = event_reference and actor.has_role(Role.PROVIDER_COORDINATOR)
            if actor.organisation_id != current.provider_id or not (
                actor.has_role(Role.VOLUNTEER_COORDINATOR) or runs_events
            ):
                raise DomainError("Only the provider's volunteer coordinator can record training.")
        _still_with_us(current)
        if event_reference:
            existing = current.training_records.filter(event_reference=event_reference).first()
        else:
            existing = current.training_records.filter(
                course=course, completed_on=completed_on, event_reference=""
            ).first()
        if existing is not None:
            return existing
        record = TrainingRecord.objects.create(
            practitioner=current,
            course=course,
            title=title.strip(),
            completed_on=completed_on,
            hours=hours,
            trainer=trainer.strip(),
            event_reference=event_reference,
            recorded_by=actor,
        )
        _created(actor, record, current, course=course, event_reference=event_reference)
    return record


def supervision_record(
    *,
    actor: User,
    practitioner: Practitioner,
    held_on: dt.date,
    supervisor: str,
    notes: str = "",
) -> SupervisionSession:
    supervisor = _required(supervisor, "Enter who supervised them.")
    _not_in_future(held_on, "date of the supervision")
    with transaction.atomic():
        current = _lock_for_change(actor, practitioner)
        _still_with_us(current)
        existing = current.supervision_sessions.filter(
            held_on=held_on, supervisor__iexact=supervisor
        ).first()
        if existing is not None:
            return existing
        session = SupervisionSession.objects.create(
            practitioner=current,
            held_on=held_on,
            supervisor=supervisor,
            notes=notes.strip(),
            recorded_by=actor,
        )
        _created(actor, session, current)
    return session


def supervision_correct(
    *,
    actor: User,
    session: SupervisionSession,
    held_on: dt.date,
    supervisor: str,
    notes: str = "",
) -> SupervisionSession:
    """Put right a supervision record entered wrongly (its date, supervisor or notes), audited.

    The allocation rule reads the latest supervision, so a corrected date can make a
    practitioner eligible or not; the audit event names the fields and the old date.
    """
    supervisor = _required(supervisor, "Enter who supervised them.")
    _not_in_future(held_on, "date of the supervision")
    with transaction.atomic():
        current = _lock_for_change(actor, session.practitioner)
        _still_with_us(current)
        try:
            record = current.supervision_sessions.select_for_update().get(pk=session.pk)
        except SupervisionSession.DoesNotExist:
            raise Http404("No supervision record here.") from None
        new = {"held_on": held_on, "supervisor": supervisor, "notes": notes.strip()}
        changed = [name for name, value in new.items() if getattr(record, name) != value]
        if not changed:
            return record
        was = record.held_on
        for name in changed:
            setattr(record, name, new[name])
        record.save(update_fields=changed)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=record,
            fields=changed,
            detail={"practitioner": current.pk, "held_on_was": was.isoformat()},
        )
    return record


def observation_record(
    *,
    actor: User,
    practitioner: Practitioner,
    observed_on: dt.date,
    observer: str,
    satisfactory: bool = True,
    notes: str = "",
) -> ObservedPractice:
    observer = _required(observer, "Enter who observed their practice.")
    _not_in_future(observed_on, "date of the observation")
    with transaction.atomic():
        current = _lock_for_change(actor, practitioner)
        _still_with_us(current)
        existing = current.observations.filter(
            observed_on=observed_on, observer__iexact=observer
        ).first()
        if existing is not None:
            return existing
        observation = ObservedPractice.objects.create(
            practitioner=current,
            observed_on=observed_on,
            observer=observer,
            satisfactory=satisfactory,
            notes=notes.strip(),
            recorded_by=actor,
        )
        _created(actor, observation, current, satisfactory=satisfactory)
    return observation


def cpd_entry_add(
    *,
    actor: User,
    practitioner: Practitioner,
    completed_on: dt.date,
    activity: str,
    hours: Decimal,
    evidence: str = "",
) -> CpdEntry:
    activity = _required(activity, "Enter what the CPD activity was.")
    _not_in_future(completed_on, "date of the CPD activity")
    hours = _hours(Decimal(hours), "number of CPD hours")
    with transaction.atomic():
        current = _lock_for_change(actor, practitioner)
        _still_with_us(current)
        existing = current.cpd_entries.filter(
            completed_on=completed_on, activity__iexact=activity
        ).first()
        if existing is not None:
            return existing
        entry = CpdEntry.objects.create(
            practitioner=current,
            completed_on=completed_on,
            activity=activity,
            hours=hours,
            evidence=evidence.strip(),
            recorded_by=actor,
        )
        _created(actor, entry, current, hours=str(hours))
    return entry
