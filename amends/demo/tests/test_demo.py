from __future__ import annotations

import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from amends.accounts.models import Organisation, User, UserRole
from amends.demo.codes import current_code
from amends.demo.data import DEMO_EMAILS, ORGANISATIONS
from amends.people.models import Person
from amends.referrals.models import ClosingReason, Referral, ReferralState

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, User, UserRole, Referral, Person)
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
