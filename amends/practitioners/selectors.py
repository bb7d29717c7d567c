"""Every scoped read of practitioners and their records.

Who sees which practitioners (design.md, "People who use it"):
- the RJ provider's volunteer coordinator (who keeps the records) and provider
  coordinator (who allocates facilitators, read only): every practitioner of their
  provider;
- a facilitator: their own record, once the coordinator has linked their sign-in;
- everyone else: none. Views fetch through `practitioner_get`, so a record outside
  this scope is the same 404 as one that does not exist.

Equality monitoring answers are never read here: they are not linked to anyone.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from amends.accounts.models import OrganisationKind, Role, User
from amends.core.models import TransitionLog
from amends.core.scoping import get_or_404
from amends.core.workflow import transition_history
from amends.practitioners.models import (
    DbsCheck,
    Practitioner,
    PractitionerState,
    Referee,
)

READER_ROLES = frozenset({Role.VOLUNTEER_COORDINATOR.value, Role.PROVIDER_COORDINATOR.value})


def practitioner_scope(user: User) -> Q:
    org = user.organisation
    if org is None or not user.is_active or not user.pk:
        return Q(pk__in=[])
    scope = Q(pk__in=[])
    if org.kind == OrganisationKind.RJ_PROVIDER and user.roles & READER_ROLES:
        scope |= Q(provider=org)
    if Role.FACILITATOR in user.roles:
        scope |= Q(user=user, provider=org)
    return scope


def practitioners_visible_to(user: User) -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(practitioner_scope(user))


def can_change_practitioners(user: User) -> bool:
    """Whether `user` may change the records they can see (the volunteer coordinator)."""
    return user.has_role(Role.VOLUNTEER_COORDINATOR)


def can_list_practitioners(user: User) -> bool:
    org = user.organisation
    return bool(
        org is not None and org.kind == OrganisationKind.RJ_PROVIDER and user.roles & READER_ROLES
    )


def _search(queryset: QuerySet[Practitioner], search: str) -> QuerySet[Practitioner]:
    for term in search.split()[:5]:
        queryset = queryset.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(reference__icontains=term)
            | Q(email__iexact=term)
        )
    return queryset


def practitioner_list(
    *,
    user: User,
    state: str = "",
    kind: str = "",
    role: str = "",
    search: str = "",
) -> QuerySet[Practitioner]:
    """The practitioners `user` may see, filtered, by name: a row needs nothing more."""
    queryset = practitioners_visible_to(user)
    if state:
        queryset = queryset.filter(state=state)
    if kind:
        queryset = queryset.filter(kind=kind)
    if role:
        queryset = queryset.filter(accreditation_role=role)
    return _search(queryset, search).order_by("last_name", "first_name", "id")


def practitioner_state_counts(
    *, user: User, kind: str = "", role: str = "", search: str = ""
) -> list[tuple[str, str, int]]:
    """(state, label, count) for every state, in workflow order, in one query."""
    rows = practitioner_list(user=user, kind=kind, role=role, search=search).order_by()
    counts = dict(rows.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return [(state.value, state.label, counts.get(state.value, 0)) for state in PractitionerState]


def practitioner_get(*, user: User, reference: str) -> Practitioner:
    """One practitioner `user` may see, with every record the detail page shows, or 404."""
    queryset = (
        practitioners_visible_to(user)
        .select_related("provider", "user", "application")
        .prefetch_related(
            Prefetch("referees", queryset=Referee.objects.order_by("id")),
            Prefetch("dbs_checks", queryset=DbsCheck.objects.select_related("recorded_by")),
            "training_records",
            "supervision_sessions",
            "observations",
            "cpd_entries",
        )
    )
    return get_or_404(queryset, reference=reference)


def practitioner_own(*, user: User) -> Practitioner | None:
    """The record linked to `user`'s sign-in, if any (a facilitator's "My practice record")."""
    own = practitioners_visible_to(user).filter(user=user).values_list("reference", flat=True)
    reference = own.first()
    return practitioner_get(user=user, reference=reference) if reference else None


def referee_get(*, practitioner: Practitioner, referee_id: int) -> Referee:
    """A referee of a practitioner the caller already fetched through `practitioner_get`."""
    return get_or_404(Referee.objects.filter(practitioner=practitioner), pk=referee_id)


def practitioner_history(*, practitioner: Practitioner) -> QuerySet[TransitionLog]:
    return transition_history(practitioner).order_by("at", "id")


def staff_who_may_be_added(*, user: User) -> QuerySet[User]:
    """Active users of the coordinator's provider with the facilitator role and no record."""
    org = user.organisation
    if org is None:
        return User.objects.none()
    return (
        User.objects.filter(
            organisation=org,
            is_active=True,
            role_grants__role=Role.FACILITATOR,
            practitioner__isnull=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


def facilitator_sign_ins(*, practitioner: Practitioner) -> QuerySet[User]:
    """Sign-ins that could be linked to `practitioner`: the provider's free facilitators."""
    return (
        User.objects.filter(
            organisation_id=practitioner.provider_id,
            is_active=True,
            role_grants__role=Role.FACILITATOR,
        )
        .filter(Q(practitioner__isnull=True) | Q(practitioner=practitioner))
        .distinct()
        .order_by("full_name", "email")
    )
