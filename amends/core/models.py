"""Shared records: the append-only audit trail and the workflow transition log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    TRANSITION = "transition", "Changed status"
    EXPORT = "export", "Exported"
    SHARE = "share", "Shared"
    CONFLICT = "conflict", "Save refused (stale version)"


class AuditEvent(models.Model):
    """One view, change, export or transition of personal data.

    Append-only in the database itself: triggers (migration 0002) refuse every
    UPDATE and DELETE. It holds no foreign keys, so that nothing deleted
    elsewhere can cascade into it, and no values of personal data, only the
    names of the fields that changed.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_email = models.CharField(max_length=254, blank=True)
    organisation_slug = models.CharField(max_length=80, blank=True, db_index=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    record_type = models.CharField(max_length=80)
    record_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["record_type", "record_id", "at"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        record = f"{self.record_type}:{self.record_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {record}"


class TransitionLog(models.Model):
    """Every change of workflow state: who, when, from, to, why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    from_state = models.CharField(max_length=40)
    to_state = models.CharField(max_length=40)
    closing_reason = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed after every retry"


class OutboundMessage(models.Model):
    """A message to send, kept until it is sent so that none is lost while a provider is down.

    Written in the same transaction as the record it is about; a background task
    sends it and retries with backoff.
    """

    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(max_length=254)
    template = models.CharField(max_length=80, help_text="Our template name, e.g. referral_ack.")
    personalisation = models.JSONField(default=dict, blank=True)
    record_type = models.CharField(max_length=80, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.template} by {self.channel} ({self.status})"


class RateCounter(models.Model):
    """How many times something happened in one fixed window (core/ratelimit.py).

    Kept in the database rather than the cache: one statement counts and answers,
    shared by every worker and machine, with no cache server to run.
    """

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField(help_text="Unix time at which the window opened.")
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_key_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"
