from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amends.demo.codes import current_code
from amends.demo.data import DEMO_EMAILS


class Command(BaseCommand):
    help = "Print a demo user's current six-digit security code (demo users only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("amends demo-code refuses to run under production settings.")
        email = options["email"].strip().lower()
        if email not in DEMO_EMAILS:
            raise CommandError(f"{email} is not a demo user; `amends demo` lists them.")
        self.stdout.write(current_code())
