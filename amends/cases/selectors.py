"""Every scoped read of cases (the sharing rules of design.md).

A case belongs to the RJ provider it was offered to: its provider coordinator and
DPO see the provider's cases. Nobody else does yet: a facilitator will see the
cases allocated to them (issue 8); the hub sees the hand-off through its referral,
never the provider's case page.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from amends.accounts.models import OrganisationKind, Role, User
from amends.cases.models import Case, CaseState, HandOffConsent
from amends.core.models import TransitionLog
from amends.core.scoping import get_or_404
from amends.core.workflow import transition_history
from amends.hub import selectors as hub_selectors
from amends.hub.models import NeedsAssessment
from amends.referrals.models import Referral, ReferralPerson

# The intake queue's views, in the order they are shown.
QUEUE_STATES = (CaseState.OFFERED, CaseState.ACCEPTED, CaseState.RETURNED)


def case_scope(user: User) -> Q:
    org = user.organisation
    if org is None or not user.is_active or org.kind != OrganisationKind.RJ_PROVIDER:
        return Q(pk__in=[])
    if user.has_role(Role.PROVIDER_COORDINATOR, Role.DATA_PROTECTION_OFFICER):
        return Q(provider=org)
    return Q(pk__in=[])


def cases_visible_to(user: User) -> QuerySet[Case]:
    return Case.objects.filter(case_scope(user))


def can_see_intake(user: User) -> bool:
    org = user.organisation
    return (
        user.is_active
        and org is not None
        and org.kind == OrganisationKind.RJ_PROVIDER
        and user.has_role(Role.PROVIDER_COORDINATOR, Role.DATA_PROTECTION_OFFICER)
    )


def can_decide(user: User) -> bool:
    """Accept or return a case: the provider coordinator."""
    return can_see_intake(user) and user.has_role(Role.PROVIDER_COORDINATOR)


def case_list(*, user: User, state: str) -> QuerySet[Case]:
    """The provider's cases in `state`, the soonest decision first (uses the case_intake index)."""
    return (
        cases_visible_to(user).filter(state=state).select_related("hub").order_by("decide_by", "id")
    )


def offered_count(*, user: User) -> int:
    """Cases waiting for the provider's decision (few: they are accepted or returned quickly)."""
    return cases_visible_to(user).filter(state=CaseState.OFFERED).count()


def case_get(*, user: User, reference: str) -> Case:
    return get_or_404(cases_visible_to(user).select_related("hub", "provider"), reference=reference)


def case_history(*, case: Case) -> QuerySet[TransitionLog]:
    """The transition log of a case the caller already fetched through `case_get`."""
    return transition_history(case)


# --- for the hub's hand-off page: the caller fetched the referral through referral_get -------


def hand_off_consent(*, referral: Referral) -> HandOffConsent | None:
    return HandOffConsent.objects.filter(referral=referral).select_related("recorded_by").first()


def case_for_referral(*, referral: Referral) -> Case | None:
    return Case.objects.filter(referral=referral).first()


def current_needs(*, referral: Referral) -> NeedsAssessment | None:
    """The hub's current needs assessment of the person harmed, for the agreed data set."""
    return hub_selectors.needs_current(referral=referral)


def referral_people(*, referral: Referral) -> list[ReferralPerson]:
    """The referral's people with their person records, from referral_get's prefetch."""
    return list(referral.people.all())
