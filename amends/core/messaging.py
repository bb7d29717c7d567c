"""Messages to people and teams: queued with the record, sent in the background, never lost.

`messages_queue` (and `message_queue` for one) writes OutboundMessage rows in the
caller's transaction and enqueues one task to send them: in that same transaction
when tasks are rows of our database, else once it commits.
`message_send` claims the row, hands it to the configured backend and records
the outcome: sent, or a failure with the next attempt scheduled by exponential
backoff (MESSAGES_RETRY_BASE_SECONDS doubling up to MESSAGES_RETRY_MAX_SECONDS),
until MESSAGES_MAX_ATTEMPTS have failed, when it is marked failed and an error
is logged. `messages_sweep` re-enqueues anything pending and due, so that a
message survives a worker that died or a task that was never enqueued.

Backends (MESSAGES_BACKEND): the console (development), a folder with one file
per message (MESSAGES_FILE_PATH), Django's email for the email channel, and
GOV.UK Notify through its official client (NOTIFY_API_KEY and
NOTIFY_TEMPLATE_IDS, keyed `<template>_<channel>`).

Texts for the console, file and email backends come from the template
`messages/<template>.<channel>.txt` rendered with the message's
personalisation; for email its first line is the subject. GOV.UK Notify keeps
its own copy of each text and receives only the personalisation.

This module knows no domain app: callers pass the record a message is about.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO, cast

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from amends.core.audit import audit_record, audit_records
from amends.core.models import AuditAction, MessageChannel, MessageStatus, OutboundMessage

logger = logging.getLogger(__name__)

# How long a claimed message is left to its sender before another worker may try
# it again (the sender died mid-send). Longer than any provider's timeout.
SEND_LEASE = dt.timedelta(minutes=5)
# A pending message that never had a task (the enqueue after commit failed) is
# swept up once it is this old.
SWEEP_GRACE = dt.timedelta(minutes=1)
_ERROR_LENGTH = 1000


class MessageSendError(Exception):
    """A backend could not send a message; the message is retried."""


class MessageBackend(Protocol):
    def send(self, message: OutboundMessage) -> str:
        """Send it; return the provider's reference. Raise to have it retried."""
        ...


def message_text(message: OutboundMessage) -> tuple[str, str]:
    """(subject, body) from `messages/<template>.<channel>.txt`; SMS has no subject."""
    text = render_to_string(
        f"messages/{message.template}.{message.channel}.txt", dict(message.personalisation)
    ).strip()
    if message.channel != MessageChannel.EMAIL:
        return "", text
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


class ConsoleBackend:
    """Prints each message (development): nobody outside this machine gets anything."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: OutboundMessage) -> str:
        subject, body = message_text(message)
        lines = [
            "-" * 72,
            f"{message.get_channel_display()} to {message.recipient} ({message.template})",
        ]
        if subject:
            lines.append(f"Subject: {subject}")
        lines += ["", body.rstrip(), "-" * 72, ""]
        self.stream.write("\n".join(lines))
        self.stream.flush()
        return f"console-{message.pk}"


class FileBackend:
    """Writes each message to its own file in MESSAGES_FILE_PATH (made if missing)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.MESSAGES_FILE_PATH)

    def send(self, message: OutboundMessage) -> str:
        subject, body = message_text(message)
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"message-{message.pk:08d}-{message.template}.{message.channel}.txt"
        header = [f"To: {message.recipient}", f"Channel: {message.channel}"]
        if subject:
            header.append(f"Subject: {subject}")
        (self.path / name).write_text("\n".join([*header, "", body]), encoding="utf-8")
        return name


class DjangoEmailBackend:
    """Email through Django's mail settings (EMAIL_URL); text messages need GOV.UK Notify."""

    def send(self, message: OutboundMessage) -> str:
        if message.channel != MessageChannel.EMAIL:
            raise MessageSendError(
                f"No provider for {message.get_channel_display().lower()}s: "
                "set NOTIFY_API_KEY to send them through GOV.UK Notify."
            )
        subject, body = message_text(message)
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
        ).send()
        return f"email-{message.pk}"


