"""Staff pages for the same person twice: confirm, then link a referral to a known person."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from amends.accounts.models import User
from amends.core.errors import DomainError, StaleVersion
from amends.people.models import Person
from amends.referrals import matching, selectors
from amends.referrals.forms import VersionedForm
from amends.referrals.models import Referral, ReferralPerson


class PersonLinkForm(VersionedForm):
    referral_person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Absent from the banner's button, so its first press only asks "are you sure?".
    confirmed = forms.BooleanField(widget=forms.HiddenInput, required=False)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _address(person: Person) -> str:
    parts = (person.address_line_1, person.address_line_2, person.town, person.postcode)
    return ", ".join(part for part in parts if part)


def _comparison_rows(here: Person, there: Person) -> list[dict[str, Any]]:
    """Each detail of both records, and whether they differ (ignoring case, spacing, +44)."""

    def born(person: Person) -> str:
        return date_format(person.date_of_birth, "j F Y") if person.date_of_birth else ""

    rows = [
        ("Name", here.full_name, there.full_name, None),
        ("Date of birth", born(here), born(there), None),
        ("Email", here.email, there.email, None),
        ("Phone", here.phone, there.phone, (here.phone_normalised, there.phone_normalised)),
        ("Address", _address(here), _address(there), None),
    ]
    return [
        {
            "label": label,
            "here": mine or "Not given",
            "there": theirs or "Not given",
            "differs": (
                compared[0] != compared[1]
                if compared
                else " ".join(mine.lower().split()) != " ".join(theirs.lower().split())
            ),
        }
        for label, mine, theirs, compared in rows
    ]


def _confirm_page(
    request: HttpRequest,
    *,
    referral: Referral,
    referral_person: ReferralPerson,
    person: Person,
    conflict: bool = False,
) -> HttpResponse:
    form = PersonLinkForm(
        initial={
            "version": referral.version,
            "referral_person": referral_person.pk,
            "person": person.pk,
            "confirmed": True,
        }
    )
    context = {
        "referral": referral,
        "referral_person": referral_person,
        "match": matching.link_comparison(referral_person=referral_person, person=person),
        "rows": _comparison_rows(referral_person.person, person),
        "form": form,
        "conflict": conflict,
    }
    return render(
        request,
        "referrals/person_link_confirm.html",
        context,
        status=409 if conflict else 200,
    )


@require_POST
def referral_person_link(request: HttpRequest, reference: str) -> HttpResponse:
    """First press: the two records side by side, "are you sure?". Second press: link."""
    user = _user(request)
    referral = selectors.referral_get(user=user, reference=reference)
    form = PersonLinkForm(request.POST)
    if not form.is_valid():
        return render(request, "core/errors/400.html", status=400)
    referral_person = matching.referral_person_get(
        referral=referral, referral_person_id=form.cleaned_data["referral_person"]
    )
    if referral_person.person_id == form.cleaned_data["person"]:
        # A second press of a link already made (a double click, the back button).
        messages.success(request, "This referral already names that person record.")
        return redirect("referrals:detail", reference=reference)
    person = matching.person_to_link_get(
        user=user, referral=referral, person_id=form.cleaned_data["person"]
    )
    if not matching.can_link_people(user):
        messages.error(request, matching.LINK_NOT_ALLOWED)
        return redirect("referrals:detail", reference=reference)
    if not form.cleaned_data["confirmed"]:
        matching.person_link_reviewed(actor=user, referral_person=referral_person, person=person)
        return _confirm_page(
            request, referral=referral, referral_person=referral_person, person=person
        )
    try:
        matching.referral_person_link(
            actor=user,
            referral_person=referral_person,
            person=person,
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersion:
        # Show both records as they are now, and ask again.
        referral = selectors.referral_get(user=user, reference=reference)
        referral_person = matching.referral_person_get(
            referral=referral, referral_person_id=referral_person.pk
        )
        if referral_person.person_id == person.pk:
            messages.success(request, "This referral already names that person record.")
            return redirect("referrals:detail", reference=reference)
        person = matching.person_to_link_get(user=user, referral=referral, person_id=person.pk)
        return _confirm_page(
            request,
            referral=referral,
            referral_person=referral_person,
            person=person,
            conflict=True,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("referrals:detail", reference=reference)
    messages.success(
        request,
        f"Linked the {referral_person.get_role_display().lower()} in this referral "
        f"to the existing person record for {person.full_name}.",
    )
    return redirect("referrals:detail", reference=reference)
