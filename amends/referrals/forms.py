from __future__ import annotations

from typing import Any

from django import forms

from amends.accounts.models import User
from amends.core.workflow import Transition
from amends.referrals.models import ClosingReason, OffenceType, Referral


class VersionedForm(forms.Form):
    """Carries the version the user loaded, so that a stale save is refused, not applied."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReferralEditForm(VersionedForm):
    offence_type = forms.ChoiceField(
        label="Type of offence", choices=[("", "Choose the type of offence"), *OffenceType.choices]
    )
    offence_date = forms.DateField(
        label="Date of the offence",
        required=False,
        help_text="Leave blank if not known.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    offence_place = forms.CharField(label="Where it happened", max_length=200, required=False)
    crime_reference = forms.CharField(label="Crime reference number", max_length=40, required=False)
    enhanced_rights = forms.BooleanField(
        label="Entitled to enhanced rights under the Victims' Code", required=False
    )

    @classmethod
    def for_referral(cls, referral: Referral) -> ReferralEditForm:
        return cls(
            initial={
                "version": referral.version,
                "offence_type": referral.offence_type,
                "offence_date": referral.offence_date,
                "offence_place": referral.offence_place,
                "crime_reference": referral.crime_reference,
                "enhanced_rights": referral.enhanced_rights,
            }
        )

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class TransitionForm(VersionedForm):
    to_state = forms.ChoiceField(
        label="New status",
        error_messages={
            "required": "Choose the new status",
            "invalid_choice": "Choose a status this referral can move to now",
        },
    )
    closing_reason = forms.ChoiceField(
        label="Why is it closing?",
        required=False,
        choices=[("", "Not closing"), *ClosingReason.choices],
        error_messages={"invalid_choice": "Choose a reason this referral can close with now"},
    )
    reason = forms.CharField(
        label="Reason or note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, transitions: list[Transition], state_labels: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        targets = dict.fromkeys(t.target for t in transitions)
        self.fields["to_state"].choices = [  # type: ignore[attr-defined]
            (state, state_labels[state]) for state in targets
        ]
        # Only the closing reasons (triage decisions) this referral can close with now.
        reasons = {reason for t in transitions for reason in t.closing_reasons}
        self.fields["closing_reason"].choices = [  # type: ignore[attr-defined]
            ("", "Not closing"),
            *((value, label) for value, label in ClosingReason.choices if value in reasons),
        ]
        needing = [t.label.lower() for t in transitions if t.reason_required]
        if needing:
            self.fields["reason"].help_text = f"Needed to {' or '.join(needing)}."


class AllocateForm(VersionedForm):
    caseworker = forms.ModelChoiceField(
        label="Caseworker", queryset=User.objects.none(), empty_label="Choose a caseworker"
    )

    def __init__(self, *args: Any, caseworkers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers  # type: ignore[attr-defined]
