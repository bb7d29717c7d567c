"""Staff referral pages: query counts, audit on view, conflicts, refused transitions."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.core.models import AuditAction, AuditEvent
from amends.referrals import services
from amends.referrals.models import ContactOutcome, Referral, ReferralState
from amends.referrals.tests.factories import (
    caseworker_factory,
    hub_factory,
    manager_factory,
    referral_factory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return hub_factory()


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


@pytest.fixture
def signed_in(client, caseworker):
    client.force_login(caseworker)
    return client


def queries_for(client, url):
    client.get(url)  # warm up: the first request of a session also records the MFA check
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_staff_home_makes_the_same_number_of_queries_for_2_or_25_rows(signed_in, hub):
    for _ in range(2):
        referral_factory(hub=hub)
    few = queries_for(signed_in, "/staff/")
    for _ in range(40):
        referral_factory(hub=hub)
    many = queries_for(signed_in, "/staff/")
    assert few == many
    assert many <= 12


def test_staff_home_lists_only_visible_referrals_and_paginates(signed_in, hub):
    other = hub_factory("other-hub")
    mine = [referral_factory(hub=hub) for _ in range(30)]
    theirs = referral_factory(hub=other)
    page1 = signed_in.get("/staff/").content.decode()
    page2 = signed_in.get("/staff/?page=2").content.decode()
    assert theirs.reference not in page1 + page2
    assert sum(r.reference in page1 for r in mine) == 25
    assert sum(r.reference in page2 for r in mine) == 5
    assert "Alex Morgan" in page1


def test_the_referral_page_makes_a_constant_number_of_queries(signed_in, hub, caseworker):
    manager = manager_factory(hub)
    small = referral_factory(hub=hub)
    big = referral_factory(hub=hub)
    services.referral_allocate(actor=manager, referral=big, caseworker=caseworker)
    services.referral_transition(actor=caseworker, referral=big, to_state=ReferralState.CONTACTING)
    for _ in range(6):
        services.contact_attempt_record(
            actor=caseworker, referral=big, channel="phone", outcome=ContactOutcome.NO_ANSWER
        )
    services.referral_allocate(actor=manager, referral=small, caseworker=caseworker)
    services.referral_transition(
        actor=caseworker, referral=small, to_state=ReferralState.CONTACTING
    )
    services.contact_attempt_record(
        actor=caseworker, referral=small, channel="phone", outcome=ContactOutcome.NO_ANSWER
    )
    assert queries_for(signed_in, f"/staff/referrals/{small.reference}/") == queries_for(
        signed_in, f"/staff/referrals/{big.reference}/"
    )


def test_viewing_a_referral_page_adds_exactly_one_audit_event(signed_in, hub, caseworker):
    referral = referral_factory(hub=hub)
    before = AuditEvent.objects.count()
    response = signed_in.get(f"/staff/referrals/{referral.reference}/")
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.record_id, event.actor_id) == (
        AuditAction.VIEW,
        str(referral.pk),
        caseworker.pk,
    )


def test_the_referral_page_shows_people_offence_and_history(signed_in, hub, caseworker):
    manager = manager_factory(hub)
    referral = referral_factory(hub=hub)
    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    services.referral_transition(
        actor=caseworker, referral=referral, to_state=ReferralState.CONTACTING
    )
    page = signed_in.get(f"/staff/referrals/{referral.reference}/").content.decode()
    for text in ("Alex Morgan", "Jamie Reid", "Burglary", "1234/26/00042", "New → Contacting"):
        assert text in page


def edit_data(referral, **overrides):
    data = {
        "version": referral.version,
        "offence_type": "robbery",
        "offence_date": "2026-03-27",
        "offence_place": "Station Road",
        "crime_reference": "9999/26/00001",
    }
    data.update(overrides)
    return data


def test_saving_the_offence_details_changes_them_and_audits_the_fields(signed_in, hub):
    referral = referral_factory(hub=hub)
    url = f"/staff/referrals/{referral.reference}/edit/"
    response = signed_in.post(url, edit_data(referral))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.offence_type, referral.offence_place, referral.version) == (
        "robbery",
        "Station Road",
        2,
    )
    change = AuditEvent.objects.get(action=AuditAction.CHANGE, record_id=str(referral.pk))
    assert set(change.fields) == {
        "offence_type",
        "offence_date",
        "offence_place",
        "crime_reference",
    }


def test_a_stale_form_save_gets_the_conflict_page_and_overwrites_nothing(
    client, signed_in, hub, caseworker
):
    referral = referral_factory(hub=hub)
    url = f"/staff/referrals/{referral.reference}/edit/"
    loaded = edit_data(referral, offence_place="First person's edit")
    # A second caseworker saves first.
    colleague = caseworker_factory(hub)
    other = client.__class__()
    other.force_login(colleague)
    assert (
        other.post(url, edit_data(referral, offence_place="Second person's edit")).status_code
        == 302
    )
    response = signed_in.post(url, loaded)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this referral" in page
    assert "First person&#x27;s edit" in page
    assert "Second person&#x27;s edit" in page
    assert Referral.objects.get(pk=referral.pk).offence_place == "Second person's edit"
    conflict = AuditEvent.objects.get(action=AuditAction.CONFLICT)
    assert (conflict.actor_id, conflict.record_id) == (caseworker.pk, str(referral.pk))


def test_bad_input_on_the_edit_form_names_the_field_and_saves_nothing(signed_in, hub):
    referral = referral_factory(hub=hub)
    url = f"/staff/referrals/{referral.reference}/edit/"
    response = signed_in.post(
        url, edit_data(referral, offence_type="nonsense", offence_date="32/13/2026")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select a valid choice" in page
    assert "Enter a valid date" in page
    assert Referral.objects.get(pk=referral.pk).offence_type == "burglary"


def test_a_refused_transition_shows_why_and_leaves_the_record_unchanged(signed_in, hub):
    referral = referral_factory(hub=hub)
    response = signed_in.post(
        f"/staff/referrals/{referral.reference}/status/",
        {"version": referral.version, "to_state": "contacting"},
    )
    assert response.status_code == 400
    assert "Allocate the referral to a caseworker" in response.content.decode()
    fresh = Referral.objects.get(pk=referral.pk)
    assert (fresh.state, fresh.version) == (ReferralState.NEW, referral.version)


def test_a_double_submitted_transition_applies_once(signed_in, hub, caseworker):
    manager = manager_factory(hub)
    referral = referral_factory(hub=hub)
    referral = services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    data = {"version": referral.version, "to_state": "contacting"}
    url = f"/staff/referrals/{referral.reference}/status/"
    assert signed_in.post(url, data).status_code == 302
    second = signed_in.post(url, data)
    assert second.status_code == 400
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.CONTACTING
    from amends.core.models import TransitionLog

    assert TransitionLog.objects.filter(object_id=referral.pk).count() == 1


def test_a_signed_out_visitor_is_sent_to_sign_in(client, hub):
    referral = referral_factory(hub=hub)
    for url in ("/staff/", f"/staff/referrals/{referral.reference}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/account/login/")


def test_the_status_form_offers_only_the_decisions_and_reasons_open_now(client, hub, caseworker):
    manager = manager_factory(hub)
    referral = referral_factory(hub=hub)
    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    services.referral_transition(
        actor=caseworker, referral=referral, to_state=ReferralState.CONTACTING
    )
    services.contact_attempt_record(
        actor=caseworker, referral=referral, channel="phone", outcome=ContactOutcome.SPOKE
    )
    services.referral_transition(
        actor=caseworker, referral=referral, to_state=ReferralState.IN_TRIAGE
    )
    client.force_login(caseworker)
    page = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
    select = page.split('name="closing_reason"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([a-z_]*)"', select) == [
        "",
        "support_only",
        "signposted",
        "declined_rj",
        "not_suitable",
        "duplicate",
        "withdrawn",
    ]
    assert "Needed to close at triage." in page
    services.referral_transition(
        actor=caseworker,
        referral=referral,
        to_state=ReferralState.CLOSED,
        closing_reason="not_suitable",
        reason="Ongoing risk.",
    )
    client.force_login(manager)
    page = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
    assert '<option value="new">New</option>' in page
    assert "Needed to reopen." in page
