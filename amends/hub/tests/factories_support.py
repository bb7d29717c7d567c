"""Test data for the hub's support records, made through the services staff use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from faker import Faker

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.hub import services
from amends.hub.models import (
    Agency,
    DeviceIssue,
    DeviceType,
    NeedArea,
    NeedLevel,
    NeedsAssessment,
    OnwardReferral,
    RiskLevel,
    SafetyDevice,
    SharedItem,
)
from amends.referrals.models import ContactChannel, PersonRole, Referral, ReferralPerson
from amends.referrals.services import PersonInReferral
from amends.referrals.services import referral_create as _referral_create

fake = Faker("en_GB")


def supported_referral(*, hub: Organisation, **overrides: Any) -> Referral:
    """A referral whose person harmed said phone and email are safe, and letters are not."""
    victim = PersonInReferral(
        role=PersonRole.VICTIM,
        given_name="Alex",
        family_name="Morgan",
        date_of_birth=dt.date(1980, 5, 17),
        email="alex.morgan@example.org",
        phone="07700 900123",
        address_line_1="12 Station Road",
        town="Barnet",
        postcode="EN5 1AA",
        safe_channels=[ContactChannel.PHONE, ContactChannel.EMAIL],
        safe_times="Weekdays after 6pm",
        may_leave_message=False,
        post_is_safe=False,
    )
    offender = PersonInReferral(role=PersonRole.OFFENDER, given_name="Jamie", family_name="Reid")
    fields: dict[str, Any] = {
        "source": "police",
        "offence_type": "burglary",
        "offence_place": "Station Road, Barnet",
        "crime_reference": "4401/26/00017",
        "received_at": timezone.now() - dt.timedelta(days=3),
    }
    fields.update(overrides)
    return _referral_create(actor=None, hub=hub, people=[victim, offender], **fields)


def victim_of(referral: Referral) -> ReferralPerson:
    return ReferralPerson.objects.select_related("person").get(
        referral=referral, role=PersonRole.VICTIM
    )


def offender_of(referral: Referral) -> ReferralPerson:
    return ReferralPerson.objects.select_related("person").get(
        referral=referral, role=PersonRole.OFFENDER
    )


def agency_organisation(slug: str = "haven") -> Organisation:
    return OrganisationFactory(
        slug=slug,
        name=f"{slug.title()} Advocacy",
        kind=OrganisationKind.SPECIALIST_AGENCY,
        notification_email=f"team@{slug}.example",
    )


def agency_caseworker(organisation: Organisation, **kwargs: Any) -> User:
    return UserFactory(organisation=organisation, roles=[Role.AGENCY_CASEWORKER], **kwargs)


def needs_levels(level: str = NeedLevel.SOME) -> dict[str, str]:
    return {area.value: level for area in NeedArea}


def needs_record(
    *, actor: User, referral: Referral, expected_number: int = 0, **overrides: Any
) -> NeedsAssessment:
    fields: dict[str, Any] = {
        "levels": {**needs_levels(NeedLevel.NONE), "safety": NeedLevel.HIGH},
        "notes": {"safety": "Lives alone; the door lock was forced."},
        "overall_risk": RiskLevel.MEDIUM,
        "summary": "Would like help to feel safe at home.",
    }
    fields.update(overrides)
    return services.needs_assessment_record(
        actor=actor, referral=referral, expected_number=expected_number, **fields
    )


def device_make(
    *, manager: User, device_type: str = DeviceType.PERSONAL_ALARM, serial: str = ""
) -> SafetyDevice:
    return services.device_add(
        actor=manager,
        device_type=device_type,
        serial_number=serial or fake.bothify("PA-####-??").upper(),
        description="Skyguard MySOS",
    )


def device_lend(*, actor: User, referral: Referral, device: SafetyDevice) -> DeviceIssue:
    return services.device_issue(
        actor=actor,
        referral=referral,
        device=device,
        referral_person=victim_of(referral),
        issued_on=timezone.localdate(),
    )


def agency_make(*, manager: User, name: str = "", **values: Any) -> Agency:
    fields: dict[str, Any] = {
        "name": name or f"{fake.last_name()} Support Service",
        "services": ["advocacy"],
        "eligibility": "Adults in Barnet",
        "phone": "020 7946 0000",
    }
    fields.update(values)
    return services.agency_create(actor=manager, **fields)


def onward_send(
    *,
    actor: User,
    referral: Referral,
    agency: Agency,
    items: Sequence[str] | None = None,
    **overrides: Any,
) -> OnwardReferral:
    fields: dict[str, Any] = {
        "referral_person": victim_of(referral),
        "shared_items": list(items) if items is not None else [SharedItem.NAME, SharedItem.CONTACT],
        "message": "Please offer independent advocacy.",
        "consent_confirmed": True,
        "consent_given_on": timezone.localdate(),
    }
    fields.update(overrides)
    return services.onward_referral_send(actor=actor, referral=referral, agency=agency, **fields)
