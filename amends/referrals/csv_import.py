"""Importing referrals from a police force's or YOT's own system as a CSV file.

The file is read row by row (`csv.reader` over a text wrapper of the bytes), and
rows are committed in batches, each row in its own savepoint: memory stays flat
however long the file is. Every valid row becomes a referral through
`referral_create` and `referral_created_notify`, like every other referral.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first
data row is row 2, and a blank line still counts as a row (so the plain
`csv.reader` rather than `DictReader`, which skips blank lines without counting
them). Problems name the row, the column and the reason, never the value: the
reasons go on pages, in logs and in the audit trail.

Importing the same file twice creates nothing new: the referring system's own id
(`external_reference`) is unique per referring organisation in the database, so a
row whose id is already there is reported as already imported and skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.core.audit import audit_record
from amends.core.errors import DomainError
from amends.core.models import AuditAction
from amends.people.models import normalise_phone
from amends.referrals.models import (
    ContactChannel,
    OffenceType,
    PersonRole,
    Referral,
    ReferralSource,
)
from amends.referrals.notifications import referral_created_notify
from amends.referrals.selectors import referral_by_external_reference
from amends.referrals.services import PersonInReferral, referral_create

# Rows committed together; each row still has its own savepoint.
BATCH_SIZE = 500
# Problems kept for the results page; the command prints every one as it goes.
PROBLEMS_KEPT = 1000
IMPORTING_KINDS = frozenset({OrganisationKind.POLICE, OrganisationKind.YOUTH_JUSTICE})
# The audit record type of one import (there is no model row for it).
IMPORT_RECORD_TYPE = "referrals.csv_import"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    format: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "external_reference",
        True,
        "your system's own id for the referral, up to 100 characters; unique in your organisation",
        "MPS-RJ-000123",
    ),
    Column("hub", True, "the victim care hub's short name (slug)", "barnet-victim-care-hub"),
    Column("crime_reference", False, "up to 40 characters", "01/123456/26"),
    Column(
        "offence_type",
        True,
        "one of the offence type codes or names (any case)",
        "burglary",
    ),
    Column("offence_date", False, "a date, not in the future", "2026-01-14"),
    Column("offence_place", False, "up to 200 characters", "High Street, Barnet"),
    Column("date_reported", False, "a date, not in the future", "15/01/2026"),
    Column("enhanced_rights", False, "yes, no, true, false, 1, 0 or blank (no)", "yes"),
    Column("victim_given_name", False, "up to 100 characters", "Olivia"),
    Column("victim_family_name", True, "up to 100 characters", "Hughes"),
    Column("victim_date_of_birth", False, "a date, not in the future", "1984-06-02"),
    Column("victim_email", False, "an email address", "olivia.hughes@example.org"),
    Column("victim_phone", False, "a UK phone number", "07700 900123"),
    Column(
        "victim_safe_channels",
        False,
        "the ways it is safe to contact the victim, separated by ';': email, sms, phone",
        "email;sms",
    ),
    Column("offender_given_name", False, "up to 100 characters", "Ryan"),
    Column(
        "offender_family_name",
        False,
        "up to 100 characters; needed when any other offender column is filled",
        "Walsh",
    ),
    Column("offender_date_of_birth", False, "a date, not in the future", "2008-11-30"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED_COLUMNS = tuple(column.name for column in COLUMNS if column.required)
MAX_LENGTHS = {
    "external_reference": 100,
    "crime_reference": 40,
    "offence_place": 200,
    "victim_given_name": 100,
    "victim_family_name": 100,
    "victim_email": 254,
    "victim_phone": 40,
    "offender_given_name": 100,
    "offender_family_name": 100,
}
DATE_HINT = "use YYYY-MM-DD or DD/MM/YYYY"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_BOOLEANS = {
    "": False,
    "yes": True,
    "true": True,
    "1": True,
    "no": False,
    "false": False,
    "0": False,
}
_OFFENCE_TYPES = {
    **{label.lower(): value for value, label in OffenceType.choices},
    **{value.lower(): value for value in OffenceType.values},
}
SAFE_CHANNELS = (ContactChannel.EMAIL, ContactChannel.SMS, ContactChannel.PHONE)


class CsvFileRefused(DomainError):
    """The file as a whole cannot be imported (not CSV, not UTF-8, columns missing)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="csv_refused")


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass(frozen=True)
class AlreadyImported:
    row: int
    reference: str

    def __str__(self) -> str:
        return f"row {self.row}: already imported as {self.reference}"


