"""The daily digest of the hub's clocks: what is due and overdue, once a day per person."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError

from amends.accounts.models import Role
from amends.accounts.tests.factories import UserFactory
from amends.core.messaging import message_text
from amends.core.models import OutboundMessage
from amends.hub import digest
from amends.hub.tests.test_queue import make
from amends.referrals import services
from amends.referrals.models import ClockDigest, ContactOutcome, ReferralState
from amends.referrals.tests.factories import caseworker_factory, hub_factory, manager_factory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
WEDNESDAY = dt.date(2026, 11, 11)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 11, 6, 0, tzinfo=LONDON), tick=False) as t:
        yield t


@pytest.fixture
def hub():
    return hub_factory("digest-hub")


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub, full_name="Sam Patel", email="sam@hub.example")


@pytest.fixture
def idle(hub):
    return caseworker_factory(hub, full_name="Ola Adeyemi", email="ola@hub.example")


@pytest.fixture
def manager(hub):
    return manager_factory(hub, full_name="Helen Reid", email="helen@hub.example")


@pytest.fixture
def referrals(hub, caseworker, manager):
    """Sam's: one due today (first contact), one overdue (triage); and one nobody holds."""
    due_today = make(hub, received="2026-11-09", given="Priya", family="Okafor")
    overdue = make(hub, received="2026-10-19", given="Tom", family="Evans")
    nobodys = make(hub, received="2026-11-05", given="Grace", family="Begum")
    later = make(hub, received="2026-11-11", given="Zara", family="Khan")
    for referral in (due_today, overdue, later):
        services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    services.referral_transition(actor=caseworker, referral=overdue, to_state="contacting")
    services.contact_attempt_record(
        actor=caseworker, referral=overdue, channel="phone", outcome=ContactOutcome.SPOKE
    )
    services.referral_transition(
        actor=caseworker, referral=overdue, to_state=ReferralState.IN_TRIAGE
    )
    return {"due_today": due_today, "overdue": overdue, "nobodys": nobodys, "later": later}


def digest_email(recipient: str) -> tuple[str, str]:
    message = OutboundMessage.objects.get(recipient=recipient, template=digest.HUB_DIGEST)
    return message_text(message)


def test_each_caseworker_hears_what_is_due_and_overdue_and_each_manager_the_breaches(
    hub, caseworker, idle, manager, referrals
):
    assert digest.hub_reminders_send(on=WEDNESDAY) == 2
    subject, body = digest_email("sam@hub.example")
    assert subject == "Amends: 1 due today, 1 overdue on 11 November 2026"
    assert f"- {referrals['due_today'].reference}: first contact" in body
    # 19 October + 10 working days is 2 November: 7 working days before 11 November.
    assert (
        f"- {referrals['overdue'].reference}: triage decision, due 2 November 2026 "
        "(7 working days overdue)"
    ) in body
    assert referrals["nobodys"].reference not in body
    assert referrals["later"].reference not in body
    subject, body = digest_email("helen@hub.example")
    assert subject == "Amends: 2 clock breaches on 11 November 2026"
    assert f"{referrals['overdue'].reference}: triage decision" in body
    assert f"{referrals['nobodys'].reference}: first contact, due 9 November 2026" in body
    assert "Sam Patel" in body
    assert "not allocated" in body
    assert referrals["due_today"].reference not in body, "due today is no breach yet"
    # Nobody with nothing due hears anything.
    assert not OutboundMessage.objects.filter(recipient="ola@hub.example").exists()


def test_a_digest_names_nobody_in_any_referral(hub, caseworker, manager, referrals):
    digest.hub_reminders_send(on=WEDNESDAY)
    for message in OutboundMessage.objects.filter(template=digest.HUB_DIGEST):
        subject, body = message_text(message)
        for name in ("Priya", "Okafor", "Tom", "Evans", "Grace", "Begum", "Zara", "Khan"):
            assert name not in subject + body


