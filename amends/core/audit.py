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
