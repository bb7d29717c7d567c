"""Whether a practitioner may be allocated cases, what falls due when, and the reminders.

The one place the practitioner rule of design.md lives: a practitioner is
eligible for allocation only while active, trained, DBS in date, supervised
within SUPERVISION_INTERVAL_WEEKS, observed within OBSERVATION_INTERVAL_MONTHS
and under their case limit. `practitioner_status` says so for one practitioner
on one day, with each reason in plain English; `practitioners_for_allocation`
lists a provider's practitioners with their status for the allocation page
(and the casework allocation form, which passes open case counts).

Every due date here is the last day a record is in date, like the expiry date
on a card: a DBS certificate issued on 3 March 2023 with a 36-month renewal
expires on 3 March 2026 (in date that day, not the next); supervision held on
1 June is in date up to the day 12 weeks later. A reminder goes
PRACTITIONER_REMINDER_WORKING_DAYS working days before the due date
(`reminder_day`), once (`PractitionerReminder`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.dateformat import format as date_format

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.accounts.selectors import users_with_role
from amends.core.audit import audit_record
from amends.core.messaging import message_not_sent, message_queue
from amends.core.models import AuditAction, MessageChannel
from amends.core.workingdays import is_working_day
from amends.practitioners.models import (
    AccreditationRole,
    CpdEntry,
    DbsCheck,
    DbsOutcome,
    ObservedPractice,
    Practitioner,
    PractitionerReminder,
    PractitionerState,
    ReminderKind,
    RjcStatus,
    SupervisionSession,
    TrainingCourse,
    TrainingRecord,
)

# Practitioners the allocation and compliance pages list: accredited or in practice.
PRACTISING_STATES: tuple[str, ...] = (
    PractitionerState.ACTIVE,
    PractitionerState.PAUSED,
    PractitionerState.ACCREDITED,
)
# The courses that train someone to take cases.
TRAINED_COURSES = frozenset(
    {TrainingCourse.FACILITATOR, TrainingCourse.ADVANCED, TrainingCourse.ADVOCATE}
)
ACCEPTED_DBS_OUTCOMES = frozenset({DbsOutcome.CLEAR, DbsOutcome.ACCEPTED})
RJC_REGISTERED = frozenset({RjcStatus.REGISTERED, RjcStatus.ACCREDITED})
# Who sees the provider's practitioners listed with their compliance.
COMPLIANCE_ROLES = frozenset({Role.PROVIDER_COORDINATOR.value, Role.VOLUNTEER_COORDINATOR.value})
# CPD is counted over a rolling year: the 12 months up to the day asked about.
CPD_YEAR_MONTHS = 12

PRACTITIONER_REMINDER = "practitioner_reminder"
PRACTITIONER_REMINDERS_DIGEST = "practitioner_reminders_digest"


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), the month's last day if it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reminder_day(due_on: dt.date) -> dt.date:
    """The working day a reminder of something due on `due_on` is produced.

    PRACTITIONER_REMINDER_WORKING_DAYS working days before it, counted back over
    weekends and England and Wales bank holidays, so it is always a working day:
    when the day that many calendar days before would be a Saturday or Christmas
    Day, the reminder goes on the working day before. With 0 working days it is the
    due day itself, or the working day before that when it is not one.
    """
    day = due_on
    remaining = settings.PRACTITIONER_REMINDER_WORKING_DAYS
    while remaining:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def long_date(day: dt.date) -> str:
    """3 March 2026."""
    return date_format(day, "j F Y")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _weeks_and_days(days: int) -> str:
    weeks, rest = divmod(days, 7)
    if not weeks:
        return _plural(rest, "day")
    if not rest:
        return _plural(weeks, "week")
    return f"{_plural(weeks, 'week')} and {_plural(rest, 'day')}"


def _hours(hours: Decimal) -> str:
    """8 or 7.5: no trailing zeros."""
    return f"{hours.normalize():f}"


# ---------------------------------------------------------------------------
# One practitioner's status
# ---------------------------------------------------------------------------


class ItemState:
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MISSING = "missing"
    SHORT = "short"  # CPD hours below what the level needs


_TAGS = {
    ItemState.OK: ("In date", "govuk-tag--green"),
    ItemState.DUE_SOON: ("Due soon", "govuk-tag--yellow"),
    ItemState.OVERDUE: ("Overdue", "govuk-tag--red"),
    ItemState.MISSING: ("None on record", "govuk-tag--red"),
    ItemState.SHORT: ("Hours short", "govuk-tag--red"),
}


@dataclass(frozen=True)
class ComplianceItem:
    """One record a registered service keeps in date: DBS, supervision, observation, CPD."""

    kind: str  # ReminderKind
    state: str  # ItemState
    due_on: dt.date | None  # the last day in date; None: nothing on record, or CPD short now
    summary: str

    @property
    def label(self) -> str:
        return str(ReminderKind(self.kind).label)

    @property
    def tag_text(self) -> str:
        return _TAGS[self.state][0]

    @property
    def tag_class(self) -> str:
        return _TAGS[self.state][1]

    @property
    def needs_attention(self) -> bool:
        return self.state != ItemState.OK


@dataclass(frozen=True)
class PractitionerStatus:
    """What `practitioner_status` found on the day `on`; `eligible` is the allocation rule."""

    on: dt.date
    trained: bool
    dbs_issued_on: dt.date | None
    dbs_renewal_due: dt.date | None
    last_supervision: dt.date | None
    supervision_due: dt.date | None
    last_observation: dt.date | None
    observation_due: dt.date | None
    cpd_hours: Decimal
    cpd_hours_required: int | None  # None: no level recorded, so no requirement known
    cpd_due: dt.date | None
    open_cases: int
    case_limit: int
    reasons_not_eligible: list[str]
    items: list[ComplianceItem]

    @property
    def eligible(self) -> bool:
        return not self.reasons_not_eligible

    @property
    def cpd_short(self) -> bool:
        return self.cpd_hours_required is not None and self.cpd_hours < self.cpd_hours_required

    @property
    def needing_attention(self) -> list[ComplianceItem]:
        return [item for item in self.items if item.needs_attention]


def _dated_state(due_on: dt.date, on: dt.date) -> str:
    if on > due_on:
        return ItemState.OVERDUE
    if on >= reminder_day(due_on):
        return ItemState.DUE_SOON
    return ItemState.OK


def _latest(days: Iterable[dt.date]) -> dt.date | None:
    return max(days, default=None)


def _cpd(
    entries: Sequence[CpdEntry], *, on: dt.date, required: int | None
) -> tuple[Decimal, dt.date | None]:
    """CPD hours in the rolling year up to `on`, and the last day they still meet `required`.

    The CPD year is rolling: on any day it is the 12 months up to and including
    that day, so an activity counts until 12 months after it was done. The due
    date is the day before the hours would fall short as older activity drops out,
    if nothing more is recorded; None when they are short already (or nothing is
    required).
    """
    year_start = add_months(on, -CPD_YEAR_MONTHS)
    counted = sorted(
        (entry for entry in entries if year_start < entry.completed_on <= on),
        key=lambda entry: entry.completed_on,
    )
    total = sum((entry.hours for entry in counted), Decimal(0))
    if required is None or total < required:
        return total, None
    remaining = total
    for entry in counted:
        remaining -= entry.hours
        if remaining < required:
            # Counted up to the day before the anniversary, when it drops out.
            return total, add_months(entry.completed_on, CPD_YEAR_MONTHS) - dt.timedelta(days=1)
    return total, None  # required is 0: never short


def practitioner_status(
    practitioner: Practitioner, *, on: dt.date, open_cases: int = 0
) -> PractitionerStatus:
    """Everything the allocation rule and the compliance pages need to know, on the day `on`.

    Reads the practitioner's DBS checks, training, supervision, observations and
    CPD through their related managers, so a caller listing many prefetches them
    (`practising_practitioners`) and this makes no query of its own.
    """
    reasons: list[str] = []
    items: list[ComplianceItem] = []

    if practitioner.state == PractitionerState.PAUSED:
        reasons.append("Paused")
    elif practitioner.state == PractitionerState.ACCREDITED:
        reasons.append("Accredited, not yet active")
    elif practitioner.state != PractitionerState.ACTIVE:
        reasons.append(f"Not active ({practitioner.get_state_display().lower()})")

    trained = any(
        record.course in TRAINED_COURSES and record.completed_on <= on
        for record in practitioner.training_records.all()
    )
    if not trained:
        advocate = practitioner.accreditation_role == AccreditationRole.ADVOCATE
        reasons.append("Not trained as an advocate" if advocate else "Not trained as a facilitator")

    # DBS: the latest accepted certificate, unless a later check was not accepted.
    checks = [check for check in practitioner.dbs_checks.all() if check.issue_date <= on]
    accepted = [check for check in checks if check.outcome in ACCEPTED_DBS_OUTCOMES]
    dbs_issued_on = _latest(check.issue_date for check in accepted)
    refused_on = _latest(
        check.issue_date for check in checks if check.outcome not in ACCEPTED_DBS_OUTCOMES
    )
    dbs_renewal_due = (
        add_months(dbs_issued_on, settings.DBS_RENEWAL_MONTHS) if dbs_issued_on else None
    )
    if refused_on is not None and (dbs_issued_on is None or refused_on > dbs_issued_on):
        reasons.append(f"DBS check of {long_date(refused_on)} not accepted")
    if dbs_renewal_due is None:
        if refused_on is None:
            reasons.append("No DBS check on record")
        items.append(
            ComplianceItem(ReminderKind.DBS, ItemState.MISSING, None, "No accepted DBS check")
        )
    else:
        state = _dated_state(dbs_renewal_due, on)
        if state == ItemState.OVERDUE:
            reasons.append(f"DBS certificate expired on {long_date(dbs_renewal_due)}")
            summary = f"Expired on {long_date(dbs_renewal_due)}"
        else:
            summary = f"Renewal due by {long_date(dbs_renewal_due)}"
        items.append(ComplianceItem(ReminderKind.DBS, state, dbs_renewal_due, summary))

    weeks = settings.SUPERVISION_INTERVAL_WEEKS
    last_supervision = _latest(
        session.held_on
        for session in practitioner.supervision_sessions.all()
        if session.held_on <= on
    )
    supervision_due = (
        last_supervision + dt.timedelta(weeks=weeks) if last_supervision is not None else None
    )
    if last_supervision is None or supervision_due is None:
        reasons.append(f"No supervision on record (due every {_plural(weeks, 'week')})")
        items.append(
            ComplianceItem(
                ReminderKind.SUPERVISION, ItemState.MISSING, None, "No supervision on record"
            )
        )
    else:
        state = _dated_state(supervision_due, on)
        if state == ItemState.OVERDUE:
            ago = _weeks_and_days((on - last_supervision).days)
            reasons.append(f"Last supervision was {ago} ago (due every {_plural(weeks, 'week')})")
        items.append(
            ComplianceItem(
                ReminderKind.SUPERVISION,
                state,
                supervision_due,
                f"Last on {long_date(last_supervision)}; next due by {long_date(supervision_due)}",
            )
        )

    months = settings.OBSERVATION_INTERVAL_MONTHS
    period = "year" if months == 12 else _plural(months, "month")
    observations = [seen for seen in practitioner.observations.all() if seen.observed_on <= on]
    last_observation = _latest(seen.observed_on for seen in observations if seen.satisfactory)
    unsatisfactory_on = _latest(seen.observed_on for seen in observations if not seen.satisfactory)
    observation_due = add_months(last_observation, months) if last_observation is not None else None
    if observation_due is None or on > observation_due:
        reasons.append(f"No observed practice in the last {period}")
    if unsatisfactory_on is not None and (
        last_observation is None or unsatisfactory_on > last_observation
    ):
        reasons.append(f"Observed practice on {long_date(unsatisfactory_on)} was not satisfactory")
    if last_observation is None or observation_due is None:
        items.append(
            ComplianceItem(
                ReminderKind.OBSERVATION, ItemState.MISSING, None, "No observed practice on record"
            )
        )
    else:
        items.append(
            ComplianceItem(
                ReminderKind.OBSERVATION,
                _dated_state(observation_due, on),
                observation_due,
                f"Last on {long_date(last_observation)}; next due by {long_date(observation_due)}",
            )
        )

    required = settings.CPD_HOURS_BY_LEVEL.get(practitioner.level) if practitioner.level else None
    cpd_hours, cpd_due = _cpd(list(practitioner.cpd_entries.all()), on=on, required=required)
    if required is not None:
        summary = f"{_hours(cpd_hours)} of {required} hours in the last 12 months"
        if cpd_hours < required:
            items.append(ComplianceItem(ReminderKind.CPD, ItemState.SHORT, None, summary))
        elif cpd_due is not None:
            summary += f"; enough until {long_date(cpd_due)}"
            items.append(
                ComplianceItem(ReminderKind.CPD, _dated_state(cpd_due, on), cpd_due, summary)
            )
        else:
            items.append(ComplianceItem(ReminderKind.CPD, ItemState.OK, None, summary))

    if open_cases >= practitioner.case_limit:
        reasons.append(f"At case limit ({open_cases} of {practitioner.case_limit})")

    return PractitionerStatus(
        on=on,
        trained=trained,
        dbs_issued_on=dbs_issued_on,
        dbs_renewal_due=dbs_renewal_due,
        last_supervision=last_supervision,
        supervision_due=supervision_due,
        last_observation=last_observation,
        observation_due=observation_due,
        cpd_hours=cpd_hours,
        cpd_hours_required=required,
        cpd_due=cpd_due,
        open_cases=open_cases,
        case_limit=practitioner.case_limit,
        reasons_not_eligible=reasons,
        items=items,
    )


# ---------------------------------------------------------------------------
# Lists: allocation and compliance
# ---------------------------------------------------------------------------


def eligibility_rule() -> str:
    """The allocation rule in words, with the intervals of the settings."""
    months = settings.OBSERVATION_INTERVAL_MONTHS
    period = "year" if months == 12 else _plural(months, "month")
    weeks = _plural(settings.SUPERVISION_INTERVAL_WEEKS, "week")
    return (
        f"active, trained, their DBS certificate is in date, they were supervised in the "
        f"last {weeks}, their practice was observed in the last {period}, and they are "
        "under their case limit"
    )


def availability_text(practitioner: Practitioner) -> str:
    """ "Weekday evenings, weekends" from the codes kept in `availability`."""
    parts = [str(code).replace("_", " ").capitalize() for code in practitioner.availability or []]
    return ", ".join(parts)


def practising_practitioners(
    *, on: dt.date, provider: Organisation | None = None
) -> QuerySet[Practitioner]:
    """Accredited, active and paused practitioners (of `provider`, or everyone's).

    With what `practitioner_status` reads prefetched: six queries, however many.
    """
    practitioners = Practitioner.objects.filter(state__in=PRACTISING_STATES)
    if provider is not None:
        practitioners = practitioners.filter(provider=provider)
    cpd_year_start = add_months(on, -CPD_YEAR_MONTHS)
    return practitioners.select_related("provider").prefetch_related(
        Prefetch("dbs_checks", queryset=DbsCheck.objects.filter(issue_date__lte=on)),
        Prefetch(
            "training_records",
            queryset=TrainingRecord.objects.filter(course__in=TRAINED_COURSES),
        ),
        Prefetch(
            "supervision_sessions", queryset=SupervisionSession.objects.filter(held_on__lte=on)
        ),
        Prefetch("observations", queryset=ObservedPractice.objects.filter(observed_on__lte=on)),
        Prefetch(
            "cpd_entries",
            queryset=CpdEntry.objects.filter(completed_on__gt=cpd_year_start, completed_on__lte=on),
        ),
    )


def practitioners_for_allocation(
    *, provider: Organisation, on: dt.date, open_cases: Mapping[int, int] | None = None
) -> list[tuple[Practitioner, PractitionerStatus]]:
    """The provider's accredited, active and paused practitioners, eligible ones first.

    `open_cases` maps a practitioner's id to the cases they hold open (casework
    passes it; without it nobody is at their limit). A constant number of queries.
    """
    counts = open_cases or {}
    rows = [
        (
            practitioner,
            practitioner_status(practitioner, on=on, open_cases=counts.get(practitioner.pk, 0)),
        )
        for practitioner in practising_practitioners(on=on, provider=provider)
    ]
    # Stable: each group keeps the practitioners' name order.
    rows.sort(key=lambda row: not row[1].eligible)
    return rows


@dataclass(frozen=True)
class RjcShare:
    """Active practitioners registered (or accredited) with the Restorative Justice Council."""

    registered: int
    active: int

    @property
    def percent(self) -> int | None:
        if not self.active:
            return None
        return round(100 * self.registered / self.active)

    def __str__(self) -> str:
        if not self.active:
            return "No active practitioners"
        return f"{self.registered} of {self.active} ({self.percent}%)"


def rjc_share(practitioners: Iterable[Practitioner]) -> RjcShare:
    active = [p for p in practitioners if p.state == PractitionerState.ACTIVE]
    registered = sum(1 for p in active if p.rjc_status in RJC_REGISTERED)
    return RjcShare(registered=registered, active=len(active))


@dataclass(frozen=True)
class ComplianceRow:
    practitioner: Practitioner
    item: ComplianceItem


_ROW_ORDER = {ItemState.OVERDUE: 0, ItemState.MISSING: 0, ItemState.SHORT: 0, ItemState.DUE_SOON: 1}


@dataclass(frozen=True)
class ComplianceOverview:
    on: dt.date
    rows: list[ComplianceRow]  # overdue and missing first, then due soon, by due date
    practitioners: int
    rjc_share: RjcShare

    @property
    def reminder_working_days(self) -> int:
        return int(settings.PRACTITIONER_REMINDER_WORKING_DAYS)

    @property
    def sections(self) -> list[tuple[str, list[ComplianceRow]]]:
        """The rows by record, in the order DBS, supervision, observation, CPD."""
        return [
            (str(kind.label), [row for row in self.rows if row.item.kind == kind])
            for kind in ReminderKind
        ]

    @property
    def listed(self) -> list[Practitioner]:
        """Each practitioner named on the page, once."""
        seen: dict[int, Practitioner] = {}
        for row in self.rows:
            seen.setdefault(row.practitioner.pk, row.practitioner)
        return list(seen.values())


def compliance_overview(*, provider: Organisation, on: dt.date) -> ComplianceOverview:
    """Who is due or overdue for DBS renewal, supervision, observation or CPD, and the RJC share."""
    practitioners = list(practising_practitioners(on=on, provider=provider))
    rows = [
        ComplianceRow(practitioner=practitioner, item=item)
        for practitioner in practitioners
        for item in practitioner_status(practitioner, on=on).needing_attention
    ]
    rows.sort(
        key=lambda row: (
            _ROW_ORDER[row.item.state],
            row.item.due_on or dt.date.min,
            row.practitioner.last_name,
            row.practitioner.first_name,
            row.practitioner.pk,
        )
    )
    return ComplianceOverview(
        on=on, rows=rows, practitioners=len(practitioners), rjc_share=rjc_share(practitioners)
    )


def compliance_provider(*, user: User) -> Organisation:
    """The RJ provider whose practitioners `user` may see listed; PermissionDenied otherwise.

    Its provider and volunteer coordinators only. Everyone sees only their own
    organisation's practitioners, so there is nothing of another provider's to reach.
    """
    organisation = user.organisation
    if (
        not user.is_active
        or organisation is None
        or organisation.kind != OrganisationKind.RJ_PROVIDER
        or not user.has_role(*COMPLIANCE_ROLES)
    ):
        raise PermissionDenied("Only the provider's coordinators can see this page.")
    return organisation


def practitioners_listed(*, actor: User, practitioners: Sequence[Practitioner], page: str) -> None:
    """Audit a page that named these practitioners."""
    if practitioners:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=Practitioner._meta.label_lower,
            detail={"page": page, "ids": [p.pk for p in practitioners]},
        )


# ---------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderDue:
    practitioner: Practitioner
    kind: str  # ReminderKind
    due_on: dt.date


def practitioner_reminders_due(*, on: dt.date) -> list[ReminderDue]:
    """The reminders to produce on the day `on`, which were not produced before.

    A reminder is produced on its `reminder_day`: PRACTITIONER_REMINDER_WORKING_DAYS
    working days before the item falls due. Nothing is produced on a weekend or a
    bank holiday. A day the daily run missed is caught up on the next working day,
    as long as the item is not yet overdue.
    """
    if not is_working_day(on):
        return []
    already = set(
        PractitionerReminder.objects.filter(due_on__gte=on).values_list(
            "practitioner_id", "kind", "due_on"
        )
    )
    due = []
    for practitioner in practising_practitioners(on=on):
        for item in practitioner_status(practitioner, on=on).items:
            if item.due_on is None or not reminder_day(item.due_on) <= on <= item.due_on:
                continue
            if (practitioner.pk, item.kind, item.due_on) in already:
                continue
            due.append(ReminderDue(practitioner=practitioner, kind=item.kind, due_on=item.due_on))
    return due


def _reminder_text(reminder: ReminderDue) -> str:
    practitioner = reminder.practitioner
    due = long_date(reminder.due_on)
    if reminder.kind == ReminderKind.DBS:
        return f"Your enhanced DBS certificate is due for renewal by {due}."
    if reminder.kind == ReminderKind.SUPERVISION:
        weeks = _plural(settings.SUPERVISION_INTERVAL_WEEKS, "week")
        return f"Your next supervision session is due by {due} (at least every {weeks})."
    if reminder.kind == ReminderKind.OBSERVATION:
        return f"Your practice is due to be observed again by {due}."
    required = settings.CPD_HOURS_BY_LEVEL.get(practitioner.level)
    return (
        f"Your CPD in the last 12 months meets the {required} hours a year your level needs "
        f"only until {due}: please record more CPD before then."
    )


def _staff_url(name: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name)}"


def practitioner_reminders_send(*, on: dt.date) -> int:
    """Produce the reminders due on `on`: one email to each practitioner per item, and
    one digest per provider to each of its volunteer coordinators. Returns how many.

    Each reminder is recorded (`PractitionerReminder`, unique per practitioner, kind
    and due date) in the transaction that queues its messages, so running this
    again, or twice at once, sends nothing more.
    """
    by_provider: dict[int, list[ReminderDue]] = {}
    for reminder in practitioner_reminders_due(on=on):
        by_provider.setdefault(reminder.practitioner.provider_id, []).append(reminder)
    produced = 0
    for reminders in by_provider.values():
        provider = reminders[0].practitioner.provider
        with transaction.atomic():
            new = [reminder for reminder in reminders if _reminder_record(reminder, on=on)]
            if new:
                _digest_queue(provider=provider, reminders=new)
        produced += len(new)
    return produced


def _reminder_record(reminder: ReminderDue, *, on: dt.date) -> bool:
    """Record and queue one reminder; False if it was produced already."""
    practitioner = reminder.practitioner
    _, created = PractitionerReminder.objects.get_or_create(
        practitioner=practitioner,
        kind=reminder.kind,
        due_on=reminder.due_on,
        defaults={"sent_on": on},
    )
    if not created:
        return False
    message_queue(
        channel=MessageChannel.EMAIL,
        recipient=practitioner.email,
        template=PRACTITIONER_REMINDER,
        personalisation={
            "first_name": practitioner.first_name,
            "reference": practitioner.reference,
            "provider_name": practitioner.provider.name,
            "item": str(ReminderKind(reminder.kind).label),
            "due_on": long_date(reminder.due_on),
            "text": _reminder_text(reminder),
            "service_name": settings.SERVICE_NAME,
        },
        record=practitioner,
    )
    return True


def _digest_queue(*, provider: Organisation, reminders: Sequence[ReminderDue]) -> None:
    """The provider's volunteer coordinators hear what was sent, by reference, never by name."""
    lines = "\n".join(
        f"- {r.practitioner.reference}: {ReminderKind(r.kind).label} due by {long_date(r.due_on)}"
        for r in sorted(reminders, key=lambda r: (r.due_on, r.practitioner.reference, r.kind))
    )
    personalisation = {
        "provider_name": provider.name,
        "count": str(len(reminders)),
        "items": lines,
        "working_days": str(settings.PRACTITIONER_REMINDER_WORKING_DAYS),
        "link": _staff_url("practitioners:compliance"),
        "service_name": settings.SERVICE_NAME,
    }
    recipients = [
        user.email
        for user in users_with_role(organisation=provider, role=Role.VOLUNTEER_COORDINATOR)
    ]
    if not recipients and provider.notification_email:
        recipients = [provider.notification_email]
    if not recipients:
        message_not_sent(
            template=PRACTITIONER_REMINDERS_DIGEST,
            record=provider,
            reason="no volunteer coordinator",
        )
    for recipient in recipients:
        message_queue(
            channel=MessageChannel.EMAIL,
            recipient=recipient,
            template=PRACTITIONER_REMINDERS_DIGEST,
            personalisation=personalisation,
            record=provider,
        )