def test_a_digest_goes_once_a_day_however_often_the_task_runs(hub, caseworker, manager, referrals):
    assert digest.hub_reminders_send(on=WEDNESDAY) == 2
    assert digest.hub_reminders_send(on=WEDNESDAY) == 0
    assert OutboundMessage.objects.filter(template=digest.HUB_DIGEST).count() == 2
    assert ClockDigest.objects.filter(sent_on=WEDNESDAY).count() == 2
    record = ClockDigest.objects.get(user=caseworker)
    assert (record.due_today, record.overdue, record.breaches) == (1, 1, 0)
    with pytest.raises(IntegrityError):
        ClockDigest.objects.create(user=caseworker, sent_on=WEDNESDAY)


def test_the_next_working_day_brings_a_new_digest(hub, caseworker, manager, referrals):
    digest.hub_reminders_send(on=WEDNESDAY)
    assert digest.hub_reminders_send(on=dt.date(2026, 11, 12)) == 2
    latest = OutboundMessage.objects.filter(recipient="sam@hub.example").order_by("-id").first()
    assert latest is not None
    _, body = message_text(latest)
    # Thursday: what was due on Wednesday is overdue now.
    assert f"{referrals['due_today'].reference}: first contact, due 11 November 2026" in body


def test_nothing_is_sent_on_a_weekend_or_a_bank_holiday(hub, caseworker, manager, referrals):
    assert digest.hub_reminders_send(on=dt.date(2026, 11, 14)) == 0  # Saturday
    assert digest.hub_reminders_send(on=dt.date(2026, 12, 25)) == 0  # Christmas Day
    assert not OutboundMessage.objects.filter(template=digest.HUB_DIGEST).exists()


def test_someone_both_caseworker_and_manager_gets_one_email(hub, referrals, caseworker):
    both = UserFactory(
        organisation=hub,
        email="both@hub.example",
        roles=[Role.HUB_CASEWORKER, Role.HUB_MANAGER],
    )
    manager = manager_factory(hub)
    services.referral_allocate(actor=manager, referral=referrals["nobodys"], caseworker=both)
    digest.hub_reminders_send(on=WEDNESDAY)
    assert OutboundMessage.objects.filter(recipient="both@hub.example").count() == 1
    subject, body = digest_email("both@hub.example")
    assert "Your overdue referrals (1)" in body
    assert "Clock breaches at" in body
    assert subject == "Amends: 1 overdue, 2 clock breaches on 11 November 2026"


def test_another_hubs_referrals_never_reach_this_hubs_digests(hub, caseworker, manager):
    other = hub_factory("other-digest-hub")
    theirs = make(other, received="2026-11-02")
    make(hub, received="2026-11-02")
    digest.hub_reminders_send(on=WEDNESDAY)
    _, body = digest_email("helen@hub.example")
    assert theirs.reference not in body


def test_a_long_digest_lists_fifty_and_counts_the_rest(hub, manager):
    for _ in range(digest.DIGEST_MAX_LINES + 3):
        make(hub, received="2026-11-02")
    digest.hub_reminders_send(on=WEDNESDAY)
    _, body = digest_email("helen@hub.example")
    assert f"({digest.DIGEST_MAX_LINES + 3}):" in body
    assert body.count("\n- RJ-") == digest.DIGEST_MAX_LINES
    assert "- and 3 more: see the queue" in body


def test_the_command_runs_the_day_now_or_puts_it_on_the_task_queue(
    hub, caseworker, manager, referrals
):
    out = StringIO()
    call_command("hub-reminders", "--on", "2026-11-11", "--now", stdout=out)
    assert "2 digest(s) produced for 2026-11-11." in out.getvalue()
    out = StringIO()
    # Tests run tasks at once (the immediate backend): nothing more to send today.
    call_command("hub-reminders", stdout=out)
    assert "Digests for 2026-11-11 put on the task queue." in out.getvalue()
    assert ClockDigest.objects.count() == 2
    call_command("hub-reminders", "--on", "2026-11-12", stdout=StringIO())
    assert ClockDigest.objects.filter(sent_on=dt.date(2026, 11, 12)).count() == 2


def test_the_command_refuses_a_date_it_cannot_read():
    with pytest.raises(Exception, match="is not a date like 2026-03-31"):
        call_command("hub-reminders", "--on", "11/11/2026", stdout=StringIO())
