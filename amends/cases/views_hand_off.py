"""The hub caseworker's hand-off page: consent to share, what the provider will get, hand off.

Reached from the referral page. The referral is fetched through the referrals
selectors (scoped: another hub gets 404); consent and the hand-off go through
services. The page shows exactly the agreed data set the provider's case will
carry, so that the caseworker hands off knowing what is shared.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from amends.accounts.models import Role, User
from amends.cases import selectors, services
from amends.cases.data_set import agreed_data_set
from amends.cases.forms import HandOffConsentForm, HandOffForm
from amends.core.errors import DomainError, StaleVersion
from amends.referrals import selectors as referral_selectors
from amends.referrals import services as referral_services
from amends.referrals.models import ContactChannel, Referral, ReferralState

_BEFORE_HAND_OFF = {
    ReferralState.NEW,
    ReferralState.CONTACTING,
    ReferralState.IN_TRIAGE,
    ReferralState.AWAITING_CONSENT,
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "core/errors/403.html", status=403)


def _page(
    request: HttpRequest,
    referral: Referral,
    *,
    consent_form: HandOffConsentForm | None = None,
    hand_off_form: HandOffForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    consent = selectors.hand_off_consent(referral=referral)
    received_on = timezone.localdate(referral.received_at)
    is_caseworker = user.has_role(Role.HUB_CASEWORKER)
    can_record = is_caseworker and referral.state in _BEFORE_HAND_OFF
    try:
        data_set = agreed_data_set(
            referral=referral,
            people=selectors.referral_people(referral=referral),
            consent=consent,
            needs=selectors.current_needs(referral=referral),
        )
    except DomainError:
        data_set = None
    provider = referral.hub.hands_off_to
    can_hand_off = (
        is_caseworker
        and referral.state == ReferralState.AWAITING_CONSENT
        and consent is not None
        and provider is not None
        and data_set is not None
    )
    channel_labels = dict(ContactChannel.choices)
    context: dict[str, Any] = {
        "referral": referral,
        "consent": consent,
        "case": selectors.case_for_referral(referral=referral),
        "provider": provider,
        "data_set": data_set,
        "safe_channels": [channel_labels.get(c, c) for c in data_set.safe_channels]
        if data_set
        else [],
        "awaiting_consent_label": ReferralState.AWAITING_CONSENT.label,
        "can_record": can_record,
        "can_hand_off": can_hand_off,
        "consent_form": consent_form
        or (HandOffConsentForm.for_consent(consent, received_on) if can_record else None),
        "hand_off_form": hand_off_form
        or (HandOffForm(initial={"version": referral.version}) if can_hand_off else None),
    }
    shown = (context["consent_form"], context["hand_off_form"])
    context["error_title"] = any(form is not None and form.errors for form in shown)
    return render(request, "cases/hand_off.html", context, status=status)


def hand_off(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = referral_selectors.referral_get(user=user, reference=reference)
    if not user.has_role(Role.HUB_CASEWORKER, Role.HUB_MANAGER):
        return _forbidden(request)
    referral_services.referral_viewed(actor=user, referral=referral)
    return _page(request, referral)


@require_POST
def hand_off_consent(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = referral_selectors.referral_get(user=user, reference=reference)
    if not user.has_role(Role.HUB_CASEWORKER):
        return _forbidden(request)
    form = HandOffConsentForm(request.POST, received_on=timezone.localdate(referral.received_at))
    if form.is_valid():
        try:
            services.hand_off_consent_record(
                actor=user,
                referral=referral,
                given_by=form.cleaned_data["given_by"],
                given_by_name=form.cleaned_data["given_by_name"],
                how=form.cleaned_data["how"],
                given_on=form.cleaned_data["given_on"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion:
            # Their answers stay on the page, against the version saved now: sending them
            # again is a deliberate change.
            referral = referral_selectors.referral_get(user=user, reference=reference)
            current = selectors.hand_off_consent(referral=referral)
            data = request.POST.copy()
            data["version"] = str(current.version if current is not None else 0)
            form = HandOffConsentForm(data, received_on=timezone.localdate(referral.received_at))
            form.is_valid()
            form.add_error(
                None,
                "Someone else recorded consent for this referral while you were on this page. "
                "Check what is recorded now before you save your answers again.",
            )
            return _page(request, referral, consent_form=form, status=409)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Consent to share with the RJ provider recorded.")
            return redirect("cases:hand_off", reference=reference)
    return _page(request, referral, consent_form=form, status=400)


@require_POST
def hand_off_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = referral_selectors.referral_get(user=user, reference=reference)
    if not user.has_role(Role.HUB_CASEWORKER):
        return _forbidden(request)
    form = HandOffForm(request.POST)
    if form.is_valid():
        try:
            referral_services.referral_transition(
                actor=user,
                referral=referral,
                to_state=ReferralState.HANDED_OFF,
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion:
            current = referral_selectors.referral_get(user=user, reference=reference)
            if current.state == ReferralState.HANDED_OFF:
                # Sent twice (a double click, or a colleague): one hand-off, one case.
                messages.info(request, "This referral has already been handed off.")
                return redirect("referrals:detail", reference=reference)
            fresh = HandOffForm(initial={"version": current.version})
            fresh.add_error(
                None,
                "This referral changed since you opened the page. Check it and hand off again.",
            )
            return _page(request, current, hand_off_form=fresh, status=409)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            provider = referral.hub.hands_off_to
            messages.success(
                request, f"Handed off to {provider.name if provider else 'the RJ provider'}."
            )
            return redirect("referrals:detail", reference=reference)
    return _page(request, referral, hand_off_form=form, status=400)
