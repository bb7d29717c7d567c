"""The provider's intake pages and the hub's consent and hand-off page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amends.accounts.models import Role
from amends.accounts.tests.factories import UserFactory
from amends.cases import services
from amends.cases.models import Case, CaseState, HandOffConsent
from amends.cases.tests.factories import (
    handed_off,
    partnership,
    police_referral,
    record_consent,
    to_awaiting_consent,
    to_in_triage,
)
from amends.core.models import AuditAction, AuditEvent
from amends.referrals.models import OffenceType, Referral, ReferralSource, ReferralState

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return partnership()


def offered_cases(p, count: int, *, offered_on: dt.date | None = None) -> list[Case]:
    """`count` offered cases, written directly (the list page is what is under test)."""
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                hub=p.hub,
                source=ReferralSource.SELF,
                offence_type=OffenceType.THEFT,
                state=ReferralState.HANDED_OFF,
            )
            for _ in range(count)
        ]
    )
    today = offered_on or timezone.localdate()
    return Case.objects.bulk_create(
        [
            Case(
                referral=referral,
                provider=p.provider,
                hub=p.hub,
                offered_by=p.caseworker,
                decide_by=today + dt.timedelta(days=i % 7 - 3),
                party_role="victim",
                party_name=f"Person {i}",
                offence_type=OffenceType.THEFT,
                consent_given_on=today,
            )
            for i, referral in enumerate(referrals)
        ]
    )


def queries_for(client, url: str) -> int:
    client.get(url)  # warm up: the first request of a session also records the MFA check
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- the intake queue ----------------------------------------------------------------------


def test_the_intake_queue_makes_the_same_number_of_queries_for_10_or_500_cases(client, p):
    client.force_login(p.coordinator)
    offered_cases(p, 10)
    few = queries_for(client, "/staff/cases/")
    offered_cases(p, 490)
    many = queries_for(client, "/staff/cases/")
    assert few == many
    assert many <= 12
    assert queries_for(client, "/staff/cases/?state=accepted&page=2") <= many


def test_the_queue_lists_offered_cases_soonest_first_with_their_clock_in_words(client, p):
    today = timezone.localdate()
    cases = offered_cases(p, 30)
    client.force_login(p.coordinator)
    page1 = client.get("/staff/cases/").content.decode()
    page2 = client.get("/staff/cases/?page=2").content.decode()
    assert sum(c.reference in page1 for c in cases) == 25
    assert sum(c.reference in page2 for c in cases) == 5
    assert "Waiting for a decision (30)" in page1
    assert "Overdue" in page1
    assert "Due today" in page1
    soonest = min(cases, key=lambda c: (c.decide_by, c.pk))
    assert soonest.decide_by == today - dt.timedelta(days=3)
    assert page1.index(soonest.reference) < page1.index("Due today")
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, record_type="cases.case")
    assert [len(e.detail["ids"]) for e in listed.order_by("id")] == [25, 5]


def test_accepted_and_returned_views_show_only_those(client, p):
    accepted, returned, waiting = (handed_off(p) for _ in range(3))
    services.case_accept(actor=p.coordinator, case=accepted)
    services.case_return(actor=p.coordinator, case=returned, reason="Not for us.")
    client.force_login(p.coordinator)
    views = {
        state: client.get(f"/staff/cases/?state={state}").content.decode()
        for state in ("offered", "accepted", "returned", "nonsense")
    }
    assert waiting.reference in views["offered"]
    assert accepted.reference not in views["offered"]
    assert accepted.reference in views["accepted"]
    assert returned.reference in views["returned"]
    assert returned.reference not in views["accepted"]
    # An unknown view is the offered one.
    assert waiting.reference in views["nonsense"]
    assert accepted.reference not in views["nonsense"]


# --- the case page, accept and return ------------------------------------------------------


def test_the_case_page_shows_the_snapshot_and_is_audited(client, p):
    case = handed_off(p)
    client.force_login(p.coordinator)
    before = AuditEvent.objects.count()
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.order_by("-id").values_list("action", flat=True)[0] == "view"
    for text in ("Alex Morgan", "Jamie Reid", "Burglary", "14 March 2026", "Weekdays after 6pm"):
        assert text in page
    assert "Do not leave a message" in page
    assert "Accept the case" in page


def test_accepting_twice_accepts_once(client, p):
    case = handed_off(p)
    client.force_login(p.coordinator)
    url = f"/staff/cases/{case.reference}/accept/"
    first = client.post(url, {"version": case.version})
    assert first.status_code == 302
    second = client.post(url, {"version": case.version}, follow=True)
    assert second.status_code == 200
    assert "already accepted" in second.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.ACCEPTED
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.TRANSITION, record_type="cases.case", record_id=str(case.pk)
        ).count()
        == 1
    )


def test_a_decision_on_a_case_that_changed_meanwhile_shows_the_conflict(client, p):
    case = handed_off(p)
    seen = case.version
    services.case_return(actor=p.coordinator, case=case, reason="Not for us.")
    client.force_login(p.coordinator)
    response = client.post(f"/staff/cases/{case.reference}/accept/", {"version": seen})
    assert response.status_code == 409
    assert "Someone else changed this case" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.RETURNED


def test_returning_needs_a_reason_and_sends_the_referral_back(client, p):
    case = handed_off(p)
    client.force_login(p.coordinator)
    url = f"/staff/cases/{case.reference}/return/"
    assert "Why are you returning" in client.get(url).content.decode()
    empty = client.post(url, {"version": case.version, "reason": "   "})
    assert empty.status_code == 400
    html = empty.content.decode()
    assert "Enter why you are returning the case" in html
    assert 'href="#id_reason"' in html
    assert "<title>Error:" in html
    assert Case.objects.get(pk=case.pk).state == CaseState.OFFERED
    done = client.post(url, {"version": case.version, "reason": "The person moved away."})
    assert done.status_code == 302
    assert done["Location"] == "/staff/cases/"
    assert Referral.objects.get(pk=case.referral_id).state == ReferralState.IN_TRIAGE


def test_the_providers_dpo_reads_but_cannot_decide(client, p):
    case = handed_off(p)
    dpo = UserFactory(organisation=p.provider, roles=[Role.DATA_PROTECTION_OFFICER])
    client.force_login(dpo)
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Accept the case" not in page
    assert client.post(f"/staff/cases/{case.reference}/accept/", {"version": 1}).status_code == 400
    assert (
        "cannot be returned"
        in client.get(f"/staff/cases/{case.reference}/return/").content.decode()
    )
    assert Case.objects.get(pk=case.pk).state == CaseState.OFFERED


# --- the hub's consent and hand-off page ---------------------------------------------------


def hand_off_url(referral: Referral, action: str = "") -> str:
    return f"/staff/cases/hand-off/{referral.reference}/{action}"


def consent_data(**overrides: str) -> dict[str, str]:
    data = {
        "version": "0",
        "given_by": "person",
        "given_by_name": "",
        "how": "phone",
        "given_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


def test_the_hand_off_page_shows_what_the_provider_will_see(client, p):
    referral = to_awaiting_consent(p, police_referral(p))
    client.force_login(p.caseworker)
    page = client.get(hand_off_url(referral)).content.decode()
    assert "What Test Mediation will see" in page
    assert "Alex Morgan" in page
    assert "Not shared" in page  # the address: post is not safe for them
    assert "Record consent" in page
    assert "Hand off to Test Mediation" not in page  # no consent yet


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_by": ""}, "given_by", "Select who gave consent"),
        ({"how": ""}, "how", "Select how consent was given"),
        ({"given_on": ""}, "given_on", "Enter the date consent was given"),
        ({"given_on": "2026-02-30"}, "given_on", "must be a real date"),
        ({"given_on": "2999-01-01"}, "given_on", "must be today or in the past"),
        ({"given_on": "2001-01-01"}, "given_on", "on or after the day the referral was received"),
        ({"given_by": "parent_guardian"}, "given_by_name", "Enter the name of the person"),
    ],
)
def test_bad_consent_answers_get_a_clear_error_on_their_field(client, p, overrides, field, message):
    referral = to_awaiting_consent(p, police_referral(p))
    client.force_login(p.caseworker)
    response = client.post(hand_off_url(referral, "consent/"), consent_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="#id_{field}"' in html
    assert "<title>Error:" in html
    assert not HandOffConsent.objects.exists()


def test_consent_then_hand_off_makes_one_case_however_often_it_is_sent(client, p):
    referral = to_awaiting_consent(p, police_referral(p))
    client.force_login(p.caseworker)
    recorded = client.post(hand_off_url(referral, "consent/"), consent_data())
    assert recorded.status_code == 302
    again = client.post(hand_off_url(referral, "consent/"), consent_data())  # double click
    assert again.status_code == 302
    assert HandOffConsent.objects.get(referral=referral).version == 1
    referral.refresh_from_db()
    page = client.get(hand_off_url(referral)).content.decode()
    assert "Hand off to Test Mediation" in page
    first = client.post(hand_off_url(referral, "confirm/"), {"version": referral.version})
    assert first.status_code == 302
    assert first["Location"] == f"/staff/referrals/{referral.reference}/"
    second = client.post(
        hand_off_url(referral, "confirm/"), {"version": referral.version}, follow=True
    )
    assert "already been handed off" in second.content.decode()
    assert Case.objects.filter(referral=referral).count() == 1
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.HANDED_OFF
    # The referral page now shows the case and its answer.
    detail = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
    case = Case.objects.get(referral=referral)
    assert case.reference in detail
    assert "Consent and hand-off" in detail


def test_a_hand_off_before_awaiting_consent_is_refused_with_the_reason(client, p):
    referral = to_in_triage(p, police_referral(p))
    record_consent(p, referral)
    client.force_login(p.caseworker)
    referral.refresh_from_db()
    page = client.get(hand_off_url(referral)).content.decode()
    assert "Hand off to Test Mediation" not in page
    response = client.post(hand_off_url(referral, "confirm/"), {"version": referral.version})
    assert response.status_code == 400
    assert "cannot go from ‘In triage’ to ‘Handed off" in response.content.decode()
    assert not Case.objects.exists()


def test_the_referral_page_offers_contact_and_hand_off_to_the_hubs_staff(client, p):
    referral = to_awaiting_consent(p, police_referral(p))
    client.force_login(p.caseworker)
    page = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
    assert f'href="/staff/cases/hand-off/{referral.reference}/"' in page
    assert f'href="/staff/hub/referrals/{referral.reference}/contact/"' in page
    client.force_login(p.officer)
    page = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
    assert "/staff/cases/hand-off/" not in page
    assert "/contact/" not in page
