"""Writing the audit trail: every view, change, export and transition of personal data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.db import models

from amends.core.models import AuditAction, AuditEvent
from amends.core.request_context import current_request_id


class Actor(Protocol):
    pk: Any
    email: str

    @property
    def organisation_slug(self) -> str: ...


def audit_record(
    *,
    actor: Actor | None,
    action: AuditAction | str,
    record: models.Model | None = None,
    record_type: str = "",
    record_id: str = "",
    fields: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if record is not None:
        record_type = record._meta.label_lower
        record_id = str(record.pk)
    return AuditEvent.objects.create(
        actor_id=actor.pk if actor is not None else None,
        actor_email=actor.email if actor is not None else "",
        organisation_slug=actor.organisation_slug if actor is not None else "",
        action=str(action),
        record_type=record_type,
        record_id=record_id,
        fields=sorted(set(fields)),
        detail=detail or {},
        request_id=current_request_id(),
    )


def audit_records(
    *,
    actor: Actor | None,
    action: AuditAction | str,
    records: Iterable[models.Model],
    detail_of: Any = None,
) -> list[AuditEvent]:
    """One event per record, written in one INSERT; `detail_of(record)` gives each detail."""
    request_id = current_request_id()
    events = [
        AuditEvent(
            actor_id=actor.pk if actor is not None else None,
            actor_email=actor.email if actor is not None else "",
            organisation_slug=actor.organisation_slug if actor is not None else "",
            action=str(action),
            record_type=record._meta.label_lower,
            record_id=str(record.pk),
            fields=[],
            detail=detail_of(record) if detail_of is not None else {},
            request_id=request_id,
        )
        for record in records
    ]
    return AuditEvent.objects.bulk_create(events)
