"""A hub, its RJ provider and their staff, and referrals walked to the hand-off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.cases import services
from amends.cases.models import Case, ConsentGivenBy, ConsentHow
from amends.referrals import services as referral_services
from amends.referrals.contact import contact_party
from amends.referrals.models import (
    ContactChannel,
    ContactOutcome,
    OffenceType,
    PersonRole,
    Referral,
    ReferralSource,
    ReferralState,
)
from amends.referrals.services import PersonInReferral
from amends.referrals.tests.factories import caseworker_factory, hub_factory, manager_factory

OFFENCE_DATE = dt.date(2026, 3, 14)


@dataclass
class Partnership:
    provider: Organisation
    hub: Organisation
    caseworker: User
    manager: User
    coordinator: User
    police: Organisation
    officer: User


def partnership(slug: str = "test") -> Partnership:
    provider = OrganisationFactory(
        slug=f"{slug}-provider",
        name=f"{slug.title()} Mediation",
        kind=OrganisationKind.RJ_PROVIDER,
        notification_email=f"intake@{slug}-provider.example",
    )
    hub = hub_factory(f"{slug}-hub", provider=provider)
    hub.notification_email = f"team@{slug}-hub.example"
    hub.save(update_fields=["notification_email"])
    police = OrganisationFactory(
        slug=f"{slug}-police",
        kind=OrganisationKind.POLICE,
        notification_email=f"rj@{slug}-police.example",
    )
    return Partnership(
        provider=provider,
        hub=hub,
        caseworker=caseworker_factory(hub),
        manager=manager_factory(hub),
        coordinator=UserFactory(organisation=provider, roles=[Role.PROVIDER_COORDINATOR]),
        police=police,
        officer=UserFactory(organisation=police, roles=[Role.POLICE_OFFICER]),
    )


def victim(**overrides: Any) -> PersonInReferral:
    fields: dict[str, Any] = {
        "role": PersonRole.VICTIM,
        "given_name": "Alex",
        "family_name": "Morgan",
        "date_of_birth": dt.date(1980, 5, 1),
        "email": "alex.morgan@example.org",
        "phone": "07700 900123",
        "address_line_1": "12 Acacia Avenue",
        "town": "Barnet",
        "postcode": "EN5 1AA",
        "safe_channels": [ContactChannel.PHONE, ContactChannel.EMAIL],
        "safe_times": "Weekdays after 6pm",
        "may_leave_message": False,
        "post_is_safe": False,
        "language": "Polish",
        "needs_interpreter": True,
        "adjustments": "Step-free access",
    }
    fields.update(overrides)
    return PersonInReferral(**fields)


def offender(**overrides: Any) -> PersonInReferral:
    fields: dict[str, Any] = {
        "role": PersonRole.OFFENDER,
        "given_name": "Jamie",
        "family_name": "Reid",
        "date_of_birth": dt.date(2001, 2, 3),
        "phone": "07700 900456",
    }
    fields.update(overrides)
    return PersonInReferral(**fields)


def police_referral(
    p: Partnership, *, people: list[PersonInReferral] | None = None, **fields: Any
) -> Referral:
    return referral_services.referral_create(
        actor=p.officer,
        hub=p.hub,
        source=ReferralSource.POLICE,
        referring_organisation=p.police,
        offence_type=OffenceType.BURGLARY,
        offence_date=OFFENCE_DATE,
        offence_place="High Street, Barnet",
        crime_reference="1234/26/00042",
        feels_unsafe_at_home=True,
        support_wanted="Help to feel safe at home again",
        people=people if people is not None else [victim(), offender()],
        **fields,
    )


def to_in_triage(p: Partnership, referral: Referral) -> Referral:
    """Allocated, contacted on a channel the person said is safe, in triage."""
    referral_services.referral_allocate(actor=p.manager, referral=referral, caseworker=p.caseworker)
    move(p.caseworker, referral, ReferralState.CONTACTING)
    party = contact_party(referral.people.select_related("person"))
    safe = party.safe_channels if party is not None else []
    referral_services.contact_attempt_record(
        actor=p.caseworker,
        referral=referral,
        channel=safe[0] if safe else ContactChannel.PHONE,
        outcome=ContactOutcome.SPOKE,
    )
    move(p.caseworker, referral, ReferralState.IN_TRIAGE)
    return referral


def to_awaiting_consent(p: Partnership, referral: Referral) -> Referral:
    to_in_triage(p, referral)
    move(p.caseworker, referral, ReferralState.AWAITING_CONSENT)
    return referral


def move(actor: User, referral: Referral, to: str, **kwargs: Any) -> Referral:
    return referral_services.referral_transition(
        actor=actor, referral=referral, to_state=to, **kwargs
    )


def record_consent(p: Partnership, referral: Referral, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "given_by": ConsentGivenBy.PERSON,
        "how": ConsentHow.PHONE,
        "given_on": timezone.localdate(),
    }
    fields.update(overrides)
    services.hand_off_consent_record(actor=p.caseworker, referral=referral, **fields)


def handed_off(p: Partnership, referral: Referral | None = None) -> Case:
    """A police referral walked to the hand-off: its case, offered to the provider."""
    referral = referral or police_referral(p)
    to_awaiting_consent(p, referral)
    record_consent(p, referral)
    move(p.caseworker, referral, ReferralState.HANDED_OFF)
    return Case.objects.get(referral=referral)
