"""The case's states and transitions so far (shared workflows.md: "Case (held by the provider)").

offered → accepted, or → returned (with a reason: the referral goes back to triage)
by the provider coordinator. Two rows the hub's caseworker sets off: a returned
case is offered again when the referral is handed off again, and an offered or
accepted case closes when the person withdraws at the hub. Issue 8 adds the
rest (assessing to closure).
"""

from __future__ import annotations

from amends.accounts.models import Role
from amends.cases.models import Case, CaseClosingReason, CaseState
from amends.core.workflow import Transition, Workflow

S = CaseState
PROVIDER_COORDINATOR = frozenset({Role.PROVIDER_COORDINATOR.value})
HUB_CASEWORKER = frozenset({Role.HUB_CASEWORKER.value})

CASE_WORKFLOW: Workflow[Case] = Workflow(
    name="case",
    state_labels=dict(S.choices),
    role_labels=dict(Role.choices),
    closing_reason_labels=dict(CaseClosingReason.choices),
    transitions=[
        Transition(
            sources=frozenset({S.OFFERED}),
            target=S.ACCEPTED,
            roles=PROVIDER_COORDINATOR,
            label="Accept the case",
        ),
        Transition(
            sources=frozenset({S.OFFERED}),
            target=S.RETURNED,
            roles=PROVIDER_COORDINATOR,
            label="Return it to the hub",
            reason_required=True,
        ),
        Transition(
            sources=frozenset({S.RETURNED}),
            target=S.OFFERED,
            roles=HUB_CASEWORKER,
            label="Offered again: handed off once more",
        ),
        Transition(
            sources=frozenset({S.OFFERED, S.ACCEPTED}),
            target=S.CLOSED,
            roles=HUB_CASEWORKER,
            label="Closed: the person withdrew at the hub",
            closing_reasons=frozenset({CaseClosingReason.PARTY_WITHDREW}),
        ),
    ],
)
