"""Consent to share, the case a hand-off makes, and the provider's accept and return."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from amends.accounts.models import Role
from amends.accounts.tests.factories import UserFactory
from amends.cases import services
from amends.cases.models import Case, CaseClosingReason, CaseState, ConsentGivenBy, ConsentHow
from amends.cases.tests.factories import (
    OFFENCE_DATE,
    handed_off,
    move,
    offender,
    partnership,
    police_referral,
    record_consent,
    to_awaiting_consent,
    victim,
)
from amends.core.errors import DomainError, StaleVersion, TransitionRefused
from amends.core.models import AuditAction, AuditEvent, OutboundMessage, TransitionLog
from amends.hub import services as hub_services
from amends.referrals import services as referral_services
from amends.referrals.models import (
    ClosingReason,
    ContactChannel,
    PersonRole,
    Referral,
    ReferralShare,
    ReferralState,
)

pytestmark = pytest.mark.django_db
S = ReferralState


@pytest.fixture
def p():
    return partnership()


# --- the case and its snapshot -------------------------------------------------------------

# Every field of the agreed data set, and nothing else of the referral, is on the case.
SNAPSHOT_FIELDS = {
    "party_role",
    "party_name",
    "party_phone",
    "party_email",
    "party_address",
    "safe_channels",
    "safe_times",
    "may_leave_message",
    "post_is_safe",
    "other_party_name",
    "offence_type",
    "offence_date",
    "needs_summary",
    "language",
    "needs_interpreter",
    "uses_bsl",
    "adjustments",
    "consent_given_on",
}
BOOKKEEPING_FIELDS = {
    "id",
    "reference",
    "referral",
    "provider",
    "hub",
    "state",
    "closing_reason",
    "offered_at",
    "offered_by",
    "decide_by",
    "decided_at",
    "version",
    "created_at",
    "updated_at",
}


def test_the_case_holds_the_agreed_data_set_and_no_other_field():
    fields = {f.name for f in Case._meta.get_fields() if f.concrete}
    assert fields == SNAPSHOT_FIELDS | BOOKKEEPING_FIELDS
    for name in ("crime_reference", "offence_place", "date_of_birth", "support_wanted"):
        with pytest.raises(FieldDoesNotExist):
            Case._meta.get_field(name)


@time_machine.travel(dt.datetime(2026, 4, 2, 10, 0, tzinfo=dt.UTC), tick=False)
def test_a_hand_off_makes_the_case_with_exactly_the_snapshot(p):
    referral = police_referral(p, received_at=dt.datetime(2026, 3, 30, 9, 0, tzinfo=dt.UTC))
    to_awaiting_consent(p, referral)
    record_consent(p, referral, given_on=dt.date(2026, 4, 1))
    move(p.caseworker, referral, S.HANDED_OFF)

    case = Case.objects.get(referral=referral)
    assert {name: getattr(case, name) for name in SNAPSHOT_FIELDS} == {
        "party_role": PersonRole.VICTIM,
        "party_name": "Alex Morgan",
        # Phone and email are safe channels; post is not: no address.
        "party_phone": "07700 900123",
        "party_email": "alex.morgan@example.org",
        "party_address": "",
        "safe_channels": [ContactChannel.PHONE, ContactChannel.EMAIL],
        "safe_times": "Weekdays after 6pm",
        "may_leave_message": False,
        "post_is_safe": False,
        "other_party_name": "Jamie Reid",
        "offence_type": "burglary",
        "offence_date": OFFENCE_DATE,
        "needs_summary": "Said they do not feel safe at home.\n"
        "Support wanted: Help to feel safe at home again",
        "language": "Polish",
        "needs_interpreter": True,
        "uses_bsl": False,
        "adjustments": "Step-free access",
        "consent_given_on": dt.date(2026, 4, 1),
    }
    assert (case.state, case.provider, case.hub, case.offered_by) == (
        CaseState.OFFERED,
        p.provider,
        p.hub,
        p.caseworker,
    )
    # Thursday 2 April 2026 + 5 working days: Good Friday and Easter Monday are bank holidays.
    assert case.decide_by == dt.date(2026, 4, 13)
    assert case.reference.startswith("CS-")
    assert referral.reference not in case.reference
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, record_type="cases.case", record_id=str(case.pk)
    ).exists()


def test_the_needs_summary_comes_from_the_hubs_assessment_without_its_notes(p):
    referral = to_awaiting_consent(p, police_referral(p))
    hub_services.needs_assessment_record(
        actor=p.caseworker,
        referral=referral,
        expected_number=0,
        levels={
            "safety": "high",
            "emotional": "some",
            "practical": "none",
            "health": "none",
            "financial": "none",
            "access": "some",
        },
        notes={"safety": "Ex-partner still has a key (caseworker's note)."},
        overall_risk="high",
        summary="Needs a new lock; prefers a female facilitator.",
    )
    record_consent(p, referral)
    move(p.caseworker, referral, S.HANDED_OFF)
    case = Case.objects.get(referral=referral)
    assert case.needs_summary == (
        "Overall risk: High.\n"
        "Safety: High need. Emotional wellbeing: Some need. Access needs: Some need.\n"
        "Needs a new lock; prefers a female facilitator."
    )


def test_only_safe_channels_reach_the_provider(p):
    referral = police_referral(
        p,
        people=[
            victim(safe_channels=[ContactChannel.LETTER], post_is_safe=True),
            offender(),
        ],
    )
    case = handed_off(p, referral)
    assert (case.party_phone, case.party_email) == ("", "")
    assert case.party_address == "12 Acacia Avenue\nBarnet\nEN5 1AA"


def test_the_person_responsible_is_the_party_of_an_offender_referral(p):
    referral = police_referral(
        p,
        people=[
            offender(safe_channels=[ContactChannel.PHONE], may_leave_message=True),
            victim(safe_channels=[]),
        ],
    )
    case = handed_off(p, referral)
    assert (case.party_role, case.party_name, case.party_phone) == (
        PersonRole.OFFENDER,
        "Jamie Reid",
        "07700 900456",
    )
    assert case.other_party_name == "Alex Morgan"


def test_no_person_responsible_known_leaves_the_name_blank(p):
    case = handed_off(p, police_referral(p, people=[victim()]))
    assert case.other_party_name == ""


def test_a_hand_off_without_consent_is_refused_and_makes_no_case(p):
    referral = to_awaiting_consent(p, police_referral(p))
    with pytest.raises(TransitionRefused, match="consent to share"):
        move(p.caseworker, referral, S.HANDED_OFF)
    assert not Case.objects.exists()
    assert not ReferralShare.objects.exists()
    assert Referral.objects.get(pk=referral.pk).state == S.AWAITING_CONSENT


def test_a_failing_case_undoes_the_whole_hand_off(p, monkeypatch):
    referral = to_awaiting_consent(p, police_referral(p))
    record_consent(p, referral)

    def broken(**kwargs):
        raise DomainError("The provider's queue is broken.")

    monkeypatch.setattr(services, "agreed_data_set", broken)
    with pytest.raises(DomainError):
        move(p.caseworker, referral, S.HANDED_OFF)
    assert Referral.objects.get(pk=referral.pk).state == S.AWAITING_CONSENT
    assert not ReferralShare.objects.exists()
    assert not Case.objects.exists()


def test_a_returned_case_is_offered_again_with_a_fresh_copy(p):
    case = handed_off(p)
    services.case_return(actor=p.coordinator, case=case, reason="The person moved away.")
    referral = Referral.objects.get(pk=case.referral_id)
    referral_services.referral_update(
        actor=p.caseworker,
        referral=referral,
        expected_version=referral.version,
        changes={"offence_type": "robbery"},
    )
    move(p.caseworker, referral, S.AWAITING_CONSENT)
    move(p.caseworker, referral, S.HANDED_OFF)
    again = Case.objects.get(pk=case.pk)
    assert (again.state, again.offence_type, again.decided_at) == (
        CaseState.OFFERED,
        "robbery",
        None,
    )
    assert Case.objects.count() == 1


# --- consent to share ----------------------------------------------------------------------


def test_consent_is_recorded_with_who_how_and_when_and_sets_the_referrals_flag(p):
    referral = to_awaiting_consent(p, police_referral(p))
    consent = services.hand_off_consent_record(
        actor=p.caseworker,
        referral=referral,
        given_by=ConsentGivenBy.PARENT_GUARDIAN,
        given_by_name="Sam Morgan",
        how=ConsentHow.IN_PERSON,
        given_on=timezone.localdate(),
    )
    assert (consent.given_by_name, consent.how, consent.recorded_by) == (
        "Sam Morgan",
        ConsentHow.IN_PERSON,
        p.caseworker,
    )
    assert Referral.objects.get(pk=referral.pk).consent_to_share_recorded_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, record_type="cases.handoffconsent"
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"given_on": dt.date.today() + dt.timedelta(days=2)}, "today or in the past"),
        ({"given_on": dt.date(2000, 1, 1)}, "before the referral was received"),
        ({"given_by": ConsentGivenBy.REPRESENTATIVE}, "Enter the name"),
        ({"given_by": "neighbour"}, "Choose who gave consent"),
        ({"how": "telepathy"}, "Choose how consent was given"),
    ],
)
def test_bad_consent_is_refused_and_records_nothing(p, overrides, message):
    referral = to_awaiting_consent(p, police_referral(p))
    fields = {
        "given_by": ConsentGivenBy.PERSON,
        "how": ConsentHow.PHONE,
        "given_on": timezone.localdate(),
        **overrides,
    }
    with pytest.raises(DomainError, match=message):
        services.hand_off_consent_record(actor=p.caseworker, referral=referral, **fields)
    assert Referral.objects.get(pk=referral.pk).consent_to_share_recorded_at is None


def test_only_the_hubs_caseworker_records_consent(p):
    referral = to_awaiting_consent(p, police_referral(p))
    with pytest.raises(DomainError, match="Only the hub's caseworkers"):
        services.hand_off_consent_record(
            actor=p.manager,
            referral=referral,
            given_by=ConsentGivenBy.PERSON,
            how=ConsentHow.PHONE,
            given_on=timezone.localdate(),
        )
    other = partnership("other")
    with pytest.raises(Http404):
        services.hand_off_consent_record(
            actor=other.caseworker,
            referral=referral,
            given_by=ConsentGivenBy.PERSON,
            how=ConsentHow.PHONE,
            given_on=timezone.localdate(),
        )


def test_consent_cannot_change_after_the_hand_off(p):
    case = handed_off(p)
    with pytest.raises(DomainError, match="only before the hand-off"):
        record_consent(p, case.referral, how=ConsentHow.IN_PERSON)


def test_the_same_consent_sent_twice_changes_nothing_and_a_stale_change_is_refused(p):
    referral = to_awaiting_consent(p, police_referral(p))
    record_consent(p, referral, expected_version=0)
    record_consent(p, referral, expected_version=0)  # a double submit: the same answers
    consent = referral.hand_off_consent
    consent.refresh_from_db()
    assert consent.version == 1
    with pytest.raises(StaleVersion):
        record_consent(p, referral, how=ConsentHow.WRITING, expected_version=0)
    record_consent(p, referral, how=ConsentHow.WRITING, expected_version=1)
    consent.refresh_from_db()
    assert (consent.how, consent.version) == (ConsentHow.WRITING, 2)


# --- accept and return ---------------------------------------------------------------------


def test_the_provider_coordinator_accepts_an_offered_case(p):
    case = handed_off(p)
    services.case_accept(actor=p.coordinator, case=case, expected_version=case.version)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.decided_at is not None
    # Accepting says nothing to the referral's workflow: it stays handed off.
    assert Referral.objects.get(pk=case.referral_id).state == S.HANDED_OFF


def test_accept_and_return_are_refused_to_anyone_else_and_from_other_states(p):
    case = handed_off(p)
    facilitator = UserFactory(organisation=p.provider, roles=[Role.FACILITATOR])
    dpo = UserFactory(organisation=p.provider, roles=[Role.DATA_PROTECTION_OFFICER])
    with pytest.raises(Http404):
        services.case_accept(actor=facilitator, case=case)
    with pytest.raises(Http404):
        services.case_accept(actor=p.caseworker, case=case)
    with pytest.raises(TransitionRefused, match="Only a provider coordinator"):
        services.case_accept(actor=dpo, case=case)
    with pytest.raises(TransitionRefused, match="Give a reason"):
        services.case_return(actor=p.coordinator, case=case, reason="  ")
    services.case_accept(actor=p.coordinator, case=case)
    with pytest.raises(TransitionRefused, match="cannot go from ‘Accepted’ to ‘Returned"):
        services.case_return(actor=p.coordinator, case=case, reason="Too late.")
    with pytest.raises(TransitionRefused, match="cannot go from ‘Accepted’ to ‘Accepted’"):
        services.case_accept(actor=p.coordinator, case=case)
    assert Case.objects.get(pk=case.pk).state == CaseState.ACCEPTED


def test_a_stale_decision_is_refused(p):
    case = handed_off(p)
    seen = case.version
    services.case_accept(actor=p.coordinator, case=case, expected_version=seen)
    with pytest.raises(StaleVersion):
        services.case_return(
            actor=p.coordinator, case=case, reason="Not for us.", expected_version=seen
        )


def test_a_returned_case_sends_the_referral_back_to_triage_and_alerts_the_hub(p):
    case = handed_off(p)
    OutboundMessage.objects.all().delete()
    services.case_return(actor=p.coordinator, case=case, reason="The person moved away.")
    case.refresh_from_db()
    referral = Referral.objects.get(pk=case.referral_id)
    assert (case.state, referral.state) == (CaseState.RETURNED, S.IN_TRIAGE)
    assert ReferralShare.objects.get(referral=referral).ended_at is not None
    log = TransitionLog.objects.filter(object_id=referral.pk, to_state=S.IN_TRIAGE).last()
    assert log is not None
    assert log.reason == "The person moved away."
    alerts = OutboundMessage.objects.filter(template="referral_returned_hub")
    assert {m.recipient for m in alerts} == {p.hub.notification_email, p.caseworker.email}
    for message in alerts:
        assert message.personalisation["reference"] == referral.reference
        assert "moved away" not in str(message.personalisation)
    # The provider coordinator cannot return it twice.
    with pytest.raises(TransitionRefused):
        services.case_return(actor=p.coordinator, case=case, reason="Again.")


def test_a_withdrawal_at_the_hub_closes_the_providers_case(p):
    case = handed_off(p)
    services.case_accept(actor=p.coordinator, case=case)
    move(p.caseworker, case.referral, S.CLOSED, closing_reason=ClosingReason.WITHDRAWN)
    case.refresh_from_db()
    assert (case.state, case.closing_reason) == (
        CaseState.CLOSED,
        CaseClosingReason.PARTY_WITHDREW,
    )
    assert OutboundMessage.objects.filter(
        template="case_closed_provider", recipient=p.provider.notification_email
    ).exists()


@override_settings(CASE_DECISION_WORKING_DAYS=1)
@time_machine.travel(dt.datetime(2026, 12, 24, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_decision_clock_skips_weekends_and_bank_holidays(p):
    # Christmas Eve (Thursday) + 1 working day: Christmas Day, Boxing Day (substitute
    # Monday 28th) and the weekend pass first.
    assert services.decide_by(dt.date(2026, 12, 24)) == dt.date(2026, 12, 29)
    assert handed_off(p).decide_by == dt.date(2026, 12, 29)
