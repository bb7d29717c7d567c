"""The hub queue's forms: its filters and search (GET), and allocating referrals in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet

from amends.accounts.models import User
from amends.hub.queue import (
    SORT_LABELS,
    UNALLOCATED,
    VIEW_LABELS,
    QueueFilters,
    Sort,
    View,
)
from amends.referrals.clocks import QUEUE_STATES
from amends.referrals.models import OffenceType, ReferralState

_SEARCH_MAX = 100


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; a bad value gets a clear message."""

    view = forms.ChoiceField(
        required=False,
        choices=list(VIEW_LABELS.items()),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choose one of the views of the queue"},
    )
    q = forms.CharField(
        label="Search by reference, crime reference or name",
        required=False,
        max_length=_SEARCH_MAX,
        help_text="For example RJ-4K7M-2PQX, 1234/26/00042, or the start of the person's name",
        error_messages={"max_length": f"Search must be {_SEARCH_MAX} characters or fewer"},
    )
    state = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *[(s, ReferralState(s).label) for s in QUEUE_STATES]],
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    offence_type = forms.ChoiceField(
        label="Offence",
        required=False,
        choices=[("", "Any offence"), *OffenceType.choices],
        error_messages={"invalid_choice": "Choose an offence from the list"},
    )
    enhanced_rights = forms.ChoiceField(
        label="Enhanced rights under the Victims' Code",
        required=False,
        choices=[("", "Either"), ("yes", "Yes"), ("no", "No")],
        error_messages={"invalid_choice": "Choose yes, no or either for enhanced rights"},
    )
    under_18 = forms.BooleanField(label="Person harmed is under 18", required=False)
    allocated_to = forms.ChoiceField(
        label="Allocated to",
        required=False,
        error_messages={"invalid_choice": "Choose a caseworker from the list"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=list(SORT_LABELS.items()),
        error_messages={"invalid_choice": "Choose how to sort the referrals"},
    )

    def __init__(self, *args: Any, caseworkers: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allocated_to"].choices = [  # type: ignore[attr-defined]
            ("", "Anyone"),
            (UNALLOCATED, "Not allocated"),
            *[(str(c.pk), c.full_name or c.email) for c in caseworkers],
        ]

    def selects(self) -> list[dict[str, Any]]:
        """The drop-down filters as the page draws them, options marked: cheaper than an
        include per field on a page everyone opens all day."""
        drawn = []
        for name in ("state", "offence_type", "allocated_to", "enhanced_rights", "sort"):
            bound = self[name]
            current = str(bound.value() or "")
            drawn.append(
                {
                    "id": bound.auto_id,
                    "name": bound.html_name,
                    "label": bound.label,
                    "errors": bound.errors,
                    "options": [
                        (str(value), label, str(value) == current)
                        for value, label in bound.field.choices  # type: ignore[attr-defined]
                    ],
                }
            )
        return drawn

    def filters(self) -> QueueFilters:
        """The filters asked for; a field with a bad value is left out (its error is shown)."""
        data = {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }
        return QueueFilters(
            view=data.get("view") or View.ALL,
            state=data.get("state", ""),
            offence_type=data.get("offence_type", ""),
            enhanced_rights=data.get("enhanced_rights", ""),
            under_18=bool(data.get("under_18")),
            allocated_to=data.get("allocated_to", ""),
            q=(data.get("q") or "").strip(),
            sort=data.get("sort") or Sort.DUE,
        )


class _SelectedReferrals(forms.MultipleChoiceField):
    """Ticked rows as "reference:version"; which referrals they are is checked on allocating."""

    def valid_value(self, value: Any) -> bool:
        reference, _, version = str(value).rpartition(":")
        return bool(reference) and version.isdigit()


class BulkAllocateForm(forms.Form):
    """Allocate the ticked referrals to one caseworker; each carries the version loaded."""

    caseworker = forms.ModelChoiceField(
        label="Allocate the selected referrals to",
        queryset=User.objects.none(),
        empty_label="Choose a caseworker",
        error_messages={
            "required": "Choose a caseworker to allocate the selected referrals to",
            "invalid_choice": "Choose a caseworker from the list",
        },
    )
    selected = _SelectedReferrals(
        error_messages={
            "required": "Select at least one referral to allocate",
            "invalid_choice": "Select the referrals to allocate from the list",
        },
    )

    def __init__(self, *args: Any, caseworkers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers  # type: ignore[attr-defined]

    def clean_selected(self) -> list[tuple[str, int]]:
        selected = []
        for value in self.cleaned_data["selected"]:
            reference, _, version = str(value).rpartition(":")
            selected.append((reference, int(version)))
        return selected
