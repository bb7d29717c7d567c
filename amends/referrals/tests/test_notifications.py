"""The messages a new referral sends: to the applicant on a safe channel only, and to the hub.

The issue's "done when": with the notification backend failing, a referral is
still saved and its message is sent once the backend recovers.
"""

from __future__ import annotations

import datetime as dt
import io
import signal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core import messaging
from amends.core.models import AuditEvent, MessageChannel, MessageStatus, OutboundMessage
from amends.core.tests.support import API_KEY, notify_stub, run_db_tasks
from amends.referrals import services
from amends.referrals.models import (
    ContactChannel,
    OffenceType,
    PersonRole,
    Referral,
    ReferralSource,
)
from amends.referrals.notifications import REFERRAL_ACK, REFERRAL_NEW_HUB, referral_created_notify
from amends.referrals.services import PersonInReferral
from amends.referrals.tests.factories import hub_factory

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HUB_INBOX = "referrals@hub.example.org"
# Everything personal in the referrals below: none of it may appear in a message text.
PERSONAL = [
    "Alex",
    "Morgan",
    "alex.morgan@example.org",
    "07700 900123",
    "Jamie",
    "Reid",
    "Robin",
    "Shaw",
    "robin.shaw@example.org",
    "12 Acacia Avenue",
    "1234/26/00042",
    "Burglary",
    "burglary",
]


def victim(**overrides):
    fields: dict[str, Any] = {
        "role": PersonRole.VICTIM,
        "given_name": "Alex",
        "family_name": "Morgan",
        "email": "alex.morgan@example.org",
        "phone": "07700 900123",
        "safe_channels": [ContactChannel.EMAIL],
    }
    fields.update(overrides)
    return PersonInReferral(**fields)


def offender():
    return PersonInReferral(
        role=PersonRole.OFFENDER,
        given_name="Jamie",
        family_name="Reid",
        email="jamie@example.org",
        safe_channels=[ContactChannel.EMAIL],
    )


def hub_with_inbox(inbox=HUB_INBOX):
    hub = hub_factory()
    hub.notification_email = inbox
    hub.save(update_fields=["notification_email"])
    return hub


def apply(hub, people, *, source=ReferralSource.SELF, actor=None, **fields):
    """What every creator of a referral does: create it and queue its messages, in one go."""
    with transaction.atomic():
        referral = services.referral_create(
            actor=actor,
            hub=hub,
            source=source,
            offence_type=OffenceType.BURGLARY,
            offence_place="12 Acacia Avenue",
            crime_reference="1234/26/00042",
            people=people,
            **fields,
        )
        referral_created_notify(referral=referral)
    return referral


def messages_for(referral, template=None):
    messages = OutboundMessage.objects.filter(
        record_type="referrals.referral", record_id=str(referral.pk)
    )
    if template:
        messages = messages.filter(template=template)
    return list(messages)


def no_personal_data_in(text):
    return [value for value in PERSONAL if value in text]


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
            "referral_new_hub_email": "33333333-3333-4333-8333-333333333333",
        }
        yield stub


