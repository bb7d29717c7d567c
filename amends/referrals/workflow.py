"""The referral's states and transitions (shared workflows.md: "Referral (held by the hub)")."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.utils import timezone

from amends.accounts.models import Role
from amends.core.workflow import Transition, TransitionRequest, Workflow
from amends.referrals.clocks import referral_clocks_refresh, restarts_clocks
from amends.referrals.models import (
    ClosingReason,
    ContactOutcome,
    Referral,
    ReferralShare,
    ReferralState,
    ShareRoute,
)
from amends.referrals.notifications import ReferralStep, referral_returned_notify, referrer_told
from amends.referrals.signals import referral_handed_off, referral_withdrawn_after_hand_off

S = ReferralState
C = ClosingReason
OPEN_STATES = frozenset(s.value for s in S if s != S.CLOSED)
CASEWORKER = frozenset({Role.HUB_CASEWORKER.value})


def _allocated(referral: Referral, request: TransitionRequest) -> str | None:
    if referral.allocated_to_id is None:
        return "Allocate the referral to a caseworker before contacting the person."
    return None


def _successful_contact(referral: Referral, request: TransitionRequest) -> str | None:
    if not referral.contact_attempts.filter(outcome=ContactOutcome.SPOKE).exists():
        return "Record a contact attempt in which you spoke to the person first."
    return None


def _enough_failed_attempts(referral: Referral, request: TransitionRequest) -> str | None:
    needed = settings.AMENDS_FAILED_CONTACT_ATTEMPTS_TO_CLOSE
    failed = referral.contact_attempts.exclude(outcome=ContactOutcome.SPOKE).count()
    if failed < needed:
        return (
            f"A referral can be closed as unable to contact after {needed} failed contact "
            f"attempts; {failed} {'is' if failed == 1 else 'are'} recorded."
        )
    return None


def _consent_to_share(referral: Referral, request: TransitionRequest) -> str | None:
    if referral.consent_to_share_recorded_at is None:
        return "Record the person's consent to share their details with the RJ provider first."
    if referral.hub.hands_off_to_id is None:
        return f"{referral.hub.name} has no RJ provider to hand off to. Ask an administrator."
    return None


def _share_with_provider(referral: Referral, request: TransitionRequest) -> None:
    assert referral.hub.hands_off_to is not None
    assert referral.consent_to_share_recorded_at is not None
    ReferralShare.objects.create(
        referral=referral,
        organisation=referral.hub.hands_off_to,
        route=ShareRoute.HAND_OFF,
        consent_recorded_at=referral.consent_to_share_recorded_at,
        shared_by_id=request.actor.pk,
    )
    # The cases app makes the provider's case here, in this transaction.
    referral_handed_off.send(sender=Referral, referral=referral, actor=request.actor)
    referrer_told(referral=referral, step=ReferralStep.HANDED_OFF)


def _end_provider_share(referral: Referral) -> int:
    return referral.shares.filter(route=ShareRoute.HAND_OFF, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )


def _returned(referral: Referral, request: TransitionRequest) -> None:
    _end_provider_share(referral)
    referral_returned_notify(referral=referral)


def _closed(referral: Referral, request: TransitionRequest) -> None:
    referrer_told(referral=referral, step=ReferralStep.CLOSED)


def _withdrawn(referral: Referral, request: TransitionRequest) -> None:
    if _end_provider_share(referral):
        # The provider's case closes with it (cases app), in this transaction.
        referral_withdrawn_after_hand_off.send(
            sender=Referral, referral=referral, actor=request.actor
        )
    _closed(referral, request)


REFERRAL_WORKFLOW: Workflow[Referral] = Workflow(
    name="referral",
    state_labels=dict(S.choices),
    role_labels=dict(Role.choices),
    closing_reason_labels=dict(C.choices),
    transitions=[
        Transition(
            sources=frozenset({S.NEW}),
            target=S.CONTACTING,
            roles=frozenset({Role.HUB_CASEWORKER, Role.HUB_MANAGER}),
            label="Start contacting the person",
            guards=(_allocated,),
        ),
        Transition(
            sources=frozenset({S.CONTACTING}),
            target=S.IN_TRIAGE,
            roles=CASEWORKER,
            label="Move to triage (contact made)",
            guards=(_successful_contact,),
        ),
        Transition(
            sources=frozenset({S.CONTACTING}),
            target=S.CLOSED,
            roles=CASEWORKER,
            label="Close: unable to contact",
            closing_reasons=frozenset({C.UNABLE_TO_CONTACT}),
            guards=(_enough_failed_attempts,),
            effect=_closed,
        ),
        Transition(
            sources=frozenset({S.IN_TRIAGE}),
            target=S.AWAITING_CONSENT,
            roles=CASEWORKER,
            label="RJ discussed: the person is deciding",
        ),
        Transition(
            sources=frozenset({S.IN_TRIAGE}),
            target=S.CLOSED,
            roles=CASEWORKER,
            label="Close at triage",
            closing_reasons=frozenset(
                {C.SUPPORT_ONLY, C.SIGNPOSTED, C.DECLINED_RJ, C.NOT_SUITABLE, C.DUPLICATE}
            ),
            reason_required=True,
            effect=_closed,
        ),
        Transition(
            sources=frozenset({S.AWAITING_CONSENT}),
            target=S.HANDED_OFF,
            roles=CASEWORKER,
            label="Hand off to the RJ provider",
            guards=(_consent_to_share,),
            effect=_share_with_provider,
        ),
        Transition(
            sources=frozenset({S.AWAITING_CONSENT}),
            target=S.CLOSED,
            roles=CASEWORKER,
            label="Close: the person declined RJ",
            closing_reasons=frozenset({C.DECLINED_RJ}),
            effect=_closed,
        ),
        Transition(
            sources=frozenset({S.HANDED_OFF}),
            target=S.IN_TRIAGE,
            roles=frozenset({Role.PROVIDER_COORDINATOR}),
            label="Return to the hub",
            reason_required=True,
            effect=_returned,
        ),
        Transition(
            sources=OPEN_STATES,
            target=S.CLOSED,
            roles=CASEWORKER,
            label="Close: the person withdrew",
            closing_reasons=frozenset({C.WITHDRAWN}),
            effect=_withdrawn,
        ),
        Transition(
            sources=frozenset({S.CLOSED}),
            target=S.NEW,
            roles=frozenset({Role.HUB_MANAGER}),
            label="Reopen",
            reason_required=True,
        ),
    ],
)


def _with_clocks(transition: Transition) -> Transition:
    """`transition`, then the hub's clocks worked out again, in the same transaction."""
    effect = transition.effect
    restart = restarts_clocks(sources=transition.sources, target=transition.target)

    def effect_then_clocks(referral: Referral, request: TransitionRequest) -> None:
        if effect is not None:
            effect(referral, request)
        referral_clocks_refresh(
            referral=referral, restart_on=timezone.localdate() if restart else None
        )

    return dataclasses.replace(transition, effect=effect_then_clocks)


# Every step moves the hub's clocks (referrals/clocks.py) on to the next stage's deadline,
# stops them when handed off or closed, and starts them again when a referral comes back
# (reopened, returned by the provider), whoever applies the transition.
REFERRAL_WORKFLOW.transitions = [_with_clocks(t) for t in REFERRAL_WORKFLOW.transitions]
