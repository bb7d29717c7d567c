"""What the API reads and writes: request bodies with their examples, responses, problems."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints, ValidationInfo, field_validator

from amends.referrals.models import ClosingReason, OffenceType, ReferralState

# No control characters (the database refuses NUL; none belongs in a name or a reference).
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


def _encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Must be valid UTF-8 text.") from None
    return value


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("Enter an email address like name@example.com.") from None
    return value


def _not_future(value: dt.date | None) -> dt.date | None:
    if value is not None and value > timezone.localdate():
        raise ValueError("Must be today or in the past.")
    return value


def _printable(max_length: int, *, min_length: int = 0) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=_PRINTABLE
    )


Name = Annotated[str, _printable(100, min_length=1), AfterValidator(_encodable)]
Reference = Annotated[str, _printable(100, min_length=1), AfterValidator(_encodable)]
Text40 = Annotated[str, _printable(40), AfterValidator(_encodable)]
Text200 = Annotated[str, _printable(200), AfterValidator(_encodable)]
PastDate = Annotated[dt.date, AfterValidator(_not_future)]
OptionalPastDate = Annotated[dt.date | None, AfterValidator(_not_future)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=_PRINTABLE),
    AfterValidator(_email),
]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+() -]*$")
]


class SafeChannel(enum.StrEnum):
    """The ways Amends may contact the person harmed: only those they said are safe."""

    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    LETTER = "letter"


VICTIM_EXAMPLE: dict[str, Any] = {
    "given_name": "Sam",
    "family_name": "Okafor",
    "date_of_birth": "1986-04-12",
    "email": "sam.okafor@example.com",
    "phone": "07700 900123",
    "safe_channels": ["email", "phone"],
    "safe_times": "Weekdays after 6pm",
}
PERSON_RESPONSIBLE_EXAMPLE: dict[str, Any] = {
    "given_name": "Jordan",
    "family_name": "Reid",
    "date_of_birth": "2001-09-30",
}
REFERRAL_EXAMPLE: dict[str, Any] = {
    "hub": "barnet-victim-care-hub",
    "external_reference": "NICHE-2025-000123",
    "offence_type": "burglary",
    "offence_date": "2025-01-10",
    "offence_place": "High Street, Barnet",
    "crime_reference": "01/123456/25",
    "date_reported": "2025-01-11",
    "enhanced_rights": False,
    "victim": VICTIM_EXAMPLE,
    "person_responsible": PERSON_RESPONSIBLE_EXAMPLE,
}


class VictimIn(Schema):
    """The person harmed, and how they may safely be contacted."""

    model_config = {"json_schema_extra": {"examples": [VICTIM_EXAMPLE]}}

    given_name: Name
    family_name: Name
    date_of_birth: OptionalPastDate = None
    email: Email = ""
    phone: Phone = ""
    safe_channels: list[SafeChannel] = Field(
        default_factory=list,
        max_length=4,
        description="Only these will be used. `email` needs an email address; "
        "`sms` and `phone` need a phone number.",
    )
    safe_times: Text200 = ""

    @field_validator("safe_channels")
    @classmethod
    def _channels_have_details(
        cls, channels: list[SafeChannel], info: ValidationInfo
    ) -> list[SafeChannel]:
        unique = list(dict.fromkeys(channels))
        if SafeChannel.EMAIL in unique and not info.data.get("email"):
            raise ValueError("Give an email address to make email a safe channel.")
        if {SafeChannel.SMS, SafeChannel.PHONE} & set(unique) and not info.data.get("phone"):
            raise ValueError("Give a phone number to make texts or calls a safe channel.")
        return unique


class PersonResponsibleIn(Schema):
    """The person responsible for the harm, if known."""

    model_config = {"json_schema_extra": {"examples": [PERSON_RESPONSIBLE_EXAMPLE]}}

    given_name: Name
    family_name: Name
    date_of_birth: OptionalPastDate = None


class ReferralIn(Schema):
    """A referral from a police or youth justice system."""

    model_config = {"json_schema_extra": {"examples": [REFERRAL_EXAMPLE]}}

    hub: Annotated[
        str, StringConstraints(min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
    ] = Field(..., description="The slug of the victim care hub that will hold the referral.")
    external_reference: Reference = Field(
        ...,
        description="Your system's own id for this referral. Sending it again from your "
        "organisation is refused with 409 (unless it is a replay with the same Idempotency-Key).",
    )
    offence_type: OffenceType
    offence_date: OptionalPastDate = None
    offence_place: Text200 = ""
    crime_reference: Text40 = ""
    date_reported: PastDate = Field(..., description="When the crime was reported to the police.")
    enhanced_rights: bool = Field(
        False, description="Entitled to enhanced rights under the Victims' Code."
    )
    victim: VictimIn
    person_responsible: PersonResponsibleIn | None = None


class ReferralLinks(Schema):
    self: str = Field(..., description="Where to ask for this referral's status.")


class ReferralCreated(Schema):
    reference: str = Field(..., examples=["RJ-7K3M-Q9TX"])
    status: ReferralState
    received_at: dt.datetime
    links: ReferralLinks


class ReferralStatus(Schema):
    reference: str = Field(..., examples=["RJ-7K3M-Q9TX"])
    status: ReferralState
    closing_reason: ClosingReason | None = None
    received_at: dt.datetime
    updated_at: dt.datetime


class FieldError(Schema):
    field: str = Field(..., description="Where the invalid value is, e.g. `victim.email`.")
    message: str


class Problem(Schema):
    """An error (RFC 9457), sent as application/problem+json."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default_factory=list)
