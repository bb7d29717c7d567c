"""Contact attempts: safe channels only, and the proposal to close after N failed attempts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.errors import DomainError, StaleVersion
from amends.referrals import services
from amends.referrals.contact import contact_party, contact_refusal
from amends.referrals.models import (
    ContactAttempt,
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

pytestmark = pytest.mark.django_db
C = ContactChannel
O = ContactOutcome  # noqa: E741


@pytest.fixture
def hub():
    return hub_factory()


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


def make_referral(hub, caseworker, **victim_fields: Any) -> Referral:
    fields: dict[str, Any] = {
        "role": PersonRole.VICTIM,
        "given_name": "Alex",
        "family_name": "Morgan",
        "phone": "07700 900123",
        "email": "alex.morgan@example.org",
        "safe_channels": [C.PHONE],
        "may_leave_message": False,
        "post_is_safe": False,
        "safe_times": "After 6pm",
    }
    fields.update(victim_fields)
    referral = services.referral_create(
        actor=None,
        hub=hub,
        source=ReferralSource.SELF,
        offence_type=OffenceType.THEFT,
        people=[PersonInReferral(**fields)],
    )
    services.referral_allocate(actor=manager_factory(hub), referral=referral, caseworker=caseworker)
    services.referral_transition(
        actor=caseworker, referral=referral, to_state=ReferralState.CONTACTING
    )
    return Referral.objects.get(pk=referral.pk)


def url(referral: Referral) -> str:
    return f"/staff/hub/referrals/{referral.reference}/contact/"


def form_data(**overrides: str) -> dict[str, str]:
    now = timezone.localtime()
    data = {
        "attempts_seen": "0",
        "channel": C.PHONE,
        "outcome": O.NO_ANSWER,
        "at_date": now.date().isoformat(),
        "at_time": now.strftime("%H:%M"),
        "note": "",
    }
    data.update(overrides)
    return data


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "channel", "outcome", "refused"),
    [
        ({"safe_channels": [C.PHONE]}, C.PHONE, O.NO_ANSWER, None),
        ({"safe_channels": [C.PHONE]}, C.SMS, O.NO_ANSWER, "channel"),
        ({"safe_channels": [C.PHONE]}, C.EMAIL, O.SPOKE, "channel"),
        ({"safe_channels": [C.PHONE], "post_is_safe": False}, C.LETTER, O.NO_ANSWER, "channel"),
        ({"safe_channels": [C.PHONE], "post_is_safe": None}, C.LETTER, O.NO_ANSWER, "channel"),
        ({"safe_channels": [C.LETTER], "post_is_safe": True}, C.LETTER, O.NO_ANSWER, None),
        ({"safe_channels": [], "post_is_safe": True}, C.LETTER, O.NO_ANSWER, None),
        ({"safe_channels": [C.PHONE]}, C.IN_PERSON, O.SPOKE, None),
        (
            {"safe_channels": [C.PHONE], "may_leave_message": False},
            C.PHONE,
            O.LEFT_MESSAGE,
            "outcome",
        ),
        ({"safe_channels": [C.PHONE], "may_leave_message": True}, C.PHONE, O.LEFT_MESSAGE, None),
        ({"safe_channels": [C.SMS], "may_leave_message": False}, C.SMS, O.LEFT_MESSAGE, None),
        # Nothing asked yet (a police referral without answers): ask when you speak to them.
        ({"safe_channels": [], "post_is_safe": None}, C.SMS, O.NO_ANSWER, None),
    ],
)
def test_the_safe_contact_rule(hub, caseworker, answers, channel, outcome, refused):
    referral = make_referral(hub, caseworker, **answers)
    party = contact_party(referral.people.select_related("person"))
    refusal = contact_refusal(party, channel=channel, outcome=outcome)
    assert (refusal.field if refusal else None) == refused


def test_an_unsafe_channel_is_refused_by_the_service_and_nothing_is_saved(hub, caseworker):
    referral = make_referral(hub, caseworker)
    with pytest.raises(DomainError, match="Text message is not safe for Alex Morgan"):
        services.contact_attempt_record(
            actor=caseworker, referral=referral, channel=C.SMS, outcome=O.NO_ANSWER
        )
    with pytest.raises(DomainError, match="Do not leave a voicemail"):
        services.contact_attempt_record(
            actor=caseworker, referral=referral, channel=C.PHONE, outcome=O.LEFT_MESSAGE
        )
    assert not ContactAttempt.objects.exists()


def test_the_person_responsible_is_contacted_on_an_offender_referral(hub, caseworker):
    referral = services.referral_create(
        actor=None,
        hub=hub,
        source=ReferralSource.POLICE,
        offence_type=OffenceType.THEFT,
        people=[
            PersonInReferral(role=PersonRole.VICTIM, given_name="Alex", family_name="Morgan"),
            PersonInReferral(
                role=PersonRole.OFFENDER,
                given_name="Jamie",
                family_name="Reid",
                safe_channels=[C.EMAIL],
            ),
        ],
    )
    party = contact_party(referral.people.select_related("person"))
    assert party is not None
    assert party.role == PersonRole.OFFENDER
    refusal = contact_refusal(party, channel=C.PHONE, outcome=O.SPOKE)
    assert refusal is not None
    assert "Jamie Reid" in refusal.message


# --- the page -----------------------------------------------------------------------------


def test_the_page_shows_the_safe_contact_next_to_the_form(client, hub, caseworker):
    referral = make_referral(hub, caseworker)
    client.force_login(caseworker)
    page = client.get(url(referral)).content.decode()
    assert "Safe contact" in page
    assert "Phone call only" in page
    assert "After 6pm" in page
    assert "Do not leave a message" in page
    assert "Do not send post" in page
    assert "Record the attempt" in page


def test_an_unsafe_channel_gets_a_clear_error_on_its_field(client, hub, caseworker):
    referral = make_referral(hub, caseworker)
    client.force_login(caseworker)
    response = client.post(url(referral), form_data(channel=C.SMS))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Text message is not safe for Alex Morgan. Contact them only by phone call." in html
    assert 'href="#id_channel"' in html
    assert "<title>Error:" in html
    voicemail = client.post(url(referral), form_data(outcome=O.LEFT_MESSAGE)).content.decode()
    assert "Do not leave a voicemail: Alex Morgan said it is not safe." in voicemail
    assert 'href="#id_outcome"' in voicemail
    assert not ContactAttempt.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"channel": ""}, "channel", "Select how you tried to contact them"),
        ({"outcome": ""}, "outcome", "Select what happened"),
        ({"at_date": ""}, "at_date", "Enter the date of the attempt"),
        ({"at_time": "25:99"}, "at_time", "must be a real time"),
        ({"at_date": "2999-01-01"}, "at_date", "must be in the past"),
        ({"at_date": "2001-01-01"}, "at_date", "after the referral was received"),
    ],
)
def test_bad_answers_get_a_clear_error(client, hub, caseworker, overrides, field, message):
    referral = make_referral(hub, caseworker)
    client.force_login(caseworker)
    response = client.post(url(referral), form_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="#id_{field}"' in html
    assert not ContactAttempt.objects.exists()


def test_a_safe_attempt_is_recorded_once_however_often_it_is_sent(client, hub, caseworker):
    referral = make_referral(hub, caseworker)
    client.force_login(caseworker)
    first = client.post(url(referral), form_data(note="Rang twice."))
    assert first.status_code == 302
    again = client.post(url(referral), form_data(note="Rang twice."))
    assert again.status_code == 409
    assert "Another contact attempt was recorded" in again.content.decode()
    (attempt,) = ContactAttempt.objects.all()
    assert (attempt.channel, attempt.outcome, attempt.note, attempt.recorded_by) == (
        C.PHONE,
        O.NO_ANSWER,
        "Rang twice.",
        caseworker,
    )
    with pytest.raises(StaleVersion):
        services.contact_attempt_record(
            actor=caseworker,
            referral=referral,
            channel=C.PHONE,
            outcome=O.NO_ANSWER,
            expected_attempts=0,
        )


@override_settings(AMENDS_FAILED_CONTACT_ATTEMPTS_TO_CLOSE=2)
def test_after_n_failed_attempts_the_page_proposes_unable_to_contact(client, hub, caseworker):
    referral = make_referral(hub, caseworker)
    client.force_login(caseworker)
    client.post(url(referral), form_data(outcome=O.NO_ANSWER))
    page = client.get(url(referral)).content.decode()
    assert "Close: unable to contact" not in page
    client.post(url(referral), form_data(outcome=O.WRONG_DETAILS, attempts_seen="1"))
    page = client.get(url(referral)).content.decode()
    assert "2 attempts to contact Alex Morgan have not reached them." in page
    assert "Close: unable to contact" in page
    referral.refresh_from_db()
    closed = client.post(
        f"/staff/referrals/{referral.reference}/status/",
        {"version": referral.version, "to_state": "closed", "closing_reason": "unable_to_contact"},
    )
    assert closed.status_code == 302
    referral.refresh_from_db()
    assert (referral.state, referral.closing_reason) == ("closed", "unable_to_contact")
    page = client.get(url(referral)).content.decode()
    assert "This referral is closed" in page
    assert "Record the attempt" not in page


def test_a_successful_contact_proposes_triage_instead(client, hub, caseworker):
    referral = make_referral(hub, caseworker)
    client.force_login(caseworker)
    client.post(url(referral), form_data(outcome=O.SPOKE))
    page = client.get(url(referral)).content.decode()
    assert "Move to triage" in page
    assert "Close: unable to contact" not in page


def test_another_hub_gets_404_and_a_police_officer_403(client, hub, caseworker):
    referral = make_referral(hub, caseworker)
    other = hub_factory("other-hub")
    client.force_login(caseworker_factory(other))
    assert client.get(url(referral)).status_code == 404
    assert client.post(url(referral), form_data()).status_code == 404
    police = OrganisationFactory(slug="police", kind=OrganisationKind.POLICE)
    officer = UserFactory(organisation=police, roles=[Role.POLICE_RJ_COORDINATOR])
    Referral.objects.filter(pk=referral.pk).update(referring_organisation=police)
    client.force_login(officer)
    assert client.get(f"/staff/referrals/{referral.reference}/").status_code == 200
    assert client.get(url(referral)).status_code == 403
    assert not ContactAttempt.objects.exists()


def test_the_page_makes_the_same_number_of_queries_for_1_or_12_attempts(client, hub, caseworker):
    few = make_referral(hub, caseworker)
    many = make_referral(hub, caseworker)
    services.contact_attempt_record(
        actor=caseworker, referral=few, channel=C.PHONE, outcome=O.NO_ANSWER
    )
    for _ in range(12):
        services.contact_attempt_record(
            actor=caseworker, referral=many, channel=C.PHONE, outcome=O.NO_ANSWER
        )
    client.force_login(caseworker)

    def count(referral: Referral) -> int:
        client.get(url(referral))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(referral)).status_code == 200
        return len(captured)

    assert count(few) == count(many)
