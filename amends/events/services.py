"""Every write to events, registrations, attendance and volunteer hours.

Keyword-only, `actor=` first, one transaction each, audited. Events belong to the
organisation that organises them; a service re-checks that under a row lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from amends.accounts.models import User
from amends.core.audit import audit_record
from amends.core.errors import DomainError, StaleVersion
from amends.core.models import AuditAction
from amends.core.workflow import transition_apply
from amends.events.models import (
    Event,
    EventKind,
    EventState,
    ExpensesStatus,
    HoursActivity,
    RegistrantKind,
    Registration,
    SchoolAttendance,
    VolunteerHours,
    YearGroup,
)
from amends.events.selectors import (
    can_manage_events,
    events_visible_to,
    hours_visible_to,
    own_practitioner,
)
from amends.events.workflow import EVENT_WORKFLOW, EXPENSES_WORKFLOW
from amends.practitioners.models import Practitioner, TrainingCourse
from amends.practitioners.services import training_record_add

# What an event manager can change on the edit page.
EDITABLE_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "capacity",
    "trainer",
    "audience",
    "public",
    "booking_details",
    "training_course",
    "training_hours",
)
MAX_EXPENSES_PENCE = 100_000  # £1,000 for one day: a larger sum is a typing mistake.


def _check_event_fields(fields: Mapping[str, Any]) -> None:
    """The rules an event must keep however it was entered; DomainError says which broke."""
    if fields["ends_at"] <= fields["starts_at"]:
        raise DomainError("The event must end after it starts.", code="ends_at")
    if fields["kind"] not in EventKind.values:
        raise DomainError("Choose what kind of event it is.", code="kind")
    capacity = fields.get("capacity")
    if capacity is not None and capacity < 1:
        raise DomainError("The number of places must be 1 or more.", code="capacity")
    course = fields.get("training_course", "")
    if course and course not in TrainingCourse.values:
        raise DomainError("Choose a training course from the list.", code="training_course")
    hours = fields.get("training_hours") or Decimal("0")
    if course and hours <= 0:
        raise DomainError(
            "Enter how many hours of training the event counts as.", code="training_hours"
        )


def event_create(
    *,
    actor: User,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue_name: str,
    description: str = "",
    venue_address: str = "",
    capacity: int | None = None,
    trainer: str = "",
    audience: str = "",
    public: bool = False,
    booking_details: str = "",
    training_course: str = "",
    training_hours: Decimal = Decimal("0"),
    submission_key: str | None = None,
) -> Event:
    """A new event organised by the actor's organisation.

    A repeated submission of the same form (same `submission_key`) returns the event the
    first one made.
    """
    if not can_manage_events(actor) or actor.organisation is None:
        raise DomainError("Only your organisation's coordinators can create events.")
    fields: dict[str, Any] = {
        "kind": kind,
        "title": title.strip(),
        "description": description.strip(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue_name": venue_name.strip(),
        "venue_address": venue_address.strip(),
        "capacity": capacity,
        "trainer": trainer.strip(),
        "audience": audience.strip(),
        "public": public,
        "booking_details": booking_details.strip(),
        "training_course": training_course,
        "training_hours": training_hours if training_course else Decimal("0"),
    }
    _check_event_fields(fields)
    if submission_key:
        earlier = Event.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            return _same_submitter(earlier, earlier.organiser_id == actor.organisation_id)
    try:
        with transaction.atomic():
            event = Event.objects.create(
                organiser=actor.organisation,
                created_by=actor,
                submission_key=submission_key or None,
                **fields,
            )
            audit_record(
                actor=actor, action=AuditAction.CREATE, record=event, detail={"kind": kind}
            )
    except IntegrityError:
        # Two submissions of one form at the same moment: the other one made it.
        earlier = Event.objects.filter(submission_key=submission_key).first()
        if submission_key and earlier is not None:
            return _same_submitter(earlier, earlier.organiser_id == actor.organisation_id)
        raise
    return event


R = TypeVar("R", Event, VolunteerHours)


def _same_submitter(record: R, same: bool) -> R:
    """The record an earlier submission of the same form made, if it was this person's."""
    if not same:
        raise DomainError("This form has already been used. Open it again and start afresh.")
    return record


