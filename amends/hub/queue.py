"""The hub's queue: its open referrals by view, filter, search and sort; allocation in bulk.

The queue holds the referrals the hub still has work on: those with a running
clock (`due_on`, referrals/clocks.py), which is every referral that is new,
being contacted, in triage or awaiting the person's decision. Handed-off and
closed referrals have none, so every query here is `hub = … AND due_on IS NOT
NULL`, which the partial indexes on Referral hold: a hub's few thousand open
referrals, however many it closed over the years. The counts of the views are
one aggregate over those open referrals; search is by exact reference, exact
crime reference, or the start of the person harmed's name, never a substring.

Reads go through `referrals_visible_to`, the one sharing rule, and the user's
own hub: nobody finds another hub's referral here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone
from django.utils.functional import cached_property

from amends.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from amends.core.errors import DomainError, StaleVersion
from amends.referrals import services as referral_services
from amends.referrals.clocks import STAGE_LABELS, due_status, running_stage
from amends.referrals.models import (
    OffenceType,
    PersonRole,
    Referral,
    ReferralPerson,
    ReferralState,
)
from amends.referrals.queue_fields import name_key
from amends.referrals.selectors import referrals_visible_to

QUEUE_ROLES = frozenset({Role.HUB_CASEWORKER, Role.HUB_MANAGER})


class View:
    NEW = "new"
    MINE = "mine"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    CONTACTING = "contacting"
    AWAITING_CONSENT = "awaiting_consent"
    ALL = "all"


VIEW_LABELS: dict[str, str] = {
    View.NEW: "New and unallocated",
    View.MINE: "Mine",
    View.DUE_TODAY: "Due today",
    View.OVERDUE: "Overdue",
    View.CONTACTING: "Awaiting contact",
    View.AWAITING_CONSENT: "Awaiting the person's decision",
    View.ALL: "All open",
}


class Sort:
    DUE = "due"
    RECEIVED = "received"


SORT_LABELS = {Sort.DUE: "Due date, soonest first", Sort.RECEIVED: "Received, newest first"}
UNALLOCATED = "none"
# A reference as people type it: any case, with or without its hyphens.
_REFERENCE = re.compile(r"^RJ-?([0-9A-Z]{4})-?([0-9A-Z]{4})$")


@dataclass(frozen=True)
class QueueFilters:
    view: str = View.ALL
    state: str = ""
    offence_type: str = ""
    enhanced_rights: str = ""  # "yes", "no" or "" (either)
    under_18: bool = False
    allocated_to: str = ""  # a caseworker's id, UNALLOCATED, or "" (anyone)
    q: str = ""
    sort: str = Sort.DUE

    @property
    def narrowed(self) -> bool:
        """Whether anything beyond the view narrows the list (the page says so)."""
        return bool(
            self.state
            or self.offence_type
            or self.enhanced_rights
            or self.under_18
            or self.allocated_to
            or self.q
        )


def queue_hub(*, user: User) -> Organisation | None:
    """The hub whose queue `user` works, or None: its caseworkers and managers only."""
    org = user.organisation
    if (
        org is None
        or not user.is_active
        or org.kind != OrganisationKind.VICTIM_CARE_HUB
        or not user.roles & QUEUE_ROLES
    ):
        return None
    return org


def queue_referrals(*, user: User, hub: Organisation) -> QuerySet[Referral]:
    """The open referrals of `hub` that `user` may see: the whole queue, unordered."""
    return referrals_visible_to(user).filter(hub=hub, due_on__isnull=False)


def under_18_cutoff(today: dt.date) -> dt.date:
    """People born after this day are under 18 on `today`."""
    try:
        return today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 18, day=28)


def _name_condition(text: str) -> Q:
    """The person harmed's name starts so, ignoring case and extra spaces.

    One word: the given or the family name starts with it. More: the first word
    starts the given name and the rest the family name, or all of it starts the
    family name ("van der Berg"). Compared with the referral's own copies of the
    name (referrals/queue_fields.py), so no join per open referral.
    """
    words = name_key(text).split()
    whole = " ".join(words)
    condition = Q(victim_family_key__startswith=whole)
    if len(words) == 1:
        condition |= Q(victim_given_key__startswith=whole)
    else:
        condition |= Q(
            victim_given_key__startswith=words[0],
            victim_family_key__startswith=" ".join(words[1:]),
        )
    return condition


def search_condition(text: str) -> Q:
    """What a search box's text finds: a reference, a crime reference, or a name's start."""
    text = " ".join(text.split())
    if not text:
        return Q()
    reference = _REFERENCE.match(text.upper().replace(" ", ""))
    if reference:
        return Q(reference=f"RJ-{reference.group(1)}-{reference.group(2)}")
    if any(ch.isdigit() for ch in text):
        return Q(crime_reference__in=sorted({text, text.upper()}))
    return _name_condition(text)


def filters_condition(filters: QueueFilters, *, today: dt.date) -> Q:
    """Everything but the view: state, offence, enhanced rights, under 18, allocation, search."""
    condition = Q()
    if filters.state:
        condition &= Q(state=filters.state)
    if filters.offence_type:
        condition &= Q(offence_type=filters.offence_type)
    if filters.enhanced_rights:
        condition &= Q(enhanced_rights=filters.enhanced_rights == "yes")
    if filters.under_18:
        condition &= Q(victim_born_on__gt=under_18_cutoff(today))
    if filters.allocated_to == UNALLOCATED:
        condition &= Q(allocated_to__isnull=True)
    elif filters.allocated_to:
        condition &= Q(allocated_to_id=int(filters.allocated_to))
    return condition & search_condition(filters.q)


def view_conditions(*, user: User, today: dt.date) -> dict[str, Q]:
    """Each view of the queue as a filter over its open referrals."""
    return {
        View.NEW: Q(state=ReferralState.NEW, allocated_to__isnull=True),
        View.MINE: Q(allocated_to_id=user.pk),
        View.DUE_TODAY: Q(due_on=today),
        View.OVERDUE: Q(due_on__lt=today),
        View.CONTACTING: Q(state=ReferralState.CONTACTING),
        View.AWAITING_CONSENT: Q(state=ReferralState.AWAITING_CONSENT),
        View.ALL: Q(),
    }


def views_for(user: User) -> list[str]:
    """The views a user is offered: "Mine" only to those who are allocated referrals."""
    views = list(VIEW_LABELS)
    if not user.has_role(Role.HUB_CASEWORKER):
        views.remove(View.MINE)
    return views


def queue_counts(referrals: QuerySet[Referral], *, user: User, today: dt.date) -> dict[str, int]:
    """How many referrals each view holds, after the filters: one query."""
    conditions = view_conditions(user=user, today=today)
    aggregates = {
        name: Count("pk", filter=condition) if condition else Count("pk")
        for name, condition in conditions.items()
    }
    return dict(referrals.order_by().aggregate(**aggregates))


class CountedPaginator(Paginator[Referral]):
    """A paginator told its count, so that it does not ask the database again."""

    def __init__(self, object_list: QuerySet[Referral], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


# The referral states' GOV.UK tag colours, as referrals/includes/state_tag.html has them.
_STATE_TAGS: dict[str, str] = {
    ReferralState.NEW: "govuk-tag--blue",
    ReferralState.CONTACTING: "govuk-tag--light-blue",
    ReferralState.IN_TRIAGE: "govuk-tag--purple",
    ReferralState.AWAITING_CONSENT: "govuk-tag--yellow",
}
_STATE_LABELS = dict(ReferralState.choices)
_OFFENCE_LABELS = dict(OffenceType.choices)


@dataclass(frozen=True)
class QueueRow:
    """One row of the queue, with its words worked out here: a page has many rows."""

    referral: Referral
    victims: str
    due_status: str
    stage_label: str

    @property
    def tag(self) -> str:
        return {"due_today": "Due today", "overdue": "Overdue"}.get(self.due_status, "")

    @property
    def state_label(self) -> str:
        return _STATE_LABELS.get(self.referral.state, self.referral.state)

    @property
    def state_tag_class(self) -> str:
        return _STATE_TAGS.get(self.referral.state, "govuk-tag--grey")

    @property
    def offence_label(self) -> str:
        return _OFFENCE_LABELS.get(self.referral.offence_type, self.referral.offence_type)

    @property
    def allocated_name(self) -> str:
        holder = self.referral.allocated_to
        if holder is None:
            return "Not allocated"
        return holder.full_name or holder.email


@dataclass
class QueuePage:
    hub: Organisation
    filters: QueueFilters
    today: dt.date
    counts: dict[str, int]
    views: list[str]
    page: Page[Referral]
    rows: list[QueueRow] = field(default_factory=list)


def queue_page(
    *,
    user: User,
    hub: Organisation,
    filters: QueueFilters,
    page_number: str | int | None,
    per_page: int,
    today: dt.date | None = None,
) -> QueuePage:
    """One page of a view of the queue, with every view's count: three queries."""
    today = today or timezone.localdate()
    views = views_for(user)
    view = filters.view if filters.view in views else View.ALL
    filtered = queue_referrals(user=user, hub=hub).filter(filters_condition(filters, today=today))
    counts = queue_counts(filtered, user=user, today=today)
    ordering = ("due_on", "id") if filters.sort != Sort.RECEIVED else ("-received_at", "-id")
    victims = ReferralPerson.objects.filter(role=PersonRole.VICTIM).select_related("person")
    listed = (
        filtered.filter(view_conditions(user=user, today=today)[view])
        .select_related("allocated_to")
        .prefetch_related(Prefetch("people", queryset=victims, to_attr="victim_roles"))
        .order_by(*ordering)
    )
    paginator = CountedPaginator(listed, per_page, count=counts[view])
    page = paginator.get_page(page_number)
    rows = [
        QueueRow(
            referral=referral,
            victims=", ".join(
                role.person.full_name for role in getattr(referral, "victim_roles", [])
            )
            or "Not recorded",
            due_status=due_status(referral.due_on, today),
            stage_label=STAGE_LABELS.get(running_stage(referral) or "", ""),
        )
        for referral in page.object_list
    ]
    return QueuePage(
        hub=hub,
        filters=dataclasses.replace(filters, view=view),
        today=today,
        counts=counts,
        views=views,
        page=page,
        rows=rows,
    )


