"""Reminders before a DBS renewal, supervision, observed practice or CPD falls due.

Each is produced on the right working day (PRACTITIONER_REMINDER_WORKING_DAYS
working days before, in England and Wales), once, to the practitioner, with one
digest to the provider's volunteer coordinators.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from amends.accounts.tests.factories import UserFactory
from amends.core.messaging import message_text
from amends.core.models import AuditEvent, OutboundMessage
from amends.practitioners import compliance
from amends.practitioners.models import (
    AccreditationRole,
    PractitionerLevel,
    PractitionerReminder,
    PractitionerState,
    ReminderKind,
    TrainingCourse,
)
from amends.practitioners.tasks import practitioner_reminders_send
from amends.practitioners.tests.factories import (
    CpdEntryFactory,
    DbsCheckFactory,
    ObservedPracticeFactory,
    PractitionerFactory,
    ProviderFactory,
    SupervisionSessionFactory,
    TrainingRecordFactory,
    volunteer_coordinator_factory,
)

pytestmark = pytest.mark.django_db

D = dt.date
REMINDER = compliance.PRACTITIONER_REMINDER
DIGEST = compliance.PRACTITIONER_REMINDERS_DIGEST


@pytest.fixture
def provider():
    return ProviderFactory(name="Mend Together")


@pytest.fixture
def coordinator(provider):
    return volunteer_coordinator_factory(provider, email="coordinator@mend.example.org")


def practitioner(provider, *, dbs, supervised, observed, level="", cpd=(), **fields):
    """An active facilitator with one DBS check, supervision and observation on these dates."""
    defaults = {
        "provider": provider,
        "state": PractitionerState.ACTIVE,
        "accreditation_role": AccreditationRole.FACILITATOR,
        "level": level,
    }
    defaults.update(fields)
    person = PractitionerFactory(**defaults)
    DbsCheckFactory(practitioner=person, issue_date=dbs)
    TrainingRecordFactory(
        practitioner=person, course=TrainingCourse.FACILITATOR, completed_on=D(2024, 1, 10)
    )
    SupervisionSessionFactory(practitioner=person, held_on=supervised)
    ObservedPracticeFactory(practitioner=person, observed_on=observed)
    for completed_on, hours in cpd:
        CpdEntryFactory(practitioner=person, completed_on=completed_on, hours=Decimal(hours))
    return person


def send(day):
    return compliance.practitioner_reminders_send(on=day)


def reminders_to(person):
    return list(OutboundMessage.objects.filter(template=REMINDER, recipient=person.email))


def digests():
    return list(OutboundMessage.objects.filter(template=DIGEST))


# ---------------------------------------------------------------------------
# The reminder day
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        # Back over Christmas Day, Boxing Day (Saturday, observed Monday 28th), New Year's Day.
        (D(2027, 1, 8), D(2026, 12, 22)),
        # Due on Easter Monday; Good Friday is not a working day either.
        (D(2027, 3, 29), D(2027, 3, 12)),
        (D(2027, 3, 30), D(2027, 3, 12)),
        # Due on a Saturday, with the spring bank holiday in between.
        (D(2027, 6, 5), D(2027, 5, 21)),
        # An ordinary fortnight.
        (D(2026, 6, 26), D(2026, 6, 12)),
    ],
)
def test_the_reminder_day_is_10_working_days_before(due_on, expected):
    assert compliance.reminder_day(due_on) == expected


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        (D(2026, 6, 19), D(2026, 6, 19)),  # a Friday
        (D(2026, 6, 20), D(2026, 6, 19)),  # a Saturday: the Friday before
        (D(2026, 6, 21), D(2026, 6, 19)),  # a Sunday
        (D(2026, 12, 28), D(2026, 12, 24)),  # Boxing Day observed, after Christmas and a weekend
        (D(2027, 3, 29), D(2027, 3, 25)),  # Easter Monday, after Good Friday
    ],
)
def test_a_reminder_day_on_a_weekend_or_bank_holiday_moves_to_the_working_day_before(
    settings, due_on, expected
):
    settings.PRACTITIONER_REMINDER_WORKING_DAYS = 0
    assert compliance.reminder_day(due_on) == expected


# ---------------------------------------------------------------------------
# Produced on the right working day, once
# ---------------------------------------------------------------------------


def test_a_dbs_renewal_reminder_is_produced_on_the_right_working_day_before_christmas(
    provider, coordinator
):
    # Renewal due 8 January 2027 (36 months). 14 calendar days before is Christmas Day;
    # 10 working days before is Tuesday 22 December.
    person = practitioner(
        provider,
        dbs=D(2024, 1, 8),
        supervised=D(2026, 12, 14),
        observed=D(2026, 12, 1),
        first_name="Siobhán",
        last_name="O'Neill",
    )
    assert send(D(2026, 12, 18)) == 0
    assert send(D(2026, 12, 21)) == 0
    assert not OutboundMessage.objects.exists()

    assert send(D(2026, 12, 22)) == 1
    [reminder] = PractitionerReminder.objects.all()
    assert (reminder.practitioner, reminder.kind, reminder.due_on, reminder.sent_on) == (
        person,
        ReminderKind.DBS,
        D(2027, 1, 8),
        D(2026, 12, 22),
    )
    [message] = reminders_to(person)
    subject, body = message_text(message)
    assert subject == "Mend Together: DBS renewal due by 8 January 2027"
    assert "Dear Siobhán," in body
    assert "Your enhanced DBS certificate is due for renewal by 8 January 2027." in body
    assert (message.record_type, message.record_id) == (
        "practitioners.practitioner",
        str(person.pk),
    )

    # Once only: again that day, the next days, over Christmas.
    for day in (D(2026, 12, 22), D(2026, 12, 23), D(2026, 12, 24), D(2026, 12, 29)):
        assert send(day) == 0
    assert len(reminders_to(person)) == 1
    assert len(digests()) == 1


def test_a_supervision_reminder_is_produced_on_the_right_working_day_before_easter(
    provider, coordinator
):
    # Supervised on 4 January 2027: the next is due within 12 weeks, by Easter Monday
    # 29 March. 10 working days before, skipping Good Friday, is Friday 12 March.
    person = practitioner(
        provider, dbs=D(2026, 6, 1), supervised=D(2027, 1, 4), observed=D(2027, 1, 10)
    )
    assert send(D(2027, 3, 11)) == 0
    assert send(D(2027, 3, 12)) == 1
    [message] = reminders_to(person)
    subject, body = message_text(message)
    assert subject == "Mend Together: Supervision due by 29 March 2027"
    assert "Your next supervision session is due by 29 March 2027 (at least every 12 weeks)." in (
        body
    )
    assert send(D(2027, 3, 15)) == 0
    assert send(D(2027, 3, 25)) == 0
    assert len(reminders_to(person)) == 1


def test_a_cpd_reminder_is_produced_on_the_right_working_day_before_a_weekend(
    provider, coordinator
):
    # 6 hours (a foundation practitioner's year) on 6 June 2026 count up to Saturday
    # 5 June 2027. 14 calendar days before is a Saturday; 10 working days before,
    # skipping the spring bank holiday of 31 May, is Friday 21 May.
    person = practitioner(
        provider,
        dbs=D(2026, 6, 1),
        supervised=D(2027, 5, 1),
        observed=D(2027, 1, 10),
        level=PractitionerLevel.FOUNDATION,
        cpd=[(D(2026, 6, 6), 6)],
    )
    assert compliance.practitioner_status(person, on=D(2027, 5, 20)).cpd_due == D(2027, 6, 5)
    assert send(D(2027, 5, 20)) == 0
    assert send(D(2027, 5, 21)) == 1
    [message] = reminders_to(person)
    subject, body = message_text(message)
    assert subject == "Mend Together: CPD hours due by 5 June 2027"
    assert "meets the 6 hours a year your level needs only until 5 June 2027" in body
    assert send(D(2027, 5, 22)) == 0  # Saturday
    assert send(D(2027, 5, 24)) == 0
    assert len(reminders_to(person)) == 1


def test_an_observed_practice_reminder_is_produced_too(provider, coordinator):
    person = practitioner(
        provider, dbs=D(2026, 1, 5), supervised=D(2026, 6, 1), observed=D(2025, 6, 26)
    )
    # Observation due 26 June 2026 (a Friday): reminder on Friday 12 June.
    assert send(D(2026, 6, 11)) == 0
    assert send(D(2026, 6, 12)) == 1
    assert PractitionerReminder.objects.get().kind == ReminderKind.OBSERVATION
    [message] = reminders_to(person)
    assert "Your practice is due to be observed again by 26 June 2026." in message_text(message)[1]


def test_with_no_notice_a_reminder_due_on_a_weekend_goes_on_the_friday(
    settings, provider, coordinator
):
    settings.PRACTITIONER_REMINDER_WORKING_DAYS = 0
    person = practitioner(
        provider, dbs=D(2023, 6, 20), supervised=D(2026, 6, 1), observed=D(2026, 1, 5)
    )
    # DBS renewal due Saturday 20 June 2026.
    assert send(D(2026, 6, 18)) == 0
    assert send(D(2026, 6, 19)) == 1
    assert send(D(2026, 6, 20)) == 0
    assert len(reminders_to(person)) == 1


def test_nothing_is_produced_on_a_weekend_or_bank_holiday_and_a_missed_day_is_caught_up(
    provider, coordinator
):
    person = practitioner(
        provider, dbs=D(2024, 1, 8), supervised=D(2026, 12, 14), observed=D(2026, 12, 1)
    )
    # The run of Tuesday 22 December did not happen; Christmas Day and Boxing Day
    # produce nothing; the next working day, 23rd, catches up.
    assert compliance.practitioner_reminders_due(on=D(2026, 12, 25)) == []
    assert compliance.practitioner_reminders_due(on=D(2026, 12, 26)) == []
    assert send(D(2026, 12, 23)) == 1
    assert PractitionerReminder.objects.get().sent_on == D(2026, 12, 23)
    assert send(D(2026, 12, 24)) == 0
    assert len(reminders_to(person)) == 1


def test_nothing_is_produced_once_the_item_is_overdue(provider, coordinator):
    practitioner(provider, dbs=D(2024, 1, 8), supervised=D(2026, 12, 14), observed=D(2026, 12, 1))
    assert send(D(2027, 1, 11)) == 0  # renewal was due 8 January
    assert not OutboundMessage.objects.exists()


def test_a_new_due_date_gets_its_own_reminder(provider, coordinator):
    person = practitioner(
        provider, dbs=D(2026, 1, 5), supervised=D(2026, 3, 16), observed=D(2026, 1, 5)
    )
    # Supervision due 8 June 2026: reminded on 22 May (25 May is a bank holiday).
    assert compliance.reminder_day(D(2026, 6, 8)) == D(2026, 5, 22)
    assert send(D(2026, 5, 22)) == 1
    # Supervised again on 1 June: the next is due 24 August, reminded on 10 August.
    SupervisionSessionFactory(practitioner=person, held_on=D(2026, 6, 1))
    assert compliance.reminder_day(D(2026, 8, 24)) == D(2026, 8, 10)
    assert send(D(2026, 8, 7)) == 0
    assert send(D(2026, 8, 10)) == 1
    assert sorted(PractitionerReminder.objects.values_list("due_on", flat=True)) == [
        D(2026, 6, 8),
        D(2026, 8, 24),
    ]


def test_a_reminder_another_run_produced_meanwhile_is_not_sent_again(
    provider, coordinator, monkeypatch
):
    person = practitioner(
        provider, dbs=D(2024, 1, 8), supervised=D(2026, 12, 14), observed=D(2026, 12, 1)
    )
    # Both runs read what is due before either records it.
    stale = compliance.practitioner_reminders_due(on=D(2026, 12, 22))
    assert len(stale) == 1
    assert send(D(2026, 12, 22)) == 1
    monkeypatch.setattr(compliance, "practitioner_reminders_due", lambda *, on: stale)
    assert send(D(2026, 12, 22)) == 0
    assert len(reminders_to(person)) == 1
    assert len(digests()) == 1


def test_only_practising_practitioners_are_reminded(provider, coordinator):
    for state in (PractitionerState.LEFT, PractitionerState.NOT_PROGRESSED):
        practitioner(
            provider,
            dbs=D(2024, 1, 8),
            supervised=D(2026, 12, 14),
            observed=D(2026, 12, 1),
            state=state,
        )
    paused = practitioner(
        provider,
        dbs=D(2024, 1, 8),
        supervised=D(2026, 12, 14),
        observed=D(2026, 12, 1),
        state=PractitionerState.PAUSED,
    )
    assert send(D(2026, 12, 22)) == 1
    assert PractitionerReminder.objects.get().practitioner == paused


# ---------------------------------------------------------------------------
# The coordinators' digest
# ---------------------------------------------------------------------------


def test_one_digest_per_coordinator_lists_the_days_reminders_by_reference_only(provider):
    first = volunteer_coordinator_factory(provider, email="first@mend.example.org")
    second = volunteer_coordinator_factory(provider, email="second@mend.example.org")
    UserFactory(organisation=provider, roles=["provider_coordinator"], email="pc@mend.example.org")
    due_dbs = practitioner(
        provider,
        dbs=D(2024, 1, 8),
        supervised=D(2026, 12, 14),
        observed=D(2026, 12, 1),
        first_name="Ada",
        last_name="Lovelace",
    )
    due_two = practitioner(
        provider,
        dbs=D(2024, 1, 8),
        supervised=D(2026, 10, 16),  # due 8 January 2027 too
        observed=D(2026, 12, 1),
        first_name="Bea",
        last_name="Broadway",
    )
    other = ProviderFactory(name="Elsewhere")
    volunteer_coordinator_factory(other, email="elsewhere@example.org")

    assert send(D(2026, 12, 22)) == 3
    assert len(reminders_to(due_dbs)) == 1
    assert len(reminders_to(due_two)) == 2
    messages = digests()
    assert sorted(m.recipient for m in messages) == [first.email, second.email]
    subject, body = message_text(messages[0])
    assert subject == "Mend Together: 3 practitioner reminders sent"
    assert f"- {due_dbs.reference}: DBS renewal due by 8 January 2027" in body
    assert f"- {due_two.reference}: Supervision due by 8 January 2027" in body
    assert "/staff/practitioners/compliance/" in body
    for name in ("Ada", "Lovelace", "Bea", "Broadway"):
        assert name not in body

    assert send(D(2026, 12, 22)) == 0
    assert len(digests()) == 2


def test_without_a_volunteer_coordinator_the_digest_goes_to_the_team_inbox(provider):
    provider.notification_email = "team@mend.example.org"
    provider.save()
    practitioner(provider, dbs=D(2024, 1, 8), supervised=D(2026, 12, 14), observed=D(2026, 12, 1))
    assert send(D(2026, 12, 22)) == 1
    assert [m.recipient for m in digests()] == ["team@mend.example.org"]


def test_with_nobody_to_tell_the_digest_is_recorded_as_not_sent(provider):
    person = practitioner(
        provider, dbs=D(2024, 1, 8), supervised=D(2026, 12, 14), observed=D(2026, 12, 1)
    )
    assert send(D(2026, 12, 22)) == 1
    assert len(reminders_to(person)) == 1
    assert not digests()
    event = AuditEvent.objects.filter(detail__template=DIGEST).get()
    assert event.detail["not_sent"] == "no volunteer coordinator"


# ---------------------------------------------------------------------------
# The task and the command
# ---------------------------------------------------------------------------


def test_the_task_produces_the_days_reminders(provider, coordinator):
    practitioner(provider, dbs=D(2024, 1, 8), supervised=D(2026, 12, 14), observed=D(2026, 12, 1))
    result = practitioner_reminders_send.enqueue(on="2026-12-22")
    assert result.return_value == 1
    assert practitioner_reminders_send.enqueue(on="2026-12-22").return_value == 0


def test_the_command_enqueues_the_task_for_a_day(provider, coordinator):
    person = practitioner(
        provider, dbs=D(2024, 1, 8), supervised=D(2026, 12, 14), observed=D(2026, 12, 1)
    )
    out = StringIO()
    call_command("practitioner-reminders", "--on", "2026-12-22", stdout=out)
    assert "Reminders for 2026-12-22 put on the task queue." in out.getvalue()
    # The test settings run tasks immediately.
    assert len(reminders_to(person)) == 1


def test_the_command_can_produce_them_itself(provider, coordinator):
    practitioner(provider, dbs=D(2024, 1, 8), supervised=D(2026, 12, 14), observed=D(2026, 12, 1))
    out = StringIO()
    call_command("practitioner-reminders", "--on", "2026-12-22", "--now", stdout=out)
    assert out.getvalue().strip() == "1 reminder(s) produced for 2026-12-22."
    out = StringIO()
    call_command("practitioner-reminders", "--on", "2026-12-22", "--now", stdout=out)
    assert out.getvalue().strip() == "0 reminder(s) produced for 2026-12-22."


def test_the_command_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="is not a date like 2026-03-31"):
        call_command("practitioner-reminders", "--on", "22/12/2026")