Report = Callable[[RowProblem | AlreadyImported], None]


@dataclass
class ImportSummary:
    rows: int = 0
    imported: int = 0
    already_imported: int = 0
    invalid: int = 0
    # The first PROBLEMS_KEPT problems; `problems_not_kept` counts the rest.
    problems: list[RowProblem] = field(default_factory=list)
    problems_not_kept: int = 0
    warnings: list[str] = field(default_factory=list)
    # Set when the file became unreadable part-way: the rows before were imported.
    stopped: str = ""


@dataclass
class _ParsedRow:
    external_reference: str
    hub: Organisation
    offence_type: str
    crime_reference: str
    offence_date: dt.date | None
    offence_place: str
    date_reported: dt.date | None
    enhanced_rights: bool
    people: list[PersonInReferral]


def can_import(*, user: User) -> bool:
    """The police RJ coordinator of a police force or youth justice service."""
    org = user.organisation
    return (
        org is not None
        and user.is_active
        and org.kind in IMPORTING_KINDS
        and Role.POLICE_RJ_COORDINATOR in user.roles
    )


def importing_organisation(*, user: User) -> Organisation:
    """The organisation whose referrals `user` may import, or 404."""
    if not can_import(user=user) or user.organisation is None:
        raise Http404("No page here.")
    return user.organisation


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD or DD/MM/YYYY; ValueError for anything else or an impossible date."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _UK_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise ValueError(f"is not a date: {DATE_HINT}")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError("is not a real date") from None


