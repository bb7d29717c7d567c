"""Needs assessments: one current, the earlier ones kept; bad input, conflicts, double submits."""

from __future__ import annotations

import pytest

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.errors import DomainError, StaleVersion
from amends.core.models import AuditAction, AuditEvent
from amends.hub.models import NeedArea, NeedLevel, NeedsAssessment, RiskLevel
from amends.hub.tests.factories_support import needs_levels, needs_record, supported_referral
from amends.referrals import services as referral_services
from amends.referrals.models import ClosingReason, ReferralState
from amends.referrals.tests.factories import caseworker_factory, hub_factory, manager_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return hub_factory("needs-hub")


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


@pytest.fixture
def referral(hub):
    return supported_referral(hub=hub)


def url(referral):
    return f"/staff/hub/referrals/{referral.reference}/needs/"


def form_data(number=0, **overrides):
    data = {
        "number": number,
        "overall_risk": RiskLevel.HIGH,
        "summary": "Needs a safer front door.",
    }
    for area in NeedArea.values:
        data[f"{area}_level"] = NeedLevel.NONE
        data[f"{area}_note"] = ""
    data["safety_level"] = NeedLevel.HIGH
    data["safety_note"] = "The person responsible knows the address."
    data.update(overrides)
    return data


def test_a_new_assessment_becomes_current_and_the_earlier_one_is_kept(caseworker, referral):
    first = needs_record(actor=caseworker, referral=referral)
    second = needs_record(
        actor=caseworker,
        referral=referral,
        expected_number=1,
        levels=needs_levels(NeedLevel.HIGH),
        overall_risk=RiskLevel.HIGH,
    )
    assert (first.number, second.number) == (1, 2)
    assert list(NeedsAssessment.objects.filter(referral=referral)) == [second, first]
    first.refresh_from_db()
    assert first.safety_level == NeedLevel.HIGH
    assert first.emotional_level == NeedLevel.NONE
    event = AuditEvent.objects.filter(record_type="hub.needsassessment", record_id=second.pk).get()
    assert event.action == AuditAction.CREATE
    assert "emotional_level" in event.fields
    assert "safety_level" not in event.fields


def test_a_stale_number_is_refused_and_nothing_is_saved(caseworker, referral, hub):
    needs_record(actor=caseworker, referral=referral)
    other = caseworker_factory(hub)
    with pytest.raises(StaleVersion):
        needs_record(actor=other, referral=referral, expected_number=0)
    assert NeedsAssessment.objects.filter(referral=referral).count() == 1


def test_the_same_form_sent_twice_by_the_same_person_makes_one_assessment(caseworker, referral):
    first = needs_record(actor=caseworker, referral=referral)
    again = needs_record(actor=caseworker, referral=referral, expected_number=0)
    assert again == first
    assert NeedsAssessment.objects.filter(referral=referral).count() == 1


def test_a_closed_referral_takes_no_new_assessment(caseworker, referral):
    referral_services.referral_transition(
        actor=caseworker,
        referral=referral,
        to_state=ReferralState.CLOSED,
        closing_reason=ClosingReason.WITHDRAWN,
    )
    with pytest.raises(DomainError, match="closed"):
        needs_record(actor=caseworker, referral=referral)


def test_levels_and_risk_must_be_from_the_lists(caseworker, referral):
    with pytest.raises(DomainError, match="level of health need"):
        needs_record(actor=caseworker, referral=referral, levels={**needs_levels(), "health": ""})
    with pytest.raises(DomainError, match="overall level of risk"):
        needs_record(actor=caseworker, referral=referral, overall_risk="extreme")


def test_the_page_saves_an_assessment_and_the_referral_page_shows_it(client, caseworker, referral):
    client.force_login(caseworker)
    page = client.get(url(referral))
    assert page.status_code == 200
    assert "Record what the person harmed needs now" in page.content.decode()
    response = client.post(url(referral), form_data())
    assert response.status_code == 302
    assert response["Location"] == f"/staff/referrals/{referral.reference}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Needs a safer front door." not in detail  # the summary to share is on its page
    assert "The person responsible knows the address." in detail
    assert "High need" in detail


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"safety_level": ""}, "safety_level", "Choose the level of safety need"),
        ({"access_level": "lots"}, "access_level", "Select a valid choice"),
        ({"overall_risk": ""}, "overall_risk", "Choose the overall level of risk"),
        ({"emotional_note": "x" * 4001}, "emotional_note", "4000 characters or fewer"),
    ],
)
def test_each_bad_input_gets_its_own_message(client, caseworker, referral, change, field, message):
    client.force_login(caseworker)
    response = client.post(url(referral), form_data(**change))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'href="#id_{field}"' in html
    assert message in html
    assert not NeedsAssessment.objects.exists()


def test_a_conflict_shows_both_assessments_and_saves_nothing(client, caseworker, referral, hub):
    client.force_login(caseworker)
    needs_record(actor=caseworker_factory(hub), referral=referral)
    response = client.post(url(referral), form_data(number=0))
    assert response.status_code == 409
    assert "while you were writing yours" in response.content.decode()
    assert NeedsAssessment.objects.filter(referral=referral).count() == 1


def test_a_double_submit_of_the_page_makes_one_assessment(client, caseworker, referral):
    client.force_login(caseworker)
    assert client.post(url(referral), form_data()).status_code == 302
    assert client.post(url(referral), form_data()).status_code == 302
    assert NeedsAssessment.objects.filter(referral=referral).count() == 1


def test_the_dpo_reads_the_history_but_cannot_record(client, hub, caseworker, referral):
    needs_record(actor=caseworker, referral=referral)
    dpo = UserFactory(organisation=hub, roles=[Role.DATA_PROTECTION_OFFICER])
    client.force_login(dpo)
    page = client.get(url(referral))
    assert page.status_code == 200
    assert "Assessments, newest first" in page.content.decode()
    assert client.post(url(referral), form_data(number=1)).status_code == 403


def test_people_outside_the_hub_get_404(client, caseworker, referral):
    needs_record(actor=caseworker, referral=referral)
    other_hub_worker = caseworker_factory(hub_factory("other-needs-hub"))
    police = OrganisationFactory(slug="needs-police", kind=OrganisationKind.POLICE)
    coordinator = UserFactory(organisation=police, roles=[Role.POLICE_RJ_COORDINATOR])
    referral.referring_organisation = police
    referral.save(update_fields=["referring_organisation"])
    for user in (other_hub_worker, coordinator):
        client.force_login(user)
        assert client.get(url(referral)).status_code == 404
        assert client.post(url(referral), form_data(number=1)).status_code == 404
    # The police coordinator sees the referral itself, but not the hub's support on it.
    page = client.get(f"/staff/referrals/{referral.reference}/")
    assert page.status_code == 200
    assert "Lives alone" not in page.content.decode()
    assert 'id="needs"' not in page.content.decode()


def test_the_manager_may_record_too(hub, referral):
    manager = manager_factory(hub)
    assert needs_record(actor=manager, referral=referral).number == 1
