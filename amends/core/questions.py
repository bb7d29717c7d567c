"""What GOV.UK question pages ask alike: phone numbers, postcodes, dates typed in parts.

Shared by the public applications (referrals' `/refer/`, practitioners' `/volunteer/`),
which may not import each other.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PHONE_HINT = _("Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")
EMAIL_HINT = _("Enter an email address in the correct format, like name@example.com")
PHONE_RE = re.compile(r"^\+?\d{10,15}$")
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
EARLIEST_DATE = dt.date(1900, 1, 1)


def clean_phone(value: str) -> str:
    """A phone number as written, if it has the digits of one; else a GOV.UK error."""
    value = value.strip()
    if value and not PHONE_RE.match(re.sub(r"[\s\-().]", "", value)):
        raise forms.ValidationError(PHONE_HINT)
    return value


def clean_postcode(value: str) -> str:
    """A UK postcode, upper case with its space; else a GOV.UK error."""
    compact = re.sub(r"\s+", "", value.upper())
    match = POSTCODE_RE.match(compact)
    if value.strip() and not match:
        raise forms.ValidationError(gettext("Enter a real postcode"))
    return f"{match.group(1)} {match.group(2)}" if match else ""
