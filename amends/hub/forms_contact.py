"""The contact attempt form: how, when, what happened; refused on a channel that is not safe."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from amends.referrals.contact import contact_refusal
from amends.referrals.models import ContactChannel, ContactOutcome, ReferralPerson


class ContactAttemptForm(forms.Form):
    # How many attempts the page showed: a second send of the same form is refused.
    attempts_seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    channel = forms.ChoiceField(
        label="How did you try to contact them?",
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you tried to contact them"},
    )
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    at_date = forms.DateField(
        label="Date of the attempt",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the attempt",
            "invalid": "Date of the attempt must be a real date",
        },
    )
    at_time = forms.TimeField(
        label="Time of the attempt",
        help_text="For example, 14:30",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time of the attempt",
            "invalid": "Time of the attempt must be a real time, like 14:30",
        },
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    def __init__(
        self,
        *args: Any,
        party: ReferralPerson | None,
        received_at: dt.datetime,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.party = party
        self.received_at = received_at

    @classmethod
    def blank(
        cls, *, party: ReferralPerson | None, received_at: dt.datetime, attempts_seen: int
    ) -> ContactAttemptForm:
        now = timezone.localtime()
        return cls(
            initial={
                "attempts_seen": attempts_seen,
                "at_date": now.date(),
                "at_time": now.strftime("%H:%M"),
            },
            party=party,
            received_at=received_at,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        on, at_time = cleaned.get("at_date"), cleaned.get("at_time")
        if on is not None and at_time is not None:
            at = timezone.make_aware(dt.datetime.combine(on, at_time))
            if at > timezone.now():
                self.add_error("at_date", "The date and time of the attempt must be in the past")
            elif at < self.received_at.replace(second=0, microsecond=0):
                received = timezone.localtime(self.received_at)
                self.add_error(
                    "at_date",
                    "The attempt must be after the referral was received "
                    f"({received:%-d %B %Y, %H:%M})",
                )
            else:
                cleaned["at"] = at
        channel, outcome = cleaned.get("channel"), cleaned.get("outcome")
        if channel and outcome:
            refusal = contact_refusal(self.party, channel=channel, outcome=outcome)
            if refusal is not None:
                self.add_error(refusal.field, refusal.message)
        return cleaned
