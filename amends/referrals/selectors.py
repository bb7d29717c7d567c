"""Every scoped read of referrals and the people in them (the sharing rules of design.md)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.core.models import TransitionLog
from amends.core.scoping import get_or_404
from amends.core.workflow import transition_history
from amends.people.models import Person
from amends.referrals.models import ContactAttempt, PersonRole, Referral, ReferralPerson


def referral_scope(user: User) -> Q:
    """Which referrals `user` may see, as one filter.

    - hub caseworkers, hub managers and the hub's DPO: every referral their hub holds;
    - a police officer or youth justice worker: the referrals they made;
    - the police RJ coordinator and the DPO of a police force or youth justice
      service: every referral their organisation made;
    - everyone else: none. That includes the RJ provider: a hand-off gives it a
      case (amends.cases) carrying only the agreed data set, never the referral;
      and a specialist agency: an onward referral gives it only the snapshot sent
      to it (amends.hub.OnwardReferral), never the referral; and analysts,
      administrators and volunteer coordinators.
    """
    org = user.organisation
    roles = user.roles
    if org is None or not user.is_active:
        return Q(pk__in=[])
    scope = Q(pk__in=[])
    dpo = Role.DATA_PROTECTION_OFFICER in roles
    if org.kind == OrganisationKind.VICTIM_CARE_HUB and (
        dpo or roles & {Role.HUB_CASEWORKER, Role.HUB_MANAGER}
    ):
        scope |= Q(hub=org)
    if org.kind in {OrganisationKind.POLICE, OrganisationKind.YOUTH_JUSTICE}:
        if dpo or Role.POLICE_RJ_COORDINATOR in roles:
            scope |= Q(referring_organisation=org)
        elif roles & {Role.POLICE_OFFICER, Role.YOUTH_JUSTICE_WORKER}:
            scope |= Q(referring_organisation=org, referred_by=user)
    return scope


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(referral_scope(user))


def referral_list(*, user: User) -> QuerySet[Referral]:
    """The referrals `user` may see, newest first, with what a list row shows (no N+1)."""
    victims = ReferralPerson.objects.filter(role=PersonRole.VICTIM).select_related("person")
    return (
        referrals_visible_to(user)
        .select_related("hub", "allocated_to")
        .prefetch_related(Prefetch("people", queryset=victims, to_attr="victim_roles"))
        .order_by("-received_at", "-id")
    )


def referral_get(*, user: User, reference: str) -> Referral:
    """One referral `user` may see, with its people and parties, or 404."""
    queryset = (
        referrals_visible_to(user)
        .select_related(
            "hub", "hub__hands_off_to", "referring_organisation", "referred_by", "allocated_to"
        )
        .prefetch_related(
            Prefetch("people", queryset=ReferralPerson.objects.select_related("person")),
            Prefetch(
                "contact_attempts",
                queryset=ContactAttempt.objects.select_related("recorded_by"),
            ),
        )
    )
    return get_or_404(queryset, reference=reference)


def referral_history(*, referral: Referral) -> QuerySet[TransitionLog]:
    """The transition log of a referral the caller already fetched through `referral_get`."""
    return transition_history(referral)


def visible_referral(user: User, referral_id: str = "referral_id") -> Exists:
    """A filter for rows whose `referral_id` is a referral `user` may see.

    Correlated on the row's own referral (a primary-key look-up each), never
    `referral__in=<every referral the user may see>`: a hub holds hundreds of
    thousands, and both databases would build that list for every query.
    """
    return Exists(referrals_visible_to(user).filter(pk=OuterRef(referral_id)))


def people_visible_to(user: User) -> QuerySet[Person]:
    return Person.objects.filter(
        Exists(ReferralPerson.objects.filter(visible_referral(user), person=OuterRef("pk")))
    )


def referral_by_external_reference(
    *, organisation: Organisation, external_reference: str
) -> Referral | None:
    """The referral an organisation's own system already sent with this id, if any.

    The `exclude` lets SQLite use the partial unique index (it holds only
    non-empty references); without it SQLite scans the organisation's referrals.
    """
    if not external_reference:
        return None
    return (
        Referral.objects.filter(
            referring_organisation=organisation, external_reference=external_reference
        )
        .exclude(external_reference="")
        .order_by()
        .first()
    )
