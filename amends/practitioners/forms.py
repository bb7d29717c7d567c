"""The volunteer coordinator's forms: status changes, details and one form per record type.

Each error message says what to do, in the GOV.UK Design System's wording; the
services check the same rules again and the views show what they refuse as errors.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from amends.accounts.models import User
from amends.core.workflow import Transition
from amends.practitioners.forms_volunteer import DayPart
from amends.practitioners.models import (
    AccreditationRole,
    DbsOutcome,
    Practitioner,
    PractitionerKind,
    PractitionerLevel,
    PractitionerState,
    RjcStatus,
    TrainingCourse,
)
from amends.practitioners.services import MAX_CASE_LIMIT

YES_NO = [("yes", "Yes"), ("no", "No")]
_DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def _past_date(label: str, what: str, *, required: bool = True, help_text: str = "") -> Any:
    return PastDateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=_DATE_WIDGET,
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"The {what} must be a real date, like 27 3 2026",
        },
        what=what,
    )


class PastDateField(forms.DateField):
    """A date that has happened: today or earlier."""

    def __init__(self, *args: Any, what: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.what = what

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, dt.date) and value > timezone.localdate():
            raise forms.ValidationError(f"The {self.what} must be today or in the past")


def _hours_field(label: str, what: str, *, allow_zero: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0") if allow_zero else Decimal("0.1"),
        max_value=Decimal("1000"),
        max_digits=5,
        decimal_places=1,
        help_text="In hours, like 2 or 1.5",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"The {what} must be a number, like 2 or 1.5",
            "min_value": f"The {what} must be {'0' if allow_zero else '0.1'} or more",
            "max_value": f"The {what} must be 1000 or fewer",
            "max_decimal_places": f"Give the {what} to the nearest tenth of an hour, like 1.5",
            "max_digits": f"The {what} must be 1000 or fewer",
            "max_whole_digits": f"The {what} must be 1000 or fewer",
        },
    )


def _text(label: str, message: str, *, max_length: int = 200, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": message,
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


def _notes(label: str = "Notes", *, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"{label} must be 2000 characters or fewer"},
    )


class VersionedForm(forms.Form):
    """Carries the version the user loaded, so that a stale save is refused, not applied."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- the list filter ---------------------------------------------------------------------


class PractitionerFilterForm(forms.Form):
    q = forms.CharField(label="Name or reference", required=False, max_length=100)
    state = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *PractitionerState.choices]
    )
    kind = forms.ChoiceField(
        label="Volunteer or staff",
        required=False,
        choices=[("", "Volunteers and staff"), *PractitionerKind.choices],
    )
    role = forms.ChoiceField(
        label="Accredited as",
        required=False,
        choices=[("", "Any role"), *AccreditationRole.choices],
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"search": "", "state": "", "kind": "", "role": ""}
        data = self.cleaned_data
        return {
            "search": data["q"].strip(),
            "state": data["state"],
            "kind": data["kind"],
            "role": data["role"],
        }


# --- status --------------------------------------------------------------------------------


