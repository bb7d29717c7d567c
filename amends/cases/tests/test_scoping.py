"""Who sees a case, and that the RJ provider never sees the referral, before or after hand-off.

The expected table is written out by hand from the sharing rules of design.md.
"""

from __future__ import annotations

import pytest

from amends.accounts.models import Organisation, OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.cases.selectors import cases_visible_to
from amends.cases.tests.factories import (
    handed_off,
    partnership,
    police_referral,
    record_consent,
    to_awaiting_consent,
)
from amends.referrals.selectors import referrals_visible_to

pytestmark = pytest.mark.django_db
R = Role

# Only these (organisation, role) see the case: its provider's coordinator and DPO.
CASE_READERS = {("provider", R.PROVIDER_COORDINATOR), ("provider", R.DATA_PROTECTION_OFFICER)}
# Every provider's coordinator and DPO have an intake queue (with their own cases only).
QUEUE_READERS = CASE_READERS | {
    ("other-provider", R.PROVIDER_COORDINATOR),
    ("other-provider", R.DATA_PROTECTION_OFFICER),
}


@pytest.fixture
def world():
    p = partnership()
    other_provider = OrganisationFactory(slug="other-provider", kind=OrganisationKind.RJ_PROVIDER)
    orgs: dict[str, Organisation] = {
        "provider": p.provider,
        "other-provider": other_provider,
        "hub": p.hub,
        "police": p.police,
    }
    users = {
        (slug, role): UserFactory(organisation=org, roles=[role])
        for slug, org in orgs.items()
        for role in org.allowed_roles
    }
    return p, users


def test_only_the_providers_coordinator_and_dpo_see_its_case(client, world):
    p, users = world
    case = handed_off(p)
    mismatches = []
    for (slug, role), user in users.items():
        client.force_login(user)
        status = client.get(f"/staff/cases/{case.reference}/").status_code
        expected = 200 if (slug, role) in CASE_READERS else 404
        if status != expected:
            mismatches.append(f"{role}@{slug} → the case: {status}, expected {expected}")
        queue = client.get("/staff/cases/")
        expected = 200 if (slug, role) in QUEUE_READERS else 404
        if queue.status_code != expected:
            mismatches.append(f"{role}@{slug} → intake: {queue.status_code}, expected {expected}")
        listed = case.reference in queue.content.decode()
        if listed != ((slug, role) in CASE_READERS):
            mismatches.append(f"{role}@{slug} lists the case: {listed}")
        sees = cases_visible_to(user).filter(pk=case.pk).exists()
        if sees != ((slug, role) in CASE_READERS):
            mismatches.append(f"{role}@{slug} selects the case: {sees}")
    assert not mismatches, "\n".join(mismatches)


def referral_pages(reference: str) -> list[str]:
    return [
        f"/staff/referrals/{reference}/",
        f"/staff/hub/referrals/{reference}/contact/",
        f"/staff/cases/hand-off/{reference}/",
    ]


def assert_provider_sees_nothing_of(client, users, referral) -> None:
    for role in (R.PROVIDER_COORDINATOR, R.DATA_PROTECTION_OFFICER, R.FACILITATOR):
        user = users[("provider", role)]
        assert not referrals_visible_to(user).filter(pk=referral.pk).exists()
        client.force_login(user)
        for url in referral_pages(referral.reference):
            assert client.get(url).status_code == 404, (role, url)
        for url in ("/staff/", f"/staff/?q={referral.reference}", "/staff/cases/"):
            response = client.get(url)
            assert referral.reference not in response.content.decode(), (role, url)
        # The hub's queue and its search are not theirs at all.
        for url in ("/staff/hub/", f"/staff/hub/?q={referral.reference}"):
            response = client.get(url)
            assert response.status_code in {403, 404}, (role, url)
            assert referral.reference not in response.content.decode()


def test_before_the_hand_off_the_provider_sees_nothing_of_the_referral(client, world):
    p, users = world
    referral = to_awaiting_consent(p, police_referral(p))
    record_consent(p, referral)
    assert_provider_sees_nothing_of(client, users, referral)
    client.force_login(users[("provider", R.PROVIDER_COORDINATOR)])
    assert "No cases are waiting for a decision." in client.get("/staff/cases/").content.decode()


def test_after_the_hand_off_the_provider_sees_the_case_but_still_not_the_referral(client, world):
    p, users = world
    case = handed_off(p)
    assert_provider_sees_nothing_of(client, users, case.referral)
    client.force_login(users[("provider", R.PROVIDER_COORDINATOR)])
    queue = client.get("/staff/cases/").content.decode()
    assert case.reference in queue
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Alex Morgan" in page
    assert "07700 900123" in page
    # Not in the agreed data set: the crime reference, the place, dates of birth, the
    # address (post is not safe for this person), the referral's own reference.
    for detail in (
        "1234/26/00042",
        "High Street",
        "1 May 1980",
        "12 Acacia Avenue",
        case.referral.reference,
    ):
        assert detail not in page


def test_hub_staff_reach_consent_and_hand_off_only_for_their_own_hub(client, world):
    p, _ = world
    referral = to_awaiting_consent(p, police_referral(p))
    other = partnership("other")
    client.force_login(other.caseworker)
    assert client.get(f"/staff/cases/hand-off/{referral.reference}/").status_code == 404
    assert (
        client.post(f"/staff/cases/hand-off/{referral.reference}/confirm/", {"version": 1})
    ).status_code == 404
    # The officer who made it sees the referral, but the hand-off page is the hub's.
    client.force_login(p.officer)
    assert client.get(f"/staff/referrals/{referral.reference}/").status_code == 200
    assert client.get(f"/staff/cases/hand-off/{referral.reference}/").status_code == 403
