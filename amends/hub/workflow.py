"""The states of the hub's safety devices and onward referrals, as explicit transition tables.

A device: in stock → issued → returned (to be checked) → in stock again, or
lost; a device not with anyone can be retired. Issuing and ending an issue go
through `services.device_issue` / `services.device_issue_end`, which record who
holds it; the device page offers the others.

An onward referral: sent → accepted or declined (with a reason) → completed;
the hub can withdraw one that is still open (the person withdrew their
consent). An agency that uses Amends records its own answer; for an agency
outside Amends the hub records what the agency told it.
"""

from __future__ import annotations

from django.utils import timezone

from amends.accounts.models import Role
from amends.core.workflow import Transition, TransitionRequest, Workflow, WorkflowActor
from amends.hub.models import DeviceState, OnwardReferral, OnwardReferralState, SafetyDevice

D = DeviceState
HUB_STAFF = frozenset({Role.HUB_CASEWORKER.value, Role.HUB_MANAGER.value})
HUB_MANAGER = frozenset({Role.HUB_MANAGER.value})

DEVICE_WORKFLOW: Workflow[SafetyDevice] = Workflow(
    name="device",
    state_labels=dict(D.choices),
    role_labels=dict(Role.choices),
    transitions=[
        Transition(
            sources=frozenset({D.IN_STOCK}),
            target=D.ISSUED,
            roles=HUB_STAFF,
            label="Issue to a person",
        ),
        Transition(
            sources=frozenset({D.ISSUED}),
            target=D.RETURNED,
            roles=HUB_STAFF,
            label="Record its return",
        ),
        Transition(
            sources=frozenset({D.ISSUED}),
            target=D.LOST,
            roles=HUB_STAFF,
            label="Record it as lost",
        ),
        Transition(
            sources=frozenset({D.RETURNED}),
            target=D.IN_STOCK,
            roles=HUB_STAFF,
            label="Checked: back in stock",
        ),
        Transition(
            sources=frozenset({D.LOST}),
            target=D.RETURNED,
            roles=HUB_STAFF,
            label="Found: returned, to be checked",
            reason_required=True,
        ),
        Transition(
            sources=frozenset({D.IN_STOCK, D.RETURNED, D.LOST}),
            target=D.RETIRED,
            roles=HUB_MANAGER,
            label="Retire",
            reason_required=True,
        ),
    ],
)

# Issuing and ending an issue also record who holds the device: only their services use them.
ISSUE_TARGETS = frozenset({D.ISSUED})
ISSUE_SOURCES = frozenset({D.ISSUED})


def device_page_transitions(device: SafetyDevice, actor: WorkflowActor) -> list[Transition]:
    """What the device page offers: everything but issuing and ending an issue."""
    return [
        t
        for t in DEVICE_WORKFLOW.available_to(device, actor)
        if t.target not in ISSUE_TARGETS and not (t.sources & ISSUE_SOURCES)
    ]


OR = OnwardReferralState
AGENCY_CASEWORKER = frozenset({Role.AGENCY_CASEWORKER.value})


def _answered_by_the_right_side(onward: OnwardReferral, request: TransitionRequest) -> str | None:
    agency_side = Role.AGENCY_CASEWORKER in request.actor.roles
    if onward.recorded_by_agency and not agency_side:
        return (
            f"{onward.agency.name} uses Amends: its staff record whether they accept, "
            "decline or complete this referral."
        )
    if not onward.recorded_by_agency and agency_side:  # pragma: no cover - outside their scope
        return "Only the hub records the answer of an agency that does not use Amends."
    return None


def _note_answer(onward: OnwardReferral, request: TransitionRequest) -> None:
    now = timezone.now()
    changes: dict[str, object] = {"outcome_note": request.reason}
    if request.to_state in {OR.ACCEPTED, OR.DECLINED}:
        changes["responded_at"] = now
    if request.to_state == OR.COMPLETED:
        changes["completed_at"] = now
    type(onward)._default_manager.filter(pk=onward.pk).update(**changes)
    for name, value in changes.items():
        setattr(onward, name, value)


ANSWERING = AGENCY_CASEWORKER | HUB_STAFF

ONWARD_REFERRAL_WORKFLOW: Workflow[OnwardReferral] = Workflow(
    name="onward referral",
    state_labels=dict(OR.choices),
    role_labels=dict(Role.choices),
    transitions=[
        Transition(
            sources=frozenset({OR.SENT}),
            target=OR.ACCEPTED,
            roles=ANSWERING,
            label="Accepted",
            guards=(_answered_by_the_right_side,),
            effect=_note_answer,
        ),
        Transition(
            sources=frozenset({OR.SENT}),
            target=OR.DECLINED,
            roles=ANSWERING,
            label="Declined",
            guards=(_answered_by_the_right_side,),
            reason_required=True,
            effect=_note_answer,
        ),
        Transition(
            sources=frozenset({OR.ACCEPTED}),
            target=OR.COMPLETED,
            roles=ANSWERING,
            label="Completed",
            guards=(_answered_by_the_right_side,),
            effect=_note_answer,
        ),
        Transition(
            sources=frozenset({OR.SENT, OR.ACCEPTED}),
            target=OR.WITHDRAWN,
            roles=HUB_STAFF,
            label="Withdraw (the person withdrew their consent)",
            reason_required=True,
            effect=_note_answer,
        ),
    ],
)


def onward_referral_answers(onward: OnwardReferral, actor: WorkflowActor) -> list[Transition]:
    """The transitions this actor may offer on this onward referral (its side's guard run)."""
    agency_side = Role.AGENCY_CASEWORKER in actor.roles
    offered = []
    for t in ONWARD_REFERRAL_WORKFLOW.available_to(onward, actor):
        if t.target == OR.WITHDRAWN or onward.recorded_by_agency == agency_side:
            offered.append(t)
    return offered