class TransitionForm(VersionedForm):
    to_state = forms.ChoiceField(
        label="What is the next step?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the next step",
            "invalid_choice": "Select one of the next steps shown",
        },
    )
    reason = forms.CharField(
        label="Reason or note",
        required=False,
        max_length=2000,
        help_text="Needed when they are not progressing. The applicant is not told the reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The reason must be 2000 characters or fewer"},
    )
    accreditation_role = forms.ChoiceField(
        label="Accredited as",
        required=False,
        choices=[("", "Choose a role"), *AccreditationRole.choices],
        help_text="Only when accrediting them.",
    )
    level = forms.ChoiceField(
        label="Practitioner level",
        required=False,
        choices=[("", "Choose a level"), *PractitionerLevel.choices],
        help_text="Only when accrediting them. Sets the CPD hours they need a year.",
    )

    def __init__(
        self,
        *args: Any,
        transitions: list[Transition],
        state_labels: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        targets = dict.fromkeys(t.target for t in transitions)
        self.fields["to_state"].choices = [  # type: ignore[attr-defined]
            (state, state_labels[state]) for state in targets
        ]
        self.offers_accreditation = PractitionerState.ACCREDITED in targets

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("to_state") == PractitionerState.NOT_PROGRESSED
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", "Enter why they are not progressing")
        return data


# --- details -------------------------------------------------------------------------------


def availability_choices(current: list[str] | None = None) -> list[tuple[str, str]]:
    """The day parts of the application, and any other code already on the record."""
    choices = [(str(value), str(label)) for value, label in DayPart.choices]
    known = {value for value, _ in choices}
    for code in current or []:
        if code not in known:
            choices.append((code, availability_label(code)))
    return choices


def availability_label(code: str) -> str:
    try:
        return str(DayPart(code).label)
    except ValueError:
        return code.replace("_", " ").capitalize()


class PractitionerDetailsForm(VersionedForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    phone = forms.CharField(label="Phone number", required=False, max_length=40)
    availability = forms.MultipleChoiceField(
        label="When are they available?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select the times they are available from the list"},
    )
    languages = forms.CharField(label="Languages spoken", required=False, max_length=300)
    areas = forms.CharField(
        label="Areas covered",
        required=False,
        max_length=300,
        help_text="Boroughs or towns they can travel to, like Barnet, Enfield",
    )
    case_limit = forms.IntegerField(
        label="Case limit",
        min_value=1,
        max_value=MAX_CASE_LIMIT,
        help_text="How many cases they can hold at once",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their case limit",
            "invalid": "The case limit must be a whole number, like 3",
            "min_value": "The case limit must be 1 or more",
            "max_value": f"The case limit must be {MAX_CASE_LIMIT} or fewer",
        },
    )
    accreditation_role = forms.ChoiceField(
        label="Accredited as",
        required=False,
        choices=[("", "Not accredited yet"), *AccreditationRole.choices],
    )
    level = forms.ChoiceField(
        label="Practitioner level",
        required=False,
        choices=[("", "No level yet"), *PractitionerLevel.choices],
    )
    rjc_status = forms.ChoiceField(
        label="Restorative Justice Council (RJC) registration",
        choices=RjcStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their RJC registration status"},
    )
    rjc_number = forms.CharField(label="RJC registration number", required=False, max_length=40)
    user = forms.ModelChoiceField(
        label="Staff sign-in",
        required=False,
        queryset=User.objects.none(),
        empty_label="No sign-in linked",
        help_text="A facilitator's sign-in, so they see their own record and their cases",
        error_messages={"invalid_choice": "Select a facilitator from the list"},
    )

    def __init__(self, *args: Any, practitioner: Practitioner, sign_ins: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["availability"].choices = availability_choices(  # type: ignore[attr-defined]
            practitioner.availability
        )
        self.fields["user"].queryset = sign_ins  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, practitioner: Practitioner) -> dict[str, Any]:
        return {
            "version": practitioner.version,
            "email": practitioner.email,
            "phone": practitioner.phone,
            "availability": list(practitioner.availability),
            "languages": practitioner.languages,
            "areas": practitioner.areas,
            "case_limit": practitioner.case_limit,
            "accreditation_role": practitioner.accreditation_role,
            "level": practitioner.level,
            "rjc_status": practitioner.rjc_status,
            "rjc_number": practitioner.rjc_number,
            "user": practitioner.user_id,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("rjc_status") in {RjcStatus.REGISTERED, RjcStatus.ACCREDITED}
            and not (data.get("rjc_number") or "").strip()
        ):
            self.add_error("rjc_number", "Enter their RJC registration number")
        return data

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


# --- referees ------------------------------------------------------------------------------


class RefereeAddForm(forms.Form):
    name = _text("Referee's full name", "Enter the referee's full name")
    relationship = _text(
        "How do they know the applicant?",
        "Enter how the referee knows the applicant",
        help_text="For example, former manager or volunteer supervisor. Not a family member.",
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    phone = forms.CharField(label="Phone number", required=False, max_length=40)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        contact = (data.get("email") or "").strip() or (data.get("phone") or "").strip()
        if not contact and "email" not in self.errors:
            self.add_error("email", "Enter the referee's email address or phone number")
        return data


class RefereeRecordForm(forms.Form):
    received_on = _past_date("Date the reference was received", "date the reference was received")
    satisfactory = forms.ChoiceField(
        label="Is the reference satisfactory?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the reference is satisfactory"},
    )
    notes = _notes(help_text="Anything to follow up. Do not copy the reference itself here.")


