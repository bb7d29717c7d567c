"""Onward referrals: consent, the minimal data set as a snapshot, and the agency's view of it.

The agency's user sees exactly the data set sent to it and nothing else of the
referral: 404 on the referral page, 404 on another agency's onward referral.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amends.accounts.models import Role
from amends.accounts.tests.factories import UserFactory
from amends.core.errors import DomainError, TransitionRefused
from amends.core.models import AuditAction, AuditEvent, OutboundMessage
from amends.hub import services
from amends.hub.models import OnwardReferral, OnwardReferralState, SharedItem
from amends.hub.services import SupportRefused
from amends.hub.tests.factories_support import (
    agency_caseworker,
    agency_make,
    agency_organisation,
    needs_record,
    offender_of,
    onward_send,
    supported_referral,
    victim_of,
)
from amends.referrals.models import ContactChannel
from amends.referrals.selectors import referrals_visible_to
from amends.referrals.tests.factories import caseworker_factory, hub_factory, manager_factory

pytestmark = pytest.mark.django_db

S = OnwardReferralState
EVERY_ITEM = [SharedItem.NAME, SharedItem.CONTACT, SharedItem.NEEDS, SharedItem.OFFENCE]


@pytest.fixture
def hub():
    hub = hub_factory("onward-hub")
    hub.notification_email = "team@onward-hub.example"
    hub.save(update_fields=["notification_email"])
    return hub


@pytest.fixture
def manager(hub):
    return manager_factory(hub)


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


@pytest.fixture
def haven():
    return agency_organisation("haven")


@pytest.fixture
def haven_user(haven):
    return agency_caseworker(haven)


@pytest.fixture
def in_amends(manager, haven):
    return agency_make(manager=manager, name="Haven Advocacy", organisation=haven)


@pytest.fixture
def outside(manager):
    return agency_make(manager=manager, name="Citizens Advice Barnet")


@pytest.fixture
def referral(hub):
    return supported_referral(hub=hub)


def today_text() -> str:
    day = timezone.localdate()
    return f"{day.day} {day.month} {day.year}"


# --- sending ----------------------------------------------------------------------------------


def test_consent_is_required_and_recorded_with_date_and_who(caseworker, referral, in_amends):
    with pytest.raises(SupportRefused, match="Confirm that the person agreed") as refused:
        onward_send(actor=caseworker, referral=referral, agency=in_amends, consent_confirmed=False)
    assert refused.value.field == "consent_confirmed"
    assert not OnwardReferral.objects.exists()
    onward = onward_send(actor=caseworker, referral=referral, agency=in_amends)
    assert onward.consent_given_on == timezone.localdate()
    assert onward.consent_recorded_by == caseworker
    assert onward.consent_recorded_at is not None
    assert onward.state == S.SENT
    assert AuditEvent.objects.filter(
        action=AuditAction.SHARE, record_type="hub.onwardreferral", record_id=onward.pk
    ).exists()


def test_the_snapshot_holds_only_the_ticked_items_as_they_were(caseworker, referral, in_amends):
    needs_record(actor=caseworker, referral=referral)
    onward = onward_send(
        actor=caseworker, referral=referral, agency=in_amends, items=[SharedItem.OFFENCE]
    )
    assert set(onward.snapshot) == {"message", "offence_type"}
    assert onward.snapshot["offence_type"] == "Burglary"
    full = onward_send(actor=caseworker, referral=referral, agency=in_amends, items=EVERY_ITEM)
    assert full.snapshot["name"] == "Alex Morgan"
    # Only the safe channels: phone and email, not the address (post is not safe).
    assert [c["channel"] for c in full.snapshot["contact"]["channels"]] == ["phone", "email"]
    assert "Station Road" not in str(full.snapshot)
    assert full.snapshot["contact"]["may_leave_message"] == "No"
    assert full.snapshot["needs"]["areas"] == [{"label": "Safety", "level": "High need"}]
    assert full.snapshot["needs"]["summary"] == "Would like help to feel safe at home."
    # The caseworker's notes on each need are not part of the summary.
    assert "door lock" not in str(full.snapshot)
    # Written once: later changes to the person do not reach what was sent.
    person = victim_of(referral).person
    person.phone = "07000 000000"
    person.save()
    full.refresh_from_db()
    assert full.snapshot["contact"]["channels"][0]["value"] == "07700 900123"


def test_contact_details_need_a_safe_channel_and_needs_an_assessment(
    caseworker, referral, in_amends
):
    victim = victim_of(referral)
    victim.safe_channels = [ContactChannel.LETTER]  # but post is not safe
    victim.save()
    with pytest.raises(DomainError, match="no contact details on a channel they said is safe"):
        onward_send(actor=caseworker, referral=referral, agency=in_amends)
    with pytest.raises(DomainError, match="no needs assessment to summarise"):
        onward_send(actor=caseworker, referral=referral, agency=in_amends, items=[SharedItem.NEEDS])
    with pytest.raises(DomainError, match="at least one detail"):
        onward_send(actor=caseworker, referral=referral, agency=in_amends, items=[])
    with pytest.raises(DomainError, match="not the person responsible"):
        onward_send(
            actor=caseworker,
            referral=referral,
            agency=in_amends,
            items=[SharedItem.NAME],
            referral_person=offender_of(referral),
        )
    assert not OnwardReferral.objects.exists()


def test_the_form_refuses_bad_input_with_a_message_each(client, caseworker, referral, in_amends):
    client.force_login(caseworker)
    url = f"/staff/hub/referrals/{referral.reference}/onward/new/"
    assert "Haven Advocacy (uses Amends)" in client.get(url).content.decode()
    good = {
        "agency": in_amends.pk,
        "referral_person": victim_of(referral).pk,
        "shared_items": [SharedItem.NAME],
        "message": "Please offer advocacy.",
        "consent_confirmed": "on",
        "consent_given_on": today_text(),
        "submission_key": "onward-key",
    }
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"agency": ""}, "agency", "Choose the agency to refer to"),
        ({"referral_person": offender_of(referral).pk}, "referral_person", "Choose a person in"),
        ({"shared_items": []}, "shared_items", "Choose at least one detail to send"),
        ({"shared_items": ["date_of_birth"]}, "shared_items", "Choose details from the list"),
        ({"shared_items": [SharedItem.NEEDS]}, "shared_items", "no needs assessment"),
        ({"message": ""}, "message", "Tell the agency what you are asking them to do"),
        ({"consent_confirmed": ""}, "consent_confirmed", "Confirm that the person agreed"),
        ({"consent_given_on": ""}, "consent_given_on", "Enter the date they agreed"),
        ({"consent_given_on": "1 1 2001"}, "consent_given_on", "before the referral was received"),
        ({"consent_given_on": "1 1 2099"}, "consent_given_on", "today or in the past"),
    ]
    for change, field, message in cases:
        response = client.post(url, {**good, **change})
        assert response.status_code == 400, change
        html = response.content.decode()
        assert f'href="#id_{field}"' in html, change
        assert message in html, change
    assert not OnwardReferral.objects.exists()
    assert client.post(url, good).status_code == 302
    assert client.post(url, good).status_code == 302  # sent twice: still one
    assert OnwardReferral.objects.count() == 1


def test_an_agency_in_amends_hears_of_it_in_its_team_inbox_without_a_name(
    caseworker, referral, in_amends, outside
):
    onward = onward_send(actor=caseworker, referral=referral, agency=in_amends)
    message = OutboundMessage.objects.get(record_type="hub.onwardreferral", record_id=onward.pk)
    assert message.recipient == "team@haven.example"
    assert onward.reference in str(message.personalisation)
    assert "Alex" not in str(message.personalisation)
    onward_send(actor=caseworker, referral=referral, agency=outside)
    assert OutboundMessage.objects.filter(record_type="hub.onwardreferral").count() == 1


# --- the agency's view -------------------------------------------------------------------------


def test_the_agency_user_sees_exactly_the_shared_data_set_and_nothing_else(
    client, caseworker, referral, in_amends, haven_user
):
    needs_record(actor=caseworker, referral=referral)
    onward = onward_send(
        actor=caseworker,
        referral=referral,
        agency=in_amends,
        items=[SharedItem.NAME, SharedItem.CONTACT],
    )
    client.force_login(haven_user)
    listing = client.get("/staff/hub/onward-referrals/").content.decode()
    assert onward.reference in listing
    page = client.get(f"/staff/hub/onward-referrals/{onward.reference}/")
    assert page.status_code == 200
    html = page.content.decode()
    # What was ticked, as it was sent.
    for shown in ("Alex Morgan", "07700 900123", "alex.morgan@example.org", "Weekdays after 6pm"):
        assert shown in html
    assert "Please offer independent advocacy." in html
    # Nothing else of the referral: not its reference, the offence, the needs, the address,
    # the date of birth, the crime reference, nor the person responsible.
    for hidden in (
        referral.reference,
        "Burglary",
        "4401/26/00017",
        "Station Road",
        "17 May 1980",
        "Jamie",
        "Reid",
        "High need",
        "Would like help to feel safe",
        "door lock",
    ):
        assert hidden not in html, hidden
    assert f"/staff/referrals/{referral.reference}/" not in html
    # The referral itself is 404 for them, as for a reference that does not exist.
    assert client.get(f"/staff/referrals/{referral.reference}/").status_code == 404
    assert not referrals_visible_to(haven_user).exists()
    for path in ("needs/", "devices/issue/", "onward/new/"):
        assert client.get(f"/staff/hub/referrals/{referral.reference}/{path}").status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        record_type="hub.onwardreferral",
        record_id=onward.pk,
        actor_id=haven_user.pk,
    ).exists()


def test_another_agencys_onward_referral_is_404(client, caseworker, referral, in_amends, manager):
    elsewhere = agency_make(
        manager=manager, name="Refuge North", organisation=agency_organisation("refuge")
    )
    theirs = onward_send(actor=caseworker, referral=referral, agency=elsewhere)
    mine = onward_send(actor=caseworker, referral=referral, agency=in_amends)
    client.force_login(agency_caseworker(agency_organisation("haven")))
    assert client.get(f"/staff/hub/onward-referrals/{theirs.reference}/").status_code == 404
    assert (
        client.post(
            f"/staff/hub/onward-referrals/{theirs.reference}/answer/",
            {"version": 1, "to_state": S.ACCEPTED},
        ).status_code
        == 404
    )
    listing = client.get("/staff/hub/onward-referrals/").content.decode()
    assert mine.reference in listing
    assert theirs.reference not in listing
    # A caseworker of another hub sees neither.
    client.force_login(caseworker_factory(hub_factory("elsewhere-hub")))
    assert client.get(f"/staff/hub/onward-referrals/{mine.reference}/").status_code == 404


def test_the_agency_accepts_then_completes_and_the_hub_sees_it(
    client, caseworker, referral, in_amends, haven_user
):
    onward = onward_send(actor=caseworker, referral=referral, agency=in_amends)
    client.force_login(haven_user)
    url = f"/staff/hub/onward-referrals/{onward.reference}/answer/"
    response = client.post(url, {"version": 1, "to_state": S.ACCEPTED, "reason": "Allocated."})
    assert response.status_code == 302
    onward.refresh_from_db()
    assert onward.state == S.ACCEPTED
    assert onward.responded_at is not None
    assert onward.outcome_note == "Allocated."
    hub_alert = OutboundMessage.objects.filter(template="onward_referral_answered_hub").get()
    assert hub_alert.recipient == "team@onward-hub.example"
    assert "accepted" in str(hub_alert.personalisation)
    assert "Alex" not in str(hub_alert.personalisation)
    stale = client.post(url, {"version": 1, "to_state": S.COMPLETED})
    assert stale.status_code == 409
    done = client.post(url, {"version": 2, "to_state": S.COMPLETED, "reason": "Support ended."})
    assert done.status_code == 302
    onward.refresh_from_db()
    assert onward.state == S.COMPLETED
    assert onward.completed_at is not None
    client.force_login(caseworker)
    page = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
    assert onward.reference in page
    assert "Completed" in page
    assert "Support ended." in page


def test_declining_needs_a_reason(client, caseworker, referral, in_amends, haven_user):
    onward = onward_send(actor=caseworker, referral=referral, agency=in_amends)
    with pytest.raises(TransitionRefused, match="Give a reason"):
        services.onward_referral_answer(actor=haven_user, onward=onward, to_state=S.DECLINED)
    client.force_login(haven_user)
    url = f"/staff/hub/onward-referrals/{onward.reference}/answer/"
    response = client.post(url, {"version": 1, "to_state": S.DECLINED})
    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    response = client.post(url, {"version": 1, "to_state": "completed"})
    assert response.status_code == 400
    assert "Choose an option" in response.content.decode()
    response = client.post(
        url, {"version": 1, "to_state": S.DECLINED, "reason": "Outside our area."}
    )
    assert response.status_code == 302
    onward.refresh_from_db()
    assert (onward.state, onward.outcome_note) == (S.DECLINED, "Outside our area.")


def test_the_hub_cannot_answer_for_an_agency_in_amends_but_may_withdraw(
    client, caseworker, referral, in_amends, haven_user
):
    onward = onward_send(actor=caseworker, referral=referral, agency=in_amends)
    with pytest.raises(TransitionRefused, match="uses Amends: its staff record"):
        services.onward_referral_answer(actor=caseworker, onward=onward, to_state=S.ACCEPTED)
    client.force_login(caseworker)
    page = client.get(f"/staff/hub/onward-referrals/{onward.reference}/").content.decode()
    assert "Withdraw (the person withdrew their consent)" in page
    assert 'value="accepted"' not in page
    services.onward_referral_answer(
        actor=caseworker, onward=onward, to_state=S.WITHDRAWN, note="The person changed their mind."
    )
    with pytest.raises(TransitionRefused):
        services.onward_referral_answer(actor=haven_user, onward=onward, to_state=S.ACCEPTED)


def test_for_an_agency_outside_amends_the_hub_records_the_answer(caseworker, referral, outside):
    onward = onward_send(actor=caseworker, referral=referral, agency=outside)
    assert not onward.recorded_by_agency
    services.onward_referral_answer(
        actor=caseworker, onward=onward, to_state=S.ACCEPTED, note="Phoned: they will call her."
    )
    assert onward.state == S.ACCEPTED
    assert onward.outcome_note == "Phoned: they will call her."
    assert not OutboundMessage.objects.filter(template="onward_referral_answered_hub").exists()


def test_the_agency_dpo_reads_but_does_not_answer(client, caseworker, referral, in_amends, haven):
    onward = onward_send(actor=caseworker, referral=referral, agency=in_amends)
    dpo = UserFactory(organisation=haven, roles=[Role.DATA_PROTECTION_OFFICER])
    client.force_login(dpo)
    assert client.get(f"/staff/hub/onward-referrals/{onward.reference}/").status_code == 200
    answer = client.post(
        f"/staff/hub/onward-referrals/{onward.reference}/answer/",
        {"version": 1, "to_state": S.ACCEPTED},
    )
    assert answer.status_code == 403


def test_people_with_neither_side_get_404_on_the_list(client, hub):
    analyst = UserFactory(organisation=hub, roles=[Role.ANALYST])
    client.force_login(analyst)
    assert client.get("/staff/hub/onward-referrals/").status_code == 404


def test_the_agency_list_makes_the_same_number_of_queries_for_2_or_30(
    client, caseworker, hub, in_amends, haven_user
):
    client.force_login(haven_user)

    def count() -> int:
        client.get("/staff/hub/onward-referrals/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/hub/onward-referrals/").status_code == 200
        return len(captured)

    for _ in range(2):
        onward_send(actor=caseworker, referral=supported_referral(hub=hub), agency=in_amends)
    few = count()
    for _ in range(28):
        onward_send(actor=caseworker, referral=supported_referral(hub=hub), agency=in_amends)
    many = count()
    assert few == many
    html = client.get("/staff/hub/onward-referrals/").content.decode()
    assert len(set(re.findall(r"OR-[0-9A-Z]{4}-[0-9A-Z]{4}", html))) == 25
