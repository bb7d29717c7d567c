"""Forms for the people pages: what the administrator typed, checked; the rules are in services."""

from __future__ import annotations

from typing import Any

from django import forms

from amends.accounts.models import Organisation, Role


def role_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """The roles `organisation` can give, in the order Role lists them."""
    return [(role.value, role.label) for role in Role if role.value in organisation.allowed_roles]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Roles")
        kwargs.setdefault("help_text", "Select all that apply.")
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Select at least one role",
                "invalid_choice": "Select only roles from the list",
            },
        )
        super().__init__(**kwargs)


class UserInviteForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={
            "required": "Enter their full name",
            "max_length": "Full name must be 200 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        help_text="Their work email address. They sign in with it.",
        max_length=254,
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    roles = RolesField()

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices(organisation)  # type: ignore[attr-defined]


class UserRolesForm(forms.Form):
    roles = RolesField()

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices(organisation)  # type: ignore[attr-defined]
