"""Outbound messages: queueing, sending, retrying with backoff, never twice, never lost."""

from __future__ import annotations

import datetime as dt
import io
import logging

import jwt
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amends.core import messaging
from amends.core.models import AuditEvent, MessageChannel, MessageStatus, OutboundMessage
from amends.core.tests.support import API_KEY, SECRET, SERVICE_ID, notify_stub, run_db_tasks

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ACK = {"reference": "RJ-ABCD-EFGH", "service_name": "Amends"}


def queue(channel=MessageChannel.EMAIL, recipient="sam@example.org", template="referral_ack"):
    return messaging.message_queue(
        channel=channel, recipient=recipient, template=template, personalisation=dict(ACK)
    )


@pytest.fixture
def file_backend(settings, tmp_path):
    settings.MESSAGES_BACKEND = "amends.core.messaging.FileBackend"
    settings.MESSAGES_FILE_PATH = str(tmp_path / "messages")
    return tmp_path / "messages"


@pytest.fixture
def notify(settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with notify_stub() as stub:
        settings.MESSAGES_BACKEND = "amends.core.messaging.NotifyBackend"
        settings.NOTIFY_API_KEY = API_KEY
        settings.NOTIFY_BASE_URL = stub.base_url
        settings.NOTIFY_TIMEOUT_SECONDS = 5
        settings.NOTIFY_TEMPLATE_IDS = {
            "referral_ack_email": "11111111-1111-4111-8111-111111111111",
            "referral_ack_sms": "22222222-2222-4222-8222-222222222222",
        }
        yield stub


class TestQueue:
    def test_a_queued_message_is_pending_and_audited_without_its_recipient(self):
        message = queue()
        assert message.status == MessageStatus.PENDING
        assert message.attempts == 0
        event = AuditEvent.objects.get(record_type="core.outboundmessage", record_id=message.pk)
        assert event.detail["template"] == "referral_ack"
        assert "sam@example.org" not in str(event.detail) + str(event.fields)

    def test_with_the_database_queue_the_task_is_written_in_the_same_transaction(
        self, settings, django_capture_on_commit_callbacks
    ):
        settings.TASKS = DB_TASKS
        # Rolled back: neither the message nor its task remains.
        seen_inside: list[int] = []

        def fails() -> None:
            with transaction.atomic():
                queue()
                seen_inside.append(DBTaskResult.objects.count())
                raise RuntimeError("the caller's transaction fails")

        with pytest.raises(RuntimeError):
            fails()
        assert seen_inside == [1]
        assert not OutboundMessage.objects.exists()
        assert not DBTaskResult.objects.exists()
        # Committed: both, with nothing left to run on commit.
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message = queue()
        assert callbacks == []
        task = DBTaskResult.objects.get()
        assert task.task_path == "amends.core.tasks.message_send"
        assert task.args_kwargs["kwargs"] == {"message_id": message.pk}

    def test_another_queue_gets_the_task_only_when_the_transaction_commits(
        self, django_capture_on_commit_callbacks
    ):
        # The immediate backend (as tests use) stands for any queue outside the database.
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message = queue()
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING
        assert len(callbacks) == 1
        callbacks[0]()
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT

    def test_with_the_immediate_backend_it_is_sent_on_commit(
        self, capsys, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            message = queue(channel=MessageChannel.SMS, recipient="07700900123")
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        out = capsys.readouterr().out
        assert "Text message to 07700900123" in out
        assert "Your reference is RJ-ABCD-EFGH" in out

    def test_a_task_queue_that_is_down_loses_nothing(
        self, settings, django_capture_on_commit_callbacks, caplog
    ):
        settings.TASKS = {"default": {"BACKEND": "amends.no_such_module.Backend"}}
        with django_capture_on_commit_callbacks(execute=True):
            message = queue()
        assert "Error calling" in caplog.text
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING
        # Once the queue is back, the sweep picks it up.
        settings.TASKS = DB_TASKS
        with time_machine.travel(timezone.now() + messaging.SWEEP_GRACE):
            assert messaging.messages_sweep() == 1
        assert DBTaskResult.objects.get().args_kwargs["kwargs"] == {"message_id": message.pk}

    def test_unknown_channels_and_empty_recipients_are_refused(self):
        with pytest.raises(ValueError, match="channel"):
            queue(channel="pigeon")
        with pytest.raises(ValueError, match="recipient"):
            queue(recipient="")


class TestRetry:
    def test_the_backoff_doubles_from_the_base_up_to_the_cap(self, settings):
        settings.MESSAGES_RETRY_BASE_SECONDS = 60
        settings.MESSAGES_RETRY_MAX_SECONDS = 3600
        minutes = [messaging.retry_delay(n) / dt.timedelta(minutes=1) for n in range(1, 10)]
        assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]

    def test_a_failing_backend_is_retried_with_backoff_then_sends_once(self, file_backend):
        # A file where the folder should be: the backend cannot write.
        file_backend.write_text("in the way")
        message = queue()
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            assert messaging.message_send(message_id=message.pk) == "retry"
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING
        assert message.attempts == 1
        assert message.last_error.startswith(("FileExistsError", "NotADirectoryError"))
        assert message.next_attempt_at == start + dt.timedelta(minutes=1)

        # Not due yet: nothing happens, the attempt is not counted.
        with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
            assert messaging.message_send(message_id=message.pk) == "skipped"
        message.refresh_from_db()
        assert message.attempts == 1

        second = start + dt.timedelta(minutes=1)
        with time_machine.travel(second, tick=False):
            assert messaging.message_send(message_id=message.pk) == "retry"
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.next_attempt_at == second + dt.timedelta(minutes=2)

        file_backend.unlink()  # the backend recovers
        with time_machine.travel(second + dt.timedelta(minutes=2), tick=False):
            assert messaging.message_send(message_id=message.pk) == "sent"
            assert messaging.message_send(message_id=message.pk) == "skipped"
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert message.attempts == 3
        assert message.next_attempt_at is None
        files = list(file_backend.iterdir())
        assert len(files) == 1
        assert "To: sam@example.org" in files[0].read_text()

    def test_after_the_last_attempt_it_is_failed_and_an_alert_logged(
        self, settings, file_backend, caplog
    ):
        settings.MESSAGES_MAX_ATTEMPTS = 3
        file_backend.write_text("in the way")
        message = queue()
        outcomes = []
        now = timezone.now()
        for _ in range(4):
            with time_machine.travel(now, tick=False):
                outcomes.append(messaging.message_send(message_id=message.pk))
            now += dt.timedelta(hours=2)
        assert outcomes == ["retry", "retry", "failed", "skipped"]
        message.refresh_from_db()
        assert message.status == MessageStatus.FAILED
        assert message.attempts == 3
        assert message.next_attempt_at is None
        alerts = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(alerts) == 1
        assert "ALERT" in alerts[0].getMessage()
        assert "sam@example.org" not in caplog.text

    def test_with_the_database_queue_a_retry_is_a_deferred_task(self, settings, file_backend):
        settings.TASKS = DB_TASKS
        file_backend.write_text("in the way")
        message = queue()
        DBTaskResult.objects.all().delete()  # the first attempt's task, run by hand below
        assert messaging.message_send(message_id=message.pk) == "retry"
        message.refresh_from_db()
        task = DBTaskResult.objects.get()
        assert task.run_after == message.next_attempt_at
        assert run_db_tasks() == []  # not due yet

    def test_a_sent_message_is_never_sent_again(self, file_backend):
        message = queue()
        assert messaging.message_send(message_id=message.pk) == "sent"
        for _ in range(3):
            assert messaging.message_send(message_id=message.pk) == "skipped"
        message.refresh_from_db()
        assert message.attempts == 1
        assert len(list(file_backend.iterdir())) == 1

    def test_a_message_being_sent_by_another_worker_is_left_alone(self, file_backend):
        message = queue()
        # Another worker's claim: leased until SEND_LEASE from now.
        OutboundMessage.objects.filter(pk=message.pk).update(
            attempts=1, next_attempt_at=timezone.now() + messaging.SEND_LEASE
        )
        assert messaging.message_send(message_id=message.pk) == "skipped"
        # If that worker died, the lease runs out and the sweep sends it.
        with time_machine.travel(timezone.now() + messaging.SEND_LEASE):
            assert messaging.messages_sweep() == 1  # immediate backend: sent now
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert message.attempts == 2


class TestSweep:
    def test_only_pending_due_messages_are_swept(self, settings, file_backend):
        settings.TASKS = DB_TASKS
        due = queue()
        OutboundMessage.objects.filter(pk=due.pk).update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )
        queue()  # new, its task not yet run: left to its task
        later = queue()
        OutboundMessage.objects.filter(pk=later.pk).update(
            next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
        )
        sent = queue()
        OutboundMessage.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT)
        DBTaskResult.objects.all().delete()  # the tasks written with each message
        assert messaging.messages_sweep() == 1
        assert [t.args_kwargs["kwargs"]["message_id"] for t in DBTaskResult.objects.all()] == [
            due.pk
        ]

    def test_the_command_enqueues_or_sends(self, settings, file_backend):
        settings.TASKS = DB_TASKS
        message = queue()
        DBTaskResult.objects.all().delete()  # as if its worker had died with it
        OutboundMessage.objects.filter(pk=message.pk).update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )
        out = io.StringIO()
        call_command("messages_sweep", stdout=out)
        assert "1 pending message(s) put back" in out.getvalue()
        assert len(run_db_tasks()) == 1
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT

        other = queue()
        OutboundMessage.objects.filter(pk=other.pk).update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )
        out = io.StringIO()
        call_command("messages_sweep", "--send", stdout=out)
        assert "1 due, 1 sent" in out.getvalue()
        other.refresh_from_db()
        assert other.status == MessageStatus.SENT


