"""`amends import-referrals FILE.csv --organisation SLUG`: referrals from a police system.

Prints each bad row as "row N, column X: reason" and a summary. Bad rows do not
fail the command (they are reported and skipped); a file that cannot be read at
all, or whose header cannot be used, does (exit code 1, nothing imported).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amends.accounts.models import Organisation
from amends.core.errors import DomainError
from amends.referrals import csv_import


class Command(BaseCommand):
    help = (
        "Import referrals from a CSV file made by a police force's or YOT's own system. "
        "The columns are described in the README."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8, with or without BOM)")
        parser.add_argument(
            "--organisation",
            required=True,
            help="slug of the referring police force or youth justice service",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["organisation"]
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"There is no organisation with the slug {slug!r}.")
        try:
            with open(options["file"], "rb") as file:
                summary = csv_import.referrals_import_csv(
                    actor=None, organisation=organisation, file=file, report=self.report
                )
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
        except DomainError as error:
            raise CommandError(error.message) from None
        for warning in summary.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            f"{summary.rows} row(s) read: {summary.imported} imported, "
            f"{summary.already_imported} already imported before, "
            f"{summary.invalid} with problems (not imported)."
        )
        if summary.stopped:
            raise CommandError(summary.stopped)

    def report(self, item: csv_import.RowProblem | csv_import.AlreadyImported) -> None:
        self.stdout.write(str(item))
