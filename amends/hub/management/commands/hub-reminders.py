"""`amends hub-reminders [--on DATE] [--now]`: the day's digests of the hub's clocks.

Run it once a day from cron or a systemd timer, beside `amends db_worker`: it
enqueues the `hub_reminders_send` task. Each person gets at most one digest a
day however often it runs, so a second run or a retry after a failure is
harmless. With --now it produces them in this process instead, without a worker.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from amends.hub import digest
from amends.hub.tasks import hub_reminders_send


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date like 2026-03-31") from None


class Command(BaseCommand):
    help = (
        "Send each hub caseworker a digest of their referrals due and overdue, and each hub "
        "manager the clock breaches at their hub, for a day (today by default): enqueue the "
        "task, or with --now run it here."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--on",
            type=_iso_date,
            default=None,
            help="The day to produce the digests for, as YYYY-MM-DD (default: today).",
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
            count = digest.hub_reminders_send(on=day)
            self.stdout.write(f"{count} digest(s) produced for {day.isoformat()}.")
        else:
            hub_reminders_send.enqueue(on=day.isoformat())
            self.stdout.write(f"Digests for {day.isoformat()} put on the task queue.")
