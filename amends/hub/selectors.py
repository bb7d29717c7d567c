"""Every scoped read of the hub's support records: needs, devices, agencies, onward referrals.

Who sees what (design.md, "Sharing and access"):
- the hub's caseworkers, managers and DPO: their hub's devices, directory and
  onward referrals, and the needs of the referrals their hub holds;
- a specialist agency's caseworkers and DPO: the onward referrals sent to their
  organisation, and of each only the snapshot sent (never the referral);
- everyone else: none of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.core.models import TransitionLog
from amends.core.scoping import get_or_404
from amends.core.workflow import transition_history
from amends.hub.models import (
    Agency,
    DeviceIssue,
    DeviceState,
    DeviceType,
    NeedsAssessment,
    OnwardReferral,
    SafetyDevice,
)
from amends.referrals.models import PersonRole, Referral, ReferralPerson
from amends.referrals.selectors import referrals_visible_to

_HUB_READERS = frozenset({Role.HUB_CASEWORKER, Role.HUB_MANAGER, Role.DATA_PROTECTION_OFFICER})
_AGENCY_READERS = frozenset({Role.AGENCY_CASEWORKER, Role.DATA_PROTECTION_OFFICER})


def hub_of(user: User) -> Organisation | None:
    """The hub whose support records `user` may read, if any."""
    org = user.organisation
    if not user.is_active or org is None or org.kind != OrganisationKind.VICTIM_CARE_HUB:
        return None
    return org if user.roles & _HUB_READERS else None


def agency_of(user: User) -> Organisation | None:
    """The specialist agency whose received onward referrals `user` may read, if any."""
    org = user.organisation
    if not user.is_active or org is None or org.kind != OrganisationKind.SPECIALIST_AGENCY:
        return None
    return org if user.roles & _AGENCY_READERS else None


def can_support(user: User) -> bool:
    """Records needs, issues devices and sends onward referrals."""
    return hub_of(user) is not None and user.has_role(Role.HUB_CASEWORKER, Role.HUB_MANAGER)


def can_manage_hub(user: User) -> bool:
    """Keeps the inventory and the agency directory."""
    return hub_of(user) is not None and user.has_role(Role.HUB_MANAGER)


def _hub_or_404(user: User) -> Organisation:
    hub = hub_of(user)
    if hub is None:
        raise Http404("No such page.")
    return hub


# --- the referral, seen from the hub's support pages ---------------------------------------


def hub_referral_get(*, user: User, reference: str) -> Referral:
    """A referral the user's hub holds, with its people; 404 for anyone outside the hub."""
    hub = _hub_or_404(user)
    queryset = (
        referrals_visible_to(user)
        .filter(hub=hub)
        .select_related("hub")
        .prefetch_related(
            Prefetch("people", queryset=ReferralPerson.objects.select_related("person"))
        )
    )
    return get_or_404(queryset, reference=reference)


def supported_people(referral: Referral) -> list[ReferralPerson]:
    """The people in a referral the hub may support: everyone but the person responsible."""
    return [rp for rp in referral.people.all() if rp.role != PersonRole.OFFENDER]


def needs_history(*, referral: Referral) -> QuerySet[NeedsAssessment]:
    """Every needs assessment of a referral already fetched through a scoped selector."""
    return NeedsAssessment.objects.filter(referral=referral).select_related("assessed_by")


def needs_current(*, referral: Referral) -> NeedsAssessment | None:
    return needs_history(referral=referral).order_by("-number").first()


@dataclass
class ReferralSupport:
    """What the referral page shows of the hub's support, fetched in three queries."""

    needs: NeedsAssessment | None
    device_issues: list[DeviceIssue]
    onward_referrals: list[OnwardReferral]

    @property
    def records(self) -> list[object]:
        return [
            *([self.needs] if self.needs is not None else []),
            *self.device_issues,
            *self.onward_referrals,
        ]


def referral_support(*, referral: Referral) -> ReferralSupport:
    return ReferralSupport(
        needs=needs_current(referral=referral),
        device_issues=list(
            DeviceIssue.objects.filter(referral=referral).select_related(
                "device", "referral_person__person"
            )
        ),
        onward_referrals=list(
            OnwardReferral.objects.filter(referral=referral).select_related(
                "agency", "referral_person__person"
            )
        ),
    )


# --- safety devices ------------------------------------------------------------------------


def devices_visible_to(user: User) -> QuerySet[SafetyDevice]:
    hub = hub_of(user)
    if hub is None:
        return SafetyDevice.objects.none()
    return SafetyDevice.objects.filter(hub=hub)


def device_list(*, user: User, device_type: str = "", state: str = "") -> QuerySet[SafetyDevice]:
    """The hub's devices with who holds each (no N+1), by type and serial number."""
    open_issues = DeviceIssue.objects.filter(ended_on__isnull=True).select_related(
        "referral", "referral_person__person"
    )
    queryset = devices_visible_to(user).prefetch_related(
        Prefetch("issues", queryset=open_issues, to_attr="open_issues")
    )
    if device_type:
        queryset = queryset.filter(device_type=device_type)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("device_type", "serial_number", "id")


