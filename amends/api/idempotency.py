"""`Idempotency-Key` on POST: the same key and body gets the first response, and nothing twice.

The first request with a key inserts an in-flight record in its own committed
transaction, so the database's unique constraint decides which request owns the
key. Any other request with that key reads the record: done, same body → the
stored response; different body → 422; still in flight → 409. The owner stores
its response and marks the record done in the transaction that does the work,
or lets go of the key if the work failed, so that a retry can proceed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from amends.api.models import ApiKey, IdempotencyPhase, IdempotencyRecord
from amends.api.selectors import idempotency_record_get
from amends.core.errors import DomainError

REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyInFlight(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "A request with this Idempotency-Key is still being processed; try again shortly.",
            code="in_flight",
        )


class IdempotencyMismatch(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was used with a different request body. "
            "Use a new key for a new request.",
            code="idempotency_mismatch",
        )


@dataclass(frozen=True)
class Replay:
    status: int
    body: str
    content_type: str

    def response(self) -> HttpResponse:
        response = HttpResponse(self.body, status=self.status, content_type=self.content_type)
        response[REPLAY_HEADER] = "true"
        return response


def request_fingerprint(*, method: str, path: str, payload: dict[str, Any]) -> str:
    """The same request, however its JSON was spaced or ordered, has the same fingerprint."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def idempotency_claim(
    *, api_key: ApiKey, key: str, request_hash: str
) -> IdempotencyRecord | Replay:
    """Own `key` (its in-flight record) or get the first response; else raise InFlight/Mismatch."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    api_key=api_key,
                    key=key,
                    request_hash=request_hash,
                    phase=IdempotencyPhase.IN_FLIGHT,
                )
        except IntegrityError:
            pass
        existing = idempotency_record_get(api_key=api_key, key=key)
        if existing is None:
            continue  # its owner failed and let go meanwhile: try to own it
        if existing.request_hash != request_hash:
            raise IdempotencyMismatch()
        if existing.phase == IdempotencyPhase.DONE:
            return Replay(
                status=existing.response_status or 200,
                body=existing.response_body,
                content_type=existing.response_content_type,
            )
        abandoned_before = timezone.now() - dt.timedelta(
            seconds=settings.API_IDEMPOTENCY_IN_FLIGHT_SECONDS
        )
        if existing.created_at >= abandoned_before:
            raise IdempotencyInFlight()
        # Its owner died mid-request (nothing it did was committed without the record
        # being marked done): let go of the key for it, then try to own it.
        IdempotencyRecord.objects.filter(
            pk=existing.pk, phase=IdempotencyPhase.IN_FLIGHT, created_at=existing.created_at
        ).delete()
    raise IdempotencyInFlight()


def idempotency_complete(*, record: IdempotencyRecord, response: HttpResponse) -> None:
    """Keep the response for replays. Call it in the transaction that did the work."""
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        phase=IdempotencyPhase.DONE,
        response_status=response.status_code,
        response_body=response.content.decode(),
        response_content_type=response["Content-Type"],
        completed_at=timezone.now(),
    )


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """The work failed: forget the key so that a retry with it can proceed."""
    IdempotencyRecord.objects.filter(pk=record.pk, phase=IdempotencyPhase.IN_FLIGHT).delete()


def idempotency_prune(*, older_than: dt.timedelta | None = None) -> int:
    """Forget keys older than API_IDEMPOTENCY_KEEP_HOURS; returns how many."""
    age = older_than or dt.timedelta(hours=settings.API_IDEMPOTENCY_KEEP_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - age).delete()
    return deleted
