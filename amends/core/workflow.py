"""The workflow engine: each record type declares an explicit transition table.

A `Workflow` lists its `Transition`s (from, to, roles allowed, guard). The one
function that changes a state is `transition_apply`: it refuses a transition
that the table does not allow, that the actor's roles do not allow, or whose
guard fails, saying why and changing nothing; otherwise it changes the state,
writes the transition log and the audit event, and runs the transition's
effect, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from amends.core.audit import audit_record
from amends.core.errors import StaleVersion, TransitionRefused
from amends.core.models import AuditAction, TransitionLog


class WorkflowActor(Protocol):
    pk: Any
    email: str

    @property
    def roles(self) -> frozenset[str]: ...

    @property
    def organisation_slug(self) -> str: ...


M = TypeVar("M", bound=models.Model)

# A guard returns None when the transition may go ahead, or the reason it may not.
Guard = Callable[[Any, "TransitionRequest"], "str | None"]
Effect = Callable[[Any, "TransitionRequest"], None]


@dataclass(frozen=True)
class TransitionRequest:
    actor: WorkflowActor
    to_state: str
    reason: str = ""
    closing_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str
    guards: tuple[Guard, ...] = ()
    closing_reasons: frozenset[str] = frozenset()
    reason_required: bool = False
    effect: Effect | None = None

    def allows_role(self, roles: Iterable[str]) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass
class Workflow(Generic[M]):
    name: str
    state_labels: dict[str, str]
    role_labels: dict[str, str]
    transitions: list[Transition]
    closing_reason_labels: dict[str, str] = field(default_factory=dict)
    state_field: str = "state"

    def __post_init__(self) -> None:
        for t in self.transitions:
            unknown = (t.sources | {t.target}) - set(self.state_labels)
            if unknown:
                raise ValueError(f"{self.name}: unknown states {sorted(unknown)}")
            unknown_reasons = t.closing_reasons - set(self.closing_reason_labels)
            if unknown_reasons:
                raise ValueError(f"{self.name}: unknown closing reasons {sorted(unknown_reasons)}")

    def candidates(self, state: str, to_state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources and t.target == to_state]

    def available_to(self, record: M, actor: WorkflowActor) -> list[Transition]:
        """Transitions from the record's state that the actor's roles allow (guards not run)."""
        state = getattr(record, self.state_field)
        return [t for t in self.transitions if state in t.sources and t.allows_role(actor.roles)]

    def check(self, record: M, request: TransitionRequest) -> Transition:
        """The transition that applies, or TransitionRefused saying why none does."""
        state = getattr(record, self.state_field)
        label_from = self.state_labels.get(state, state)
        label_to = self.state_labels.get(request.to_state, request.to_state)
        candidates = self.candidates(state, request.to_state)
        if not candidates:
            raise TransitionRefused(f"A {self.name} cannot go from ‘{label_from}’ to ‘{label_to}’.")
        allowed = [t for t in candidates if t.allows_role(request.actor.roles)]
        if not allowed:
            who = sorted({self.role_labels.get(r, r) for t in candidates for r in t.roles})
            raise TransitionRefused(
                f"Only a {' or '.join(who).lower()} can move a {self.name} "
                f"from ‘{label_from}’ to ‘{label_to}’."
            )
        # More than one row may lead to the same state (closings): the reason picks.
        matching = [t for t in allowed if request.closing_reason in t.closing_reasons]
        if not matching and any(t.closing_reasons for t in allowed):
            reasons = sorted({r for t in allowed for r in t.closing_reasons})
            options = ", ".join(self.closing_reason_labels[r].lower() for r in reasons)
            raise TransitionRefused(f"Choose why the {self.name} is closing: {options}.")
        transition = (matching or allowed)[0]
        if not transition.closing_reasons and request.closing_reason:
            raise TransitionRefused(f"‘{label_to}’ takes no closing reason.")
        if transition.reason_required and not request.reason.strip():
            raise TransitionRefused(f"Give a reason for moving the {self.name} to ‘{label_to}’.")
        for guard in transition.guards:
            refusal = guard(record, request)
            if refusal:
                raise TransitionRefused(refusal)
        return transition


def transition_apply(
    *,
    workflow: Workflow[M],
    record: M,
    actor: WorkflowActor,
    to_state: str,
    reason: str = "",
    closing_reason: str = "",
    expected_version: int | None = None,
    extra: dict[str, Any] | None = None,
) -> M:
    """Move `record` to `to_state`, or raise TransitionRefused / StaleVersion and change nothing.

    The record's model must have an integer `version` field (optimistic locking)
    and may have a `closing_reason` field.
    """
    request = TransitionRequest(
        actor=actor,
        to_state=to_state,
        reason=reason.strip(),
        closing_reason=closing_reason,
        extra=extra or {},
    )
    model = type(record)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=record.pk)
        version = current.version  # type: ignore[attr-defined]
        if expected_version is not None and version != expected_version:
            raise StaleVersion(
                "This record changed since you opened it. Check its current status and try again."
            )
        transition = workflow.check(current, request)
        from_state = getattr(current, workflow.state_field)
        changes: dict[str, Any] = {
            workflow.state_field: transition.target,
            "version": F("version") + 1,
        }
        field_names = {f.name for f in model._meta.get_fields()}
        if "closing_reason" in field_names:
            changes["closing_reason"] = closing_reason
        if "updated_at" in field_names:
            changes["updated_at"] = timezone.now()
        updated = model._default_manager.filter(pk=current.pk, version=version).update(**changes)
        if updated != 1:  # pragma: no cover - the row lock above makes this unreachable
            raise StaleVersion()
        current.refresh_from_db()
        TransitionLog.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=current.pk,
            from_state=from_state,
            to_state=transition.target,
            closing_reason=closing_reason,
            reason=request.reason,
            actor_id=actor.pk,
        )
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            record=current,
            fields=[workflow.state_field],
            detail={"from": from_state, "to": transition.target, "closing_reason": closing_reason},
        )
        if transition.effect is not None:
            transition.effect(current, request)
    for attr in (workflow.state_field, "version", "closing_reason", "updated_at"):
        if hasattr(current, attr):
            setattr(record, attr, getattr(current, attr))
    return record


def transition_history(record: models.Model) -> models.QuerySet[TransitionLog]:
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
    ).select_related("actor")