class TestBackends:
    def test_console(self):
        message = queue(template="referral_new_hub")
        message.personalisation = {**ACK, "link": "http://x/staff/referrals/RJ-ABCD-EFGH/"}
        stream = io.StringIO()
        assert messaging.ConsoleBackend(stream).send(message) == f"console-{message.pk}"
        text = stream.getvalue()
        assert "Email to sam@example.org (referral_new_hub)" in text
        assert "Subject: Amends: new referral RJ-ABCD-EFGH" in text
        assert "http://x/staff/referrals/RJ-ABCD-EFGH/" in text

    def test_django_email_sends_email(self, settings):
        settings.MESSAGES_BACKEND = "amends.core.messaging.DjangoEmailBackend"
        message = queue()
        assert messaging.message_send(message_id=message.pk) == "sent"
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["sam@example.org"]
        assert "RJ-ABCD-EFGH" in mail.outbox[0].subject
        assert "Your reference is RJ-ABCD-EFGH" in mail.outbox[0].body
        assert "&" not in mail.outbox[0].body  # plain text, not HTML-escaped

    def test_django_email_cannot_send_text_messages(self, settings):
        settings.MESSAGES_BACKEND = "amends.core.messaging.DjangoEmailBackend"
        message = queue(channel=MessageChannel.SMS, recipient="07700900123")
        assert messaging.message_send(message_id=message.pk) == "retry"
        message.refresh_from_db()
        assert "NOTIFY_API_KEY" in message.last_error
        assert mail.outbox == []


