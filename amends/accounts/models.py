"""Organisations, the people who sign in, and their roles (design.md, "People who use it")."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models


class OrganisationKind(models.TextChoices):
    POLICE = "police", "Police force"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    VICTIM_CARE_HUB = "victim_care_hub", "Victim care hub"
    RJ_PROVIDER = "rj_provider", "Restorative justice provider"
    SPECIALIST_AGENCY = "specialist_agency", "Specialist agency"


class Role(models.TextChoices):
    POLICE_OFFICER = "police_officer", "Police officer"
    POLICE_RJ_COORDINATOR = "police_rj_coordinator", "Police RJ coordinator"
    YOUTH_JUSTICE_WORKER = "youth_justice_worker", "Youth justice worker"
    HUB_CASEWORKER = "hub_caseworker", "Hub caseworker"
    HUB_MANAGER = "hub_manager", "Hub manager"
    PROVIDER_COORDINATOR = "provider_coordinator", "Provider coordinator"
    FACILITATOR = "facilitator", "Facilitator"
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", "Volunteer coordinator"
    AGENCY_CASEWORKER = "agency_caseworker", "Specialist agency caseworker"
    ANALYST = "analyst", "Partnership analyst"
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator"


# Which roles an organisation of each kind can give its people.
_EVERY_KIND = {Role.ANALYST, Role.DATA_PROTECTION_OFFICER, Role.ADMINISTRATOR}
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.POLICE: frozenset(
        {Role.POLICE_OFFICER, Role.POLICE_RJ_COORDINATOR} | _EVERY_KIND
    ),
    OrganisationKind.YOUTH_JUSTICE: frozenset({Role.YOUTH_JUSTICE_WORKER} | _EVERY_KIND),
    OrganisationKind.VICTIM_CARE_HUB: frozenset(
        {Role.HUB_CASEWORKER, Role.HUB_MANAGER} | _EVERY_KIND
    ),
    OrganisationKind.RJ_PROVIDER: frozenset(
        {Role.PROVIDER_COORDINATOR, Role.FACILITATOR, Role.VOLUNTEER_COORDINATOR} | _EVERY_KIND
    ),
    OrganisationKind.SPECIALIST_AGENCY: frozenset({Role.AGENCY_CASEWORKER} | _EVERY_KIND),
}


class Organisation(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    # The RJ provider this hub hands suitable referrals to.
    hands_off_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receives_hand_offs_from",
        limit_choices_to={"kind": OrganisationKind.RJ_PROVIDER},
    )
    notification_email = models.EmailField(
        blank=True, help_text="Where alerts for this organisation go (a team inbox)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def allowed_roles(self) -> frozenset[str]:
        return ROLES_BY_KIND[self.kind]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractUser):
    """Someone who signs in. Belongs to one organisation; holds roles through UserRole."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    job_title = models.CharField(max_length=200, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        """The roles this user holds; a role the organisation's kind cannot give is ignored."""
        if self.organisation_id is None:
            return frozenset()
        held = {r.role for r in self.role_grants.all()}
        assert self.organisation is not None
        return frozenset(held & self.organisation.allowed_roles)

    @property
    def role_labels(self) -> list[str]:
        """The names of the roles this user holds, in the order Role lists them."""
        return [role.label for role in Role if role.value in self.roles]

    @property
    def invitation_pending(self) -> bool:
        """Invited, but has not yet set a password (nor ever signed in)."""
        return not self.has_usable_password() and self.last_login is None

    @property
    def organisation_slug(self) -> str:
        return self.organisation.slug if self.organisation is not None else ""

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=40, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"