def device_get(*, user: User, pk: int) -> SafetyDevice:
    issues = DeviceIssue.objects.select_related(
        "referral", "referral_person__person", "issued_by", "ended_by"
    )
    queryset = devices_visible_to(user).prefetch_related(Prefetch("issues", queryset=issues))
    return get_or_404(queryset, pk=pk)


def device_history(*, device: SafetyDevice) -> QuerySet[TransitionLog]:
    return transition_history(device)


@dataclass
class StockRow:
    device_type: str
    label: str
    counts: dict[str, int]

    @property
    def in_stock(self) -> int:
        return self.counts.get(DeviceState.IN_STOCK, 0)

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(state, 0) for state in DeviceState.values]


def device_stock(*, user: User) -> list[StockRow]:
    """For each device type, how many of the hub's devices are in each state (one query)."""
    counts: dict[str, dict[str, int]] = {t: {} for t in DeviceType.values}
    grouped = (
        devices_visible_to(user).order_by().values("device_type", "state").annotate(n=Count("id"))
    )
    for row in grouped:
        counts.setdefault(row["device_type"], {})[row["state"]] = row["n"]
    labels = dict(DeviceType.choices)
    return [StockRow(device_type=t, label=str(labels.get(t, t)), counts=counts[t]) for t in counts]


def devices_in_stock(
    *, hub: Organisation, or_issued_on: Referral | None = None
) -> QuerySet[SafetyDevice]:
    """What can be issued now, for the issue form's choices.

    `or_issued_on` adds the devices already issued on that referral, so that the
    same form sent twice reaches the service, which answers with the first issue.
    """
    wanted = Q(state=DeviceState.IN_STOCK)
    if or_issued_on is not None:
        wanted |= Q(issues__referral=or_issued_on, issues__ended_on__isnull=True)
    return (
        SafetyDevice.objects.filter(wanted, hub=hub)
        .distinct()
        .order_by("device_type", "serial_number")
    )


def device_issue_get(*, user: User, pk: int) -> DeviceIssue:
    hub = hub_of(user)
    queryset = DeviceIssue.objects.filter(device__hub=hub).select_related(
        "device", "referral", "referral_person__person"
    )
    if hub is None:
        queryset = queryset.none()
    return get_or_404(queryset, pk=pk)


# --- the agency directory ------------------------------------------------------------------


def agencies_visible_to(user: User) -> QuerySet[Agency]:
    hub = hub_of(user)
    if hub is None:
        return Agency.objects.none()
    return Agency.objects.filter(hub=hub)


def agency_list(*, user: User, archived: bool = False) -> QuerySet[Agency]:
    return (
        agencies_visible_to(user)
        .filter(is_active=not archived)
        .select_related("organisation")
        .order_by("name", "id")
    )


def agency_get(*, user: User, pk: int) -> Agency:
    return get_or_404(agencies_visible_to(user).select_related("organisation"), pk=pk)


def agencies_to_refer_to(*, hub: Organisation) -> QuerySet[Agency]:
    return Agency.objects.filter(hub=hub, is_active=True).order_by("name", "id")


def agency_organisations() -> QuerySet[Organisation]:
    """Specialist agencies with staff in Amends, which a directory entry may link to."""
    return Organisation.objects.filter(kind=OrganisationKind.SPECIALIST_AGENCY).order_by("name")


def agency_in_use(*, agency: Agency) -> bool:
    return OnwardReferral.objects.filter(agency=agency).exists()


# --- onward referrals ----------------------------------------------------------------------


def onward_referral_scope(user: User) -> Q:
    """Which onward referrals `user` may see: the hub's own sent ones, or the agency's received."""
    hub = hub_of(user)
    if hub is not None:
        return Q(hub=hub)
    agency = agency_of(user)
    if agency is not None:
        return Q(agency_organisation=agency)
    return Q(pk__in=[])


def onward_referrals_visible_to(user: User) -> QuerySet[OnwardReferral]:
    return OnwardReferral.objects.filter(onward_referral_scope(user))


def onward_referral_list(*, user: User, state: str = "") -> QuerySet[OnwardReferral]:
    """Newest first, with what a list row shows. An agency's rows carry only the snapshot."""
    queryset = onward_referrals_visible_to(user).select_related("agency", "hub")
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-sent_at", "-id")


def onward_referral_get(*, user: User, reference: str) -> OnwardReferral:
    queryset = onward_referrals_visible_to(user).select_related(
        "agency", "hub", "referral", "sent_by", "consent_recorded_by"
    )
    return get_or_404(queryset, reference=reference)


def onward_referral_history(*, onward: OnwardReferral) -> QuerySet[TransitionLog]:
    return transition_history(onward)


def is_agency_reader(user: User) -> bool:
    return agency_of(user) is not None
