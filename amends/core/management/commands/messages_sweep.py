"""`amends messages_sweep`: put every pending message that is due back on the task queue.

Run it every few minutes (cron or a systemd timer) beside `amends db_worker`:
it picks up retries whose time has come and messages whose worker died.
With --send it sends them in this process instead, without a worker.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from amends.core import messaging


class Command(BaseCommand):
    help = "Enqueue (or with --send, send now) every pending message that is due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--send",
            action="store_true",
            help="Send the due messages in this process instead of enqueueing them.",
        )

    def handle(self, *args: Any, send: bool = False, **options: Any) -> None:
        if send:
            ids = list(messaging.messages_due().values_list("pk", flat=True))
            outcomes = [messaging.message_send(message_id=pk) for pk in ids]
            sent = outcomes.count("sent")
            self.stdout.write(f"{len(ids)} due, {sent} sent, {len(ids) - sent} not sent.")
        else:
            count = messaging.messages_sweep()
            self.stdout.write(f"{count} pending message(s) put back on the task queue.")
