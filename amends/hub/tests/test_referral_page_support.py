"""The hub's support on the referral page: shown to the hub, in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.models import AuditAction, AuditEvent
from amends.hub.tests.factories_support import (
    agency_make,
    device_lend,
    device_make,
    needs_record,
    onward_send,
    supported_referral,
)
from amends.referrals import services as referral_services
from amends.referrals.models import ClosingReason, ReferralState
from amends.referrals.tests.factories import caseworker_factory, hub_factory, manager_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return hub_factory("page-hub")


@pytest.fixture
def manager(hub):
    return manager_factory(hub)


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


def queries_for(client, url) -> int:
    client.get(url)  # warm up: the first request of a session also records the MFA check
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _supported(hub, manager, caseworker, *, times: int):
    referral = supported_referral(hub=hub)
    agency = agency_make(manager=manager)
    for number in range(times):
        needs_record(actor=caseworker, referral=referral, expected_number=number)
        device_lend(actor=caseworker, referral=referral, device=device_make(manager=manager))
        onward_send(actor=caseworker, referral=referral, agency=agency)
    return referral


def test_the_referral_page_makes_the_same_number_of_queries_with_1_or_12_of_each(
    client, hub, manager, caseworker
):
    small = _supported(hub, manager, caseworker, times=1)
    big = _supported(hub, manager, caseworker, times=12)
    client.force_login(caseworker)
    assert queries_for(client, f"/staff/referrals/{small.reference}/") == queries_for(
        client, f"/staff/referrals/{big.reference}/"
    )


def test_the_hub_sees_needs_devices_and_onward_referrals_and_the_view_is_audited(
    client, hub, manager, caseworker
):
    referral = _supported(hub, manager, caseworker, times=1)
    client.force_login(caseworker)
    html = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
    for heading in ('id="needs"', 'id="devices"', 'id="onward-referrals"'):
        assert heading in html
    assert "Lives alone; the door lock was forced." in html
    assert "Record its return or loss" in html
    assert "Refer on to a specialist agency" in html
    viewed = set(
        AuditEvent.objects.filter(action=AuditAction.VIEW, actor_id=caseworker.pk).values_list(
            "record_type", flat=True
        )
    )
    assert {"hub.needsassessment", "hub.deviceissue", "hub.onwardreferral"} <= viewed


def test_a_closed_referral_shows_support_without_new_actions(client, hub, manager, caseworker):
    referral = _supported(hub, manager, caseworker, times=1)
    referral_services.referral_transition(
        actor=caseworker,
        referral=referral,
        to_state=ReferralState.CLOSED,
        closing_reason=ClosingReason.WITHDRAWN,
    )
    client.force_login(caseworker)
    html = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
    assert "Issue a safety device" not in html
    assert "Refer on to a specialist agency" not in html
    # A device lent out must still come back.
    assert "Record its return or loss" in html


def test_the_referrer_sees_the_referral_but_not_the_hubs_support(client, hub, manager, caseworker):
    police = OrganisationFactory(slug="page-police", kind=OrganisationKind.POLICE)
    officer = UserFactory(organisation=police, roles=[Role.POLICE_OFFICER])
    referral = supported_referral(hub=hub, referring_organisation=police)
    referral.referred_by = officer
    referral.save(update_fields=["referred_by"])
    needs_record(actor=caseworker, referral=referral)
    client.force_login(officer)
    response = client.get(f"/staff/referrals/{referral.reference}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="needs"' not in html
    assert "door lock" not in html