# ----- the caseworkers' load ---------------------------------------------------


@dataclass(frozen=True)
class CaseworkerLoad:
    caseworker: User | None  # None: the referrals nobody has yet
    open: int
    due_today: int
    overdue: int


def queue_caseworkers(*, hub: Organisation, also: Sequence[int] = ()) -> list[User]:
    """The hub's active caseworkers, and the hub's people in `also`: one query.

    Each carries `can_be_allocated`: an active caseworker of the hub, who may be
    given more. `also` brings in others who still hold open referrals (a disabled
    account, a role taken away), so that their referrals are listed and filtered,
    not forgotten.
    """
    grants = UserRole.objects.filter(user=OuterRef("pk"), role=Role.HUB_CASEWORKER)
    allocatable = Q(organisation=hub, is_active=True) & Q(Exists(grants))
    return list(
        User.objects.filter(allocatable | Q(organisation=hub, pk__in=list(also)))
        .annotate(can_be_allocated=Case(When(allocatable, then=True), default=False))
        .order_by("full_name", "email")
    )


def caseworker_loads(*, user: User, hub: Organisation, today: dt.date) -> list[CaseworkerLoad]:
    """Each caseworker's open, due-today and overdue referrals at `hub`: two queries.

    Unallocated referrals come first; a former caseworker who still holds open
    referrals is listed too, so that none is forgotten.
    """
    rows = (
        queue_referrals(user=user, hub=hub)
        .order_by()
        .values("allocated_to")
        .annotate(
            open=Count("pk"),
            due_today=Count("pk", filter=Q(due_on=today)),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
    )
    by_user: dict[int | None, dict[str, int]] = {row["allocated_to"]: row for row in rows}

    def load(caseworker: User | None) -> CaseworkerLoad:
        row = by_user.get(caseworker.pk if caseworker is not None else None, {})
        return CaseworkerLoad(
            caseworker=caseworker,
            open=row.get("open", 0),
            due_today=row.get("due_today", 0),
            overdue=row.get("overdue", 0),
        )

    holders = [pk for pk in by_user if pk is not None]
    return [load(None)] + [load(c) for c in queue_caseworkers(hub=hub, also=holders)]


# ----- allocating several at once ----------------------------------------------------


@dataclass
class AllocationResult:
    allocated: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def referrals_allocate(
    *,
    actor: User,
    hub: Organisation,
    caseworker: User,
    selected: Sequence[tuple[str, int]],
) -> AllocationResult:
    """Allocate the selected referrals (reference, version loaded) to `caseworker`.

    Each goes through `referral_allocate` (a hub manager only, locked, audited), in
    its own transaction, so one that changed since the page was loaded (its version
    moved on) is left as it is and reported, not the whole selection. A referral
    already with this caseworker counts as done: sending the form twice changes
    nothing the second time.
    """
    if not actor.has_role(Role.HUB_MANAGER):
        raise DomainError("Only a hub manager can allocate referrals.")
    versions = dict(selected)
    found = {
        r.reference: r
        for r in queue_referrals(user=actor, hub=hub).filter(reference__in=list(versions))
    }
    result = AllocationResult()
    for reference in versions:
        referral = found.get(reference)
        if referral is None:
            result.refused.append((reference, "It is not open in your hub's queue."))
            continue
        if referral.allocated_to_id == caseworker.pk:
            result.already.append(reference)
            continue
        try:
            referral_services.referral_allocate(
                actor=actor,
                referral=referral,
                caseworker=caseworker,
                expected_version=versions[reference],
            )
        except StaleVersion:
            result.changed.append(reference)
        except DomainError as error:
            result.refused.append((reference, error.message))
        else:
            result.allocated.append(reference)
    return result
