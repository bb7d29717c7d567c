"""The questions of the public online application, one GOV.UK question page each.

Every step is a form that knows its question (worded for someone applying for
themselves or for someone else), how to check an answer, and how the answer
reads on the check-your-answers page. A form is given the answers to the steps
before it (`Earlier`), so that it can word itself and check itself against them.
Error messages follow the GOV.UK Design System's wording.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import Organisation, OrganisationKind
from amends.core.questions import (
    EARLIEST_DATE,
    EMAIL_HINT,
    PHONE_HINT,
    clean_phone,
    clean_postcode,
)
from amends.core.questions import MONTHS as _MONTHS
from amends.referrals.models import Answer, ContactChannel, OffenceType

# Step names: they appear in URLs (/refer/<step>/), never any answer.
WHO = "who"
APPLICANT_NAME = "your-name"
APPLICANT_CONTACT = "your-contact"
RELATIONSHIP = "relationship"
UNDER_18 = "under-18"
PARENT_OR_GUARDIAN = "parent-or-guardian"
PARENT_DETAILS = "parent-details"
AGREEMENT = "agreement"
REPORTED = "reported"
CRIME_REFERENCE = "crime-reference"
OFFENCE = "offence"
WHEN = "when"
WHERE = "where"
VICTIM_NAME = "name"
DATE_OF_BIRTH = "date-of-birth"
VICTIM_CONTACT = "contact"
AREA = "area"
RESPONSIBLE = "responsible"
SAFE_CONTACT = "safe-contact"
SAFE_TIMES = "safe-times"
VOICEMAIL = "voicemail"
INTERPRETER = "interpreter"
LANGUAGE = "language"
ADJUSTMENTS = "adjustments"
SAFETY = "safety"
SUPPORT = "support"
CONSENT = "consent"

MYSELF = "myself"
SOMEONE_ELSE = "someone_else"
NOT_SURE_AREA = "not_sure"
SPOKEN = "spoken"
BSL = "bsl"
NO_INTERPRETER = "no"

YES_NO = [(Answer.YES.value, _("Yes")), (Answer.NO.value, _("No"))]
YES_NO_NOT_SURE = [*YES_NO, (Answer.NOT_SURE.value, _("Not sure"))]

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as Message


class Earlier:
    """The checked answers to the steps before the one being asked, with what follows from them."""

    def __init__(self, cleaned: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.cleaned: Mapping[str, Mapping[str, Any]] = cleaned if cleaned is not None else {}

    def value(self, step: str, name: str, default: Any = None) -> Any:
        return self.cleaned.get(step, {}).get(name, default)

    def answer(self, step: str, name: str) -> str:
        return str(self.value(step, name, ""))

    @property
    def for_self(self) -> bool:
        return self.answer(WHO, "applying_for") != SOMEONE_ELSE

    @property
    def on_behalf(self) -> bool:
        return self.answer(WHO, "applying_for") == SOMEONE_ELSE

    @property
    def under_18(self) -> bool:
        return self.on_behalf and self.answer(UNDER_18, "under_18") == Answer.YES

    @property
    def applicant_is_parent(self) -> bool:
        return self.under_18 and self.answer(PARENT_OR_GUARDIAN, "is_parent") == Answer.YES

    @property
    def victim_channels(self) -> list[str]:
        """The ways we could reach the person harmed, from the contact details given."""
        channels = []
        if self.value(VICTIM_CONTACT, "email"):
            channels.append(ContactChannel.EMAIL.value)
        if self.value(VICTIM_CONTACT, "phone"):
            channels += [ContactChannel.SMS.value, ContactChannel.PHONE.value]
        if self.value(VICTIM_CONTACT, "address_line_1"):
            channels.append(ContactChannel.LETTER.value)
        return channels

    @property
    def safe_channels(self) -> list[str]:
        return list(self.value(SAFE_CONTACT, "channels", []))

    @property
    def feels_unsafe(self) -> bool:
        return self.answer(SAFETY, "feels_unsafe") == Answer.YES


@dataclass(frozen=True)
class SummaryRow:
    """One row of the check-your-answers summary list."""

    key: str
    lines: list[str] = field(default_factory=list)
    change_label: str = ""

    @property
    def hidden_change_text(self) -> str:
        return self.change_label or (self.key[:1].lower() + self.key[1:])


def _choice_label(choices: Any, value: Any) -> str:
    return str(dict(choices).get(value, value))


def _not_given() -> str:
    return gettext("Not given")


def _radios(choices: Any, required: Message) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required, "invalid_choice": required},
    )


def _text(
    *,
    label: Any = "",
    max_length: int,
    too_long: Message,
    required: Message = "",
    autocomplete: str = "off",
    textarea: bool = False,
    **attrs: str,
) -> forms.CharField:
    widget_attrs = {"autocomplete": autocomplete, **attrs}
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=max_length,
        error_messages={"required": required, "max_length": too_long},
        widget=forms.Textarea(attrs={"rows": 4, **widget_attrs})
        if textarea
        else forms.TextInput(attrs=widget_attrs),
    )


class StepForm(forms.Form):
    """One question page. Subclasses say how the page looks and how the answer reads."""

    page_template: ClassVar[str] = "referrals/apply/question_fields.html"
    # The field whose label or legend is the page's heading, on single-question pages.
    question_field: ClassVar[str] = ""
    inline: ClassVar[bool] = False
    hint_text: Any = ""
    # On a page of several fields: mark each "(optional)" (not when "give at least one").
    fields_optional = False

    def __init__(self, *args: Any, earlier: Earlier, **kwargs: Any) -> None:
        self.earlier = earlier
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def you(self) -> bool:
        return self.earlier.for_self

    @property
    def heading(self) -> str:
        raise NotImplementedError

    @property
    def hint(self) -> str:
        return str(self.hint_text)

    @property
    def warning(self) -> str:
        """A GOV.UK warning shown above the question, if any."""
        return ""

    @property
    def question(self) -> forms.BoundField:
        return self[self.question_field]

    @property
    def field_groups(self) -> list[dict[str, Any]]:
        """The fields of a page of several, in groups; a group with a legend is a fieldset."""
        return [{"legend": "", "fields": self.visible_fields()}]

    def summary(self) -> list[SummaryRow]:
        """The answer as rows of the check-your-answers page (call only when valid)."""
        value = self.cleaned_data[self.question_field]
        choices = getattr(self.fields[self.question_field], "choices", None)
        text = _choice_label(choices, value) if choices else value
        return [SummaryRow(self.summary_key, [str(text) if text else self.empty_answer])]

    @property
    def empty_answer(self) -> str:
        """How a question left blank reads on check your answers."""
        return _not_given()

    @property
    def summary_key(self) -> str:
        return self.heading


class RadiosForm(StepForm):
    page_template = "referrals/apply/question_radios.html"
    # The value after which GOV.UK's "or" divider is drawn, if any.
    divider_before: ClassVar[str] = ""


class TextForm(StepForm):
    page_template = "referrals/apply/question_text.html"
    input_class: ClassVar[str] = ""


class TextareaForm(StepForm):
    page_template = "referrals/apply/question_textarea.html"


# ----- who is applying -----------------------------------------------------


class WhoForm(RadiosForm):
    question_field = "applying_for"
    applying_for = _radios(
        [(MYSELF, _("Myself")), (SOMEONE_ELSE, _("Someone else"))],
        _("Select if you are applying for yourself or someone else"),
    )
    hint_text = _(
        "You can apply for someone else, for example as their parent, carer, friend or "
        "support worker."
    )

    @property
    def heading(self) -> str:
        return gettext("Are you applying for yourself or for someone else?")

    @property
    def summary_key(self) -> str:
        return gettext("Applying for")


class ApplicantNameForm(TextForm):
    question_field = "full_name"
    full_name = _text(
        max_length=100,
        required=_("Enter your full name"),
        too_long=_("Full name must be 100 characters or fewer"),
        autocomplete="name",
        spellcheck="false",
    )

    @property
    def heading(self) -> str:
        return gettext("What is your full name?")

    @property
    def summary_key(self) -> str:
        return gettext("Your name")


class ContactDetailsMixin:
    """Email and phone, each checked the GOV.UK way."""

    cleaned_data: dict[str, Any]

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean_email(self) -> str:
        return str(self.cleaned_data.get("email", "")).strip().lower()


class ApplicantContactForm(ContactDetailsMixin, StepForm):
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        error_messages={"invalid": EMAIL_HINT, "max_length": EMAIL_HINT},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = _text(
        label=_("Phone number"),
        max_length=40,
        too_long=PHONE_HINT,
        autocomplete="tel",
        type="tel",
        width="20",
    )
    hint_text = _(
        "Give at least one. We will use them to tell you we have your application and to "
        "ask you about it."
    )

    @property
    def heading(self) -> str:
        return gettext("How can we contact you?")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("email") and not cleaned.get("phone"):
            self.add_error("email", gettext("Enter your email address or phone number"))
        return cleaned

    def summary(self) -> list[SummaryRow]:
        lines = [v for v in (self.cleaned_data["email"], self.cleaned_data["phone"]) if v]
        return [SummaryRow(gettext("Your contact details"), lines)]


class RelationshipForm(TextForm):
    question_field = "relationship"
    relationship = _text(
        max_length=100,
        required=_("Enter your relationship to the person harmed"),
        too_long=_("Relationship must be 100 characters or fewer"),
    )
    hint_text = _("For example, parent, partner, friend or support worker")

    @property
    def heading(self) -> str:
        return gettext("What is your relationship to the person harmed?")

    @property
    def summary_key(self) -> str:
        return gettext("Your relationship to them")


class Under18Form(RadiosForm):
    question_field = "under_18"
    inline = True
    under_18 = _radios(YES_NO, _("Select if the person harmed is under 18"))

    @property
    def heading(self) -> str:
        return gettext("Is the person harmed under 18?")

    @property
    def summary_key(self) -> str:
        return gettext("Under 18")


class ParentOrGuardianForm(RadiosForm):
    question_field = "is_parent"
    inline = True
    is_parent = _radios(YES_NO, _("Select if you are their parent or guardian"))

    @property
    def heading(self) -> str:
        return gettext("Are you their parent or guardian?")

    @property
    def summary_key(self) -> str:
        return gettext("You are their parent or guardian")


class ParentDetailsForm(ContactDetailsMixin, StepForm):
    full_name = _text(
        label=_("Full name"),
        max_length=100,
        too_long=_("Full name must be 100 characters or fewer"),
        spellcheck="false",
    )
    phone = _text(
        label=_("Phone number"), max_length=40, too_long=PHONE_HINT, type="tel", width="20"
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        error_messages={"invalid": EMAIL_HINT, "max_length": EMAIL_HINT},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    fields_optional = True
    hint_text = _(
        "Because they are under 18, we may need to involve a parent or guardian. Leave this "
        "blank if you do not know, or if contacting them could put the young person at risk."
    )

    @property
    def heading(self) -> str:
        return gettext("Who is their parent or guardian?")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contact = cleaned.get("phone") or cleaned.get("email")
        if not self.errors and not cleaned.get("full_name") and contact:
            self.add_error("full_name", gettext("Enter the full name of their parent or guardian"))
        return cleaned

    def summary(self) -> list[SummaryRow]:
        data = self.cleaned_data
        lines = [v for v in (data["full_name"], data["email"], data["phone"]) if v]
        return [SummaryRow(gettext("Their parent or guardian"), lines or [_not_given()])]


class AgreementForm(RadiosForm):
    question_field = "knows_and_agrees"
    inline = True
    knows_and_agrees = _radios(
        YES_NO, _("Select if the person harmed knows about this application and agrees to it")
    )
    hint_text = _("Restorative justice is voluntary: we only go ahead if they want to.")

    @property
    def heading(self) -> str:
        return gettext("Does the person harmed know about this application and agree to it?")

    @property
    def summary_key(self) -> str:
        return gettext("They know and agree")

    def blocks(self) -> bool:
        """No agreement stops the application, except for a parent or guardian of a child."""
        return (
            self.cleaned_data["knows_and_agrees"] == Answer.NO
            and not self.earlier.applicant_is_parent
        )


# ----- the harm ------------------------------------------------------------


class ReportedForm(RadiosForm):
    question_field = "reported"
    reported = _radios(YES_NO_NOT_SURE, _("Select if the crime has been reported to the police"))
    hint_text = _("You can apply whether or not it was reported.")

    @property
    def heading(self) -> str:
        return gettext("Has the crime been reported to the police?")

    @property
    def summary_key(self) -> str:
        return gettext("Reported to the police")


class CrimeReferenceForm(TextForm):
    question_field = "crime_reference"
    input_class = "govuk-input--width-20"
    crime_reference = _text(
        max_length=40,
        too_long=_("Crime reference number must be 40 characters or fewer"),
        spellcheck="false",
    )
    hint_text = _(
        "It is on letters, emails or texts from the police, for example 1234/26/00042. "
        "Leave this blank if you do not know it."
    )

    @property
    def heading(self) -> str:
        return gettext("What is the crime reference number? (optional)")

    @property
    def summary_key(self) -> str:
        return gettext("Crime reference number")


class OffenceForm(RadiosForm):
    question_field = "offence_type"
    offence_type = _radios(OffenceType.choices, _("Select the type of crime"))
    hint_text = _("If it was more than one, choose the one that mattered most.")

    @property
    def heading(self) -> str:
        return gettext("What type of crime was it?")

    @property
    def summary_key(self) -> str:
        return gettext("Type of crime")


class DateForm(StepForm):
    """A GOV.UK date input: day, month and year boxes, with its error messages."""

    page_template = "referrals/apply/question_date.html"
    # Whether today is a right answer ("today or in the past") or not ("in the past").
    today_allowed: ClassVar[bool] = True
    autocomplete_prefix = ""

    day = forms.CharField(label=_("Day"), required=False, max_length=10)
    month = forms.CharField(label=_("Month"), required=False, max_length=10)
    year = forms.CharField(label=_("Year"), required=False, max_length=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_parts: set[str] = set()
        for part in ("day", "month", "year"):
            attrs = self.fields[part].widget.attrs
            attrs["inputmode"] = "numeric"
            attrs["autocomplete"] = (
                f"{self.autocomplete_prefix}-{part}" if self.autocomplete_prefix else "off"
            )

    @property
    def what(self) -> str:
        """The date's name at the start of a sentence: "Date of birth"."""
        raise NotImplementedError

    @property
    def enter_message(self) -> str:
        raise NotImplementedError

    @property
    def date_errors(self) -> list[str]:
        return [str(e) for part in ("day", "month", "year") for e in self.errors.get(part, [])]

    def _fail(self, parts: list[str], message: str) -> None:
        self.error_parts = set(parts)
        self.add_error(parts[0], message)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        raw = {p: str(cleaned.get(p, "")).strip() for p in ("day", "month", "year")}
        missing = [p for p in ("day", "month", "year") if not raw[p]]
        if len(missing) == 3:
            self._fail(missing, self.enter_message)
            return cleaned
        if missing:
            names = {"day": gettext("day"), "month": gettext("month"), "year": gettext("year")}
            self._fail(
                missing,
                gettext("%(what)s must include a %(parts)s")
                % {
                    "what": self.what,
                    "parts": gettext(" and ").join(names[p] for p in missing),
                },
            )
            return cleaned
        month = raw["month"]
        month_number = _MONTHS.get(month.lower().rstrip("."))
        numbers: dict[str, int] = {}
        for part in ("day", "month", "year"):
            text = raw[part]
            if part == "month" and month_number is not None:
                numbers[part] = month_number
            elif text.isdigit():
                numbers[part] = int(text)
        if len(numbers) < 3:
            bad = [p for p in ("day", "month", "year") if p not in numbers]
            self._fail(bad, gettext("%(what)s must be a real date") % {"what": self.what})
            return cleaned
        if len(raw["year"]) != 4:
            self._fail(["year"], gettext("Year must include 4 numbers"))
            return cleaned
        try:
            date = dt.date(numbers["year"], numbers["month"], numbers["day"])
        except ValueError:
            bad = [
                p
                for p, ok in (
                    ("day", 1 <= numbers["day"] <= 31),
                    ("month", 1 <= numbers["month"] <= 12),
                )
                if not ok
            ]
            self._fail(
                bad or ["day"], gettext("%(what)s must be a real date") % {"what": self.what}
            )
            return cleaned
        today = timezone.localdate()
        if date > today or (date == today and not self.today_allowed):
            message = (
                gettext("%(what)s must be today or in the past")
                if self.today_allowed
                else gettext("%(what)s must be in the past")
            )
            self._fail(["day", "month", "year"], message % {"what": self.what})
            return cleaned
        if date < EARLIEST_DATE:
            self._fail(
                ["day", "month", "year"],
                gettext("%(what)s must be the same as or after 1 January 1900")
                % {"what": self.what},
            )
            return cleaned
        cleaned["date"] = date
        return cleaned

    def summary(self) -> list[SummaryRow]:
        date: dt.date = self.cleaned_data["date"]
        return [SummaryRow(self.summary_key, [f"{date.day} {date:%B %Y}"])]