@pytest.mark.django_db
class TestDoneWhen:
    def test_with_notify_down_the_referral_is_saved_and_sent_once_it_recovers(
        self, settings, notify, django_capture_on_commit_callbacks
    ):
        settings.TASKS = DB_TASKS
        notify.status = 500  # GOV.UK Notify is down
        hub = hub_with_inbox()
        with django_capture_on_commit_callbacks(execute=True):
            referral = apply(hub, [victim(), offender()])

        assert Referral.objects.filter(pk=referral.pk).exists()
        messages = messages_for(referral)
        assert sorted(m.template for m in messages) == [REFERRAL_ACK, REFERRAL_NEW_HUB]
        # One task sends both (each message still claimed and retried on its own).
        assert DBTaskResult.objects.count() == 1

        ran = run_db_tasks()
        assert [t.status for t in ran] == [TaskResultStatus.SUCCESSFUL]
        assert len(notify.requests) == 2
        assert notify.sent() == []
        for message in messages_for(referral):
            assert message.status == MessageStatus.PENDING
            assert message.attempts == 1
            assert message.last_error.startswith("HTTPError: 500")
            assert message.next_attempt_at is not None
        # Nothing is due before the backoff has passed.
        assert run_db_tasks() == []

        notify.status = 201  # Notify recovers
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=1, seconds=1)):
            assert len(run_db_tasks()) == 2
        sent = notify.sent()
        assert sorted(r.body["template_id"][:8] for r in sent) == ["11111111", "33333333"]
        assert {r.body["reference"] for r in sent} == {f"amends-message-{m.pk}" for m in messages}
        for message in messages_for(referral):
            assert message.status == MessageStatus.SENT
            assert message.attempts == 2

        # Sent exactly once: a later sweep and worker send nothing more.
        with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
            assert messaging.messages_sweep() == 0
            run_db_tasks()
        assert len(notify.sent()) == 2

    def test_with_the_file_backend_failing_the_referral_is_saved_and_sent_later(
        self, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        settings.TASKS = DB_TASKS
        folder = tmp_path / "messages"
        folder.write_text("a file where the folder should be")
        settings.MESSAGES_BACKEND = "amends.core.messaging.FileBackend"
        settings.MESSAGES_FILE_PATH = str(folder)
        with django_capture_on_commit_callbacks(execute=True):
            referral = apply(hub_factory(), [victim()])
        run_db_tasks()
        [message] = messages_for(referral)
        assert message.status == MessageStatus.PENDING
        assert message.last_error

        folder.unlink()
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
            run_db_tasks()
            run_db_tasks()
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        [written] = folder.iterdir()
        assert referral.reference in written.read_text()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_real_db_worker_delivers_after_the_backend_recovers(settings, notify):
    """The same, committed for real and run by `amends db_worker --batch` itself."""
    settings.TASKS = DB_TASKS
    notify.status = 503
    referral = apply(hub_with_inbox(), [victim()])  # commits, with the task in it
    assert DBTaskResult.objects.count() == 1  # one task for both messages

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}

    def worker():
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=io.StringIO()
        )

    try:
        worker()
        assert len(notify.requests) == 2
        assert {m.status for m in messages_for(referral)} == {MessageStatus.PENDING}
        notify.status = 201
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
            worker()
            worker()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert len(notify.sent()) == 2
    assert {m.status for m in messages_for(referral)} == {MessageStatus.SENT}


@pytest.mark.django_db
class TestWhoIsTold:
    @pytest.mark.parametrize(
        ("safe", "email", "phone", "expected"),
        [
            ([ContactChannel.EMAIL], "alex.morgan@example.org", "07700 900123", "email"),
            ([ContactChannel.SMS], "alex.morgan@example.org", "07700 900123", "sms"),
            (
                [ContactChannel.SMS, ContactChannel.EMAIL],
                "alex.morgan@example.org",
                "07700 900123",
                "email",
            ),
            ([ContactChannel.EMAIL], "", "07700 900123", None),
            ([ContactChannel.SMS], "alex.morgan@example.org", "", None),
            ([ContactChannel.PHONE, ContactChannel.LETTER], "alex.morgan@example.org", "0", None),
            ([], "alex.morgan@example.org", "07700 900123", None),
        ],
    )
    def test_only_on_a_channel_the_person_said_was_safe(self, safe, email, phone, expected):
        referral = apply(
            hub_factory(), [victim(safe_channels=safe, email=email, phone=phone), offender()]
        )
        acks = messages_for(referral, REFERRAL_ACK)
        if expected is None:
            assert acks == []
        else:
            [ack] = acks
            assert ack.channel == expected
            assert ack.recipient == (email if expected == MessageChannel.EMAIL else phone)

    def test_no_safe_channel_is_recorded_as_not_sent(self):
        referral = apply(hub_factory(), [victim(safe_channels=[ContactChannel.LETTER])])
        assert messages_for(referral) == []
        event = AuditEvent.objects.get(
            record_type="core.outboundmessage", detail__not_sent="no safe channel"
        )
        assert event.detail["record_id"] == str(referral.pk)
        assert event.detail["template"] == REFERRAL_ACK

    def test_someone_applying_on_behalf_is_told_not_the_person_harmed(self):
        referrer = PersonInReferral(
            role=PersonRole.REFERRER,
            given_name="Robin",
            family_name="Shaw",
            email="robin.shaw@example.org",
            relationship="Sister",
            safe_channels=[ContactChannel.EMAIL],
        )
        referral = apply(
            hub_factory(),
            [victim(knows_and_agrees=True), referrer],
            source=ReferralSource.ON_BEHALF,
        )
        [ack] = messages_for(referral, REFERRAL_ACK)
        assert ack.recipient == "robin.shaw@example.org"

    def test_a_referrer_with_no_safe_channel_means_no_message_at_all(self):
        referrer = PersonInReferral(
            role=PersonRole.REFERRER,
            given_name="Robin",
            family_name="Shaw",
            email="robin.shaw@example.org",
            safe_channels=[],
        )
        referral = apply(hub_factory(), [victim(), referrer], source=ReferralSource.ON_BEHALF)
        assert messages_for(referral, REFERRAL_ACK) == []

    def test_a_police_referral_tells_the_victim_not_the_person_responsible(self):
        police = OrganisationFactory(slug="police", kind=OrganisationKind.POLICE)
        officer = UserFactory(organisation=police, roles=[Role.POLICE_OFFICER])
        referral = apply(
            hub_factory(),
            [victim(safe_channels=[ContactChannel.SMS]), offender()],
            source=ReferralSource.POLICE,
            actor=officer,
            referring_organisation=police,
        )
        [ack] = messages_for(referral, REFERRAL_ACK)
        assert ack.channel == MessageChannel.SMS
        assert ack.recipient == "07700 900123"

    def test_a_referral_naming_only_the_person_responsible_sends_them_nothing(self):
        referral = apply(hub_factory(), [offender()], source=ReferralSource.POLICE)
        assert messages_for(referral, REFERRAL_ACK) == []


