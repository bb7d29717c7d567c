"""Forms of the Victims' Code pages: what an officer or youth justice worker records.

The rules that depend on more than one answer (dates, who records under-18s,
what a referral needs) live in `victims_code`, shared with the services, so
that the form shows every problem at once and the service refuses the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from amends.accounts.models import Organisation, User
from amends.people.models import normalise_phone
from amends.referrals import victims_code
from amends.referrals.models import OffenceType, ToldHow, VictimAnswer, VictimsCodeRecord

DATE_HINT = "For example, 27 3 2026."
ENHANCED_RIGHTS_HINT = (
    "Victims entitled to enhanced rights are: victims of the most serious crimes (such as "
    "domestic abuse, hate crime, terrorism, sexual offences, human trafficking, attempted "
    "murder, and close relatives bereaved by crime), persistently targeted victims, vulnerable "
    "or intimidated victims, and all victims under 18."
)
OFFENDER_UNDER_18_HINT = (
    "The police tell the victim about restorative justice when the person responsible is an "
    "adult or not known; the youth justice service (YOT) does when they are under 18."
)
SAFE_CHANNELS_HINT = (
    "Only the ways the person said are safe: someone they live with may read their messages "
    "or post. Select all that apply."
)


# Dates as people type them ("27 3 2026", "27/03/2026", "27 March 2026") or as ISO.
DATE_INPUT_FORMATS = [
    "%d %m %Y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d",
]


def date_text(day: dt.date) -> str:
    """A date as the hint shows it: 27 3 2026."""
    return f"{day.day} {day.month} {day.year}"


def _date_field(
    label: str, *, required: bool = True, help_text: str = DATE_HINT, what: str = ""
) -> Any:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "invalid": f"{label} must be a real date",
            "required": f"Enter {what or label[0].lower() + label[1:]}",
        },
    )


def _yes_no_field(
    label: str, *, required: bool = True, no_label: str = "No", help_text: str = "", error: str = ""
) -> Any:
    return forms.TypedChoiceField(
        label=label,
        required=required,
        help_text=help_text,
        choices=[("yes", "Yes"), ("no", no_label)],
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": error or f"Select yes or no: {label.lower()}"},
    )


def _yes_no_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def person_details(data: dict[str, Any]) -> victims_code.PersonDetails:
    """The person a form's name, date of birth and contact fields describe."""
    return victims_code.PersonDetails(
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data.get("date_of_birth"),
        phone=data.get("phone", ""),
        email=data.get("email", ""),
        address_line_1=data.get("address_line_1", ""),
        town=data.get("town", ""),
        postcode=data.get("postcode", "").upper(),
    )


