"""The event's states, and the approval of a volunteer's expenses, as transition tables.

An event is `scheduled` until it is `held` (once it has started) or `cancelled` (with a
reason); a cancelled event can be reinstated. A claim for expenses waits for the volunteer
coordinator, who approves it or, giving a reason, does not.
"""

from __future__ import annotations

from django.utils import timezone

from amends.accounts.models import Role
from amends.core.workflow import Transition, TransitionRequest, Workflow
from amends.events.models import Event, EventState, ExpensesStatus, VolunteerHours

# Who manages the events their organisation organises.
EVENT_MANAGERS = frozenset(
    {
        Role.PROVIDER_COORDINATOR.value,
        Role.VOLUNTEER_COORDINATOR.value,
        Role.POLICE_RJ_COORDINATOR.value,
    }
)
S = EventState


def _has_started(event: Event, request: TransitionRequest) -> str | None:
    if event.starts_at > timezone.now():
        return "An event can be marked as held only once it has started."
    return None


def _not_over(event: Event, request: TransitionRequest) -> str | None:
    if event.ends_at <= timezone.now():
        return "This event is over: it can no longer be reinstated. Create a new event instead."
    return None


EVENT_WORKFLOW: Workflow[Event] = Workflow(
    name="event",
    state_labels=dict(S.choices),
    role_labels=dict(Role.choices),
    transitions=[
        Transition(
            sources=frozenset({S.SCHEDULED}),
            target=S.HELD,
            roles=EVENT_MANAGERS,
            label="Mark as held",
            guards=(_has_started,),
        ),
        Transition(
            sources=frozenset({S.SCHEDULED}),
            target=S.CANCELLED,
            roles=EVENT_MANAGERS,
            label="Cancel the event",
            reason_required=True,
        ),
        Transition(
            sources=frozenset({S.CANCELLED}),
            target=S.SCHEDULED,
            roles=EVENT_MANAGERS,
            label="Reinstate the event",
            reason_required=True,
            guards=(_not_over,),
        ),
    ],
)

EXPENSES_WORKFLOW: Workflow[VolunteerHours] = Workflow(
    name="claim for expenses",
    state_labels=dict(ExpensesStatus.choices),
    role_labels=dict(Role.choices),
    state_field="expenses_status",
    transitions=[
        Transition(
            sources=frozenset({ExpensesStatus.PENDING}),
            target=ExpensesStatus.APPROVED,
            roles=frozenset({Role.VOLUNTEER_COORDINATOR.value}),
            label="Approve",
        ),
        Transition(
            sources=frozenset({ExpensesStatus.PENDING}),
            target=ExpensesStatus.REJECTED,
            roles=frozenset({Role.VOLUNTEER_COORDINATOR.value}),
            label="Do not approve",
            reason_required=True,
        ),
    ],
)
