from __future__ import annotations

from typing import Any

from amends.accounts.models import Organisation, OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.referrals import services
from amends.referrals.models import OffenceType, PersonRole, Referral, ReferralSource
from amends.referrals.services import PersonInReferral


def hub_factory(slug: str = "test-hub", provider: Organisation | None = None) -> Organisation:
    hub = OrganisationFactory(slug=slug, name=f"{slug} hub", kind=OrganisationKind.VICTIM_CARE_HUB)
    if provider is not None and hub.hands_off_to_id is None:
        hub.hands_off_to = provider
        hub.save(update_fields=["hands_off_to"])
    return hub


def referral_factory(
    *, hub: Organisation, actor=None, referring_organisation=None, **overrides
) -> Referral:
    fields: dict[str, Any] = {
        "source": ReferralSource.POLICE if referring_organisation else ReferralSource.SELF,
        "offence_type": OffenceType.BURGLARY,
        "offence_place": "High Street, Barnet",
        "crime_reference": "1234/26/00042",
    }
    fields.update(overrides)
    return services.referral_create(
        actor=actor,
        hub=hub,
        referring_organisation=referring_organisation,
        people=[
            PersonInReferral(role=PersonRole.VICTIM, given_name="Alex", family_name="Morgan"),
            PersonInReferral(role=PersonRole.OFFENDER, given_name="Jamie", family_name="Reid"),
        ],
        **fields,
    )


def caseworker_factory(hub: Organisation, **kwargs):
    return UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER], **kwargs)


def manager_factory(hub: Organisation, **kwargs):
    return UserFactory(organisation=hub, roles=[Role.HUB_MANAGER], **kwargs)
