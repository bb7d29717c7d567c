"""`amends practitioner-reminders [--on DATE] [--now]`: the day's reminders to practitioners.

Run it once a day from cron or a systemd timer, beside `amends db_worker`: it
enqueues the `practitioner_reminders_send` task. Each reminder is produced once
however often it runs, so a second run or a retry after a failure is harmless.
With --now it produces them in this process instead, without a worker.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from amends.practitioners import compliance
from amends.practitioners.tasks import practitioner_reminders_send


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date like 2026-03-31") from None


class Command(BaseCommand):
    help = (
        "Produce the reminders of DBS renewal, supervision, observed practice and CPD "
        "due on a day (today by default): enqueue the task, or with --now run it here."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--on",
            type=_iso_date,
            default=None,
            help="The day to produce reminders for, as YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--now",
            action="store_true",
            help="Produce them in this process instead of enqueueing the task.",
        )

    def handle(
        self, *args: Any, on: dt.date | None = None, now: bool = False, **options: Any
    ) -> None:
        day = on or timezone.localdate()
        if now:
            count = compliance.practitioner_reminders_send(on=day)
            self.stdout.write(f"{count} reminder(s) produced for {day.isoformat()}.")
        else:
            practitioner_reminders_send.enqueue(on=day.isoformat())
            self.stdout.write(f"Reminders for {day.isoformat()} put on the task queue.")