@pytest.mark.django_db
class TestWhatTheyAreTold:
    def test_the_hub_alert_has_the_reference_and_a_staff_link_and_no_names(self):
        referral = apply(hub_with_inbox(), [victim(), offender()])
        [alert] = messages_for(referral, REFERRAL_NEW_HUB)
        assert alert.channel == MessageChannel.EMAIL
        assert alert.recipient == HUB_INBOX
        link = "http://127.0.0.1:8000" + reverse(
            "referrals:detail", kwargs={"reference": referral.reference}
        )
        assert alert.personalisation == {
            "reference": referral.reference,
            "link": link,
            "service_name": "Amends",
        }
        subject, body = messaging.message_text(alert)
        assert referral.reference in subject
        assert link in body
        assert no_personal_data_in(subject + body) == []

    def test_the_acknowledgement_carries_the_reference_and_nothing_about_the_harm(self):
        referral = apply(hub_factory(), [victim(), offender()])
        [ack] = messages_for(referral, REFERRAL_ACK)
        assert set(ack.personalisation) == {"reference", "service_name"}
        subject, body = messaging.message_text(ack)
        assert referral.reference in subject
        assert referral.reference in body
        assert no_personal_data_in(subject + body) == []

        sms = apply(hub_factory(), [victim(safe_channels=[ContactChannel.SMS])])
        [text_message] = messages_for(sms, REFERRAL_ACK)
        _, text = messaging.message_text(text_message)
        assert sms.reference in text
        assert len(text) <= 306  # at most two text-message fragments
        assert no_personal_data_in(text) == []

    def test_a_hub_without_an_inbox_gets_no_alert(self):
        referral = apply(hub_with_inbox(""), [victim()])
        assert messages_for(referral, REFERRAL_NEW_HUB) == []

    def test_each_queued_message_is_audited_without_recipients(self):
        referral = apply(hub_with_inbox(), [victim()])
        messages = messages_for(referral)
        events = AuditEvent.objects.filter(
            record_type="core.outboundmessage", record_id__in=[str(m.pk) for m in messages]
        )
        assert events.count() == 2
        for event in events:
            assert event.detail["record_id"] == str(referral.pk)
            assert HUB_INBOX not in str(event.detail)
            assert "alex.morgan" not in str(event.detail)

    def test_queueing_costs_a_fixed_number_of_queries(self, django_assert_max_num_queries):
        hub = hub_with_inbox()
        with transaction.atomic():
            referral = services.referral_create(
                actor=None,
                hub=hub,
                source=ReferralSource.SELF,
                offence_type=OffenceType.BURGLARY,
                people=[victim(), offender()],
            )
            # One read of the people, then per message its insert and its audit event.
            with django_assert_max_num_queries(5):
                referral_created_notify(referral=referral)