class NotifyBackend:
    """GOV.UK Notify, with its official client; template ids from NOTIFY_TEMPLATE_IDS."""

    def __init__(self) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.template_ids: dict[str, str] = dict(settings.NOTIFY_TEMPLATE_IDS)
        self.client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS,
        )

    def send(self, message: OutboundMessage) -> str:
        key = f"{message.template}_{message.channel}"
        template_id = self.template_ids.get(key)
        if not template_id:
            raise MessageSendError(
                f"No GOV.UK Notify template id for {key}: add {key}=<id> to NOTIFY_TEMPLATE_IDS."
            )
        personalisation = {k: str(v) for k, v in message.personalisation.items()}
        # Our reference names the row only: Notify shows it, so no personal data.
        reference = f"amends-message-{message.pk}"
        response: dict[str, Any]
        if message.channel == MessageChannel.EMAIL:
            response = self.client.send_email_notification(  # type: ignore[no-untyped-call]
                email_address=message.recipient,
                template_id=template_id,
                personalisation=personalisation,
                reference=reference,
            )
        elif message.channel == MessageChannel.SMS:
            response = self.client.send_sms_notification(  # type: ignore[no-untyped-call]
                phone_number=message.recipient,
                template_id=template_id,
                personalisation=personalisation,
                reference=reference,
            )
        else:
            raise MessageSendError(f"GOV.UK Notify cannot send {message.channel} messages.")
        return str(response.get("id", ""))


def message_backend() -> MessageBackend:
    backend_class = import_string(settings.MESSAGES_BACKEND)
    return cast(MessageBackend, backend_class())


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the `attempts`-th failure: base, 2×base, 4×base … capped."""
    base = settings.MESSAGES_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.MESSAGES_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=seconds)


def message_enqueue(*, message_id: int, run_after: dt.datetime | None = None) -> None:
    """Hand the message to the task queue, to run now or at `run_after`.

    A backend that cannot defer (the immediate one, in tests) gets no delayed
    task: `messages_sweep` enqueues the message once it is due.
    """
    from amends.core.tasks import message_send as message_send_task

    task = message_send_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    task.enqueue(message_id=message_id)


@dataclass(frozen=True)
class MessageToSend:
    """One message for `messages_queue`: to whom, on which channel, about which record."""

    channel: str
    recipient: str
    template: str
    personalisation: dict[str, str]
    record: models.Model | None = None


def message_queue(
    *,
    channel: str,
    recipient: str,
    template: str,
    personalisation: dict[str, str],
    record: models.Model | None = None,
) -> OutboundMessage:
    """Save a message to send, in the caller's transaction (see `messages_queue`)."""
    (message,) = messages_queue(
        [MessageToSend(channel, recipient, template, personalisation, record)]
    )
    return message


def messages_queue(messages: list[MessageToSend]) -> list[OutboundMessage]:
    """Save messages to send in the caller's transaction, each audited; one task sends them.

    With the database queue (django-tasks-db) the task row is written in the same
    transaction: it commits or rolls back with the messages (a transactional
    outbox) and costs no commit of its own. Any other queue gets the task once the
    transaction commits.
    """
    for spec in messages:
        if spec.channel not in MessageChannel.values:
            raise ValueError(f"Unknown message channel {spec.channel!r}.")
        if not spec.recipient:
            raise ValueError("A message needs a recipient.")
    if not messages:
        return []
    rows = [
        OutboundMessage(
            channel=spec.channel,
            recipient=spec.recipient,
            template=spec.template,
            personalisation=spec.personalisation,
            record_type=spec.record._meta.label_lower if spec.record is not None else "",
            record_id=str(spec.record.pk) if spec.record is not None else "",
        )
        for spec in messages
    ]
    # No savepoint of its own: the messages and their audit events stand or fall with
    # the caller's transaction.
    with transaction.atomic(savepoint=False):
        created = OutboundMessage.objects.bulk_create(rows)
        audit_records(
            actor=None,
            action=AuditAction.CREATE,
            records=created,
            detail_of=lambda message: {
                "channel": message.channel,
                "template": message.template,
                "record_type": message.record_type,
                "record_id": message.record_id,
            },
        )
        ids = [message.pk for message in created]
        if _queue_is_this_database():
            messages_enqueue(message_ids=ids)
        else:
            # robust: a queue that cannot take the task now must not undo the commit;
            # the messages stay pending and messages_sweep enqueues them later.
            transaction.on_commit(lambda: messages_enqueue(message_ids=ids), robust=True)
    return created


