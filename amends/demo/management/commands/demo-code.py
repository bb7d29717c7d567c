from __future__ import annotations

from typing import Any

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amends.demo.data import DEMO_EMAILS, DEMO_TOTP_SECRET


def current_code() -> str:
    counters = list(yield_hotp_counters_from_time())
    return str(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counters[len(counters) // 2])))


class Command(BaseCommand):
    help = "Print a demo user's current six-digit security code (demo users only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("amends demo-code refuses to run under production settings.")
        email = options["email"].strip().lower()
        if email not in DEMO_EMAILS:
            raise CommandError(f"{email} is not a demo user; `amends demo` prints them.")
        self.stdout.write(current_code())