def _lock_event(actor: User, event: Event) -> Event:
    """The event row, locked for this transaction, if `actor` still manages it; else 404."""
    try:
        return events_visible_to(actor).select_for_update().get(pk=event.pk)
    except Event.DoesNotExist:
        raise Http404("No event here.") from None


def event_update(
    *, actor: User, event: Event, expected_version: int, changes: dict[str, Any]
) -> Event:
    """Change an event's details; StaleVersion if someone changed it since it was loaded."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = _lock_event(actor, event)
        stale = current.version != expected_version
        if not stale:
            if current.state == EventState.CANCELLED:
                raise DomainError("This event is cancelled. Reinstate it before changing it.")
            merged = {name: getattr(current, name) for name in EDITABLE_FIELDS}
            merged.update(changes)
            if not merged["training_course"]:
                merged["training_hours"] = Decimal("0")
            _check_event_fields(merged)
            if (
                current.kind == EventKind.SCHOOL_SESSION
                and merged["kind"] != EventKind.SCHOOL_SESSION
                and current.school_attendance.exists()
            ):
                raise DomainError(
                    "Pupil numbers are recorded for this session, so it stays a school session.",
                    code="kind",
                )
            registered = current.registrations.count()
            if merged["capacity"] is not None and merged["capacity"] < registered:
                raise DomainError(
                    f"{registered} people are registered, so the event needs at least "
                    f"{registered} places.",
                    code="capacity",
                )
            changed = [name for name in EDITABLE_FIELDS if getattr(current, name) != merged[name]]
            if changed:
                for name in changed:
                    setattr(current, name, merged[name])
                current.version += 1
                current.save(update_fields=[*changed, "version", "updated_at"])
                audit_record(actor=actor, action=AuditAction.CHANGE, record=current, fields=changed)
    if stale:
        # Outside the transaction, so that the refused save is on the record too.
        audit_record(actor=actor, action=AuditAction.CONFLICT, record=current)
        raise StaleVersion()
    return current


def event_transition(
    *,
    actor: User,
    event: Event,
    to_state: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Event:
    with transaction.atomic():
        _lock_event(actor, event)
        return transition_apply(
            workflow=EVENT_WORKFLOW,
            record=event,
            actor=actor,
            to_state=to_state,
            reason=reason,
            expected_version=expected_version,
        )


def event_viewed(*, actor: User, event: Event, registrations: Sequence[Registration]) -> None:
    """The event page shows its registrant list: that is a view of personal data."""
    audit_record(actor=actor, action=AuditAction.VIEW, record=event)
    if registrations:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=Registration._meta.label_lower,
            detail={"event": event.pk, "ids": [r.pk for r in registrations]},
        )


def attendance_exported(
    *, actor: User, event: Event, registrations: Sequence[Registration]
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        record=event,
        detail={"registrations": [r.pk for r in registrations], "format": "csv"},
    )


# --- registration and attendance ------------------------------------------------------


def registration_add(
    *,
    actor: User,
    event: Event,
    kind: str,
    practitioner: Practitioner | None = None,
    user: User | None = None,
    name: str = "",
    email: str = "",
    organisation_name: str = "",
) -> tuple[Registration, bool]:
    """Register a named adult for an event. Returns (registration, created).

    Registering the same person twice returns the first registration (a double submit
    makes one). A full event, or a cancelled one, refuses.
    """
    email = email.strip().lower()
    name = name.strip()
    organisation_name = organisation_name.strip()
    with transaction.atomic():
        current = _lock_event(actor, event)
        organiser = current.organiser
        if kind == RegistrantKind.PRACTITIONER:
            if practitioner is None or practitioner.provider_id != current.organiser_id:
                raise DomainError("Choose one of your practitioners.", code="practitioner")
            name, email = practitioner.full_name, practitioner.email.lower()
            organisation_name = organiser.name
            same = Registration.objects.filter(event=current, practitioner=practitioner)
        elif kind == RegistrantKind.STAFF:
            if user is None or user.organisation_id != current.organiser_id:
                raise DomainError("Choose a member of your staff.", code="user")
            name, email = user.full_name or user.email, user.email.lower()
            organisation_name = organiser.name
            same = Registration.objects.filter(event=current, user=user)
        elif kind in (RegistrantKind.POLICE_OFFICER, RegistrantKind.OTHER):
            if not name:
                raise DomainError("Enter the person's full name.", code="name")
            if not email:
                raise DomainError("Enter the person's email address.", code="email")
            practitioner, user = None, None
            same = Registration.objects.filter(event=current, email=email)
        else:
            raise DomainError("Choose who you are registering.", code="kind")
        if current.state == EventState.CANCELLED:
            raise DomainError("This event is cancelled: nobody can be registered for it.")
        earlier = same.first()
        if earlier is None and email:
            earlier = Registration.objects.filter(event=current, email=email).first()
        if earlier is not None:
            return earlier, False
        registered = current.registrations.count()
        if current.capacity is not None and registered >= current.capacity:
            raise DomainError(
                f"This event is full: all {current.capacity} places are taken. "
                "Change the number of places on the event first.",
                code="capacity",
            )
        registration = Registration.objects.create(
            event=current,
            kind=kind,
            practitioner=practitioner,
            user=user,
            name=name,
            email=email,
            organisation_name=organisation_name,
            registered_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            record=registration,
            detail={"event": current.pk, "kind": kind},
        )
    return registration, True


def registration_remove(*, actor: User, event: Event, registration_id: int) -> str | None:
    """Take someone off an event before attendance is taken; returns their name.

    None if they were already removed (a repeated click). Someone whose attendance is
    recorded stays on the record.
    """
    with transaction.atomic():
        current = _lock_event(actor, event)
        registration = (
            Registration.objects.select_for_update()
            .filter(event=current, pk=registration_id)
            .first()
        )
        if registration is None:
            return None
        if registration.attended is not None or registration.completed:
            raise DomainError(
                f"{registration.name}'s attendance is recorded, so they stay on the event's record."
            )
        name = registration.name
        registration.delete()
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=current,
            fields=["registrations"],
            detail={"removed_registration": registration_id},
        )
    return name


@dataclass(frozen=True)
class AttendanceMark:
    """What the attendance page says about one registration."""

    registration_id: int
    attended: bool | None
    completed: bool
    expected_version: int


def attendance_can_be_taken(*, event: Event) -> None:
    """DomainError saying why attendance cannot be recorded for this event yet (or at all)."""
    if event.state == EventState.CANCELLED:
        raise DomainError("This event was cancelled: there is no attendance to record.")
    if event.starts_at > timezone.now():
        raise DomainError("Attendance can be recorded once the event has started.")


def attendance_record(
    *, actor: User, event: Event, marks: Sequence[AttendanceMark]
) -> list[Registration]:
    """Record who attended and who completed; returns the registrations that changed.

    Completing an event that counts as training adds it, once, to the training record of
    a registered practitioner. A completion that is on a training record cannot be undone
    here. A registration changed by someone else since the page was loaded refuses the
    whole save (StaleVersion).
    """
    changed_rows: list[Registration] = []
    with transaction.atomic():
        current = _lock_event(actor, event)
        attendance_can_be_taken(event=current)
        rows = {
            r.pk: r
            for r in Registration.objects.select_for_update(of=("self",))
            .filter(event=current, pk__in=[m.registration_id for m in marks])
            .select_related("practitioner")
        }
        for mark in marks:
            row = rows.get(mark.registration_id)
            if row is None:
                raise DomainError("Someone on this list is no longer registered. Reload the page.")
            wanted = (mark.attended, mark.completed)
            if (row.attended, row.completed) == wanted:
                continue  # already so: a repeated save (a double click) changes nothing
            if row.version != mark.expected_version:
                raise StaleVersion(
                    "Someone else recorded attendance for this event while you were editing it."
                )
            if mark.completed and mark.attended is not True:
                raise DomainError(
                    f"{row.name} cannot have completed the event without attending it.",
                    code=f"completed_{row.pk}",
                )
            if row.completed and not mark.completed and row.training_record_id is not None:
                raise DomainError(
                    f"{row.name}'s completion is on their training record and cannot be "
                    "undone here. Ask the volunteer coordinator to correct the training record.",
                    code=f"completed_{row.pk}",
                )
            fields = [
                name
                for name, value in (("attended", mark.attended), ("completed", mark.completed))
                if getattr(row, name) != value
            ]
            row.attended = mark.attended
            row.completed = mark.completed
            row.version += 1
            row.save(update_fields=[*fields, "version"])
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                record=row,
                fields=fields,
                detail={"event": current.pk},
            )
            changed_rows.append(row)
            if row.completed:
                _add_to_training_record(actor=actor, event=current, registration=row)
    return changed_rows


def _add_to_training_record(*, actor: User, event: Event, registration: Registration) -> None:
    """A practitioner who completed a training event gets it on their record, once."""
    practitioner = registration.practitioner
    if practitioner is None or not event.training_course:
        return
    if registration.training_record_id is not None:
        return
    record = training_record_add(
        actor=actor,
        practitioner=practitioner,
        course=event.training_course,
        # An event still under way (a course over several days) is completed today.
        completed_on=min(timezone.localdate(event.ends_at), timezone.localdate()),
        hours=event.training_hours,
        title=event.title,
        trainer=event.trainer,
        event_reference=event.reference,
    )
    registration.training_record = record
    registration.save(update_fields=["training_record"])


def school_attendance_record(
    *, actor: User, event: Event, counts: Mapping[str, int | None], expected_version: int
) -> dict[str, int]:
    """How many pupils of each year group attended a school session: numbers only.

    A year group left blank or 0 is removed. The total may not exceed the places on the
    event. Returns the counts now recorded.
    """
    unknown = set(counts) - set(YearGroup.values)
    if unknown:
        raise DomainError("Pupils are counted by year group only.")
    with transaction.atomic():
        current = _lock_event(actor, event)
        if current.kind != EventKind.SCHOOL_SESSION:
            raise DomainError("Pupil numbers are recorded for school sessions only.")
        if current.version != expected_version:
            raise StaleVersion(
                "Someone else changed this event while you were recording pupil numbers."
            )
        attendance_can_be_taken(event=current)
        wanted = {group: n for group, n in counts.items() if n}
        if any(n < 0 for n in wanted.values()):
            raise DomainError("The number of pupils cannot be negative.")
        total = sum(wanted.values())
        if current.capacity is not None and total > current.capacity:
            raise DomainError(
                f"That is {total} pupils, more than the {current.capacity} places on the "
                "session. Check the numbers, or change the number of places first.",
                code="capacity",
            )
        existing = {row.year_group: row for row in SchoolAttendance.objects.filter(event=current)}
        for group, row in existing.items():
            if group not in wanted:
                row.delete()
            elif row.pupils != wanted[group]:
                row.pupils = wanted[group]
                row.recorded_by = actor
                row.recorded_at = timezone.now()
                row.save(update_fields=["pupils", "recorded_by", "recorded_at"])
        SchoolAttendance.objects.bulk_create(
            SchoolAttendance(event=current, year_group=group, pupils=n, recorded_by=actor)
            for group, n in wanted.items()
            if group not in existing
        )
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=current,
            fields=["school_attendance"],
            detail={"pupils": total, "year_groups": sorted(wanted)},
        )
    return wanted


# --- hours and expenses ----------------------------------------------------------------


def hours_log(
    *,
    actor: User,
    date: dt.date,
    hours: Decimal,
    activity: str,
    event: Event | None = None,
    case_reference: str = "",
    description: str = "",
    expenses_pence: int = 0,
    expenses_for: str = "",
    submission_key: str | None = None,
) -> VolunteerHours:
    """A facilitator logs their own time (and expenses) on one day."""
    practitioner = own_practitioner(user=actor)
    if practitioner is None:
        raise DomainError(
            "Your sign-in is not linked to a practitioner record, so you cannot log hours. "
            "Ask your volunteer coordinator to link it."
        )
    if date > timezone.localdate():
        raise DomainError("The date must be today or in the past.", code="date")
    if not Decimal("0.5") <= hours <= Decimal("24"):
        raise DomainError("Enter hours between 0.5 and 24.", code="hours")
    if activity not in HoursActivity.values:
        raise DomainError("Choose what the time was for.", code="activity")
    if activity == HoursActivity.EVENT:
        if event is None or event.organiser_id != practitioner.provider_id:
            raise DomainError("Choose the event.", code="event")
    else:
        event = None
    case_reference = case_reference.strip().upper() if activity == HoursActivity.CASE else ""
    if activity == HoursActivity.CASE and not case_reference:
        raise DomainError("Enter the case reference.", code="case_reference")
    if not 0 <= expenses_pence <= MAX_EXPENSES_PENCE:
        raise DomainError(
            "Enter expenses between £0 and £1,000. Claim larger amounts with your "
            "volunteer coordinator.",
            code="expenses",
        )
    expenses_for = expenses_for.strip()
    if expenses_pence and not expenses_for:
        raise DomainError("Say what the expenses were for.", code="expenses_for")
    if submission_key:
        earlier = VolunteerHours.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            return _same_submitter(earlier, earlier.practitioner_id == practitioner.pk)
    try:
        with transaction.atomic():
            entry = VolunteerHours.objects.create(
                practitioner=practitioner,
                date=date,
                hours=hours,
                activity=activity,
                event=event,
                case_reference=case_reference,
                description=description.strip(),
                expenses_pence=expenses_pence,
                expenses_for=expenses_for if expenses_pence else "",
                expenses_status=(
                    ExpensesStatus.PENDING if expenses_pence else ExpensesStatus.NOT_CLAIMED
                ),
                submission_key=submission_key or None,
                recorded_by=actor,
            )
            audit_record(actor=actor, action=AuditAction.CREATE, record=entry)
    except IntegrityError:
        earlier = VolunteerHours.objects.filter(submission_key=submission_key).first()
        if submission_key and earlier is not None:
            return _same_submitter(earlier, earlier.practitioner_id == practitioner.pk)
        raise
    return entry


def hours_listed(*, actor: User, entries: Iterable[VolunteerHours]) -> None:
    ids = [e.pk for e in entries]
    if ids:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=VolunteerHours._meta.label_lower,
            detail={"ids": ids},
        )


def hours_totals_viewed(*, actor: User, year: int, exported: bool = False) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT if exported else AuditAction.VIEW,
        record_type=VolunteerHours._meta.label_lower,
        detail={"totals_for_year": year},
    )


def expense_claim_viewed(*, actor: User, entry: VolunteerHours) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, record=entry)


def expense_claim_decide(
    *,
    actor: User,
    entry: VolunteerHours,
    approve: bool,
    reason: str = "",
    expected_version: int | None = None,
) -> VolunteerHours:
    """The volunteer coordinator approves a claim for expenses, or (with a reason) not."""
    with transaction.atomic():
        try:
            hours_visible_to(actor).select_for_update(of=("self",)).get(pk=entry.pk)
        except VolunteerHours.DoesNotExist:
            raise Http404("No claim here.") from None
        return transition_apply(
            workflow=EXPENSES_WORKFLOW,
            record=entry,
            actor=actor,
            to_state=ExpensesStatus.APPROVED if approve else ExpensesStatus.REJECTED,
            reason=reason,
            expected_version=expected_version,
        )