def messages_enqueue(*, message_ids: list[int]) -> None:
    """One task for messages queued together (one message: the one-message task)."""
    from amends.core.tasks import message_send as message_send_task
    from amends.core.tasks import messages_send as messages_send_task

    if len(message_ids) == 1:
        message_send_task.enqueue(message_id=message_ids[0])
    else:
        messages_send_task.enqueue(message_ids=message_ids)


def _queue_is_this_database() -> bool:
    """Whether tasks are rows in our own database (django-tasks-db), not another service."""
    from django_tasks.exceptions import InvalidTaskBackendError
    from django_tasks_db import DatabaseBackend

    from amends.core.tasks import message_send as message_send_task

    try:
        return isinstance(message_send_task.get_backend(), DatabaseBackend)
    except InvalidTaskBackendError:
        return False  # a misconfigured queue: the commit must not fail; the sweep catches up


def message_not_sent(*, template: str, record: models.Model, reason: str) -> None:
    """Record that a message was deliberately not sent (e.g. no safe channel)."""
    record_type = record._meta.label_lower
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        record_type=OutboundMessage._meta.label_lower,
        detail={
            "template": template,
            "record_type": record_type,
            "record_id": str(record.pk),
            "not_sent": reason,
        },
    )
    logger.info("Not sent: %s for %s %s: %s", template, record_type, record.pk, reason)


def message_send(*, message_id: int) -> str:
    """Send one pending, due message; return what happened: sent, retry, failed or skipped.

    The row is claimed with one conditional UPDATE (pending, due) that also
    counts the attempt and leases it for SEND_LEASE, so a message already sent,
    failed for good, or being sent by another worker is left alone: running this
    twice never sends twice.
    """
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = OutboundMessage.objects.filter(
        due, pk=message_id, status=MessageStatus.PENDING
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + SEND_LEASE)
    if not claimed:
        return "skipped"
    message = OutboundMessage.objects.get(pk=message_id)
    try:
        provider_reference = message_backend().send(message)
    except Exception as exc:
        return _record_failure(message, exc)
    message.status = MessageStatus.SENT
    message.sent_at = timezone.now()
    message.next_attempt_at = None
    message.provider_reference = provider_reference[:100]
    message.save(update_fields=["status", "sent_at", "next_attempt_at", "provider_reference"])
    logger.info(
        "Sent message %s (%s by %s) on attempt %s",
        message.pk,
        message.template,
        message.channel,
        message.attempts,
    )
    return "sent"


def _record_failure(message: OutboundMessage, exc: Exception) -> str:
    # The exception's text, never the recipient or the personalisation.
    message.last_error = f"{type(exc).__name__}: {exc}"[:_ERROR_LENGTH]
    if message.attempts >= settings.MESSAGES_MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
        message.next_attempt_at = None
        message.save(update_fields=["status", "next_attempt_at", "last_error"])
        logger.error(
            "ALERT: message %s (%s by %s, about %s %s) failed after %s attempts and will "
            "not be retried: %s",
            message.pk,
            message.template,
            message.channel,
            message.record_type,
            message.record_id,
            message.attempts,
            message.last_error,
        )
        return "failed"
    message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
    message.save(update_fields=["next_attempt_at", "last_error"])
    logger.warning(
        "Message %s (%s by %s) failed on attempt %s; next try at %s: %s",
        message.pk,
        message.template,
        message.channel,
        message.attempts,
        message.next_attempt_at.isoformat(),
        message.last_error,
    )
    message_enqueue(message_id=message.pk, run_after=message.next_attempt_at)
    return "retry"


def messages_due(*, now: dt.datetime | None = None) -> models.QuerySet[OutboundMessage]:
    """Pending messages whose next attempt is due, or that never had one and are not new."""
    now = now or timezone.now()
    return OutboundMessage.objects.filter(status=MessageStatus.PENDING).filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lte=now - SWEEP_GRACE)
    )


def messages_sweep(*, now: dt.datetime | None = None) -> int:
    """Enqueue every due pending message again; return how many. Safe to run any time."""
    ids = list(messages_due(now=now).values_list("pk", flat=True))
    for message_id in ids:
        message_enqueue(message_id=message_id)
    if ids:
        logger.info("Swept %s pending message(s) back onto the task queue", len(ids))
    return len(ids)
