"""`amends create-api-key ORG_SLUG [--name NAME]`: make a key and show it, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amends.accounts.models import Organisation
from amends.api.services import REFERRING_KINDS, api_key_create


class Command(BaseCommand):
    help = "Make an API key for an organisation and print it. Only its SHA-256 is kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", metavar="ORG_SLUG")
        parser.add_argument(
            "--name", default="API key", help="What will use the key, e.g. 'Niche RMS export'."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["organisation"]
        try:
            organisation = Organisation.objects.get(slug=slug)
        except Organisation.DoesNotExist:
            raise CommandError(f"There is no organisation {slug!r}.") from None
        name = str(options["name"]).strip()[:100] or "API key"
        api_key, key = api_key_create(actor=None, organisation=organisation, name=name)
        if organisation.kind not in REFERRING_KINDS:
            self.stderr.write(
                f"Note: {organisation.name} is not a police force or youth justice service, "
                "so this key cannot send referrals."
            )
        self.stderr.write(
            f"API key '{api_key.name}' for {organisation.name} (starts amends_{api_key.prefix}_). "
            "Copy it now: it is not shown again."
        )
        self.stdout.write(key)
