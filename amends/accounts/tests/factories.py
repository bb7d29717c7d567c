from __future__ import annotations

from typing import Any

import factory
import factory.django
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from factory import Faker, Sequence, SubFactory, post_generation

from amends.accounts.models import Organisation, OrganisationKind, User, UserRole

TEST_PASSWORD = "correct-horse-battery-staple"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = Faker("company", locale="en_GB")
    slug = Sequence(lambda n: f"org-{n}")
    kind = OrganisationKind.VICTIM_CARE_HUB


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = Sequence(lambda n: f"user{n}@example.org")
    full_name = Faker("name", locale="en_GB")
    organisation = SubFactory(OrganisationFactory)
    password = factory.django.Password(TEST_PASSWORD)

    @post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for role in extracted or ():
            UserRole.objects.create(user=self, role=role)
        self.__dict__.pop("roles", None)

    @post_generation
    def totp(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if extracted is not False:
            TOTP.activate(self, TEST_TOTP_SECRET)


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
