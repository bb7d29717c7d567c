"""Every role × every organisation × a record of each organisation: allowed ones render, others 404.

The expected table below is written out by hand from the sharing rules of
design.md, not derived from the code under test.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.referrals.models import ReferralShare, ShareRoute
from amends.referrals.selectors import referrals_visible_to
from amends.referrals.tests.factories import hub_factory, referral_factory

pytestmark = pytest.mark.django_db

R = Role
HUB_READERS = {R.HUB_CASEWORKER, R.HUB_MANAGER, R.DATA_PROTECTION_OFFICER}

# (organisation, role) -> the records that user may see. Anything missing sees nothing.
EXPECTED: dict[tuple[str, str], set[str]] = {
    **{
        ("hub1", role): {"hub1_police", "hub1_yot", "hub1_agency", "hub1_returned"}
        for role in HUB_READERS
    },
    **{
        ("hub2", role): {"hub2_self", "hub2_handed_off", "hub2_other_officer"}
        for role in HUB_READERS
    },
    ("police", R.POLICE_OFFICER): {"hub1_police"},
    ("police", R.POLICE_RJ_COORDINATOR): {"hub1_police", "hub2_other_officer"},
    ("police", R.DATA_PROTECTION_OFFICER): {"hub1_police", "hub2_other_officer"},
    ("yot", R.YOUTH_JUSTICE_WORKER): {"hub1_yot"},
    ("yot", R.DATA_PROTECTION_OFFICER): {"hub1_yot"},
    # The RJ provider sees no referral, even one handed off to it: only the case the
    # hand-off made, with the agreed data set (amends/cases/tests/test_scoping.py).
    # A specialist agency sees no referral, even one onward-referred to it: only the
    # onward referral's snapshot (amends/hub/tests/test_onward_referrals.py).
}


@pytest.fixture
def world():
    provider = OrganisationFactory(slug="provider", kind=OrganisationKind.RJ_PROVIDER)
    orgs: dict[str, Organisation] = {
        "police": OrganisationFactory(slug="police", kind=OrganisationKind.POLICE),
        "yot": OrganisationFactory(slug="yot", kind=OrganisationKind.YOUTH_JUSTICE),
        "hub1": hub_factory("hub1", provider=provider),
        "hub2": hub_factory("hub2", provider=provider),
        "provider": provider,
        "agency": OrganisationFactory(slug="agency", kind=OrganisationKind.SPECIALIST_AGENCY),
    }
    users = {
        (slug, role): UserFactory(organisation=org, roles=[role], email=f"{role}@{slug}.example")
        for slug, org in orgs.items()
        for role in Role.values
    }
    officer = users[("police", R.POLICE_OFFICER)]
    other_officer = UserFactory(organisation=orgs["police"], roles=[R.POLICE_OFFICER])
    yot_worker = users[("yot", R.YOUTH_JUSTICE_WORKER)]
    hub1_caseworker = users[("hub1", R.HUB_CASEWORKER)]
    records = {
        "hub1_police": referral_factory(
            hub=orgs["hub1"], actor=officer, referring_organisation=orgs["police"]
        ),
        "hub1_yot": referral_factory(
            hub=orgs["hub1"], actor=yot_worker, referring_organisation=orgs["yot"]
        ),
        "hub1_agency": referral_factory(hub=orgs["hub1"]),
        "hub1_returned": referral_factory(hub=orgs["hub1"]),
        "hub2_self": referral_factory(hub=orgs["hub2"]),
        "hub2_handed_off": referral_factory(hub=orgs["hub2"]),
        "hub2_other_officer": referral_factory(
            hub=orgs["hub2"], actor=other_officer, referring_organisation=orgs["police"]
        ),
    }
    now = timezone.now()
    share = {"consent_recorded_at": now, "shared_by": hub1_caseworker}
    ReferralShare.objects.create(
        referral=records["hub2_handed_off"],
        organisation=provider,
        route=ShareRoute.HAND_OFF,
        **share,
    )
    ReferralShare.objects.create(
        referral=records["hub1_agency"],
        organisation=orgs["agency"],
        route=ShareRoute.ONWARD_REFERRAL,
        **share,
    )
    ReferralShare.objects.create(
        referral=records["hub1_returned"],
        organisation=provider,
        route=ShareRoute.HAND_OFF,
        ended_at=now,
        **share,
    )
    return users, records


def test_every_role_in_every_organisation_sees_exactly_what_the_sharing_rules_allow(client, world):
    users, records = world
    mismatches = []
    for (slug, role), user in users.items():
        allowed = EXPECTED.get((slug, role), set())
        client.force_login(user)
        for name, referral in records.items():
            status = client.get(f"/staff/referrals/{referral.reference}/").status_code
            expected = 200 if name in allowed else 404
            if status != expected:
                mismatches.append(f"{role}@{slug} → {name}: {status}, expected {expected}")
        listed = {
            name
            for name, referral in records.items()
            if referral.pk in set(referrals_visible_to(user).values_list("pk", flat=True))
        }
        if listed != allowed:
            mismatches.append(f"{role}@{slug} lists {sorted(listed)}, expected {sorted(allowed)}")
    assert not mismatches, "\n".join(mismatches)


def test_a_disabled_user_sees_nothing(world):
    users, _ = world
    caseworker = users[("hub1", R.HUB_CASEWORKER)]
    caseworker.is_active = False
    caseworker.save()
    assert not referrals_visible_to(caseworker).exists()


def test_the_404_is_the_same_as_for_a_reference_that_does_not_exist(client, world):
    users, records = world
    client.force_login(users[("hub2", R.HUB_CASEWORKER)])
    not_yours = client.get(f"/staff/referrals/{records['hub1_police'].reference}/")
    missing = client.get("/staff/referrals/RJ-0000-0000/")
    assert not_yours.status_code == missing.status_code == 404
    nonce = re.compile(rb'nonce="[^"]*"')
    assert nonce.sub(b"", not_yours.content) == nonce.sub(b"", missing.content)
    for path in ("edit/", "status/", "allocate/"):
        url = f"/staff/referrals/{records['hub1_police'].reference}/{path}"
        assert client.post(url, {"version": 1}).status_code == 404
