"""`amends prune-idempotency-keys`: forget keys older than API_IDEMPOTENCY_KEEP_HOURS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from amends.api.idempotency import idempotency_prune


class Command(BaseCommand):
    help = "Delete idempotency records older than API_IDEMPOTENCY_KEEP_HOURS (24 by default)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = idempotency_prune()
        self.stdout.write(f"Forgot {count} idempotency keys.")
