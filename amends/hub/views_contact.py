"""The contact attempts page of a referral: the person's safe contact next to the form.

Thin: the referral comes through the referrals selectors (another hub: 404), the
attempt through `contact_attempt_record`, which refuses a channel the person said
is not safe. After the configured number of failed attempts the page proposes
closing the referral as unable to contact (the workflow's own transition).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from amends.accounts.models import Role
from amends.core.errors import DomainError, StaleVersion
from amends.hub.forms_contact import ContactAttemptForm
from amends.hub.sections_contact import safe_contact_context
from amends.hub.views_base import forbidden, signed_in_user
from amends.referrals import selectors as referral_selectors
from amends.referrals import services as referral_services
from amends.referrals.models import ClosingReason, ContactOutcome, Referral, ReferralState


def _page(
    request: HttpRequest, referral: Referral, form: ContactAttemptForm, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    attempts = list(referral.contact_attempts.all())
    failed = sum(1 for a in attempts if a.outcome != ContactOutcome.SPOKE)
    caseworker = user.has_role(Role.HUB_CASEWORKER)
    contacting = referral.state == ReferralState.CONTACTING
    needed = settings.AMENDS_FAILED_CONTACT_ATTEMPTS_TO_CLOSE
    context = {
        "referral": referral,
        "form": form,
        "attempts": attempts,
        "failed": failed,
        "failed_needed": needed,
        "can_record": referral.is_open,
        "propose_close": caseworker and contacting and failed >= needed,
        "propose_triage": caseworker
        and contacting
        and any(a.outcome == ContactOutcome.SPOKE for a in attempts),
        "closed_state": ReferralState.CLOSED.value,
        "unable_to_contact": ClosingReason.UNABLE_TO_CONTACT.value,
        "in_triage_state": ReferralState.IN_TRIAGE.value,
        **safe_contact_context(referral),
    }
    return render(request, "hub/contact/contact_attempts.html", context, status=status)


@require_http_methods(["GET", "POST"])
def contact_attempts(request: HttpRequest, reference: str) -> HttpResponse:
    user = signed_in_user(request)
    referral = referral_selectors.referral_get(user=user, reference=reference)
    if not user.has_role(Role.HUB_CASEWORKER, Role.HUB_MANAGER):
        return forbidden(request)
    party = safe_contact_context(referral)["party"]
    if request.method != "POST":
        referral_services.referral_viewed(actor=user, referral=referral)
        form = ContactAttemptForm.blank(
            party=party,
            received_at=referral.received_at,
            attempts_seen=len(referral.contact_attempts.all()),
        )
        return _page(request, referral, form)
    form = ContactAttemptForm(request.POST, party=party, received_at=referral.received_at)
    if not form.is_valid():
        return _page(request, referral, form, status=400)
    try:
        referral_services.contact_attempt_record(
            actor=user,
            referral=referral,
            channel=form.cleaned_data["channel"],
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            at=form.cleaned_data["at"],
            expected_attempts=form.cleaned_data["attempts_seen"],
        )
    except StaleVersion as error:
        # Nothing saved: the page shows the attempts as they are now, with their answers.
        current = referral_selectors.referral_get(user=user, reference=reference)
        data = request.POST.copy()
        data["attempts_seen"] = str(len(current.contact_attempts.all()))
        form = ContactAttemptForm(data, party=party, received_at=current.received_at)
        form.is_valid()
        form.add_error(None, error.message)
        return _page(request, current, form, status=409)
    except DomainError as error:
        form.add_error(None, error.message)
        return _page(request, referral, form, status=400)
    messages.success(request, "Contact attempt recorded.")
    return redirect("hub:contact", reference=reference)
