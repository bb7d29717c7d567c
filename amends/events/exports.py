"""CSV files: an event's attendance, and the volunteers' hours and expenses totals."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from amends.events.models import Event, Registration
from amends.events.selectors import HoursTotals

ATTENDANCE_HEADER = ("Name", "Organisation", "Email", "Attended", "Completed")
HOURS_HEADER = (
    "Volunteer",
    "Reference",
    "Month",
    "Hours",
    "Expenses claimed (GBP)",
    "Expenses approved (GBP)",
    "Expenses waiting for approval (GBP)",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The text of a cell, with a leading quote if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def _yes_no(value: bool | None) -> str:
    return "Not recorded" if value is None else ("Yes" if value else "No")


def attendance_csv(*, event: Event, registrations: Sequence[Registration]) -> str:
    return _csv(
        ATTENDANCE_HEADER,
        (
            (r.name, r.organisation_name, r.email, _yes_no(r.attended), _yes_no(r.completed))
            for r in registrations
        ),
    )


def attendance_filename(event: Event) -> str:
    return f"{event.reference}-attendance.csv"


def hours_totals_csv(*, totals: HoursTotals) -> str:
    return _csv(
        HOURS_HEADER,
        (
            (
                line.label,
                line.practitioner_reference,
                f"{line.month:%Y-%m}" if line.month else "",
                line.hours,
                line.claimed_pounds,
                line.approved_pounds,
                line.pending_pounds,
            )
            for line in totals.by_volunteer_month
        ),
    )
