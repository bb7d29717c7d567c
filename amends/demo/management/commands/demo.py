from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from amends.demo.build import demo_events, demo_organisations, demo_referrals, demo_users
from amends.demo.data import DEMO_PASSWORD, USERS
from amends.demo.hub_support import demo_hub_support


class Command(BaseCommand):
    help = "Create the made-up demo partnership: organisations, one user per role, referrals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--referrals", type=int, default=300, help="How many referrals (300).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed for Faker.")
        parser.add_argument("--quiet-sign-ins", action="store_true", help="Do not print sign-ins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "amends demo refuses to run under production settings (AMENDS_ENV=production): "
                "it creates users with a published password."
            )
        with transaction.atomic():
            orgs = demo_organisations()
            users = demo_users(orgs)
        made = demo_referrals(
            orgs=orgs, users=users, count=options["referrals"], seed=options["seed"]
        )
        if made:
            self.stdout.write(self.style.SUCCESS(f"Created {made} demo referrals."))
        else:
            self.stdout.write("Demo data already present: nothing created.")
        # After the practitioners, whom the demo events register and whose hours they log.
        with transaction.atomic():
            events = demo_events(orgs=orgs, users=users, seed=options["seed"])
        if events:
            self.stdout.write(self.style.SUCCESS(f"Created {events} demo events."))
        # After the referrals, on whose open ones the hubs record needs, devices and onward
        # referrals.
        supported = demo_hub_support(orgs=orgs, users=users, seed=options["seed"])
        if supported:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created support records (needs, devices, agencies) in {supported} demo hubs."
                )
            )
        if not options["quiet_sign_ins"]:
            self.print_sign_ins()

    def print_sign_ins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(
            "Security code: run `.venv/bin/amends demo-code EMAIL` for the current code."
        )
        width = max(len(u.email) for u in USERS)
        for spec in USERS:
            roles = ", ".join(r.label for r in spec.roles)  # type: ignore[attr-defined]
            self.stdout.write(f"  {spec.email.ljust(width)}  {roles} ({spec.organisation})")
        self.stdout.write("")