# --- DBS, training, supervision, observation, CPD ------------------------------------------

_DBS_NUMBER = re.compile(r"\d{12}")


class DbsCheckForm(forms.Form):
    certificate_number = forms.CharField(
        label="Certificate number",
        max_length=20,
        help_text="12 digits, printed at the top right of the certificate",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the DBS certificate number"},
    )
    issue_date = _past_date("Date of issue", "DBS certificate's date of issue")
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=DbsOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the DBS check"},
    )
    update_service = forms.BooleanField(
        label="They have joined the DBS update service", required=False
    )

    def clean_certificate_number(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data["certificate_number"])
        if not _DBS_NUMBER.fullmatch(value):
            raise forms.ValidationError(
                "The certificate number must be 12 digits, like 001234567890"
            )
        return value


class TrainingRecordForm(forms.Form):
    course = forms.ChoiceField(
        label="Course",
        choices=[("", "Choose the course"), *TrainingCourse.choices],
        error_messages={"required": "Select the course"},
    )
    title = forms.CharField(
        label="Title", required=False, max_length=200, help_text="If the course had its own name"
    )
    completed_on = _past_date("Date completed", "date the training was completed")
    hours = _hours_field("Length", "length of the training", allow_zero=True)
    trainer = forms.CharField(label="Trainer", required=False, max_length=200)


class SupervisionForm(forms.Form):
    held_on = _past_date("Date of the supervision", "date of the supervision")
    supervisor = _text("Supervisor", "Enter who supervised them")
    notes = _notes(help_text="What was discussed and agreed. Keep names of parties out.")


class ObservationForm(forms.Form):
    observed_on = _past_date("Date observed", "date their practice was observed")
    observer = _text("Observer", "Enter who observed their practice")
    satisfactory = forms.ChoiceField(
        label="Was their practice satisfactory?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if their practice was satisfactory"},
    )
    notes = _notes()


class CpdEntryForm(forms.Form):
    activity = _text("Activity", "Enter what the CPD activity was", max_length=300)
    completed_on = _past_date("Date completed", "date of the CPD activity")
    hours = _hours_field("Hours", "number of CPD hours")
    evidence = _notes(
        "Evidence", help_text="What shows it was done: a certificate, notes, a reflective log"
    )


# --- staff -------------------------------------------------------------------------------


class AddStaffForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Member of staff",
        queryset=User.objects.none(),
        empty_label="Choose a member of staff",
        help_text="Facilitators at your organisation who do not have a practitioner record yet",
        error_messages={
            "required": "Select the member of staff",
            "invalid_choice": "Select a member of staff from the list",
        },
    )
    phone = forms.CharField(label="Phone number", required=False, max_length=40)
    course = forms.ChoiceField(
        label="Completed training",
        required=False,
        choices=[("", "None yet: they start at training"), *TrainingCourse.choices],
        help_text="With completed facilitator or advocate training they are accredited at once",
    )
    completed_on = _past_date("Date completed", "date the training was completed", required=False)
    hours = forms.DecimalField(
        label="Length of the training",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        max_digits=5,
        decimal_places=1,
        help_text="In hours, like 28",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "The length of the training must be a number, like 28",
            "min_value": "The length of the training must be 0 or more",
            "max_value": "The length of the training must be 1000 or fewer",
            "max_decimal_places": "Give the length to the nearest tenth of an hour, like 1.5",
            "max_digits": "The length of the training must be 1000 or fewer",
            "max_whole_digits": "The length of the training must be 1000 or fewer",
        },
    )
    trainer = forms.CharField(label="Trainer", required=False, max_length=200)
    accreditation_role = forms.ChoiceField(
        label="Accredited as",
        required=False,
        choices=[("", "Choose a role"), *AccreditationRole.choices],
    )
    level = forms.ChoiceField(
        label="Practitioner level",
        required=False,
        choices=[("", "Choose a level"), *PractitionerLevel.choices],
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("course"):
            if not data.get("completed_on") and "completed_on" not in self.errors:
                self.add_error("completed_on", "Enter the date the training was completed")
            if not data.get("accreditation_role"):
                self.add_error("accreditation_role", "Select the role they are accredited for")
            if not data.get("level"):
                self.add_error("level", "Select their practitioner level")
        elif data.get("completed_on"):
            self.add_error("course", "Select the course they completed")
        return data
