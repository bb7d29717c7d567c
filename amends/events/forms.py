"""Forms for the events pages. Each bad input gets its own plain message."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from amends.accounts.models import User
from amends.core.errors import DomainError
from amends.core.workflow import Transition
from amends.events.models import (
    Event,
    EventKind,
    HoursActivity,
    RegistrantKind,
    Registration,
    YearGroup,
)
from amends.practitioners.models import Practitioner, TrainingCourse

TIME_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]
TIME_HINT = "Use the 24-hour clock, for example 09:30 or 14:00."


def new_submission_key() -> str:
    return secrets.token_urlsafe(32)


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the field it is about, or above the form."""
    field = error.code if error.code in form.fields else None
    form.add_error(field, error.message)


class VersionedForm(forms.Form):
    """Carries the version the user loaded, so that a stale save is refused, not applied."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _date_field(label: str, required_message: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": required_message, "invalid": "Enter a real date."},
        **kwargs,
    )


def _time_field(label: str, required_message: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=TIME_FORMATS,
        help_text=TIME_HINT,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": required_message,
            "invalid": "Enter a time on the 24-hour clock, like 09:30 or 14:00.",
        },
    )


class EventForm(forms.Form):
    """Create or change an event. `starts_at` and `ends_at` are made from the parts."""

    kind = forms.ChoiceField(
        label="What kind of event is it?",
        choices=EventKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of event it is."},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter a title for the event."},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Shown on the public events page if the event is public.",
    )
    start_date = _date_field("Date", "Enter the date of the event.")
    start_time = _time_field("Start time", "Enter the time the event starts.")
    end_date = _date_field(
        "End date",
        "Enter the end date.",
        required=False,
        help_text="Only if the event runs over more than one day.",
    )
    end_time = _time_field("End time", "Enter the time the event ends.")
    venue_name = forms.CharField(
        label="Venue",
        max_length=200,
        help_text="For a school session, the school.",
        error_messages={"required": "Enter where the event takes place."},
    )
    venue_address = forms.CharField(
        label="Venue address",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    capacity = forms.IntegerField(
        label="Number of places",
        required=False,
        min_value=1,
        max_value=10_000,
        help_text="Leave blank if there is no limit.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the number of places as a whole number, like 20.",
            "min_value": "The number of places must be 1 or more.",
            "max_value": "The number of places must be 10,000 or fewer.",
        },
    )
    trainer = forms.CharField(label="Trainer or host", max_length=200, required=False)
    audience = forms.CharField(
        label="Who it is for",
        max_length=300,
        required=False,
        help_text="For example, new volunteers, police officers in Barnet, Year 9 pupils.",
    )
    public = forms.BooleanField(
        label="List this event on the public events page",
        required=False,
        help_text="Anyone can see its title, date, place and description. Never who is coming.",
    )
    booking_details = forms.CharField(
        label="How to book",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the public events page, for example an email address to write to.",
    )
    training_course = forms.ChoiceField(
        label="Training it counts as",
        required=False,
        choices=[("", "It does not count as training"), *TrainingCourse.choices],
        help_text="A practitioner who completes it gets it on their training record.",
    )
    training_hours = forms.DecimalField(
        label="Hours of training",
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal("999"),
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter the hours of training as a number, like 6 or 7.5.",
            "min_value": "The hours of training must be 0.5 or more.",
            "max_value": "The hours of training must be 999 or fewer.",
            "max_decimal_places": "Enter the hours of training to one decimal place, like 7.5.",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start_date: dt.date | None = data.get("start_date")
        start_time: dt.time | None = data.get("start_time")
        end_time: dt.time | None = data.get("end_time")
        end_date: dt.date | None = data.get("end_date") or start_date
        if start_date and start_time:
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(start_date, start_time))
        if end_date and end_time:
            data["ends_at"] = timezone.make_aware(dt.datetime.combine(end_date, end_time))
        if "starts_at" in data and "ends_at" in data and data["ends_at"] <= data["starts_at"]:
            self.add_error("end_time", "The event must end after it starts.")
        needs_hours = data.get("training_course") and not data.get("training_hours")
        if needs_hours and "training_hours" not in self.errors:
            self.add_error("training_hours", "Enter how many hours of training it counts as.")
        return data

    def event_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "venue_name": data["venue_name"],
            "venue_address": data["venue_address"],
            "capacity": data["capacity"],
            "trainer": data["trainer"],
            "audience": data["audience"],
            "public": data["public"],
            "booking_details": data["booking_details"],
            "training_course": data["training_course"],
            "training_hours": data["training_hours"] or Decimal("0"),
        }

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        starts = timezone.localtime(event.starts_at)
        ends = timezone.localtime(event.ends_at)
        return {
            "version": event.version,
            "kind": event.kind,
            "title": event.title,
            "description": event.description,
            "start_date": starts.date(),
            "start_time": starts.strftime("%H:%M"),
            "end_date": ends.date() if ends.date() != starts.date() else None,
            "end_time": ends.strftime("%H:%M"),
            "venue_name": event.venue_name,
            "venue_address": event.venue_address,
            "capacity": event.capacity,
            "trainer": event.trainer,
            "audience": event.audience,
            "public": event.public,
            "booking_details": event.booking_details,
            "training_course": event.training_course,
            "training_hours": event.training_hours if event.training_course else None,
        }


class EventCreateForm(EventForm):
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class EventEditForm(EventForm, VersionedForm):
    pass


class EventTransitionForm(VersionedForm):
    to_state = forms.ChoiceField(
        label="New status", error_messages={"required": "Choose the new status."}
    )
    reason = forms.CharField(
        label="Reason or note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when cancelling or reinstating an event.",
    )

    def __init__(
        self, *args: Any, transitions: list[Transition], state_labels: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        targets = dict.fromkeys(t.target for t in transitions)
        self.fields["to_state"].choices = [  # type: ignore[attr-defined]
            (state, state_labels[state]) for state in targets
        ]


class RegisterPractitionerForm(forms.Form):
    practitioner = forms.ModelChoiceField(
        label="Practitioner or volunteer",
        queryset=Practitioner.objects.none(),
        empty_label="Choose a practitioner",
        error_messages={
            "required": "Choose the practitioner to register.",
            "invalid_choice": "Choose a practitioner from the list.",
        },
    )

    def __init__(self, *args: Any, practitioners: QuerySet[Practitioner], **kwargs: Any) -> None:
        kwargs["prefix"] = "practitioner"
        super().__init__(*args, **kwargs)
        field = self.fields["practitioner"]
        field.queryset = practitioners  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: f"{p.full_name} ({p.get_state_display().lower()})"  # type: ignore[attr-defined]


class RegisterStaffForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Member of staff",
        queryset=User.objects.none(),
        empty_label="Choose a member of staff",
        error_messages={
            "required": "Choose the member of staff to register.",
            "invalid_choice": "Choose a member of staff from the list.",
        },
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        kwargs["prefix"] = "staff"
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff  # type: ignore[attr-defined]


class RegisterPersonForm(forms.Form):
    kind = forms.ChoiceField(
        label="Who are they?",
        choices=[
            (RegistrantKind.POLICE_OFFICER.value, RegistrantKind.POLICE_OFFICER.label),
            (RegistrantKind.OTHER.value, RegistrantKind.OTHER.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether they are a police officer or someone else."},
    )
    name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the person's full name."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the person's email address.",
            "invalid": "Enter an email address in the correct format, like name@example.com.",
        },
    )
    organisation_name = forms.CharField(
        label="Organisation",
        max_length=200,
        required=False,
        help_text="For a police officer, their force and team.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["prefix"] = "person"
        super().__init__(*args, **kwargs)


class AttendanceForm(forms.Form):
    """One row per registration: attended, completed, and the version that was loaded."""

    def __init__(self, *args: Any, registrations: list[Registration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for r in registrations:
            self.fields[f"attended_{r.pk}"] = forms.BooleanField(
                label=f"{r.name} attended", required=False, initial=bool(r.attended)
            )
            self.fields[f"completed_{r.pk}"] = forms.BooleanField(
                label=f"{r.name} completed", required=False, initial=r.completed
            )
            self.fields[f"version_{r.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=r.version, min_value=1
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for r in self.registrations:
            if data.get(f"completed_{r.pk}") and not data.get(f"attended_{r.pk}"):
                self.add_error(
                    f"completed_{r.pk}",
                    f"{r.name} cannot have completed the event without attending it.",
                )
        return data

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "registration": r,
                "attended": self[f"attended_{r.pk}"],
                "completed": self[f"completed_{r.pk}"],
                "version": self[f"version_{r.pk}"],
            }
            for r in self.registrations
        ]

    def marks(self) -> list[tuple[int, bool, bool, int]]:
        data = self.cleaned_data
        return [
            (
                r.pk,
                bool(data.get(f"attended_{r.pk}")),
                bool(data.get(f"completed_{r.pk}")),
                int(data[f"version_{r.pk}"]),
            )
            for r in self.registrations
        ]


class SchoolAttendanceForm(VersionedForm):
    """Pupils by year group: whole numbers only, never names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in YearGroup.choices:
            self.fields[value] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=2000,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                error_messages={
                    "invalid": (
                        f"Enter the number of pupils in {label} as a whole number, like 28. "
                        "Do not enter names."
                    ),
                    "min_value": f"The number of pupils in {label} cannot be negative.",
                    "max_value": f"The number of pupils in {label} must be 2,000 or fewer.",
                },
            )

    def year_group_fields(self) -> list[forms.BoundField]:
        return [self[value] for value in YearGroup.values]

    def counts(self) -> dict[str, int | None]:
        return {value: self.cleaned_data.get(value) for value in YearGroup.values}


