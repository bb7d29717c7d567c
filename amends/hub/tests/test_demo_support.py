"""`amends demo` gives both hubs a directory, an inventory and support on open referrals."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from amends.hub.models import (
    Agency,
    DeviceIssue,
    DeviceState,
    NeedsAssessment,
    OnwardReferral,
    OnwardReferralState,
    SafetyDevice,
)

pytestmark = pytest.mark.django_db


def test_demo_builds_the_hubs_support_once():
    call_command("demo", referrals=40, quiet_sign_ins=True, stdout=io.StringIO())
    for slug in ("barnet-victim-care-hub", "enfield-victim-care-hub"):
        assert Agency.objects.filter(hub__slug=slug, organisation__slug="haven-advocacy").exists()
        assert SafetyDevice.objects.filter(hub__slug=slug, state=DeviceState.IN_STOCK).exists()
    assert NeedsAssessment.objects.exists()
    assert DeviceIssue.objects.filter(ended_on__isnull=True).exists()
    haven = OnwardReferral.objects.filter(agency_organisation__slug="haven-advocacy")
    assert haven.filter(state=OnwardReferralState.ACCEPTED).exists()
    assert OnwardReferral.objects.filter(state=OnwardReferralState.DECLINED).exists()
    before = [
        m.objects.count()
        for m in (Agency, SafetyDevice, DeviceIssue, NeedsAssessment, OnwardReferral)
    ]
    call_command("demo", referrals=40, quiet_sign_ins=True, stdout=io.StringIO())
    after = [
        m.objects.count()
        for m in (Agency, SafetyDevice, DeviceIssue, NeedsAssessment, OnwardReferral)
    ]
    assert after == before
