"""Forms of the hub's support pages: each bad input gets its own GOV.UK error message."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from amends.accounts.models import Organisation
from amends.core.workflow import Transition
from amends.hub.models import (
    Agency,
    DeviceIssueOutcome,
    DeviceState,
    DeviceType,
    NeedArea,
    NeedLevel,
    NeedsAssessment,
    RiskLevel,
    SafetyDevice,
    ServiceArea,
    SharedItem,
)
from amends.referrals.forms_victims_code import DATE_HINT, DATE_INPUT_FORMATS, date_text
from amends.referrals.models import ReferralPerson

_TEXT = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})


def _date_field(
    label: str, *, what: str, required: bool = True, past: bool = False, help_text: str = DATE_HINT
) -> forms.DateField:
    return DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=_TEXT,
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"The {what} must be a real date, like 27 3 2026",
        },
        what=what,
        past=past,
    )


class DateField(forms.DateField):
    """A date typed as people type them; `past=True` refuses one after today."""

    def __init__(self, *args: Any, what: str, past: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.what = what
        self.past = past

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.past and isinstance(value, dt.date) and value > timezone.localdate():
            raise forms.ValidationError(f"The {self.what} must be today or in the past")


def _note(label: str, *, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=4000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"{label} must be 4000 characters or fewer"},
    )


class VersionedForm(forms.Form):
    """Carries the version the user loaded, so that a stale save is refused, not applied."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SubmittedOnceForm(forms.Form):
    """Carries a random key made when the form was shown: a second submit of it makes nothing."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", secrets.token_urlsafe(24))


# --- needs ---------------------------------------------------------------------------------


class NeedsAssessmentForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    overall_risk = forms.ChoiceField(
        label="Overall risk",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        help_text="Your judgement of the risk of further harm to the person.",
        error_messages={"required": "Choose the overall level of risk"},
    )
    summary = _note(
        "Summary you could share with an agency",
        help_text="Only what the person would be happy for an agency to read, if they agree "
        "to an onward referral. Leave out names of other people.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area in NeedArea:
            self.fields[f"{area.value}_level"] = forms.ChoiceField(
                label=str(area.label),
                choices=NeedLevel.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose the level of {area.label.lower()} need"},
            )
            self.fields[f"{area.value}_note"] = _note(f"{area.label}: notes")
        order = [name for area in NeedArea for name in (f"{area}_level", f"{area}_note")]
        self.order_fields(["number", *order, "overall_risk", "summary"])

    @property
    def area_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{area}_level"], self[f"{area}_note"]) for area in NeedArea.values]

    @classmethod
    def for_assessment(cls, current: NeedsAssessment | None) -> NeedsAssessmentForm:
        if current is None:
            return cls(initial={"number": 0})
        initial: dict[str, Any] = {
            "number": current.number,
            "overall_risk": current.overall_risk,
            "summary": current.summary,
        }
        for area in NeedArea.values:
            initial[f"{area}_level"] = current.level(area)
            initial[f"{area}_note"] = current.note(area)
        return cls(initial=initial)

    def levels(self) -> dict[str, str]:
        return {area: self.cleaned_data[f"{area}_level"] for area in NeedArea.values}

    def notes(self) -> dict[str, str]:
        return {area: self.cleaned_data[f"{area}_note"] for area in NeedArea.values}


# --- safety devices ------------------------------------------------------------------------


class DeviceAddForm(SubmittedOnceForm):
    device_type = forms.ChoiceField(
        label="Type of device",
        choices=[("", "Choose the type of device"), *DeviceType.choices],
        error_messages={"required": "Choose the type of device"},
    )
    serial_number = forms.CharField(
        label="Serial number",
        max_length=60,
        widget=_TEXT,
        help_text="As printed on the device. Each device in your inventory has its own.",
        error_messages={
            "required": "Enter the device's serial number",
            "max_length": "The serial number must be 60 characters or fewer",
        },
    )
    description = forms.CharField(
        label="Make and model",
        max_length=200,
        required=False,
        error_messages={"max_length": "The make and model must be 200 characters or fewer"},
    )
    note = _note("Notes")


class DeviceFilterForm(forms.Form):
    device_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *DeviceType.choices]
    )
    state = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *DeviceState.choices],
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"device_type": "", "state": ""}
        return {
            "device_type": self.cleaned_data["device_type"],
            "state": self.cleaned_data["state"],
        }


class DeviceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        described = f" ({obj.description})" if obj.description else ""
        return f"{obj.get_device_type_display()}: {obj.serial_number}{described}"


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person.full_name} ({obj.get_role_display().lower()})"


class DeviceIssueForm(forms.Form):
    device = DeviceChoiceField(
        label="Device",
        queryset=SafetyDevice.objects.none(),
        empty_label="Choose a device in stock",
        error_messages={
            "required": "Choose a device in stock",
            "invalid_choice": "That device is no longer in stock. Choose another",
        },
    )
    referral_person = PersonChoiceField(
        label="Issued to",
        queryset=ReferralPerson.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose who the device is for",
            "invalid_choice": "Choose a person in this referral",
        },
    )
    issued_on = _date_field("Date issued", what="date it was issued", past=True)
    expected_return_on = _date_field(
        "Date due back",
        what="date it is due back",
        required=False,
        help_text=f"Leave blank if it stays with the person for now. {DATE_HINT}",
    )
    note = _note("Notes", help_text="For example, where it was fitted or how it was explained.")

    def __init__(
        self,
        *args: Any,
        devices: QuerySet[SafetyDevice],
        people: list[ReferralPerson],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices  # type: ignore[attr-defined]
        self.fields["referral_person"].queryset = ReferralPerson.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in people]
        ).select_related("person")
        if not self.is_bound:
            self.initial.setdefault("issued_on", date_text(timezone.localdate()))
            if len(people) == 1:
                self.initial.setdefault("referral_person", people[0].pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued, due = data.get("issued_on"), data.get("expected_return_on")
        if issued and due and due < issued:
            self.add_error(
                "expected_return_on", "The date it is due back must be on or after the date issued"
            )
        return data


class DeviceIssueEndForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened to the device?",
        choices=DeviceIssueOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the device came back or was lost"},
    )
    ended_on = _date_field("Date", what="date", past=True)
    note = _note("Notes", help_text="For example, its condition, or how it was lost.")

    def __init__(self, *args: Any, issued_on: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issued_on = issued_on
        if not self.is_bound:
            self.initial.setdefault("ended_on", date_text(timezone.localdate()))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ended = data.get("ended_on")
        if ended and ended < self.issued_on:
            self.add_error(
                "ended_on",
                f"The date must be on or after the date it was issued ({self.issued_on:%-d %B %Y})",
            )
        return data


class TransitionForm(VersionedForm):
    to_state = forms.ChoiceField(
        label="What happened?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened", "invalid_choice": "Choose an option"},
    )
    reason = _note("Reason or note")

    def __init__(self, *args: Any, transitions: list[Transition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.transitions = {t.target: t for t in transitions}
        self.fields["to_state"].choices = [  # type: ignore[attr-defined]
            (t.target, t.label) for t in transitions
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        transition = self.transitions.get(data.get("to_state", ""))
        if transition is not None and transition.reason_required and not data.get("reason"):
            self.add_error("reason", f"Give a reason for ‘{transition.label.lower()}’")
        return data


# --- agency directory ----------------------------------------------------------------------


class AgencyForm(SubmittedOnceForm):
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={
            "required": "Enter the agency's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    services = forms.MultipleChoiceField(
        label="Services offered",
        required=False,
        choices=ServiceArea.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"invalid_choice": "Choose services from the list"},
    )
    services_detail = _note("What they offer", help_text="In a sentence or two.")
    eligibility = _note(
        "Who they support", help_text="For example, age, area, or the kind of crime."
    )
    phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        error_messages={"max_length": "The phone number must be 40 characters or fewer"},
    )
    email = forms.EmailField(
        label="Email",
        required=False,
        error_messages={"invalid": "Enter an email address like referrals@agency.org.uk"},
    )
    website = forms.URLField(
        label="Website",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address like https://www.agency.org.uk"},
    )
    referral_notes = _note(
        "How to refer", help_text="For example, their referral form, or whom to call first."
    )
    organisation = forms.ModelChoiceField(
        label="Their staff use Amends as",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="They do not use Amends",
        help_text="Onward referrals to an agency that uses Amends reach its staff here, who "
        "record whether they accept them. For any other agency, you record what they tell you.",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    @classmethod
    def for_agency(cls, agency: Agency, *, organisations: QuerySet[Organisation]) -> AgencyForm:
        return cls(
            initial={
                "version": agency.version,
                "name": agency.name,
                "services": agency.services,
                "services_detail": agency.services_detail,
                "eligibility": agency.eligibility,
                "phone": agency.phone,
                "email": agency.email,
                "website": agency.website,
                "referral_notes": agency.referral_notes,
                "organisation": agency.organisation_id,
            },
            organisations=organisations,
        )

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in (
                "name",
                "services",
                "services_detail",
                "eligibility",
                "phone",
                "email",
                "website",
                "referral_notes",
                "organisation",
            )
        }


# --- onward referrals ----------------------------------------------------------------------


class AgencyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}{' (uses Amends)' if obj.organisation_id else ''}"


class OnwardReferralForm(SubmittedOnceForm):
    agency = AgencyChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        error_messages={
            "required": "Choose the agency to refer to",
            "invalid_choice": "Choose an agency from your directory",
        },
    )
    referral_person = PersonChoiceField(
        label="Who is being referred",
        queryset=ReferralPerson.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose who is being referred",
            "invalid_choice": "Choose a person in this referral",
        },
    )
    shared_items = forms.MultipleChoiceField(
        label="What to send",
        choices=SharedItem.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only what the agency needs, and only what the person agreed to. "
        "The agency sees these details as they are now, and nothing else of the referral.",
        error_messages={
            "required": "Choose at least one detail to send",
            "invalid_choice": "Choose details from the list",
        },
    )
    message = forms.CharField(
        label="What are you asking the agency to do?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The agency reads this. Do not add details you have not ticked above.",
        error_messages={
            "required": "Tell the agency what you are asking them to do",
            "max_length": "The message must be 2000 characters or fewer",
        },
    )
    consent_confirmed = forms.BooleanField(
        label="The person agreed that we share the ticked details with this agency",
        error_messages={
            "required": "Confirm that the person agreed to share these details with the agency"
        },
    )
    consent_given_on = _date_field("Date they agreed", what="date they agreed", past=True)

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Agency],
        people: list[ReferralPerson],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["referral_person"].queryset = ReferralPerson.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in people]
        ).select_related("person")
        if not self.is_bound:
            self.initial.setdefault("consent_given_on", date_text(timezone.localdate()))
            if len(people) == 1:
                self.initial.setdefault("referral_person", people[0].pk)
