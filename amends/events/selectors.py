"""Every scoped read of events, registrations and volunteer hours.

- An event is managed by the coordinators of the organisation that organises it (the
  provider's provider and volunteer coordinators, a police force's RJ coordinator);
  nobody else sees it on the staff pages, and `get_or_404` answers 404.
- The public sees only public, scheduled, upcoming events, and never who registered.
- A practitioner with a staff sign-in sees their own hours; the provider's volunteer
  coordinator sees the hours and expenses of all the provider's practitioners.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from amends.accounts.models import Role, User
from amends.core.models import TransitionLog
from amends.core.scoping import get_or_404
from amends.events.models import (
    Event,
    EventState,
    ExpensesStatus,
    Registration,
    SchoolAttendance,
    VolunteerHours,
)
from amends.events.workflow import EVENT_MANAGERS
from amends.practitioners.models import Practitioner, PractitionerState

# A practitioner who has left or did not progress is not registered for new events.
_INACTIVE_PRACTITIONER_STATES = (PractitionerState.LEFT, PractitionerState.NOT_PROGRESSED)


def can_manage_events(user: User) -> bool:
    return bool(
        user.is_active and user.organisation_id is not None and user.has_role(*EVENT_MANAGERS)
    )


def events_visible_to(user: User) -> QuerySet[Event]:
    if not can_manage_events(user):
        return Event.objects.none()
    return Event.objects.filter(organiser_id=user.organisation_id)


def _with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    """Each event with how many people registered and how many pupils attended (no N+1)."""
    registered = (
        Registration.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pupils = (
        SchoolAttendance.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Sum("pupils"))
        .values("n")
    )
    return events.annotate(
        registered_count=Coalesce(Subquery(registered, output_field=IntegerField()), Value(0)),
        pupil_count=Coalesce(Subquery(pupils, output_field=IntegerField()), Value(0)),
    )


def event_list(*, user: User, past: bool = False) -> QuerySet[Event]:
    """Upcoming events (not yet over) soonest first, or past events latest first."""
    now = timezone.now()
    events = events_visible_to(user)
    if past:
        events = events.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    else:
        events = events.filter(ends_at__gt=now).order_by("starts_at", "id")
    return _with_counts(events)


def event_get(*, user: User, reference: str) -> Event:
    """One event `user` manages, with its counts, or 404."""
    return get_or_404(
        _with_counts(events_visible_to(user).select_related("organiser", "created_by")),
        reference=reference,
    )


def event_registrations(*, event: Event) -> list[Registration]:
    """The named people registered for an event the caller already fetched via `event_get`."""
    return list(Registration.objects.filter(event=event).order_by("name", "id"))


def school_attendance_counts(*, event: Event) -> dict[str, int]:
    """Pupils who attended a school session, by year group (never names)."""
    return dict(SchoolAttendance.objects.filter(event=event).values_list("year_group", "pupils"))


def registrable_practitioners(*, event: Event) -> QuerySet[Practitioner]:
    """The organiser's practitioners who are not registered yet (and have not left)."""
    return (
        Practitioner.objects.filter(provider_id=event.organiser_id)
        .exclude(state__in=_INACTIVE_PRACTITIONER_STATES)
        .exclude(event_registrations__event=event)
        .order_by("last_name", "first_name", "id")
    )


def registrable_staff(*, event: Event) -> QuerySet[User]:
    """The organiser's active users who are not registered yet."""
    return (
        User.objects.filter(organisation_id=event.organiser_id, is_active=True)
        .exclude(event_registrations__event=event)
        .order_by("full_name", "email")
    )


# --- the public ------------------------------------------------------------------------


def public_events() -> QuerySet[Event]:
    """Events open to the public that have not started yet and are not cancelled."""
    return (
        Event.objects.filter(public=True, state=EventState.SCHEDULED, starts_at__gt=timezone.now())
        .select_related("organiser")
        .order_by("starts_at", "id")
    )


def public_event_get(*, reference: str) -> Event:
    return get_or_404(public_events(), reference=reference)


# --- hours and expenses ----------------------------------------------------------------


def own_practitioner(*, user: User) -> Practitioner | None:
    """The practitioner record linked to this staff sign-in, if it is a facilitator's."""
    if not user.is_active or not user.has_role(Role.FACILITATOR):
        return None
    return (
        Practitioner.objects.filter(user=user, provider_id=user.organisation_id)
        .exclude(state__in=_INACTIVE_PRACTITIONER_STATES)
        .first()
    )


def own_hours(*, practitioner: Practitioner) -> QuerySet[VolunteerHours]:
    return VolunteerHours.objects.filter(practitioner=practitioner).select_related("event")


def hours_events_for(*, practitioner: Practitioner) -> QuerySet[Event]:
    """Events a practitioner can log time against: their provider's, of the past year."""
    now = timezone.now()
    return (
        Event.objects.filter(
            organiser_id=practitioner.provider_id,
            starts_at__lte=now,
            starts_at__gte=now - dt.timedelta(days=366),
        )
        .exclude(state=EventState.CANCELLED)
        .order_by("-starts_at", "-id")
    )