def parse_row(
    values: dict[str, str], *, row: int, hubs: dict[str, Organisation], today: dt.date
) -> tuple[_ParsedRow | None, list[RowProblem]]:
    """One data row, checked: the row to import, or the problems with it (never values)."""
    problems: list[RowProblem] = []

    def problem(column: str, reason: str) -> None:
        problems.append(RowProblem(row=row, column=column, reason=reason))

    for name in REQUIRED_COLUMNS:
        if not values[name]:
            problem(name, "is required but blank")
    for name, limit in MAX_LENGTHS.items():
        if len(values[name]) > limit:
            problem(name, f"is longer than {limit} characters")

    hub = hubs.get(values["hub"].lower())
    if values["hub"] and hub is None:
        problem("hub", "is not the short name of a victim care hub in this service")
    offence_type = _OFFENCE_TYPES.get(values["offence_type"].lower())
    if values["offence_type"] and offence_type is None:
        problem("offence_type", "is not one of the offence types (see the list of codes)")

    dates: dict[str, dt.date | None] = {}
    for name in ("offence_date", "date_reported", "victim_date_of_birth", "offender_date_of_birth"):
        dates[name] = None
        if not values[name]:
            continue
        try:
            day = parse_date(values[name])
        except ValueError as error:
            problem(name, str(error))
            continue
        if day > today:
            problem(name, "is in the future")
        else:
            dates[name] = day
    offence_date, date_reported = dates["offence_date"], dates["date_reported"]
    if offence_date and date_reported and date_reported < offence_date:
        problem("date_reported", "is before offence_date")

    enhanced_rights = _BOOLEANS.get(values["enhanced_rights"].lower())
    if enhanced_rights is None:
        problem("enhanced_rights", "must be yes, no, true, false, 1, 0 or blank")

    email = values["victim_email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problem("victim_email", "is not an email address")
    phone = values["victim_phone"]
    if phone and not (
        re.fullmatch(r"[0-9+() .-]+", phone) and 10 <= len(normalise_phone(phone)) <= 13
    ):
        problem("victim_phone", "is not a phone number")
    channels: list[str] = []
    for channel in filter(
        None, (c.strip().lower() for c in values["victim_safe_channels"].split(";"))
    ):
        if channel not in SAFE_CHANNELS:
            problem("victim_safe_channels", "must be email, sms or phone, separated by ';'")
        elif channel == ContactChannel.EMAIL and not email:
            problem("victim_safe_channels", "names email but victim_email is blank")
        elif channel in {ContactChannel.SMS, ContactChannel.PHONE} and not phone:
            problem("victim_safe_channels", f"names {channel} but victim_phone is blank")
        elif channel not in channels:
            channels.append(channel)

    offender_given = values["offender_given_name"]
    offender_family = values["offender_family_name"]
    if (offender_given or values["offender_date_of_birth"]) and not offender_family:
        problem("offender_family_name", "is needed when other offender columns are filled")

    if problems:
        return None, problems
    assert hub is not None
    assert offence_type is not None
    assert enhanced_rights is not None
    people = [
        PersonInReferral(
            role=PersonRole.VICTIM,
            given_name=values["victim_given_name"],
            family_name=values["victim_family_name"],
            date_of_birth=dates["victim_date_of_birth"],
            email=email,
            phone=phone,
            safe_channels=channels,
        )
    ]
    if offender_family:
        people.append(
            PersonInReferral(
                role=PersonRole.OFFENDER,
                given_name=offender_given,
                family_name=offender_family,
                date_of_birth=dates["offender_date_of_birth"],
            )
        )
    return (
        _ParsedRow(
            external_reference=values["external_reference"],
            hub=hub,
            offence_type=offence_type,
            crime_reference=values["crime_reference"],
            offence_date=offence_date,
            offence_place=values["offence_place"],
            date_reported=date_reported,
            enhanced_rights=enhanced_rights,
            people=people,
        ),
        [],
    )


def _read_header(reader: Iterator[list[str]], summary: ImportSummary) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise CsvFileRefused("The file is empty.") from None
    except UnicodeDecodeError:
        raise CsvFileRefused("The file is not UTF-8 text. Save it as “CSV UTF-8”.") from None
    except csv.Error:
        raise CsvFileRefused("The file is not a CSV file.") from None
    names = [name.strip().lower() for name in header]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise CsvFileRefused(f"These columns appear more than once: {', '.join(repeated)}.")
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise CsvFileRefused(
            "The first row must name the columns. These required columns are missing: "
            f"{', '.join(missing)}."
        )
    unknown = [name or "(blank)" for name in names if name not in COLUMN_NAMES]
    if unknown:
        shown = ", ".join(name[:40] for name in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        summary.warnings.append(f"These columns are not used and were ignored: {shown}{more}.")
    return names


def _existing_reference(organisation: Organisation, external_reference: str) -> Referral | None:
    return referral_by_external_reference(
        organisation=organisation, external_reference=external_reference
    )


def referrals_import_csv(
    *,
    actor: User | None,
    organisation: Organisation,
    file: IO[bytes],
    report: Report | None = None,
) -> ImportSummary:
    """Import the referrals in a CSV file (bytes, UTF-8 with or without BOM) for `organisation`.

    `actor` is the uploading coordinator, or None for the console command. Each
    problem and already-imported row goes to `report` as it is found. Raises
    CsvFileRefused, importing nothing, when the header cannot be used.
    """
    if organisation.kind not in IMPORTING_KINDS:
        raise DomainError(f"{organisation.name} is not a police force or youth justice service.")
    if actor is not None and (
        actor.organisation_id != organisation.pk or not can_import(user=actor)
    ):
        raise DomainError("Only the organisation's police RJ coordinator can import referrals.")
    summary = ImportSummary()
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        header = _read_header(reader, summary)
        _Importer(
            actor=actor, organisation=organisation, header=header, summary=summary, report=report
        ).run(reader)
    finally:
        text.detach()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        record_type=IMPORT_RECORD_TYPE,
        detail={
            "organisation": organisation.slug,
            "rows": summary.rows,
            "imported": summary.imported,
            "already_imported": summary.already_imported,
            "invalid": summary.invalid,
            "stopped": bool(summary.stopped),
        },
    )
    return summary


class _Importer:
    """The rows of one file after its header: batches, savepoints, counts."""

    def __init__(
        self,
        *,
        actor: User | None,
        organisation: Organisation,
        header: list[str],
        summary: ImportSummary,
        report: Report | None,
    ) -> None:
        self.actor = actor
        self.organisation = organisation
        self.header = header
        self.summary = summary
        self.report = report
        # Looked up once: a file names a handful of hubs over and over.
        self.hubs = {
            hub.slug.lower(): hub
            for hub in Organisation.objects.filter(kind=OrganisationKind.VICTIM_CARE_HUB)
        }
        self.today = timezone.localdate()
        # A referral with the same id created after this moment came from this very file.
        self.started = timezone.now()

    def note(self, item: RowProblem | AlreadyImported) -> None:
        if isinstance(item, RowProblem):
            if len(self.summary.problems) < PROBLEMS_KEPT:
                self.summary.problems.append(item)
            else:
                self.summary.problems_not_kept += 1
        if self.report is not None:
            self.report(item)

    def run(self, reader: Iterator[list[str]]) -> None:
        row = 1
        finished = False
        while not finished:
            with transaction.atomic():
                for _ in range(BATCH_SIZE):
                    try:
                        record = next(reader)
                    except StopIteration:
                        finished = True
                        break
                    except (UnicodeDecodeError, csv.Error) as error:
                        what = "UTF-8 text" if isinstance(error, UnicodeDecodeError) else "CSV"
                        # The text is decoded in blocks: the fault is somewhere after `row`.
                        self.summary.stopped = (
                            f"The file is not valid {what} after row {row}, so the import "
                            f"stopped there. Rows up to {row} were imported or reported above; "
                            "nothing after it was read."
                        )
                        finished = True
                        break
                    row += 1
                    if any(value.strip() for value in record):
                        # A blank line counts as a row but holds nothing to import.
                        self.summary.rows += 1
                        self.import_row(record, row)

    def import_row(self, record: list[str], row: int) -> None:
        width = len(self.header)
        if any(value.strip() for value in record[width:]):
            self.summary.invalid += 1
            self.note(RowProblem(row, "(row)", f"has more values than the {width} columns"))
            return
        values = dict.fromkeys(COLUMN_NAMES, "")
        for name, value in zip(self.header, record, strict=False):
            if name in values:
                values[name] = value.strip()
        parsed, problems = parse_row(values, row=row, hubs=self.hubs, today=self.today)
        if parsed is None:
            self.summary.invalid += 1
            for problem in problems:
                self.note(problem)
            return
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    referral = self.create(parsed)
                    referral_created_notify(referral=referral)
            except IntegrityError:
                # The id is taken (imported before, or earlier in this file) or, very
                # rarely, the random reference collided: then simply try again.
                existing = _existing_reference(self.organisation, parsed.external_reference)
                if existing is not None:
                    self.taken(row, existing)
                    return
            else:
                self.summary.imported += 1
                return
        raise DomainError("Could not save a referral: please try the import again.")

    def create(self, parsed: _ParsedRow) -> Referral:
        return referral_create(
            actor=self.actor,
            hub=parsed.hub,
            source=ReferralSource.CSV,
            referring_organisation=self.organisation,
            external_reference=parsed.external_reference,
            offence_type=parsed.offence_type,
            offence_date=parsed.offence_date,
            offence_place=parsed.offence_place,
            crime_reference=parsed.crime_reference,
            enhanced_rights=parsed.enhanced_rights,
            reported_to_police=True,
            date_reported=parsed.date_reported,
            people=parsed.people,
        )

    def taken(self, row: int, existing: Referral) -> None:
        # Made since this import started: by an earlier row of this file (or, rarely, by
        # another import of the same rows running at the same time; nothing doubles either way).
        if existing.created_at >= self.started:
            self.summary.invalid += 1
            reason = f"repeats an earlier row's in this file (imported as {existing.reference})"
            self.note(RowProblem(row, "external_reference", reason))
        else:
            self.summary.already_imported += 1
            self.note(AlreadyImported(row=row, reference=existing.reference))