class PhoneField(forms.CharField):
    """A UK or international phone number, as people write it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        cleaned: str = super().clean(value)
        if cleaned and not 10 <= len(normalise_phone(cleaned)) <= 15:
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
            )
        return cleaned


class ContactFieldsMixin(forms.Form):
    """Contact details and the ways it is safe to use them."""

    phone = PhoneField(label="Phone number", required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    address_line_1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    town = forms.CharField(label="Town or city", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    safe_channels = forms.MultipleChoiceField(
        label="Which ways is it safe to contact them?",
        choices=victims_code.SAFE_CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=SAFE_CHANNELS_HINT,
        error_messages={"required": "Select at least one way it is safe to contact them"},
    )
    may_leave_message = _yes_no_field(
        "Can a message be left for them?", required=False, error="Select yes or no"
    )
    safe_times = forms.CharField(
        label="Safe times to contact them",
        required=False,
        max_length=200,
        help_text="For example, weekdays after 6pm.",
    )

    def safe_contact(self) -> victims_code.SafeContact:
        return victims_code.SafeContact(
            channels=list(self.cleaned_data.get("safe_channels") or []),
            times=self.cleaned_data.get("safe_times", ""),
            may_leave_message=self.cleaned_data.get("may_leave_message"),
        )

    def add_problems(self, problems: Sequence[victims_code.Problem]) -> None:
        for field_name, message in problems:
            if field_name in self.fields and field_name not in self.errors:
                self.add_error(field_name, message)
            elif field_name not in self.fields:
                self.add_error(None, message)


class FormTokenMixin(forms.Form):
    """A one-time token: the same form sent twice saves once."""

    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", victims_code.form_token_new())


def _hub_field(label: str) -> Any:
    return forms.ModelChoiceField(
        label=label,
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the victim care hub that should receive the referral",
            "invalid_choice": "Select the victim care hub that should receive the referral",
        },
    )


class VictimsCodeRecordForm(FormTokenMixin, ContactFieldsMixin):
    """Record that a victim was told about RJ, and what they answered."""

    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the victim's first name"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the victim's last name"},
    )
    date_of_birth = _date_field("Date of birth", required=False)
    crime_reference = forms.CharField(
        label="Crime reference number",
        max_length=40,
        error_messages={"required": "Enter the crime reference number"},
    )
    offence_type = forms.ChoiceField(
        label="Type of offence",
        choices=[("", "Choose the type of offence"), *OffenceType.choices],
        error_messages={"required": "Select the type of offence"},
    )
    date_reported = _date_field(
        "Date the crime was reported", what="the date the crime was reported"
    )
    date_told = _date_field(
        "Date the victim was told about restorative justice",
        what="the date the victim was told about restorative justice",
    )
    told_by = forms.CharField(
        label="Who told them",
        max_length=200,
        error_messages={"required": "Enter who told the victim about restorative justice"},
    )
    told_how = forms.ChoiceField(
        label="How were they told?",
        choices=ToldHow.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the victim was told about restorative justice"},
    )
    enhanced_rights = _yes_no_field(
        "Is the victim entitled to enhanced rights under the Victims' Code?",
        help_text=ENHANCED_RIGHTS_HINT,
        error="Select yes if the victim is entitled to enhanced rights",
    )
    offender_under_18 = _yes_no_field(
        "Is the person responsible under 18?",
        no_label="No, or not known",
        help_text=OFFENDER_UNDER_18_HINT,
        error="Select yes if the person responsible is under 18",
    )
    answer = forms.ChoiceField(
        label="What did the victim answer?",
        choices=VictimAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the victim's answer"},
    )
    hub = _hub_field("Which victim care hub should receive the referral?")

    # Needed only when the victim wants a referral.
    REFERRAL_FIELDS = ("hub", "safe_channels")

    def __init__(
        self,
        *args: Any,
        actor: User,
        hubs: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        # The Code's deadlines, as this installation sets them, for the page's guidance.
        self.inform_days = settings.VICTIMS_CODE_INFORM_DAYS
        self.inform_days_enhanced = settings.VICTIMS_CODE_INFORM_DAYS_ENHANCED
        self.refer_days = settings.VICTIMS_CODE_REFER_DAYS
        self.fields["hub"].queryset = hubs  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("told_by", actor.full_name)
            self.initial.setdefault("date_told", date_text(timezone.localdate()))
        elif self.data.get("answer") != VictimAnswer.WANTS_REFERRAL:
            for name in self.REFERRAL_FIELDS:
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        problems = victims_code.record_problems(
            actor=self.actor,
            date_reported=cleaned.get("date_reported"),
            date_told=cleaned.get("date_told"),
            victim_date_of_birth=cleaned.get("date_of_birth"),
            enhanced_rights=cleaned.get("enhanced_rights"),
            offender_under_18=cleaned.get("offender_under_18"),
            answer=cleaned.get("answer", ""),
            hub=cleaned.get("hub"),
            safe_channels=cleaned.get("safe_channels") or [],
            phone=cleaned.get("phone", ""),
            email=cleaned.get("email", ""),
            address_line_1=cleaned.get("address_line_1", ""),
            postcode=cleaned.get("postcode", ""),
        )
        self.add_problems(problems)
        return cleaned

    def victim(self) -> victims_code.PersonDetails:
        return person_details(self.cleaned_data)


class VictimsCodeAnswerForm(ContactFieldsMixin):
    """A victim who had not decided gives their answer: a referral, or no."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    answer = forms.ChoiceField(
        label="What did the victim answer?",
        choices=[
            (VictimAnswer.WANTS_REFERRAL, VictimAnswer.WANTS_REFERRAL.label),
            (VictimAnswer.DECLINED, VictimAnswer.DECLINED.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the victim wants a referral or declined"},
    )
    hub = _hub_field("Which victim care hub should receive the referral?")

    REFERRAL_FIELDS = ("hub", "safe_channels")
    # The address stays as recorded; the answer page changes only phone and email.
    UNUSED = ("address_line_1", "town", "postcode")

    def __init__(
        self,
        *args: Any,
        record: VictimsCodeRecord,
        hubs: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.record = record
        for name in self.UNUSED:
            del self.fields[name]
        self.fields["hub"].queryset = hubs  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.update(
                {
                    "version": record.version,
                    "phone": record.victim.phone,
                    "email": record.victim.email,
                }
            )
        elif self.data.get("answer") != VictimAnswer.WANTS_REFERRAL:
            for name in self.REFERRAL_FIELDS:
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == VictimAnswer.WANTS_REFERRAL:
            victim = self.record.victim
            problems = victims_code.contact_problems(
                who="the victim",
                channels=cleaned.get("safe_channels") or [],
                phone=cleaned.get("phone", ""),
                email=cleaned.get("email", ""),
                address_line_1=victim.address_line_1,
                postcode=victim.postcode,
            )
            self.add_problems([p for p in problems if p[0] != "safe_channels"])
        return cleaned

    def rows(self) -> list[tuple[str, str]]:
        """What was entered, as people read it: for the conflict page."""
        data = self.cleaned_data
        hub = data.get("hub")
        return [
            ("Answer", dict(VictimAnswer.choices).get(data.get("answer", ""), "")),
            ("Victim care hub", hub.name if hub else ""),
            ("Phone number", data.get("phone", "")),
            ("Email address", data.get("email", "")),
        ]


def record_rows(record: VictimsCodeRecord) -> list[tuple[str, str]]:
    """The saved answer, in the same rows as `VictimsCodeAnswerForm.rows`."""
    referral = record.referral
    return [
        ("Answer", record.get_answer_display()),
        ("Victim care hub", referral.hub.name if referral is not None else ""),
        ("Phone number", record.victim.phone),
        ("Email address", record.victim.email),
    ]


class OffenderReferralForm(FormTokenMixin, ContactFieldsMixin):
    """Refer the person who caused harm (the person harmed may be unknown)."""

    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the first name of the person responsible"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the last name of the person responsible"},
    )
    date_of_birth = _date_field("Date of birth", what="the date of birth of the person responsible")
    agrees = forms.BooleanField(
        label="They have agreed to be contacted about restorative justice",
        error_messages={
            "required": "Refer the person responsible only once they have agreed to be "
            "contacted about restorative justice"
        },
    )
    crime_reference = forms.CharField(
        label="Crime reference number",
        max_length=40,
        error_messages={"required": "Enter the crime reference number"},
    )
    offence_type = forms.ChoiceField(
        label="Type of offence",
        choices=[("", "Choose the type of offence"), *OffenceType.choices],
        error_messages={"required": "Select the type of offence"},
    )
    offence_date = _date_field("Date of the offence", required=False)
    date_reported = _date_field(
        "Date the crime was reported", what="the date the crime was reported"
    )
    victim_given_name = forms.CharField(
        label="First name of the person harmed", required=False, max_length=100
    )
    victim_family_name = forms.CharField(
        label="Last name of the person harmed", required=False, max_length=100
    )
    hub = _hub_field("Which victim care hub should receive the referral?")

    def __init__(
        self, *args: Any, actor: User, hubs: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["hub"].queryset = hubs  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        problems = victims_code.offender_referral_problems(
            actor=self.actor,
            date_of_birth=cleaned.get("date_of_birth"),
            offence_date=cleaned.get("offence_date"),
            date_reported=cleaned.get("date_reported"),
            agrees=cleaned.get("agrees"),
            hub=cleaned.get("hub"),
            safe_channels=cleaned.get("safe_channels") or [],
            phone=cleaned.get("phone", ""),
            email=cleaned.get("email", ""),
            address_line_1=cleaned.get("address_line_1", ""),
            postcode=cleaned.get("postcode", ""),
        )
        self.add_problems(problems)
        return cleaned

    def person(self) -> victims_code.PersonDetails:
        return person_details(self.cleaned_data)


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class ComplianceFilterForm(forms.Form):
    """The period of the compliance figures: the last 3 months unless chosen."""

    date_from = _date_field("From", required=False, help_text="")
    date_to = _date_field("To", required=False, help_text="")

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if not self.is_bound:
            date_from, date_to = self.default_period()
            self.initial.update({"date_from": date_text(date_from), "date_to": date_text(date_to)})

    def default_period(self) -> tuple[dt.date, dt.date]:
        return _months_before(self.today, 3), self.today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        default_from, default_to = self.default_period()
        date_from = cleaned.get("date_from") or default_from
        date_to = cleaned.get("date_to") or default_to
        if "date_from" not in self.errors and "date_to" not in self.errors and date_to < date_from:
            self.add_error(
                "date_to", "The end of the period must be the same as or after its start"
            )
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned

    def period(self) -> tuple[dt.date, dt.date]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        return self.default_period()


class RecordFilterForm(forms.Form):
    answer = forms.ChoiceField(
        label="Answer",
        required=False,
        choices=[("", "Any answer"), *VictimAnswer.choices],
    )
    clock = forms.ChoiceField(
        label="Deadlines",
        required=False,
        choices=[("", "Any"), *victims_code.CLOCK_FILTERS.items()],
    )

    def filters(self) -> dict[str, str]:
        if self.is_valid():
            return {"answer": self.cleaned_data["answer"], "clock": self.cleaned_data["clock"]}
        return {"answer": "", "clock": ""}