def expense_decision_reasons(*, entries: list[VolunteerHours]) -> dict[int, str]:
    """Why each of these claims was not approved (from the transition log), in one query."""
    rejected = [e.pk for e in entries if e.expenses_status == ExpensesStatus.REJECTED]
    if not rejected:
        return {}
    logs = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(VolunteerHours),
        object_id__in=rejected,
        to_state=ExpensesStatus.REJECTED,
    ).order_by("at", "id")
    return {log.object_id: log.reason for log in logs}


def can_oversee_hours(user: User) -> bool:
    return bool(
        user.is_active
        and user.organisation_id is not None
        and user.has_role(Role.VOLUNTEER_COORDINATOR)
    )


def hours_visible_to(user: User) -> QuerySet[VolunteerHours]:
    """The volunteer coordinator sees every entry of their provider's practitioners."""
    if not can_oversee_hours(user):
        return VolunteerHours.objects.none()
    return VolunteerHours.objects.filter(practitioner__provider_id=user.organisation_id)


def expense_claims_pending(*, user: User) -> QuerySet[VolunteerHours]:
    return (
        hours_visible_to(user)
        .filter(expenses_status=ExpensesStatus.PENDING)
        .select_related("practitioner", "event")
        .order_by("date", "id")
    )


def expense_claim_get(*, user: User, pk: int) -> VolunteerHours:
    return get_or_404(hours_visible_to(user).select_related("practitioner", "event"), pk=pk)


def pounds(pence: int) -> str:
    """12345 -> "123.45"."""
    return f"{Decimal(pence) / 100:.2f}"


@dataclass
class HoursTotal:
    """Hours and expenses (in pence) of one volunteer, one month, or both."""

    label: str
    hours: Decimal = Decimal("0.0")
    expenses_claimed: int = 0
    expenses_approved: int = 0
    expenses_pending: int = 0
    practitioner_reference: str = ""
    month: dt.date | None = None
    volunteers: set[int] = field(default_factory=set)

    @property
    def claimed_pounds(self) -> str:
        return pounds(self.expenses_claimed)

    @property
    def approved_pounds(self) -> str:
        return pounds(self.expenses_approved)

    @property
    def pending_pounds(self) -> str:
        return pounds(self.expenses_pending)

    def add(self, row: dict[str, object], practitioner_id: int) -> None:
        # SQLite sums decimals as floats or integers: bring them back to tenths of an hour.
        self.hours = (self.hours + Decimal(str(row["hours"]))).quantize(Decimal("0.1"))
        self.expenses_claimed += int(row["claimed"])  # type: ignore[call-overload]
        self.expenses_approved += int(row["approved"])  # type: ignore[call-overload]
        self.expenses_pending += int(row["pending"])  # type: ignore[call-overload]
        self.volunteers.add(practitioner_id)


@dataclass
class HoursTotals:
    year: int
    by_volunteer_month: list[HoursTotal]
    by_volunteer: list[HoursTotal]
    by_month: list[HoursTotal]
    overall: HoursTotal


def hours_totals(*, user: User, year: int) -> HoursTotals:
    """Totals of the year for the volunteer coordinator: one grouped query, summed here."""
    claimed = ~Q(expenses_status=ExpensesStatus.NOT_CLAIMED)
    rows = (
        hours_visible_to(user)
        .filter(date__year=year)
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values(
            "practitioner_id",
            "practitioner__reference",
            "practitioner__first_name",
            "practitioner__last_name",
            "month",
        )
        .annotate(
            hours=Sum("hours"),
            claimed=Coalesce(Sum("expenses_pence", filter=claimed), 0),
            approved=Coalesce(
                Sum("expenses_pence", filter=Q(expenses_status=ExpensesStatus.APPROVED)), 0
            ),
            pending=Coalesce(
                Sum("expenses_pence", filter=Q(expenses_status=ExpensesStatus.PENDING)), 0
            ),
        )
        .order_by("practitioner__last_name", "practitioner__first_name", "practitioner_id", "month")
    )
    by_volunteer_month: list[HoursTotal] = []
    by_volunteer: dict[int, HoursTotal] = {}
    by_month: dict[dt.date, HoursTotal] = {}
    overall = HoursTotal(label="All volunteers")
    for row in rows:
        pid: int = row["practitioner_id"]
        name = f"{row['practitioner__first_name']} {row['practitioner__last_name']}".strip()
        month: dt.date = row["month"]
        if isinstance(month, dt.datetime):  # TruncMonth of a date is a date; be sure
            month = month.date()
        reference = row["practitioner__reference"]
        line = HoursTotal(label=name, practitioner_reference=reference, month=month)
        line.add(row, pid)
        by_volunteer_month.append(line)
        by_volunteer.setdefault(pid, HoursTotal(label=name, practitioner_reference=reference)).add(
            row, pid
        )
        by_month.setdefault(month, HoursTotal(label=f"{month:%B %Y}", month=month)).add(row, pid)
        overall.add(row, pid)
    return HoursTotals(
        year=year,
        by_volunteer_month=by_volunteer_month,
        by_volunteer=list(by_volunteer.values()),
        by_month=[by_month[m] for m in sorted(by_month)],
        overall=overall,
    )
