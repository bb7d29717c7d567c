"""At once on PostgreSQL: hand-offs, provider decisions and contact attempts never double."""

from __future__ import annotations

import pytest

from amends.cases import services
from amends.cases.models import Case, CaseState
from amends.cases.tests.factories import (
    handed_off,
    partnership,
    police_referral,
    record_consent,
    to_awaiting_consent,
)
from amends.core.models import TransitionLog
from amends.referrals import services as referral_services
from amends.referrals.models import ContactAttempt, Referral, ReferralState
from amends.referrals.tests.test_concurrency import run_together

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_concurrent_hand_offs_make_one_case():
    p = partnership()
    referral = to_awaiting_consent(p, police_referral(p))
    record_consent(p, referral)
    version = Referral.objects.get(pk=referral.pk).version

    def hand_off():
        referral_services.referral_transition(
            actor=p.caseworker,
            referral=Referral.objects.get(pk=referral.pk),
            to_state=ReferralState.HANDED_OFF,
            expected_version=version,
        )

    outcomes = run_together(6, hand_off)
    assert sorted(outcomes) == ["StaleVersion"] * 5 + ["ok"]
    assert Case.objects.filter(referral=referral).count() == 1


def test_concurrent_accept_and_return_decide_once():
    p = partnership()
    case = handed_off(p)
    version = case.version

    def accept():
        services.case_accept(
            actor=p.coordinator, case=Case.objects.get(pk=case.pk), expected_version=version
        )

    def give_back():
        services.case_return(
            actor=p.coordinator,
            case=Case.objects.get(pk=case.pk),
            reason="Not for us.",
            expected_version=version,
        )

    calls = iter([accept, give_back, accept, give_back])
    outcomes = run_together(4, lambda: next(calls)())
    assert sorted(outcomes) == ["StaleVersion"] * 3 + ["ok"]
    decided = Case.objects.get(pk=case.pk)
    assert decided.state in {CaseState.ACCEPTED, CaseState.RETURNED}
    assert TransitionLog.objects.filter(object_id=case.pk, from_state="offered").count() == 1
    referral_state = Referral.objects.get(pk=case.referral_id).state
    expected = ReferralState.IN_TRIAGE if decided.state == CaseState.RETURNED else "handed_off"
    assert referral_state == expected


def test_the_same_contact_attempt_sent_at_once_is_recorded_once():
    p = partnership()
    referral = police_referral(p)
    referral_services.referral_allocate(actor=p.manager, referral=referral, caseworker=p.caseworker)

    def attempt():
        referral_services.contact_attempt_record(
            actor=p.caseworker,
            referral=Referral.objects.get(pk=referral.pk),
            channel="phone",
            outcome="no_answer",
            expected_attempts=0,
        )

    outcomes = run_together(6, attempt)
    assert sorted(outcomes) == ["StaleVersion"] * 5 + ["ok"]
    assert ContactAttempt.objects.filter(referral=referral).count() == 1