class TestNotify:
    def test_email_goes_to_notify_with_the_template_id_and_personalisation(self, notify):
        message = queue()
        assert messaging.message_send(message_id=message.pk) == "sent"
        [request] = notify.requests
        assert request.method == "POST"
        assert request.path == "/v2/notifications/email"
        assert request.body == {
            "email_address": "sam@example.org",
            "template_id": "11111111-1111-4111-8111-111111111111",
            "personalisation": ACK,
            "reference": f"amends-message-{message.pk}",
        }
        token = request.headers["authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        assert claims["iss"] == SERVICE_ID
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert len(message.provider_reference) == 36  # Notify's notification id

    def test_sms_goes_to_notify(self, notify):
        message = queue(channel=MessageChannel.SMS, recipient="07700900123")
        assert messaging.message_send(message_id=message.pk) == "sent"
        [request] = notify.requests
        assert request.path == "/v2/notifications/sms"
        assert request.body["phone_number"] == "07700900123"
        assert request.body["template_id"] == "22222222-2222-4222-8222-222222222222"

    def test_notify_down_means_retry(self, notify):
        notify.status = 500
        message = queue()
        assert messaging.message_send(message_id=message.pk) == "retry"
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING
        assert message.last_error.startswith("HTTPError: 500")

    def test_a_template_without_a_notify_id_is_not_sent(self, notify):
        message = queue(template="referral_new_hub")
        assert messaging.message_send(message_id=message.pk) == "retry"
        message.refresh_from_db()
        assert "referral_new_hub_email" in message.last_error
        assert notify.requests == []
