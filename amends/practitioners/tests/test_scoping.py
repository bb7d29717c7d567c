"""Who sees which practitioners: every role against every record, 404 for anything outside."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.practitioners import selectors
from amends.practitioners.models import PractitionerState
from amends.practitioners.tests.factories import (
    PractitionerFactory,
    ProviderFactory,
    applicant_factory,
)

pytestmark = pytest.mark.django_db
S = PractitionerState


@pytest.fixture
def world():
    provider = ProviderFactory(slug="calm")
    other = ProviderFactory(slug="other-provider")
    hub = OrganisationFactory(slug="hub", kind=OrganisationKind.VICTIM_CARE_HUB)
    facilitator = UserFactory(organisation=provider, roles=[Role.FACILITATOR])
    records = {
        "applicant": applicant_factory(provider=provider),
        "own": PractitionerFactory(provider=provider, state=S.ACTIVE, user=facilitator),
        "colleague": PractitionerFactory(provider=provider, state=S.ACTIVE),
        "elsewhere": PractitionerFactory(provider=other, state=S.ACTIVE),
    }

    def user(org, *roles):
        return UserFactory(organisation=org, roles=list(roles))

    users = {
        "volunteer_coordinator": user(provider, Role.VOLUNTEER_COORDINATOR),
        "provider_coordinator": user(provider, Role.PROVIDER_COORDINATOR),
        "facilitator": facilitator,
        "unlinked_facilitator": user(provider, Role.FACILITATOR),
        "other_volunteer_coordinator": user(other, Role.VOLUNTEER_COORDINATOR),
        "other_provider_coordinator": user(other, Role.PROVIDER_COORDINATOR),
        "provider_dpo": user(provider, Role.DATA_PROTECTION_OFFICER),
        "provider_administrator": user(provider, Role.ADMINISTRATOR),
        "provider_analyst": user(provider, Role.ANALYST),
        "hub_caseworker": user(hub, Role.HUB_CASEWORKER),
        "hub_manager": user(hub, Role.HUB_MANAGER),
        # A role the organisation's kind cannot give is ignored.
        "hub_with_coordinator_role": user(hub, Role.VOLUNTEER_COORDINATOR),
        "no_organisation": UserFactory(organisation=None),
    }
    return users, records


# Which records each user may open (everything else: 404).
VISIBLE = {
    "volunteer_coordinator": {"applicant", "own", "colleague"},
    "provider_coordinator": {"applicant", "own", "colleague"},
    "facilitator": {"own"},
    "unlinked_facilitator": set(),
    "other_volunteer_coordinator": {"elsewhere"},
    "other_provider_coordinator": {"elsewhere"},
    "provider_dpo": set(),
    "provider_administrator": set(),
    "provider_analyst": set(),
    "hub_caseworker": set(),
    "hub_manager": set(),
    "hub_with_coordinator_role": set(),
    "no_organisation": set(),
}
RECORD_PAGES = [
    "detail",
    "transition",
    "edit",
    "dbs_add",
    "training_add",
    "supervision_add",
    "observation_add",
    "cpd_add",
    "referee_add",
]


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_role_sees_exactly_its_records(world, who):
    users, records = world
    visible = {
        name
        for name, record in records.items()
        if selectors.practitioners_visible_to(users[who]).filter(pk=record.pk).exists()
    }
    assert visible == VISIBLE[who]


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_every_record_page_outside_a_users_scope_is_404(client, world, who):
    users, records = world
    client.force_login(users[who])
    for name, record in records.items():
        for page in RECORD_PAGES:
            response = client.get(
                reverse(f"practitioners:{page}", kwargs={"reference": record.reference})
            )
            if name not in VISIBLE[who]:
                assert response.status_code == 404, (who, name, page)
            elif page == "detail" or who in {
                "volunteer_coordinator",
                "other_volunteer_coordinator",
            }:
                assert response.status_code == 200, (who, name, page)
            else:
                assert response.status_code == 403, (who, name, page)


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_a_record_outside_scope_cannot_be_changed_by_post(client, world, who):
    users, records = world
    client.force_login(users[who])
    target = records["colleague"]
    response = client.post(
        reverse("practitioners:transition", kwargs={"reference": target.reference}),
        {"version": target.version, "to_state": S.PAUSED},
    )
    target.refresh_from_db()
    if who == "volunteer_coordinator":
        assert response.status_code == 302
        assert target.state == S.PAUSED
    else:
        assert response.status_code in {403, 404}
        assert target.state == S.ACTIVE


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("volunteer_coordinator", 200),
        ("provider_coordinator", 200),
        ("other_volunteer_coordinator", 200),
        ("facilitator", 302),
        ("unlinked_facilitator", 302),
        ("provider_dpo", 404),
        ("provider_analyst", 404),
        ("hub_caseworker", 404),
        ("hub_with_coordinator_role", 404),
        ("no_organisation", 404),
    ],
)
def test_the_list_is_for_the_providers_coordinators(client, world, who, status):
    users, records = world
    client.force_login(users[who])
    response = client.get(reverse("practitioners:list"))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        for name, record in records.items():
            assert (record.reference in html) == (name in VISIBLE[who]), name
    if status == 302:
        assert response["Location"] == reverse("practitioners:mine")


def test_a_page_that_is_not_a_reference_is_not_taken_for_one(client, world):
    users, _ = world
    client.force_login(users["volunteer_coordinator"])
    assert client.get("/staff/practitioners/VOL-nope/").status_code == 404
    assert client.get("/staff/practitioners/VOL-AAAA-AAAA/").status_code == 404
