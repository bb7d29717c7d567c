"""Every referral transition of the table, allowed and refused (shared workflows.md)."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import override_settings

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.errors import StaleVersion, TransitionRefused
from amends.core.models import AuditAction, AuditEvent, TransitionLog
from amends.referrals import services
from amends.referrals.models import (
    ClosingReason,
    ContactOutcome,
    Referral,
    ReferralShare,
    ReferralState,
)
from amends.referrals.tests.factories import (
    caseworker_factory,
    hub_factory,
    manager_factory,
    referral_factory,
)
from amends.referrals.workflow import REFERRAL_WORKFLOW

pytestmark = pytest.mark.django_db
S = ReferralState


@pytest.fixture
def provider():
    return OrganisationFactory(slug="provider", kind=OrganisationKind.RJ_PROVIDER)


@pytest.fixture
def hub(provider):
    return hub_factory(provider=provider)


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


@pytest.fixture
def manager(hub):
    return manager_factory(hub)


@pytest.fixture
def coordinator(provider):
    return UserFactory(organisation=provider, roles=[Role.PROVIDER_COORDINATOR])


@pytest.fixture
def referral(hub):
    return referral_factory(hub=hub)


def move(referral, actor, to, **kwargs):
    return services.referral_transition(actor=actor, referral=referral, to_state=to, **kwargs)


def attempt(referral, caseworker, outcome=ContactOutcome.NO_ANSWER):
    services.contact_attempt_record(
        actor=caseworker, referral=referral, channel="phone", outcome=outcome
    )


def snapshot(referral):
    fresh = Referral.objects.get(pk=referral.pk)
    return (fresh.state, fresh.closing_reason, fresh.version, fresh.allocated_to_id)


def assert_refused(referral, actor, to, message, **kwargs):
    before = snapshot(referral)
    logs = TransitionLog.objects.count()
    audits = AuditEvent.objects.filter(action=AuditAction.TRANSITION).count()
    with pytest.raises(TransitionRefused) as refused:
        move(referral, actor, to, **kwargs)
    assert message in refused.value.message
    assert snapshot(referral) == before, "a refused transition must change nothing"
    assert TransitionLog.objects.count() == logs
    assert AuditEvent.objects.filter(action=AuditAction.TRANSITION).count() == audits


def to_contacting(referral, manager, caseworker):
    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    move(referral, caseworker, S.CONTACTING)


def to_in_triage(referral, manager, caseworker):
    to_contacting(referral, manager, caseworker)
    attempt(referral, caseworker, ContactOutcome.SPOKE)
    move(referral, caseworker, S.IN_TRIAGE)


def to_awaiting_consent(referral, manager, caseworker):
    to_in_triage(referral, manager, caseworker)
    move(referral, caseworker, S.AWAITING_CONSENT)


def to_handed_off(referral, manager, caseworker):
    to_awaiting_consent(referral, manager, caseworker)
    services.referral_record_consent_to_share(actor=caseworker, referral=referral)
    move(referral, caseworker, S.HANDED_OFF)


def test_the_table_names_only_known_states_and_reasons():
    states = {t.target for t in REFERRAL_WORKFLOW.transitions}
    assert states == set(S.values)


def test_new_to_contacting_needs_an_allocated_caseworker(referral, caseworker, manager):
    assert_refused(referral, caseworker, S.CONTACTING, "Allocate the referral")
    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    move(referral, caseworker, S.CONTACTING)
    assert snapshot(referral)[0] == S.CONTACTING
    log = TransitionLog.objects.get(object_id=referral.pk)
    assert (log.from_state, log.to_state, log.actor_id) == (S.NEW, S.CONTACTING, caseworker.pk)


def test_a_hub_manager_may_start_contact_too(referral, caseworker, manager):
    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    move(referral, manager, S.CONTACTING)
    assert snapshot(referral)[0] == S.CONTACTING


def test_contacting_to_triage_needs_a_successful_contact(referral, caseworker, manager):
    to_contacting(referral, manager, caseworker)
    attempt(referral, caseworker, ContactOutcome.NO_ANSWER)
    assert_refused(referral, caseworker, S.IN_TRIAGE, "spoke to the person")
    attempt(referral, caseworker, ContactOutcome.SPOKE)
    move(referral, caseworker, S.IN_TRIAGE)
    assert snapshot(referral)[0] == S.IN_TRIAGE


@override_settings(AMENDS_FAILED_CONTACT_ATTEMPTS_TO_CLOSE=3)
def test_unable_to_contact_needs_the_configured_failed_attempts(referral, caseworker, manager):
    to_contacting(referral, manager, caseworker)
    attempt(referral, caseworker)
    attempt(referral, caseworker)
    assert_refused(
        referral,
        caseworker,
        S.CLOSED,
        "after 3 failed contact attempts; 2 are recorded",
        closing_reason=ClosingReason.UNABLE_TO_CONTACT,
    )
    attempt(referral, caseworker)
    move(referral, caseworker, S.CLOSED, closing_reason=ClosingReason.UNABLE_TO_CONTACT)
    assert snapshot(referral)[:2] == (S.CLOSED, ClosingReason.UNABLE_TO_CONTACT)


@pytest.mark.parametrize(
    "reason",
    [
        ClosingReason.SUPPORT_ONLY,
        ClosingReason.SIGNPOSTED,
        ClosingReason.DECLINED_RJ,
        ClosingReason.NOT_SUITABLE,
        ClosingReason.DUPLICATE,
    ],
)
def test_closing_at_triage_needs_a_reason(referral, caseworker, manager, reason):
    to_in_triage(referral, manager, caseworker)
    assert_refused(referral, caseworker, S.CLOSED, "Give a reason", closing_reason=reason)
    move(referral, caseworker, S.CLOSED, closing_reason=reason, reason="Talked it through.")
    assert snapshot(referral)[:2] == (S.CLOSED, reason)


def test_closing_needs_a_closing_reason_that_fits_the_state(referral, caseworker, manager):
    to_in_triage(referral, manager, caseworker)
    assert_refused(referral, caseworker, S.CLOSED, "Choose why the referral is closing")
    assert_refused(
        referral,
        caseworker,
        S.CLOSED,
        "Choose why",
        closing_reason=ClosingReason.UNABLE_TO_CONTACT,
        reason="x",
    )


def test_hand_off_needs_consent_and_shares_with_the_provider(
    referral, caseworker, manager, provider
):
    to_awaiting_consent(referral, manager, caseworker)
    assert_refused(referral, caseworker, S.HANDED_OFF, "consent to share")
    services.referral_record_consent_to_share(actor=caseworker, referral=referral)
    move(referral, caseworker, S.HANDED_OFF)
    share = ReferralShare.objects.get(referral=referral)
    assert share.organisation == provider
    assert share.ended_at is None
    assert share.consent_recorded_at is not None


def test_hand_off_is_refused_when_the_hub_has_no_provider(caseworker, manager, hub):
    hub.hands_off_to = None
    hub.save()
    referral = referral_factory(hub=hub)
    to_awaiting_consent(referral, manager, caseworker)
    services.referral_record_consent_to_share(actor=caseworker, referral=referral)
    assert_refused(referral, caseworker, S.HANDED_OFF, "has no RJ provider")


def test_awaiting_consent_to_declined(referral, caseworker, manager):
    to_awaiting_consent(referral, manager, caseworker)
    move(referral, caseworker, S.CLOSED, closing_reason=ClosingReason.DECLINED_RJ)
    assert snapshot(referral)[:2] == (S.CLOSED, ClosingReason.DECLINED_RJ)


def test_the_provider_coordinator_returns_a_hand_off_with_a_reason(
    referral, caseworker, manager, coordinator
):
    to_handed_off(referral, manager, caseworker)
    assert_refused(referral, caseworker, S.IN_TRIAGE, "Only a provider coordinator")
    before = snapshot(referral)
    with pytest.raises(TransitionRefused, match="Give a reason"):
        services.referral_return_from_provider(actor=coordinator, referral=referral, reason=" ")
    assert snapshot(referral) == before
    services.referral_return_from_provider(
        actor=coordinator, referral=referral, reason="The person has moved away."
    )
    assert snapshot(referral)[0] == S.IN_TRIAGE
    assert ReferralShare.objects.get(referral=referral).ended_at is not None


def test_the_provider_moves_a_referral_only_while_it_is_handed_off_to_it(
    referral, caseworker, manager, coordinator, hub
):
    # The provider never sees the referral, so the hub's own service is a 404 for it.
    to_handed_off(referral, manager, caseworker)
    with pytest.raises(Http404):
        move(referral, coordinator, S.IN_TRIAGE, reason="x")
    other_provider = OrganisationFactory(slug="other-provider", kind=OrganisationKind.RJ_PROVIDER)
    stranger = UserFactory(organisation=other_provider, roles=[Role.PROVIDER_COORDINATOR])
    with pytest.raises(Http404):
        services.referral_return_from_provider(actor=stranger, referral=referral, reason="x")
    services.referral_return_from_provider(actor=coordinator, referral=referral, reason="Moved.")
    # Returned: the hand-off no longer stands, so a second return is a 404 too.
    with pytest.raises(Http404):
        services.referral_return_from_provider(actor=coordinator, referral=referral, reason="x")
    assert snapshot(referral)[0] == S.IN_TRIAGE


@pytest.mark.parametrize(
    "state", [S.NEW, S.CONTACTING, S.IN_TRIAGE, S.AWAITING_CONSENT, S.HANDED_OFF]
)
def test_any_open_referral_closes_when_the_person_withdraws(referral, caseworker, manager, state):
    walks = {
        S.CONTACTING: to_contacting,
        S.IN_TRIAGE: to_in_triage,
        S.AWAITING_CONSENT: to_awaiting_consent,
        S.HANDED_OFF: to_handed_off,
    }
    if state in walks:
        walks[state](referral, manager, caseworker)
    move(referral, caseworker, S.CLOSED, closing_reason=ClosingReason.WITHDRAWN)
    assert snapshot(referral)[:2] == (S.CLOSED, ClosingReason.WITHDRAWN)
    assert not ReferralShare.objects.filter(referral=referral, ended_at__isnull=True).exists()


def test_only_a_hub_manager_reopens_and_needs_a_reason(referral, caseworker, manager):
    move(referral, caseworker, S.CLOSED, closing_reason=ClosingReason.WITHDRAWN)
    assert_refused(referral, caseworker, S.NEW, "Only a hub manager")
    assert_refused(referral, manager, S.NEW, "Give a reason")
    move(referral, manager, S.NEW, reason="The person came back.")
    assert snapshot(referral)[:2] == (S.NEW, "")


def test_a_transition_not_in_the_table_is_refused(referral, caseworker, manager):
    assert_refused(referral, caseworker, S.HANDED_OFF, "cannot go from ‘New’")
    assert_refused(referral, manager, S.IN_TRIAGE, "cannot go from ‘New’")


def test_roles_outside_the_table_are_refused(referral, caseworker, manager, hub):
    analyst = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER, Role.ANALYST])
    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    dpo = UserFactory(organisation=hub, roles=[Role.DATA_PROTECTION_OFFICER])
    assert_refused(referral, dpo, S.CONTACTING, "Only a hub caseworker or hub manager")
    move(referral, analyst, S.CONTACTING)


def test_a_stale_version_is_refused_and_changes_nothing(referral, caseworker, manager):
    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    stale = referral.version
    before = snapshot(referral)
    with pytest.raises(StaleVersion):
        move(referral, caseworker, S.CONTACTING, expected_version=stale)
    assert snapshot(referral) == before


def test_every_transition_writes_one_log_row_and_one_audit_event(referral, caseworker, manager):
    to_handed_off(referral, manager, caseworker)
    logs = list(TransitionLog.objects.filter(object_id=referral.pk).order_by("id"))
    assert [(log.from_state, log.to_state) for log in logs] == [
        (S.NEW, S.CONTACTING),
        (S.CONTACTING, S.IN_TRIAGE),
        (S.IN_TRIAGE, S.AWAITING_CONSENT),
        (S.AWAITING_CONSENT, S.HANDED_OFF),
    ]
    audits = AuditEvent.objects.filter(
        action=AuditAction.TRANSITION, record_id=str(referral.pk)
    ).order_by("id")
    assert [a.detail["to"] for a in audits] == [
        S.CONTACTING,
        S.IN_TRIAGE,
        S.AWAITING_CONSENT,
        S.HANDED_OFF,
    ]
