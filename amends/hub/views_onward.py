"""Onward referrals: the hub sends them; the agency's staff read what was sent and answer.

An agency's user reaches only `onward_list` and `onward_detail` (and answers):
each shows the snapshot sent, never the referral (which answers them 404).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from amends.core.errors import DomainError, StaleVersion
from amends.hub import selectors, services
from amends.hub.forms import OnwardReferralForm, TransitionForm
from amends.hub.models import OnwardReferral, OnwardReferralState, SharedItem
from amends.hub.views_base import add_service_error, forbidden, signed_in_user, with_version
from amends.hub.workflow import ONWARD_REFERRAL_WORKFLOW, onward_referral_answers


@require_http_methods(["GET", "POST"])
def onward_new(request: HttpRequest, reference: str) -> HttpResponse:
    user = signed_in_user(request)
    referral = selectors.hub_referral_get(user=user, reference=reference)
    if not selectors.can_support(user):
        return forbidden(request)
    agencies = selectors.agencies_to_refer_to(hub=referral.hub)
    form = OnwardReferralForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies,
        people=selectors.supported_people(referral),
    )
    if request.method == "POST" and form.is_valid():
        try:
            onward = services.onward_referral_send(
                actor=user,
                referral=referral,
                agency=form.cleaned_data["agency"],
                referral_person=form.cleaned_data["referral_person"],
                shared_items=form.cleaned_data["shared_items"],
                message=form.cleaned_data["message"],
                consent_confirmed=form.cleaned_data["consent_confirmed"],
                consent_given_on=form.cleaned_data["consent_given_on"],
                submission_key=form.cleaned_data["submission_key"] or None,
            )
        except DomainError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"Onward referral {onward.reference} sent to {onward.agency.name}."
            )
            return redirect("referrals:detail", reference=referral.reference)
    if not form.is_bound:
        services.record_viewed(actor=user, record=referral)  # the form names its people
    return render(
        request,
        "hub/onward_new.html",
        {"referral": referral, "form": form, "has_agencies": agencies.exists()},
        status=400 if form.is_bound else 200,
    )


def onward_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    agency_side = selectors.is_agency_reader(user)
    if not agency_side and selectors.hub_of(user) is None:
        raise Http404("No such page.")
    state = request.GET.get("state", "")
    if state not in OnwardReferralState.values:
        state = ""
    paginator = Paginator(
        selectors.onward_referral_list(user=user, state=state), settings.AMENDS_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    services.records_listed(actor=user, model=OnwardReferral, records=list(page.object_list))
    return render(
        request,
        "hub/onward_list.html",
        {
            "page": page,
            "agency_side": agency_side,
            "state": state,
            "states": OnwardReferralState.choices,
        },
    )


def _detail(
    request: HttpRequest,
    onward: OnwardReferral,
    form: TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    answers = onward_referral_answers(onward, user)
    if form is None and answers:
        form = TransitionForm(initial={"version": onward.version}, transitions=answers)
    agency_side = selectors.is_agency_reader(user)
    return render(
        request,
        "hub/onward_detail.html",
        {
            "onward": onward,
            "snapshot": onward.snapshot,
            "shared_labels": [
                label for value, label in SharedItem.choices if value in onward.shared_items
            ],
            "agency_side": agency_side,
            "history": selectors.onward_referral_history(onward=onward),
            "state_labels": ONWARD_REFERRAL_WORKFLOW.state_labels,
            "form": form,
        },
        status=status,
    )


def onward_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = signed_in_user(request)
    onward = selectors.onward_referral_get(user=user, reference=reference)
    services.record_viewed(actor=user, record=onward)
    return _detail(request, onward)


@require_POST
def onward_answer(request: HttpRequest, reference: str) -> HttpResponse:
    user = signed_in_user(request)
    onward = selectors.onward_referral_get(user=user, reference=reference)
    answers = onward_referral_answers(onward, user)
    if not answers:
        return forbidden(request)
    form = TransitionForm(request.POST, transitions=answers)
    if form.is_valid():
        try:
            services.onward_referral_answer(
                actor=user,
                onward=onward,
                to_state=form.cleaned_data["to_state"],
                note=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            onward = selectors.onward_referral_get(user=user, reference=reference)
            answers = onward_referral_answers(onward, user)
            form = TransitionForm(with_version(request.POST, onward.version), transitions=answers)
            form.is_valid()
            form.add_error(None, error.message)
            return _detail(request, onward, form, status=409)
        except DomainError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"Onward referral {onward.reference}: ‘{onward.get_state_display().lower()}’.",
            )
            return redirect("hub:onward_detail", reference=onward.reference)
    onward = selectors.onward_referral_get(user=user, reference=reference)
    return _detail(request, onward, form, status=400)