class WhenForm(DateForm):
    hint_text = _(
        "For example, 27 3 2026. If it happened more than once, give the date of the most "
        "recent time. If you are not sure, give your best guess."
    )

    @property
    def heading(self) -> str:
        return gettext("When did it happen?")

    @property
    def what(self) -> str:
        return gettext("Date it happened")

    @property
    def enter_message(self) -> str:
        return gettext("Enter the date it happened")

    @property
    def summary_key(self) -> str:
        return gettext("When it happened")


class WhereForm(TextForm):
    question_field = "place"
    place = _text(
        max_length=200,
        required=_("Enter where it happened"),
        too_long=_("Where it happened must be 200 characters or fewer"),
    )
    hint_text = _("For example, the name of a street, area or town, or ‘online’")

    @property
    def heading(self) -> str:
        return gettext("Where did it happen?")

    @property
    def summary_key(self) -> str:
        return gettext("Where it happened")


# ----- the person harmed ---------------------------------------------------


class VictimNameForm(TextForm):
    question_field = "full_name"
    full_name = _text(
        max_length=100,
        required=_("Enter your full name"),
        too_long=_("Full name must be 100 characters or fewer"),
        spellcheck="false",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["full_name"]
        # Their own name is the user's to autofill; someone else's is not.
        field.widget.attrs["autocomplete"] = "name" if self.you else "off"
        if not self.you:
            field.error_messages["required"] = gettext("Enter the full name of the person harmed")

    @property
    def heading(self) -> str:
        if self.you:
            return gettext("What is your full name?")
        return gettext("What is the full name of the person harmed?")

    @property
    def summary_key(self) -> str:
        return gettext("Name")


class DateOfBirthForm(DateForm):
    today_allowed = False
    hint_text = _("For example, 27 3 2007")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        earlier: Earlier = kwargs["earlier"]
        # Only the user's own birthday is theirs to autofill.
        self.autocomplete_prefix = "bday" if earlier.for_self else ""
        super().__init__(*args, **kwargs)

    @property
    def heading(self) -> str:
        return (
            gettext("What is your date of birth?")
            if self.you
            else gettext("What is their date of birth?")
        )

    @property
    def what(self) -> str:
        return gettext("Date of birth")

    @property
    def enter_message(self) -> str:
        return (
            gettext("Enter your date of birth")
            if self.you
            else gettext("Enter their date of birth")
        )

    @property
    def summary_key(self) -> str:
        return gettext("Date of birth")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        date = cleaned.get("date")
        if date is not None and self.earlier.on_behalf:
            said_under_18 = self.earlier.under_18
            if is_under_18(date) != said_under_18:
                message = (
                    gettext(
                        "Date of birth must show they are under 18, as you said. Check the "
                        "date, or change your answer to ‘Is the person harmed under 18?’"
                    )
                    if said_under_18
                    else gettext(
                        "Date of birth must show they are 18 or over, as you said. Check the "
                        "date, or change your answer to ‘Is the person harmed under 18?’"
                    )
                )
                del cleaned["date"]
                self._fail(["day", "month", "year"], message)
        return cleaned


def is_under_18(date_of_birth: dt.date, on: dt.date | None = None) -> bool:
    on = on or timezone.localdate()
    years = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    return years < 18


class VictimContactForm(ContactDetailsMixin, StepForm):
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        error_messages={"invalid": EMAIL_HINT, "max_length": EMAIL_HINT},
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
    )
    phone = _text(
        label=_("Phone number"), max_length=40, too_long=PHONE_HINT, type="tel", width="20"
    )
    address_line_1 = _text(
        label=_("Building and street"),
        max_length=200,
        too_long=_("Building and street must be 200 characters or fewer"),
    )
    town = _text(
        label=_("Town or city"),
        max_length=100,
        too_long=_("Town or city must be 100 characters or fewer"),
    )
    postcode = _text(
        label=_("Postcode"),
        max_length=10,
        too_long=_("Enter a real postcode"),
        spellcheck="false",
        width="10",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tokens = {
            "email": "email",
            "phone": "tel",
            "address_line_1": "address-line1",
            "town": "address-level2",
            "postcode": "postal-code",
        }
        for name, token in tokens.items():
            self.fields[name].widget.attrs["autocomplete"] = token if self.you else "off"
        # Someone applying for themselves gives at least one; for someone else, none is needed.
        self.fields_optional = not self.you

    @property
    def heading(self) -> str:
        if self.you:
            return gettext("How can we contact you?")
        return gettext("How can we contact the person harmed?")

    @property
    def hint(self) -> str:
        if self.you:
            return gettext(
                "Give at least one. Next, you can tell us which of these are safe to use."
            )
        return gettext(
            "Leave this blank if we should contact them through you. If you give any, you "
            "can tell us next which are safe to use."
        )

    @property
    def field_groups(self) -> list[dict[str, Any]]:
        return [
            {"legend": "", "fields": [self["email"], self["phone"]]},
            {
                "legend": gettext("Address"),
                "fields": [self["address_line_1"], self["town"], self["postcode"]],
            },
        ]

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data.get("postcode", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        address = [cleaned.get(n) for n in ("address_line_1", "town", "postcode")]
        if any(address):
            if not cleaned.get("address_line_1"):
                self.add_error("address_line_1", gettext("Enter the building and street"))
            if not cleaned.get("postcode"):
                self.add_error("postcode", gettext("Enter the postcode"))
        if (
            self.you
            and not self.errors
            and not (cleaned.get("email") or cleaned.get("phone") or any(address))
        ):
            self.add_error("email", gettext("Enter an email address, phone number or address"))
        return cleaned

    def summary(self) -> list[SummaryRow]:
        data = self.cleaned_data
        address = ", ".join(
            v for v in (data["address_line_1"], data["town"], data["postcode"]) if v
        )
        lines = [v for v in (data["email"], data["phone"], address) if v]
        return [SummaryRow(gettext("Contact details"), lines or [_not_given()])]


class AreaForm(RadiosForm):
    question_field = "area"
    divider_before = NOT_SURE_AREA
    area = forms.ChoiceField(widget=forms.RadioSelect)
    hint_text = _("Each area has its own Victim Care Hub.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hubs = Organisation.objects.filter(kind=OrganisationKind.VICTIM_CARE_HUB).order_by("name")
        field = self.fields["area"]
        field.choices = [  # type: ignore[attr-defined]
            *hubs.values_list("slug", "name"),
            (NOT_SURE_AREA, gettext("I’m not sure")),
        ]
        message = (
            gettext("Select the area you live in")
            if self.you
            else gettext("Select the area they live in")
        )
        field.error_messages.update({"required": message, "invalid_choice": message})

    @property
    def heading(self) -> str:
        if self.you:
            return gettext("Which area do you live in?")
        return gettext("Which area does the person harmed live in?")

    @property
    def summary_key(self) -> str:
        return gettext("Area")


class ResponsibleForm(RadiosForm):
    question_field = "offender_known"
    offender_known = _radios(YES_NO_NOT_SURE, _("Select if you know who is responsible"))
    hint_text = _(
        "Restorative justice needs the person responsible to be known. You can get support "
        "from the Victim Care Hub either way."
    )

    @property
    def heading(self) -> str:
        return gettext("Do you know who is responsible for the crime?")

    @property
    def summary_key(self) -> str:
        return gettext("Know who is responsible")


# ----- safe contact --------------------------------------------------------


class SafeContactForm(StepForm):
    page_template = "referrals/apply/question_checkboxes.html"
    question_field = "channels"
    channels = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            ContactChannel.EMAIL.value: gettext("Email"),
            ContactChannel.SMS.value: gettext("Text message"),
            ContactChannel.PHONE.value: gettext("Phone call"),
            ContactChannel.LETTER.value: gettext("Letter to the address"),
        }
        field = self.fields["channels"]
        field.choices = [(c, labels[c]) for c in self.earlier.victim_channels]  # type: ignore[attr-defined]
        message = (
            gettext("Select at least one safe way to contact you")
            if self.you
            else gettext("Select at least one safe way to contact them")
        )
        field.error_messages.update({"required": message, "invalid_choice": message})

    @property
    def heading(self) -> str:
        if self.you:
            return gettext("Which of these ways is it safe for us to contact you?")
        return gettext("Which of these ways is it safe for us to contact them?")

    @property
    def hint(self) -> str:
        return gettext(
            "Think about who else might see, hear or open a message. Select all that are safe."
        )

    @property
    def summary_key(self) -> str:
        return gettext("Safe ways to contact")

    def summary(self) -> list[SummaryRow]:
        choices = dict(self.fields["channels"].choices)  # type: ignore[attr-defined]
        return [
            SummaryRow(self.summary_key, [str(choices[c]) for c in self.cleaned_data["channels"]])
        ]


class SafeTimesForm(TextForm):
    question_field = "safe_times"
    safe_times = _text(max_length=200, too_long=_("Safe times must be 200 characters or fewer"))
    hint_text = _(
        "For example, weekday mornings, or not after 6pm. Leave this blank if any time is safe."
    )

    @property
    def heading(self) -> str:
        if self.you:
            return gettext("When is it safe to call or text you? (optional)")
        return gettext("When is it safe to call or text them? (optional)")

    @property
    def empty_answer(self) -> str:
        return gettext("Any time")

    @property
    def summary_key(self) -> str:
        return gettext("Safe times")


class VoicemailForm(RadiosForm):
    question_field = "may_leave_message"
    inline = True
    may_leave_message = _radios(YES_NO, _("Select if we can leave a voicemail message"))
    hint_text = _("Only say yes if nobody who could cause harm might hear the message.")

    @property
    def heading(self) -> str:
        if self.you:
            return gettext("If you do not answer, can we leave a voicemail message?")
        return gettext("If they do not answer, can we leave a voicemail message?")

    @property
    def summary_key(self) -> str:
        return gettext("Voicemail message")


# ----- access needs --------------------------------------------------------


class InterpreterForm(RadiosForm):
    question_field = "interpreter"
    interpreter = _radios(
        [
            (NO_INTERPRETER, _("No")),
            (SPOKEN, _("Yes, for a spoken language")),
            (BSL, _("Yes, for British Sign Language (BSL)")),
        ],
        _("Select if an interpreter is needed"),
    )

    @property
    def heading(self) -> str:
        if self.you:
            return gettext("Do you need an interpreter?")
        return gettext("Do they need an interpreter?")

    @property
    def summary_key(self) -> str:
        return gettext("Interpreter")


class LanguageForm(TextForm):
    question_field = "language"
    input_class = "govuk-input--width-20"
    language = _text(
        max_length=60,
        required=_("Enter the language"),
        too_long=_("Language must be 60 characters or fewer"),
    )

    @property
    def heading(self) -> str:
        return gettext("Which language is the interpreter for?")

    @property
    def summary_key(self) -> str:
        return gettext("Language")


class AdjustmentsForm(TextareaForm):
    question_field = "adjustments"
    adjustments = _text(
        max_length=2000,
        too_long=_("Your answer must be 2000 characters or fewer"),
        textarea=True,
    )
    hint_text = _(
        "For example, large print or easy read, step-free access, a quiet room, or someone "
        "with you for support. Leave this blank if nothing is needed."
    )

    @property
    def heading(self) -> str:
        if self.you:
            return gettext(
                "Is there anything that would make it easier for you to take part? (optional)"
            )
        return gettext(
            "Is there anything that would make it easier for them to take part? (optional)"
        )

    @property
    def empty_answer(self) -> str:
        return gettext("None")

    @property
    def summary_key(self) -> str:
        return gettext("Changes that would help")


# ----- needs now -----------------------------------------------------------


class SafetyForm(RadiosForm):
    question_field = "feels_unsafe"
    inline = True
    feels_unsafe = _radios(YES_NO, _("Select if you feel unsafe at home"))
    hint_text = _(
        "The Victim Care Hub can help people feel safer at home, for example with better "
        "locks, a video doorbell or a personal alarm."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.you:
            message = gettext("Select if they feel unsafe at home")
            self.fields["feels_unsafe"].error_messages.update(
                {"required": message, "invalid_choice": message}
            )

    @property
    def heading(self) -> str:
        return (
            gettext("Do you feel unsafe at home?")
            if self.you
            else gettext("Do they feel unsafe at home?")
        )

    @property
    def summary_key(self) -> str:
        return gettext("Unsafe at home")


class SupportForm(TextareaForm):
    question_field = "support_wanted"
    support_wanted = _text(
        max_length=2000,
        too_long=_("Your answer must be 2000 characters or fewer"),
        textarea=True,
    )
    hint_text = _(
        "For example, someone to talk to, help to feel safe at home such as a personal "
        "alarm, or help with the police or courts. Leave this blank if you are not sure."
    )

    @property
    def heading(self) -> str:
        if self.you:
            return gettext("What other support would you like? (optional)")
        return gettext("What other support would they like? (optional)")

    @property
    def warning(self) -> str:
        if self.earlier.feels_unsafe:
            return gettext(
                "If you are in danger, call 999. If you cannot speak, call 999 from a mobile "
                "and press 55 when asked."
            )
        return ""

    @property
    def empty_answer(self) -> str:
        return gettext("None")

    @property
    def summary_key(self) -> str:
        return gettext("Other support")


class ConsentForm(StepForm):
    page_template = "referrals/apply/question_consent.html"
    question_field = "agree"
    agree = forms.BooleanField(
        required=True,
        error_messages={
            "required": _("Select to confirm you have read the privacy notice and agree")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agree"].label = (
            gettext(
                "I have read the privacy notice. I agree that the Victim Care Hub may use my "
                "answers to contact me about support and restorative justice."
            )
            if self.you
            else gettext(
                "I have read the privacy notice. I agree that the Victim Care Hub may use my "
                "answers to contact me and the person harmed about support and restorative "
                "justice."
            )
        )

    @property
    def heading(self) -> str:
        return gettext("Your privacy")

    def summary(self) -> list[SummaryRow]:
        return []


class SubmitForm(forms.Form):
    """The final step. `website` is a trap for bots, hidden from people and their tools."""

    website = forms.CharField(required=False, max_length=200)

    @property
    def is_bot(self) -> bool:
        return not self.is_valid() or bool(self.cleaned_data["website"].strip())
