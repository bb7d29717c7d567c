"""Staff pages for referrals: thin views over the selectors and services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from amends.accounts.models import Role, User
from amends.accounts.selectors import hub_caseworkers
from amends.core.errors import DomainError, StaleVersion
from amends.core.sections import page_sections
from amends.referrals import selectors, services
from amends.referrals.forms import AllocateForm, ReferralEditForm, TransitionForm
from amends.referrals.models import Referral
from amends.referrals.workflow import REFERRAL_WORKFLOW


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def staff_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    paginator = Paginator(selectors.referral_list(user=user), settings.AMENDS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    services.referrals_listed(actor=user, referrals=list(page.object_list))
    return render(request, "referrals/staff_home.html", {"page": page})


def _detail_context(request: HttpRequest, referral: Referral, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    transitions = REFERRAL_WORKFLOW.available_to(referral, user)
    context: dict[str, Any] = {
        "referral": referral,
        "history": selectors.referral_history(referral=referral),
        "state_labels": REFERRAL_WORKFLOW.state_labels,
        "closing_reason_labels": REFERRAL_WORKFLOW.closing_reason_labels,
        "transitions": transitions,
        "transition_form": TransitionForm(
            initial={"version": referral.version},
            transitions=transitions,
            state_labels=REFERRAL_WORKFLOW.state_labels,
        )
        if transitions
        else None,
        "can_edit": user.has_role(Role.HUB_CASEWORKER, Role.HUB_MANAGER),
        "allocate_form": AllocateForm(
            initial={"version": referral.version, "caseworker": referral.allocated_to_id},
            caseworkers=hub_caseworkers(hub=referral.hub),
        )
        if user.has_role(Role.HUB_MANAGER) and referral.is_open
        else None,
        # What later apps (the hub's support, ...) show of this referral: core/sections.py.
        "page_sections": page_sections("referrals:detail", request, referral),
    }
    context.update(extra)
    return context


def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = selectors.referral_get(user=user, reference=reference)
    services.referral_viewed(actor=user, referral=referral)
    return render(request, "referrals/referral_detail.html", _detail_context(request, referral))


@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = selectors.referral_get(user=user, reference=reference)
    if not user.has_role(Role.HUB_CASEWORKER, Role.HUB_MANAGER):
        return render(request, "core/errors/403.html", status=403)
    if request.method == "POST":
        form = ReferralEditForm(request.POST)
        if form.is_valid():
            try:
                services.referral_update(
                    actor=user,
                    referral=referral,
                    expected_version=form.cleaned_data["version"],
                    changes=form.changes(),
                )
            except StaleVersion:
                current = selectors.referral_get(user=user, reference=reference)
                return render(
                    request,
                    "referrals/referral_conflict.html",
                    {
                        "referral": current,
                        "form": form,
                        "current_form": ReferralEditForm.for_referral(current),
                    },
                    status=409,
                )
            messages.success(request, "Referral details saved.")
            return redirect("referrals:detail", reference=reference)
    else:
        services.referral_viewed(actor=user, referral=referral)
        form = ReferralEditForm.for_referral(referral)
    return render(request, "referrals/referral_edit.html", {"referral": referral, "form": form})


@require_POST
def referral_transition(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = selectors.referral_get(user=user, reference=reference)
    transitions = REFERRAL_WORKFLOW.available_to(referral, user)
    form = TransitionForm(
        request.POST, transitions=transitions, state_labels=REFERRAL_WORKFLOW.state_labels
    )
    if form.is_valid():
        try:
            services.referral_transition(
                actor=user,
                referral=referral,
                to_state=form.cleaned_data["to_state"],
                closing_reason=form.cleaned_data["closing_reason"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Status changed to ‘{referral.get_state_display()}’.")
            return redirect("referrals:detail", reference=reference)
    elif not transitions:
        form.errors.clear()
        form.add_error(None, "You cannot change the status of this referral.")
    referral = selectors.referral_get(user=user, reference=reference)
    return render(
        request,
        "referrals/referral_detail.html",
        _detail_context(request, referral, transition_form=form),
        status=400,
    )


@require_POST
def referral_allocate(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    referral = selectors.referral_get(user=user, reference=reference)
    form = AllocateForm(request.POST, caseworkers=hub_caseworkers(hub=referral.hub))
    if form.is_valid():
        try:
            services.referral_allocate(
                actor=user,
                referral=referral,
                caseworker=form.cleaned_data["caseworker"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Allocated to {form.cleaned_data['caseworker']}.")
            return redirect("referrals:detail", reference=reference)
    return render(
        request,
        "referrals/referral_detail.html",
        _detail_context(request, referral, allocate_form=form),
        status=400,
    )