def _event_choice_label(event: Event) -> str:
    starts = timezone.localtime(event.starts_at)
    return f"{event.title}, {starts.day} {starts:%B %Y}"


class HoursForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    date = _date_field("Date", "Enter the date you gave the time.")
    hours = forms.DecimalField(
        label="Hours",
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
        decimal_places=1,
        help_text="To the nearest half hour, for example 2 or 1.5.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Enter how many hours you gave.",
            "invalid": "Enter the hours as a number, like 2 or 1.5.",
            "min_value": "Enter hours between 0.5 and 24.",
            "max_value": "Enter hours between 0.5 and 24.",
            "max_decimal_places": "Enter the hours to one decimal place, like 1.5.",
        },
    )
    activity = forms.ChoiceField(
        label="What was the time for?",
        choices=HoursActivity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the time was for."},
    )
    event = forms.ModelChoiceField(
        label="Event",
        required=False,
        queryset=Event.objects.none(),
        empty_label="Choose the event",
        help_text="If the time was for an event.",
        error_messages={"invalid_choice": "Choose an event from the list."},
    )
    case_reference = forms.CharField(
        label="Case reference",
        required=False,
        max_length=40,
        help_text="If the time was for casework. Do not enter names.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label="What you did",
        required=False,
        max_length=300,
        help_text="Do not enter the names of the people in a case.",
    )
    expenses = forms.DecimalField(
        label="Expenses to claim, in pounds",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        decimal_places=2,
        help_text="For example 12.50. Leave blank if you are not claiming.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter the expenses as an amount in pounds, like 12.50.",
            "min_value": "Expenses cannot be negative.",
            "max_value": "Enter expenses of £1,000 or less.",
            "max_decimal_places": "Enter the expenses in pounds and pence, like 12.50.",
        },
    )
    expenses_for = forms.CharField(
        label="What the expenses were for",
        required=False,
        max_length=300,
        help_text="For example, bus fares to and from the venue.",
    )

    def __init__(self, *args: Any, events: QuerySet[Event], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["event"]
        field.queryset = events  # type: ignore[attr-defined]
        field.label_from_instance = _event_choice_label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        when: dt.date | None = data.get("date")
        if when and when > timezone.localdate():
            self.add_error("date", "The date must be today or in the past.")
        activity = data.get("activity")
        if activity == HoursActivity.EVENT and not data.get("event") and "event" not in self.errors:
            self.add_error("event", "Choose the event.")
        if activity == HoursActivity.CASE and not data.get("case_reference", "").strip():
            self.add_error("case_reference", "Enter the case reference.")
        if data.get("expenses") and not data.get("expenses_for", "").strip():
            self.add_error("expenses_for", "Say what the expenses were for.")
        return data

    def expenses_pence(self) -> int:
        amount: Decimal | None = self.cleaned_data.get("expenses")
        return int((amount or Decimal("0")) * 100)


class ClaimDecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Do you approve this claim?",
        choices=[("approve", "Yes, approve it"), ("reject", "No, do not approve it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you approve the claim."},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if you do not approve it. The volunteer will see it.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", "Give a reason for not approving the claim.")
        return data
