"""Whoever made the referral is told at key steps: the reference and the step, no details."""

from __future__ import annotations

import pytest

from amends.cases import services
from amends.cases.tests.factories import (
    handed_off,
    move,
    offender,
    partnership,
    police_referral,
    to_awaiting_consent,
    to_in_triage,
    victim,
)
from amends.core.messaging import message_text
from amends.core.models import AuditEvent, MessageChannel, OutboundMessage
from amends.referrals import services as referral_services
from amends.referrals.models import (
    ClosingReason,
    ContactChannel,
    OffenceType,
    PersonRole,
    Referral,
    ReferralSource,
    ReferralState,
)
from amends.referrals.services import PersonInReferral

pytestmark = pytest.mark.django_db
S = ReferralState
STEPS = {
    "handed off": "has been passed to the restorative justice provider",
    "accepted": "has been accepted by the restorative justice provider",
    "closed": "has been closed by the victim care hub",
}
# Everything personal or about the harm in the referrals below.
DETAILS = [
    "Alex",
    "Morgan",
    "Jamie",
    "Reid",
    "07700",
    "Acacia",
    "EN5",
    "1234/26/00042",
    "Burglary",
    "burglary",
    "High Street",
    "moved away",
    "Polish",
]


@pytest.fixture
def p():
    return partnership()


def told(referral: Referral) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(
            record_id=str(referral.pk),
            template__in=["referral_step_staff", "referral_step_applicant"],
        ).order_by("id")
    )


def assert_no_details(message: OutboundMessage) -> None:
    subject, body = message_text(message)
    text = f"{subject}\n{body}\n{message.personalisation}"
    for detail in DETAILS:
        assert detail not in text, f"{detail!r} in {message.template}: {text}"


def test_the_officer_hears_of_the_hand_off_and_the_acceptance_and_nothing_else(p):
    case = handed_off(p)
    services.case_accept(actor=p.coordinator, case=case)
    messages = told(case.referral)
    assert [(m.channel, m.recipient, m.template) for m in messages] == [
        (MessageChannel.EMAIL, p.officer.email, "referral_step_staff"),
        (MessageChannel.EMAIL, p.officer.email, "referral_step_staff"),
    ]
    assert [m.personalisation["step"] for m in messages] == [
        STEPS["handed off"],
        STEPS["accepted"],
    ]
    for message in messages:
        assert set(message.personalisation) == {"reference", "step", "service_name", "link"}
        assert message.personalisation["reference"] == case.referral.reference
        assert case.reference not in str(message.personalisation)
        assert_no_details(message)


def test_a_return_is_not_told_to_the_referrer(p):
    case = handed_off(p)
    services.case_return(actor=p.coordinator, case=case, reason="The person moved away.")
    assert [m.personalisation["step"] for m in told(case.referral)] == [STEPS["handed off"]]


@pytest.mark.parametrize(
    ("state", "closing_reason", "reason"),
    [
        (S.IN_TRIAGE, ClosingReason.NOT_SUITABLE, "Ongoing risk."),
        (S.AWAITING_CONSENT, ClosingReason.DECLINED_RJ, ""),
    ],
)
def test_the_officer_hears_that_the_referral_closed_at_triage(p, state, closing_reason, reason):
    walk = to_in_triage if state == S.IN_TRIAGE else to_awaiting_consent
    referral = walk(p, police_referral(p))
    assert Referral.objects.get(pk=referral.pk).state == state
    move(p.caseworker, referral, S.CLOSED, closing_reason=closing_reason, reason=reason)
    (message,) = told(referral)
    assert message.personalisation["step"] == STEPS["closed"]
    assert closing_reason not in str(message.personalisation)
    assert_no_details(message)
    # Reopening is the hub's own business: nobody is told.
    move(p.manager, referral, S.NEW, reason="The person called back.")
    assert len(told(referral)) == 1


def test_a_police_systems_referral_is_told_to_the_forces_inbox(p):
    referral = referral_services.referral_create(
        actor=None,
        hub=p.hub,
        source=ReferralSource.API,
        referring_organisation=p.police,
        offence_type=OffenceType.BURGLARY,
        people=[victim(), offender()],
    )
    handed_off(p, referral)
    (message,) = told(referral)
    assert (message.recipient, message.template) == (
        p.police.notification_email,
        "referral_step_staff",
    )


def public_referral(p, **victim_fields) -> Referral:
    return referral_services.referral_create(
        actor=None,
        hub=p.hub,
        source=ReferralSource.SELF,
        offence_type=OffenceType.BURGLARY,
        people=[victim(**victim_fields), offender()],
    )


def test_someone_who_applied_online_hears_on_their_safe_channel_without_a_link(p):
    referral = public_referral(p, safe_channels=[ContactChannel.SMS])
    handed_off(p, referral)
    (message,) = told(referral)
    assert (message.channel, message.recipient, message.template) == (
        MessageChannel.SMS,
        "07700 900123",
        "referral_step_applicant",
    )
    assert "link" not in message.personalisation
    assert "/staff/" not in message_text(message)[1]
    assert message.personalisation["step"] == STEPS["handed off"]


def test_nothing_is_sent_to_an_applicant_with_no_safe_channel(p):
    referral = public_referral(p, safe_channels=[ContactChannel.LETTER], post_is_safe=True)
    handed_off(p, referral)
    assert told(referral) == []
    assert AuditEvent.objects.filter(
        record_type="core.outboundmessage", detail__template="referral_step_applicant"
    ).exists()


def test_the_provider_inbox_hears_of_a_new_case_by_its_reference_only(p):
    case = handed_off(p)
    (message,) = OutboundMessage.objects.filter(template="case_offered_provider")
    assert message.recipient == p.provider.notification_email
    assert message.personalisation["reference"] == case.reference
    assert case.referral.reference not in str(message.personalisation)
    assert_no_details(message)


def test_the_referrer_in_an_on_behalf_application_is_the_one_told(p):
    referral = referral_services.referral_create(
        actor=None,
        hub=p.hub,
        source=ReferralSource.ON_BEHALF,
        offence_type=OffenceType.BURGLARY,
        people=[
            victim(),
            PersonInReferral(
                role=PersonRole.REFERRER,
                given_name="Robin",
                family_name="Shaw",
                email="robin.shaw@example.org",
                safe_channels=[ContactChannel.EMAIL],
            ),
        ],
    )
    handed_off(p, referral)
    (message,) = told(referral)
    assert message.recipient == "robin.shaw@example.org"
