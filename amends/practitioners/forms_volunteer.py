"""The questions of the public volunteer application (/volunteer/), one GOV.UK question page each.

Every step is a form that knows its question, how to check an answer and how the
answer reads on the check-your-answers page. A form is given the checked answers
to the steps before it (`Earlier`), so that the second referee can be checked
against the first. Error messages follow the GOV.UK Design System's wording.

The equality monitoring questions are a step like the others while the applicant
fills the form in (they may see and change their own answers), but on sending
they are stored apart from the application and never linked to it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amends.core.questions import (
    EARLIEST_DATE,
    EMAIL_HINT,
    PHONE_HINT,
    clean_phone,
    clean_postcode,
)
from amends.core.questions import MONTHS as _MONTHS
from amends.practitioners.models import AccreditationRole

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as Message

# Step names: they appear in URLs (/volunteer/<step>/), never any answer.
NAME = "your-name"
DATE_OF_BIRTH = "date-of-birth"
CONTACT = "contact-details"
ADDRESS = "address"
ROLES = "roles"
AVAILABILITY = "availability"
HOURS = "hours"
LANGUAGES = "languages"
EXPERIENCE = "experience"
MOTIVATION = "why-volunteer"
ACCESS_NEEDS = "access-needs"
FIRST_REFEREE = "first-referee"
SECOND_REFEREE = "second-referee"
EQUALITY = "equality"
PRIVACY = "privacy"

MINIMUM_AGE = 18
MOST_HOURS_A_MONTH = 160
LONG_ANSWER = 2000

# A referee "who is family" is refused only when that is the whole answer ("My mum"),
# never on a word inside a longer one ("Friend of my brother", "Business partner").
_FAMILY_WORDS = (
    "aunt auntie brother brother-in-law cousin dad daughter father father-in-law fiance "
    "fiancé fiancee fiancée grandad granddad granddaughter grandfather grandma grandmother "
    "grandparent grandson husband mother mother-in-law mum nan nephew niece parent partner "
    "sibling sister sister-in-law son spouse stepdad stepfather stepmother stepmum uncle "
    "wife family relative"
)
_FAMILY = frozenset(_FAMILY_WORDS.split()) | {"family member"}


class DayPart(models.TextChoices):
    """When a volunteer can give time: the codes kept in Practitioner.availability."""

    WEEKDAY_MORNING = "weekday_morning", _("Weekday mornings")
    WEEKDAY_AFTERNOON = "weekday_afternoon", _("Weekday afternoons")
    WEEKDAY_EVENING = "weekday_evening", _("Weekday evenings")
    WEEKEND = "weekend", _("Weekends")


PREFER_NOT_TO_SAY = "prefer_not_to_say"
_PREFER_NOT = (PREFER_NOT_TO_SAY, _("Prefer not to say"))

# The equality monitoring answers (codes are what EqualityMonitoringResponse keeps).
AGE_BANDS = [
    ("18_24", _("18 to 24")),
    ("25_34", _("25 to 34")),
    ("35_44", _("35 to 44")),
    ("45_54", _("45 to 54")),
    ("55_64", _("55 to 64")),
    ("65_plus", _("65 or over")),
    _PREFER_NOT,
]
SEXES = [("female", _("Female")), ("male", _("Male")), _PREFER_NOT]
YES_NO_PREFER_NOT = [("yes", _("Yes")), ("no", _("No")), _PREFER_NOT]
# The five high-level ethnic groups of the 2021 Census in England and Wales (ONS).
ETHNIC_GROUPS = [
    ("asian", _("Asian or Asian British")),
    ("black", _("Black, Black British, Caribbean or African")),
    ("mixed", _("Mixed or multiple ethnic groups")),
    ("white", _("White")),
    ("other", _("Other ethnic group")),
    _PREFER_NOT,
]
# The 2021 Census religion question (ONS).
RELIGIONS = [
    ("none", _("No religion")),
    ("christian", _("Christian")),
    ("buddhist", _("Buddhist")),
    ("hindu", _("Hindu")),
    ("jewish", _("Jewish")),
    ("muslim", _("Muslim")),
    ("sikh", _("Sikh")),
    ("other", _("Any other religion")),
    _PREFER_NOT,
]
# The 2021 Census sexual orientation question (ONS).
SEXUAL_ORIENTATIONS = [
    ("straight", _("Straight or heterosexual")),
    ("gay_lesbian", _("Gay or lesbian")),
    ("bisexual", _("Bisexual")),
    ("other", _("Other sexual orientation")),
    _PREFER_NOT,
]
EQUALITY_FIELDS = (
    "age_band",
    "sex",
    "gender_same_as_birth",
    "ethnicity",
    "disability",
    "religion",
    "sexual_orientation",
)


class Earlier:
    """The checked answers to the steps before the one being asked."""

    def __init__(self, cleaned: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.cleaned: Mapping[str, Mapping[str, Any]] = cleaned if cleaned is not None else {}

    def value(self, step: str, name: str, default: Any = None) -> Any:
        return self.cleaned.get(step, {}).get(name, default)


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
        widget=forms.Textarea(attrs={"rows": 5, **widget_attrs})
        if textarea
        else forms.TextInput(attrs=widget_attrs),
    )


def _email(*, label: Any, required: Message = "", autocomplete: str = "off") -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=bool(required),
        max_length=254,
        error_messages={"required": required, "invalid": EMAIL_HINT, "max_length": EMAIL_HINT},
        widget=forms.EmailInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
    )


def _radios(choices: Any, *, label: Any = "", invalid: Message = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": invalid},
    )


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    return (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )


class StepForm(forms.Form):
    """One question page. Subclasses say how the page looks and how the answer reads."""

    page_template: ClassVar[str] = "practitioners/volunteer/question_fields.html"
    # The field whose label or legend is the page's heading, on single-question pages.
    question_field: ClassVar[str] = ""
    heading_text: ClassVar[Any] = ""
    hint_text: ClassVar[Any] = ""
    summary_text: ClassVar[Any] = ""
    # On a page of several fields: those marked "(optional)", and a hint under a label.
    optional_fields: ClassVar[frozenset[str]] = frozenset()
    field_hints: ClassVar[dict[str, Any]] = {}

    def __init__(self, *args: Any, earlier: Earlier, **kwargs: Any) -> None:
        self.earlier = earlier
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def heading(self) -> str:
        return str(self.heading_text)

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
        """The fields of a page of several, each with its hint and whether it is optional."""
        return [
            {
                "field": self[name],
                "hint": str(self.field_hints.get(name, "")),
                "optional": name in self.optional_fields,
            }
            for name in self.fields
        ]

    @property
    def summary_key(self) -> str:
        return str(self.summary_text) or self.heading

    @property
    def empty_answer(self) -> str:
        """How a question left blank reads on check your answers."""
        return gettext("None")

    def summary(self) -> list[SummaryRow]:
        """The answer as rows of the check-your-answers page (call only when valid)."""
        value = self.cleaned_data[self.question_field]
        choices = getattr(self.fields[self.question_field], "choices", None)
        if isinstance(value, list):
            lines = [_choice_label(choices, v) for v in value]
        else:
            lines = [_choice_label(choices, value) if choices else str(value)] if value else []
        return [SummaryRow(self.summary_key, lines or [self.empty_answer])]


class TextForm(StepForm):
    page_template = "practitioners/volunteer/question_text.html"
    input_class: ClassVar[str] = ""
    suffix: ClassVar[Any] = ""


class TextareaForm(StepForm):
    page_template = "practitioners/volunteer/question_textarea.html"
    max_characters: ClassVar[int] = LONG_ANSWER


class CheckboxesForm(StepForm):
    page_template = "practitioners/volunteer/question_checkboxes.html"
    # A hint under each choice, by value.
    item_hints: ClassVar[dict[str, Any]] = {}

    @property
    def items(self) -> list[dict[str, Any]]:
        bound = self.question
        selected = {str(v) for v in (bound.value() or [])}
        return [
            {
                "value": value,
                "label": label,
                "hint": self.item_hints.get(str(value), ""),
                "checked": str(value) in selected,
            }
            for value, label in bound.field.choices  # type: ignore[attr-defined]
        ]


# ----- about you -----------------------------------------------------------


class NameForm(StepForm):
    heading_text = _("What is your name?")
    first_name = _text(
        label=_("First name"),
        max_length=100,
        required=_("Enter your first name"),
        too_long=_("First name must be 100 characters or fewer"),
        autocomplete="given-name",
        spellcheck="false",
    )
    last_name = _text(
        label=_("Last name"),
        max_length=100,
        required=_("Enter your last name"),
        too_long=_("Last name must be 100 characters or fewer"),
        autocomplete="family-name",
        spellcheck="false",
    )

    def summary(self) -> list[SummaryRow]:
        data = self.cleaned_data
        return [SummaryRow(gettext("Name"), [f"{data['first_name']} {data['last_name']}"])]


class DateOfBirthForm(StepForm):
    """A GOV.UK date input: day, month and year boxes, with its error messages."""

    page_template = "practitioners/volunteer/question_date.html"
    heading_text = _("What is your date of birth?")
    hint_text = _("You must be 18 or over to volunteer. For example, 27 3 1990")
    summary_text = _("Date of birth")

    day = forms.CharField(label=_("Day"), required=False, max_length=10)
    month = forms.CharField(label=_("Month"), required=False, max_length=10)
    year = forms.CharField(label=_("Year"), required=False, max_length=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_parts: set[str] = set()
        for part in ("day", "month", "year"):
            attrs = self.fields[part].widget.attrs
            attrs["inputmode"] = "numeric"
            attrs["autocomplete"] = f"bday-{part}"

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
        what = gettext("Date of birth")
        raw = {p: str(cleaned.get(p, "")).strip() for p in ("day", "month", "year")}
        missing = [p for p in ("day", "month", "year") if not raw[p]]
        if len(missing) == 3:
            self._fail(missing, gettext("Enter your date of birth"))
            return cleaned
        if missing:
            names = {"day": gettext("day"), "month": gettext("month"), "year": gettext("year")}
            self._fail(
                missing,
                gettext("%(what)s must include a %(parts)s")
                % {"what": what, "parts": gettext(" and ").join(names[p] for p in missing)},
            )
            return cleaned
        month_number = _MONTHS.get(raw["month"].lower().rstrip("."))
        numbers: dict[str, int] = {}
        for part in ("day", "month", "year"):
            if part == "month" and month_number is not None:
                numbers[part] = month_number
            elif raw[part].isdigit():
                numbers[part] = int(raw[part])
        if len(numbers) < 3:
            bad = [p for p in ("day", "month", "year") if p not in numbers]
            self._fail(bad, gettext("%(what)s must be a real date") % {"what": what})
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
            self._fail(bad or ["day"], gettext("%(what)s must be a real date") % {"what": what})
            return cleaned
        today = timezone.localdate()
        every_part = ["day", "month", "year"]
        if date >= today:
            self._fail(every_part, gettext("Date of birth must be in the past"))
            return cleaned
        if date < EARLIEST_DATE:
            self._fail(
                every_part, gettext("Date of birth must be the same as or after 1 January 1900")
            )
            return cleaned
        if age_on(date, today) < MINIMUM_AGE:
            self._fail(
                every_part,
                gettext(
                    "You must be 18 or over to volunteer with us. Check your date of birth, or "
                    "come back when you are 18"
                ),
            )
            return cleaned
        cleaned["date"] = date
        return cleaned

    def summary(self) -> list[SummaryRow]:
        date: dt.date = self.cleaned_data["date"]
        return [SummaryRow(self.summary_key, [f"{date.day} {date:%B %Y}"])]


class ContactForm(StepForm):
    heading_text = _("How can we contact you?")
    hint_text = _(
        "We will email you to say we have your application, and contact you to arrange an "
        "interview."
    )
    optional_fields = frozenset({"phone"})
    email = _email(
        label=_("Email address"), required=_("Enter your email address"), autocomplete="email"
    )
    phone = _text(
        label=_("Phone number"),
        max_length=40,
        too_long=PHONE_HINT,
        autocomplete="tel",
        type="tel",
        width="20",
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data.get("email", "")).strip().lower()

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))

    def summary(self) -> list[SummaryRow]:
        lines = [v for v in (self.cleaned_data["email"], self.cleaned_data["phone"]) if v]
        return [SummaryRow(gettext("Contact details"), lines)]


class AddressForm(StepForm):
    heading_text = _("What is your address?")
    optional_fields = frozenset({"address_line_2"})
    address_line_1 = _text(
        label=_("Address line 1"),
        max_length=200,
        required=_("Enter address line 1, typically the building and street"),
        too_long=_("Address line 1 must be 200 characters or fewer"),
        autocomplete="address-line1",
    )
    address_line_2 = _text(
        label=_("Address line 2"),
        max_length=200,
        too_long=_("Address line 2 must be 200 characters or fewer"),
        autocomplete="address-line2",
    )
    town = _text(
        label=_("Town or city"),
        max_length=100,
        required=_("Enter town or city"),
        too_long=_("Town or city must be 100 characters or fewer"),
        autocomplete="address-level2",
        width="20",
    )
    postcode = _text(
        label=_("Postcode"),
        max_length=10,
        required=_("Enter postcode"),
        too_long=_("Enter a real postcode"),
        autocomplete="postal-code",
        spellcheck="false",
        width="10",
    )

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data.get("postcode", ""))

    def summary(self) -> list[SummaryRow]:
        data = self.cleaned_data
        lines = [
            v
            for v in (
                data["address_line_1"],
                data["address_line_2"],
                data["town"],
                data["postcode"],
            )
            if v
        ]
        return [SummaryRow(gettext("Address"), lines)]


# ----- volunteering --------------------------------------------------------


class RolesForm(CheckboxesForm):
    question_field = "roles"
    heading_text = _("Which roles are you interested in?")
    hint_text = _("Select all that apply. You can change your mind during training.")
    summary_text = _("Roles")
    roles = forms.MultipleChoiceField(
        choices=[
            (AccreditationRole.FACILITATOR.value, _("Facilitator")),
            (AccreditationRole.CO_FACILITATOR.value, _("Co-facilitator")),
            (AccreditationRole.ADVOCATE.value, _("Victim advocate")),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one role you are interested in"),
            "invalid_choice": _("Select at least one role you are interested in"),
        },
    )
    item_hints = {
        AccreditationRole.FACILITATOR.value: _(
            "Prepare the person harmed and the person responsible, and lead restorative "
            "meetings and exchanges of letters"
        ),
        AccreditationRole.CO_FACILITATOR.value: _(
            "Work alongside a lead facilitator on each case while you build experience"
        ),
        AccreditationRole.ADVOCATE.value: _(
            "Support people harmed by crime through the process and make sure their voice is heard"
        ),
    }


class AvailabilityForm(CheckboxesForm):
    question_field = "availability"
    heading_text = _("When could you volunteer?")
    hint_text = _("Select all that apply. Most meetings are arranged around everyone taking part.")
    summary_text = _("When you could volunteer")
    availability = forms.MultipleChoiceField(
        choices=DayPart.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select when you could volunteer"),
            "invalid_choice": _("Select when you could volunteer"),
        },
    )


class HoursForm(TextForm):
    question_field = "hours"
    heading_text = _("How many hours a month could you give?")
    hint_text = _(
        "A rough idea is fine. Most of our volunteers give between 4 and 16 hours a month."
    )
    summary_text = _("Hours a month")
    input_class = "govuk-input--width-3"
    suffix = _("hours")
    hours = _text(
        max_length=10,
        required=_("Enter how many hours a month you could give"),
        too_long=_("Hours a month must be a whole number, like 8"),
        inputmode="numeric",
        spellcheck="false",
    )

    def clean_hours(self) -> int:
        text = str(self.cleaned_data.get("hours", "")).strip()
        if not text.isdigit():
            raise forms.ValidationError(gettext("Hours a month must be a whole number, like 8"))
        hours = int(text)
        if not 1 <= hours <= MOST_HOURS_A_MONTH:
            raise forms.ValidationError(
                gettext("Hours a month must be between 1 and %(most)d")
                % {"most": MOST_HOURS_A_MONTH}
            )
        return hours

    def summary(self) -> list[SummaryRow]:
        hours: int = self.cleaned_data["hours"]
        return [SummaryRow(self.summary_key, [gettext("%(hours)d hours") % {"hours": hours}])]


class LanguagesForm(TextForm):
    question_field = "languages"
    heading_text = _("Which languages do you speak?")
    hint_text = _("Include English and any others, for example Polish or British Sign Language.")
    summary_text = _("Languages")
    languages = _text(
        max_length=300,
        required=_("Enter the languages you speak"),
        too_long=_("Languages must be 300 characters or fewer"),
    )


# ----- experience and motivation -------------------------------------------


class ExperienceForm(TextareaForm):
    question_field = "experience"
    heading_text = _("What experience do you have that could help? (optional)")
    hint_text = _(
        "For example, paid or voluntary work with people in difficult situations, listening or "
        "mediation, or what you have learned from your own life. You do not need any "
        "experience: we give full training."
    )
    summary_text = _("Relevant experience")
    experience = _text(
        max_length=LONG_ANSWER,
        too_long=_("Your experience must be 2000 characters or fewer"),
        textarea=True,
    )


class MotivationForm(TextareaForm):
    question_field = "motivation"
    heading_text = _("Why do you want to volunteer with us?")
    hint_text = _("Tell us in your own words. There is no right answer.")
    summary_text = _("Why you want to volunteer")
    motivation = _text(
        max_length=LONG_ANSWER,
        required=_("Enter why you want to volunteer"),
        too_long=_("Why you want to volunteer must be 2000 characters or fewer"),
        textarea=True,
    )


class AccessNeedsForm(TextareaForm):
    question_field = "access_needs"
    heading_text = _("Do you need any changes or support for an interview or training? (optional)")
    hint_text = _(
        "For example, step-free access, a British Sign Language interpreter, extra breaks or "
        "information in large print. Leave this blank if you do not need anything."
    )
    summary_text = _("Changes or support for interview or training")
    access_needs = _text(
        max_length=LONG_ANSWER,
        too_long=_("Your answer must be 2000 characters or fewer"),
        textarea=True,
    )


# ----- referees ------------------------------------------------------------


class RefereeForm(StepForm):
    """One referee: who they are, how they know the applicant, and a way to reach them."""

    ordinal: ClassVar[Any] = ""
    optional_fields = frozenset({"email", "phone"})
    full_name = _text(
        label=_("Full name"),
        max_length=200,
        too_long=_("Full name must be 200 characters or fewer"),
        spellcheck="false",
    )
    relationship = _text(
        label=_("How do they know you?"),
        max_length=200,
        too_long=_("How they know you must be 200 characters or fewer"),
    )
    email = _email(label=_("Email address"))
    phone = _text(
        label=_("Phone number"), max_length=40, too_long=PHONE_HINT, type="tel", width="20"
    )
    field_hints = {"relationship": _("For example, manager, colleague, teacher or friend")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        which = str(self.ordinal)
        self.fields["full_name"].required = True
        self.fields["full_name"].error_messages["required"] = gettext(
            "Enter the full name of your %(which)s referee"
        ) % {"which": which}
        self.fields["relationship"].required = True
        self.fields["relationship"].error_messages["required"] = gettext(
            "Enter how your %(which)s referee knows you"
        ) % {"which": which}

    @property
    def heading(self) -> str:
        return gettext("Who is your %(which)s referee?") % {"which": self.ordinal}

    @property
    def hint(self) -> str:
        return gettext(
            "Give someone who knows you well, for example through work, study, volunteering or "
            "your community. Give their email address or phone number, or both."
        )

    @property
    def warning(self) -> str:
        return gettext("A referee cannot be a member of your family or your partner.")

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean_email(self) -> str:
        return str(self.cleaned_data.get("email", "")).strip().lower()

    def clean_relationship(self) -> str:
        text = str(self.cleaned_data.get("relationship", "")).strip()
        words = re.sub(r"[^\w\s'-]", " ", text.lower()).split()
        if words and words[0] in {"my", "our"}:
            words = words[1:]
        if " ".join(words) in _FAMILY:
            raise forms.ValidationError(
                gettext(
                    "Your referee cannot be a member of your family. Give someone who knows you "
                    "through work, study, volunteering or your community"
                )
            )
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "email" in cleaned and "phone" in cleaned and not (cleaned["email"] or cleaned["phone"]):
            self.add_error(
                "email",
                gettext("Enter an email address or phone number for your %(which)s referee")
                % {"which": self.ordinal},
            )
        return cleaned

    def summary(self) -> list[SummaryRow]:
        data = self.cleaned_data
        lines = [data["full_name"], data["relationship"]] + [
            v for v in (data["email"], data["phone"]) if v
        ]
        key = gettext("%(Which)s referee") % {"Which": str(self.ordinal).capitalize()}
        return [SummaryRow(key, lines, change_label=key.lower())]


class FirstRefereeForm(RefereeForm):
    ordinal = _("first")


class SecondRefereeForm(RefereeForm):
    ordinal = _("second")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned

        def same(name: str) -> bool:
            mine = re.sub(r"\s+", " ", str(cleaned.get(name, ""))).strip().casefold()
            first = re.sub(r"\s+", " ", str(self.earlier.value(FIRST_REFEREE, name, ""))).strip()
            return bool(mine) and mine == first.casefold()

        if same("full_name") or same("email"):
            self.add_error(
                "full_name",
                gettext("Your second referee must be a different person from your first referee"),
            )
        return cleaned


# ----- equality monitoring -------------------------------------------------


class EqualityForm(StepForm):
    """Optional equality monitoring: every question may be left blank or skipped."""

    page_template = "practitioners/volunteer/question_equality.html"
    heading_text = _("Equality monitoring questions (optional)")

    age_band = _radios(
        AGE_BANDS, label=_("What is your age?"), invalid=_("Select your age or leave it blank")
    )
    sex = _radios(
        SEXES, label=_("What is your sex?"), invalid=_("Select your sex or leave it blank")
    )
    gender_same_as_birth = _radios(
        YES_NO_PREFER_NOT,
        label=_("Is the gender you identify with the same as your sex registered at birth?"),
        invalid=_(
            "Select if your gender is the same as your sex registered at birth, or leave it blank"
        ),
    )
    ethnicity = _radios(
        ETHNIC_GROUPS,
        label=_("What is your ethnic group?"),
        invalid=_("Select your ethnic group or leave it blank"),
    )
    disability = _radios(
        YES_NO_PREFER_NOT,
        label=_(
            "Do you have any physical or mental health conditions or illnesses lasting or "
            "expected to last 12 months or more?"
        ),
        invalid=_("Select if you have a long-term health condition, or leave it blank"),
    )
    religion = _radios(
        RELIGIONS,
        label=_("What is your religion?"),
        invalid=_("Select your religion or leave it blank"),
    )
    sexual_orientation = _radios(
        SEXUAL_ORIENTATIONS,
        label=_("Which of the following best describes your sexual orientation?"),
        invalid=_("Select your sexual orientation or leave it blank"),
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # "Skip these questions" keeps no answer, even one chosen before skipping.
        if data is not None and data.get("skip"):
            data = {}
        super().__init__(data, *args, **kwargs)

    @property
    def any_answer(self) -> bool:
        return any(self.cleaned_data.get(name) for name in EQUALITY_FIELDS)

    summary_keys: ClassVar[dict[str, Any]] = {
        "age_band": _("Age"),
        "sex": _("Sex"),
        "gender_same_as_birth": _("Gender the same as sex registered at birth"),
        "ethnicity": _("Ethnic group"),
        "disability": _("Long-term health condition or illness"),
        "religion": _("Religion"),
        "sexual_orientation": _("Sexual orientation"),
    }

    def summary(self) -> list[SummaryRow]:
        rows = []
        for name in EQUALITY_FIELDS:
            bound = self[name]
            key = str(self.summary_keys[name])
            value = self.cleaned_data[name]
            answer = _choice_label(bound.field.choices, value) if value else gettext("Not answered")  # type: ignore[attr-defined]
            rows.append(SummaryRow(key, [answer], change_label=key.lower()))
        return rows


# ----- privacy -------------------------------------------------------------


class PrivacyForm(StepForm):
    page_template = "practitioners/volunteer/question_privacy.html"
    question_field = "agree"
    heading_text = _("Your privacy")
    agree = forms.BooleanField(
        label=_(
            "I have read the privacy notice. I agree that the restorative justice service may "
            "use my answers to consider my application, and may contact my referees."
        ),
        required=True,
        error_messages={
            "required": _("Select to confirm you have read the privacy notice and agree")
        },
    )

    def summary(self) -> list[SummaryRow]:
        return []


class SubmitForm(forms.Form):
    """The final step. `website` is a trap for bots, hidden from people and their tools."""

    website = forms.CharField(required=False, max_length=200)

    @property
    def is_bot(self) -> bool:
        return not self.is_valid() or bool(self.cleaned_data["website"].strip())
