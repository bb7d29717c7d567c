"""Support on a referral: the needs assessment, issuing a device and its return or loss."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from amends.core.errors import DomainError, StaleVersion
from amends.hub import selectors, services
from amends.hub.forms import DeviceIssueEndForm, DeviceIssueForm, NeedsAssessmentForm
from amends.hub.models import NeedArea, NeedLevel, RiskLevel
from amends.hub.views_base import add_service_error, forbidden, signed_in_user


@require_http_methods(["GET", "POST"])
def needs_assessment(request: HttpRequest, reference: str) -> HttpResponse:
    user = signed_in_user(request)
    referral = selectors.hub_referral_get(user=user, reference=reference)
    history = list(selectors.needs_history(referral=referral).order_by("-number"))
    current = history[0] if history else None
    can_change = selectors.can_support(user) and referral.is_open
    status = 200
    if request.method == "POST":
        if not can_change:
            return forbidden(request)
        form = NeedsAssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.needs_assessment_record(
                    actor=user,
                    referral=referral,
                    expected_number=form.cleaned_data["number"],
                    levels=form.levels(),
                    notes=form.notes(),
                    overall_risk=form.cleaned_data["overall_risk"],
                    summary=form.cleaned_data["summary"],
                )
            except StaleVersion:
                saved = selectors.needs_current(referral=referral)
                return render(
                    request,
                    "hub/needs_conflict.html",
                    {
                        "referral": referral,
                        "saved": saved,
                        "form": form,
                        "yours": _submitted_areas(form),
                        "risk_labels": dict(RiskLevel.choices),
                    },
                    status=409,
                )
            except DomainError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Needs assessment saved.")
                return redirect("referrals:detail", reference=referral.reference)
        status = 400
    else:
        services.support_viewed(actor=user, records=history)
        form = NeedsAssessmentForm.for_assessment(current)
    return render(
        request,
        "hub/needs_assessment.html",
        {
            "referral": referral,
            "current": current,
            # Below the form, which holds the current one, only the earlier ones.
            "shown": history[1:] if can_change else history,
            "form": form,
            "can_change": can_change,
        },
        status=status,
    )


def _submitted_areas(form: NeedsAssessmentForm) -> list[dict[str, str]]:
    levels = dict(NeedLevel.choices)
    return [
        {
            "label": str(area.label),
            "level_label": str(levels.get(form.cleaned_data[f"{area.value}_level"], "")),
            "note": form.cleaned_data[f"{area.value}_note"],
        }
        for area in NeedArea
    ]


@require_http_methods(["GET", "POST"])
def device_issue(request: HttpRequest, reference: str) -> HttpResponse:
    user = signed_in_user(request)
    referral = selectors.hub_referral_get(user=user, reference=reference)
    if not selectors.can_support(user):
        return forbidden(request)
    form = DeviceIssueForm(
        request.POST if request.method == "POST" else None,
        devices=selectors.devices_in_stock(
            hub=referral.hub, or_issued_on=referral if request.method == "POST" else None
        ),
        people=selectors.supported_people(referral),
    )
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.device_issue(
                actor=user,
                referral=referral,
                device=form.cleaned_data["device"],
                referral_person=form.cleaned_data["referral_person"],
                issued_on=form.cleaned_data["issued_on"],
                expected_return_on=form.cleaned_data["expected_return_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"{issue.device} issued to {issue.referral_person.person.full_name}."
            )
            return redirect("referrals:detail", reference=referral.reference)
    if not form.is_bound:
        services.record_viewed(actor=user, record=referral)  # the form names its people
    return render(
        request,
        "hub/device_issue.html",
        {"referral": referral, "form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def device_issue_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    issue = selectors.device_issue_get(user=user, pk=pk)
    if not selectors.can_support(user):
        return forbidden(request)
    if not issue.is_open:
        messages.success(
            request,
            f"{issue.device} was already recorded as {issue.get_outcome_display().lower()}.",
        )
        return redirect("referrals:detail", reference=issue.referral.reference)
    form = DeviceIssueEndForm(
        request.POST if request.method == "POST" else None, issued_on=issue.issued_on
    )
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.device_issue_end(
                actor=user,
                issue=issue,
                outcome=form.cleaned_data["outcome"],
                ended_on=form.cleaned_data["ended_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"{issue.device} recorded as {ended.get_outcome_display().lower()}."
            )
            return redirect("referrals:detail", reference=issue.referral.reference)
    if not form.is_bound:
        services.record_viewed(actor=user, record=issue)
    return render(
        request,
        "hub/device_issue_end.html",
        {"issue": issue, "referral": issue.referral, "form": form},
        status=400 if form.is_bound else 200,
    )
