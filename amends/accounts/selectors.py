"""Every scoped read of organisations' people."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from amends.accounts.models import Organisation, Role, User
from amends.core.scoping import get_or_404


def users_with_role(*, organisation: Organisation, role: str) -> QuerySet[User]:
    return User.objects.filter(
        organisation=organisation, is_active=True, role_grants__role=role
    ).order_by("full_name")


def hub_caseworkers(*, hub: Organisation) -> QuerySet[User]:
    return users_with_role(organisation=hub, role=Role.HUB_CASEWORKER)


def organisation_users(*, organisation: Organisation) -> QuerySet[User]:
    """Everyone in `organisation`, with what a list row shows (their roles) in two queries."""
    return (
        User.objects.filter(organisation=organisation)
        .select_related("organisation")
        .prefetch_related("role_grants")
        .order_by("full_name", "email")
    )


def administered_organisation(*, actor: User) -> Organisation:
    """The organisation whose people `actor` administers; 404 for anyone else.

    A 404, not a 403, so that the people pages look the same as pages that do
    not exist to everyone who is not an administrator.
    """
    if not actor.is_active or actor.organisation is None:
        raise Http404("No organisation here.")
    if not actor.has_role(Role.ADMINISTRATOR):
        raise Http404("No organisation here.")
    return actor.organisation


def organisation_user_get(*, actor: User, pk: int) -> User:
    """One person in the organisation `actor` administers, or 404."""
    organisation = administered_organisation(actor=actor)
    return get_or_404(organisation_users(organisation=organisation), pk=pk)
