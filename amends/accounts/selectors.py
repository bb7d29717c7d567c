from __future__ import annotations

from django.db.models import QuerySet

from amends.accounts.models import Organisation, Role, User


def users_with_role(*, organisation: Organisation, role: str) -> QuerySet[User]:
    return User.objects.filter(
        organisation=organisation, is_active=True, role_grants__role=role
    ).order_by("full_name")


def hub_caseworkers(*, hub: Organisation) -> QuerySet[User]:
    return users_with_role(organisation=hub, role=Role.HUB_CASEWORKER)


def organisation_users(*, organisation: Organisation) -> QuerySet[User]:
    return (
        User.objects.filter(organisation=organisation)
        .prefetch_related("role_grants")
        .order_by("full_name")
    )
