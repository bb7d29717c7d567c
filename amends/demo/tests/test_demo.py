from __future__ import annotations

import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from amends.accounts.models import Organisation, User, UserRole
from amends.demo.codes import current_code
from amends.demo.data import DEMO_EMAILS, ORGANISATIONS
from amends.people.models import Person
from amends.referrals.models import (
    ClosingReason,
    Referral,
    ReferralSource,
    ReferralState,
    VictimAnswer,
    VictimsCodeRecord,
)

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, User, UserRole, Referral, Person, VictimsCodeRecord)
    }


def test_demo_fills_every_state_and_a_second_run_creates_nothing():
    out = io.StringIO()
    call_command("demo", referrals=26, stdout=out)
    assert "Created 26 demo referrals." in out.getvalue()
    assert "caseworker@barnet-victim-care-hub.example" in out.getvalue()
    states = set(Referral.objects.values_list("state", flat=True))
    assert states == set(ReferralState.values)
    reasons = set(
        Referral.objects.exclude(closing_reason="").values_list("closing_reason", flat=True)
    )
    assert reasons == set(ClosingReason.values)
    assert {o.slug for o in Organisation.objects.all()} == {o.slug for o in ORGANISATIONS}
    assert set(User.objects.values_list("email", flat=True)) == DEMO_EMAILS
    before = counts()
    again = io.StringIO()
    call_command("demo", referrals=26, stdout=again)
    assert "nothing created" in again.getvalue()
    assert counts() == before


def test_both_hubs_hold_referrals_and_every_user_can_sign_in_with_totp():
    call_command("demo", referrals=26, stdout=io.StringIO())
    assert Referral.objects.filter(hub__slug="barnet-victim-care-hub").exists()
    assert Referral.objects.filter(hub__slug="enfield-victim-care-hub").exists()
    for user in User.objects.all():
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert user.roles


def test_demo_records_the_victims_code_for_officers_referrals_and_for_victims_who_declined():
    call_command("demo", referrals=26, stdout=io.StringIO())
    made = Referral.objects.filter(
        source__in=[ReferralSource.POLICE, ReferralSource.YOUTH_JUSTICE]
    ).select_related("victims_code_record")
    assert made.exists()
    for referral in made:
        record = referral.victims_code_record
        assert record.answer == VictimAnswer.WANTS_REFERRAL
        assert record.organisation_id == referral.referring_organisation_id
        assert record.recorded_by_id == referral.referred_by_id
        assert record.date_reported == referral.date_reported
        assert record.date_reported <= record.date_told <= timezone.localdate(referral.received_at)
        assert record.offender_under_18 == (referral.source == ReferralSource.YOUTH_JUSTICE)
    assert not VictimsCodeRecord.objects.filter(
        referral__source__in=[ReferralSource.SELF, ReferralSource.ON_BEHALF]
    ).exists()
    without_referral = VictimsCodeRecord.objects.filter(referral__isnull=True)
    assert set(without_referral.values_list("answer", flat=True)) == {
        VictimAnswer.DECLINED,
        VictimAnswer.UNDECIDED,
    }
    assert {r.organisation.slug for r in without_referral} == {
        "met-police",
        "barnet-youth-justice",
    }
    before = VictimsCodeRecord.objects.count()
    call_command("demo", referrals=26, stdout=io.StringIO())
    assert VictimsCodeRecord.objects.count() == before


def test_demo_code_prints_the_current_code_for_demo_users_only():
    out = io.StringIO()
    call_command("demo-code", "officer@met-police.example", stdout=out)
    assert out.getvalue().strip() == current_code()
    with pytest.raises(CommandError, match="not a demo user"):
        call_command("demo-code", "someone@example.org")


@override_settings(PRODUCTION=True)
def test_demo_refuses_production_settings():
    with pytest.raises(CommandError, match="refuses to run under production"):
        call_command("demo")
    with pytest.raises(CommandError, match="refuses to run under production"):
        call_command("demo-code", "officer@met-police.example")


def test_demo_practitioners_span_recruitment_and_three_facilitators_can_be_allocated():
    from amends.practitioners.compliance import practitioner_status
    from amends.practitioners.models import Practitioner, PractitionerKind, PractitionerState

    call_command("demo", referrals=10, stdout=io.StringIO())
    practitioners = list(Practitioner.objects.filter(provider__slug="calm-mediation"))
    assert len(practitioners) >= 12
    assert set(PractitionerState.values) - {p.state for p in practitioners} == {
        PractitionerState.LEFT
    }
    today = timezone.localdate()
    status = {p.pk: practitioner_status(p, on=today) for p in practitioners}
    active = [p for p in practitioners if p.state == PractitionerState.ACTIVE]
    eligible = [p for p in active if status[p.pk].eligible]
    assert len(eligible) >= 3
    linked = Practitioner.objects.get(user__email="facilitator@calm-mediation.example")
    assert linked in eligible
    assert linked.kind == PractitionerKind.STAFF
    stale = [p for p in active if not status[p.pk].eligible]
    assert [status[p.pk].reasons_not_eligible for p in stale] == [
        ["Last supervision was 14 weeks ago (due every 12 weeks)"]
    ]
    before = Practitioner.objects.count()
    call_command("demo", referrals=10, stdout=io.StringIO())
    assert Practitioner.objects.count() == before


def test_every_hand_off_made_a_case_and_the_provider_has_some_to_decide():
    from amends.cases.models import Case, CaseState, HandOffConsent
    from amends.referrals.contact import contact_party

    call_command("demo", referrals=60, stdout=io.StringIO())
    handed_off = Referral.objects.filter(state=ReferralState.HANDED_OFF)
    assert handed_off.exists()
    assert set(Case.objects.filter(referral__in=handed_off).values_list("referral", flat=True)) == (
        set(handed_off.values_list("pk", flat=True))
    )
    assert {CaseState.OFFERED, CaseState.ACCEPTED} <= set(
        Case.objects.values_list("state", flat=True)
    )
    assert HandOffConsent.objects.count() >= handed_off.count()
    # Every person harmed said how it is safe to contact them.
    for referral in Referral.objects.prefetch_related("people__person"):
        party = contact_party(referral.people.all())
        assert party is not None
        assert party.safe_channels
