from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from amends.cases.models import ConsentGivenBy, ConsentHow, HandOffConsent
from amends.referrals.forms import VersionedForm


class HandOffConsentForm(forms.Form):
    """Who gave consent to share with the RJ provider, how, and when."""

    # The consent's version the page showed (0: none recorded yet).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    given_by = forms.ChoiceField(
        label="Who gave consent?",
        choices=ConsentGivenBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who gave consent"},
    )
    given_by_name = forms.CharField(
        label="Their name",
        required=False,
        max_length=200,
        help_text="If a parent, guardian or someone else gave consent for the person.",
        error_messages={"max_length": "Their name must be 200 characters or fewer"},
    )
    how = forms.ChoiceField(
        label="How was it given?",
        choices=ConsentHow.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how consent was given"},
    )
    given_on = forms.DateField(
        label="Date consent was given",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date consent was given",
            "invalid": "Date consent was given must be a real date",
        },
    )

    def __init__(self, *args: Any, received_on: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received_on = received_on

    @classmethod
    def for_consent(
        cls, consent: HandOffConsent | None, received_on: dt.date
    ) -> HandOffConsentForm:
        if consent is None:
            return cls(
                initial={"version": 0, "given_on": timezone.localdate()}, received_on=received_on
            )
        return cls(
            initial={
                "version": consent.version,
                "given_by": consent.given_by,
                "given_by_name": consent.given_by_name,
                "how": consent.how,
                "given_on": consent.given_on,
            },
            received_on=received_on,
        )

    def clean_given_on(self) -> dt.date:
        given_on: dt.date = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError("Date consent was given must be today or in the past")
        if self.received_on is not None and given_on < self.received_on:
            raise forms.ValidationError(
                "Date consent was given must be on or after the day the referral was received "
                f"({self.received_on:%-d %B %Y})"
            )
        return given_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given_by = cleaned.get("given_by")
        if given_by and given_by != ConsentGivenBy.PERSON and not cleaned.get("given_by_name"):
            self.add_error(
                "given_by_name", "Enter the name of the person who gave consent for them"
            )
        return cleaned


class HandOffForm(VersionedForm):
    """The referral's version, so that a hand-off of a changed referral is refused."""


class CaseDecisionForm(VersionedForm):
    """The case's version, so that a decision on a changed case is refused."""


class CaseReturnForm(VersionedForm):
    reason = forms.CharField(
        label="Why are you returning this case to the hub?",
        help_text="The hub's caseworker reads this. Say what would need to change.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter why you are returning the case",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("Enter why you are returning the case")
        return reason
