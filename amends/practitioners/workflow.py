"""The volunteer's states and transitions (shared workflows.md: "Volunteer").

applied → shortlisted → interview → references → vetting (enhanced DBS) → induction →
training → accredited → active ⇄ paused → left; from any step before active:
not_progressed, with a reason. The provider's volunteer coordinator moves them.

A member of staff who facilitates is added by the coordinator and starts at training
(`STAFF_ENTRY`: applied → training, for staff records only, in the same transaction as
the record is made), so that their record too changes state only through this table.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from amends.accounts.models import Role
from amends.core.workflow import Transition, TransitionRequest, Workflow, WorkflowActor
from amends.practitioners.compliance import add_months, long_date
from amends.practitioners.models import (
    AccreditationRole,
    DbsOutcome,
    Practitioner,
    PractitionerKind,
    PractitionerLevel,
    PractitionerState,
    TrainingCourse,
)

S = PractitionerState
COORDINATOR = frozenset({Role.VOLUNTEER_COORDINATOR.value})
BEFORE_ACTIVE = frozenset(
    {
        S.APPLIED,
        S.SHORTLISTED,
        S.INTERVIEW,
        S.REFERENCES,
        S.VETTING,
        S.INDUCTION,
        S.TRAINING,
        S.ACCREDITED,
    }
)
# Which completed course qualifies someone for each accreditation role.
COURSES_FOR_ROLE: dict[str, frozenset[str]] = {
    AccreditationRole.FACILITATOR: frozenset({TrainingCourse.FACILITATOR, TrainingCourse.ADVANCED}),
    AccreditationRole.CO_FACILITATOR: frozenset(
        {TrainingCourse.FACILITATOR, TrainingCourse.ADVANCED}
    ),
    AccreditationRole.ADVOCATE: frozenset({TrainingCourse.ADVOCATE}),
}
ACCREDITING_COURSES = frozenset().union(*COURSES_FOR_ROLE.values())
ACCEPTABLE_DBS_OUTCOMES = frozenset({DbsOutcome.CLEAR, DbsOutcome.ACCEPTED})
REFERENCES_NEEDED = 2


# --- guards: None when the step may go ahead, else what to do first ---------------------


def _references_received(practitioner: Practitioner, request: TransitionRequest) -> str | None:
    referees = list(practitioner.referees.all())
    good = [r for r in referees if r.received_on is not None and r.satisfactory is True]
    if len(good) >= REFERENCES_NEEDED:
        return None
    refused = [r for r in referees if r.satisfactory is False]
    message = (
        f"Both references must be received and satisfactory before the DBS check: "
        f"{len(good)} of {REFERENCES_NEEDED} {'is' if len(good) == 1 else 'are'}."
    )
    if refused:
        message += " Ask for another reference in place of the one that was not satisfactory."
    return message


def _dbs_clear_and_in_date(practitioner: Practitioner, request: TransitionRequest) -> str | None:
    latest = practitioner.dbs_checks.order_by("-issue_date", "-id").first()
    if latest is None:
        return "Record their enhanced DBS check before induction."
    if latest.outcome not in ACCEPTABLE_DBS_OUTCOMES:
        return (
            "Their latest DBS check was not accepted: they cannot go on to induction. "
            "Move them to ‘Not progressed’ instead."
        )
    # In date up to and including its renewal day (compliance.py's rule for allocation too).
    due = add_months(latest.issue_date, settings.DBS_RENEWAL_MONTHS)
    if timezone.localdate() > due:
        return (
            f"Their DBS certificate expired on {long_date(due)}. "
            "Record a new DBS check before induction."
        )
    return None


def _accreditation(practitioner: Practitioner, request: TransitionRequest) -> str | None:
    role = request.extra.get("accreditation_role") or practitioner.accreditation_role
    level = request.extra.get("level") or practitioner.level
    if role not in AccreditationRole.values:
        return "Choose the role they are accredited for: facilitator, co-facilitator or advocate."
    if level not in PractitionerLevel.values:
        return "Choose their practitioner level."
    courses = COURSES_FOR_ROLE[role]
    if not practitioner.training_records.filter(course__in=courses).exists():
        needed = " or ".join(sorted(TrainingCourse(c).label for c in courses))
        return (
            f"Record their completed training before accrediting them as "
            f"{AccreditationRole(role).label.lower()}: {needed.lower()}."
        )
    return None


def _ready_to_work(practitioner: Practitioner, request: TransitionRequest) -> str | None:
    missing = []
    if not practitioner.availability:
        missing.append("when they are available")
    if not practitioner.case_limit:
        missing.append("how many cases they can hold at once (their case limit)")
    if missing:
        return f"Record {' and '.join(missing)} before making them active."
    return None


def _staff_only(practitioner: Practitioner, request: TransitionRequest) -> str | None:
    if practitioner.kind != PractitionerKind.STAFF:
        return "Only a member of staff starts at training; a volunteer is shortlisted first."
    return None


def _keep_accreditation(practitioner: Practitioner, request: TransitionRequest) -> None:
    changed = []
    for name in ("accreditation_role", "level"):
        value = request.extra.get(name)
        if value and getattr(practitioner, name) != value:
            setattr(practitioner, name, value)
            changed.append(name)
    if changed:
        practitioner.save(update_fields=[*changed, "updated_at"])


def _keep_not_progressed_reason(practitioner: Practitioner, request: TransitionRequest) -> None:
    practitioner.not_progressed_reason = request.reason
    practitioner.save(update_fields=["not_progressed_reason", "updated_at"])


STAFF_ENTRY = Transition(
    sources=frozenset({S.APPLIED}),
    target=S.TRAINING,
    roles=COORDINATOR,
    label="Add a member of staff: start at training",
    guards=(_staff_only,),
)

PRACTITIONER_WORKFLOW: Workflow[Practitioner] = Workflow(
    name="practitioner",
    state_labels=dict(S.choices),
    role_labels=dict(Role.choices),
    transitions=[
        Transition(
            sources=frozenset({S.APPLIED}),
            target=S.SHORTLISTED,
            roles=COORDINATOR,
            label="Shortlist and invite to interview",
        ),
        Transition(
            sources=frozenset({S.SHORTLISTED}),
            target=S.INTERVIEW,
            roles=COORDINATOR,
            label="Interview",
        ),
        Transition(
            sources=frozenset({S.INTERVIEW}),
            target=S.REFERENCES,
            roles=COORDINATOR,
            label="Request references",
        ),
        Transition(
            sources=frozenset({S.REFERENCES}),
            target=S.VETTING,
            roles=COORDINATOR,
            label="Start the enhanced DBS check",
            guards=(_references_received,),
        ),
        Transition(
            sources=frozenset({S.VETTING}),
            target=S.INDUCTION,
            roles=COORDINATOR,
            label="Induction",
            guards=(_dbs_clear_and_in_date,),
        ),
        Transition(
            sources=frozenset({S.INDUCTION}),
            target=S.TRAINING,
            roles=COORDINATOR,
            label="Offer a training place",
        ),
        STAFF_ENTRY,
        Transition(
            sources=frozenset({S.TRAINING}),
            target=S.ACCREDITED,
            roles=COORDINATOR,
            label="Accredit",
            guards=(_accreditation,),
            effect=_keep_accreditation,
        ),
        Transition(
            sources=frozenset({S.ACCREDITED, S.PAUSED}),
            target=S.ACTIVE,
            roles=COORDINATOR,
            label="Make active",
            guards=(_ready_to_work,),
        ),
        Transition(
            sources=frozenset({S.ACTIVE}),
            target=S.PAUSED,
            roles=COORDINATOR,
            label="Pause",
        ),
        Transition(
            sources=frozenset({S.ACTIVE, S.PAUSED}),
            target=S.LEFT,
            roles=COORDINATOR,
            label="Left",
        ),
        Transition(
            sources=BEFORE_ACTIVE,
            target=S.NOT_PROGRESSED,
            roles=COORDINATOR,
            label="Not progressed",
            reason_required=True,
            effect=_keep_not_progressed_reason,
        ),
    ],
)


def next_steps(practitioner: Practitioner, actor: WorkflowActor) -> list[Transition]:
    """The steps the coordinator may offer for this record (guards not yet run)."""
    return [
        t for t in PRACTITIONER_WORKFLOW.available_to(practitioner, actor) if t is not STAFF_ENTRY
    ]
