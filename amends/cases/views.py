"""The RJ provider's pages: the intake queue and a case, accepted or returned.

Thin views over the selectors and services. A case page shows only the agreed
data set copied at hand-off: the provider never sees the referral.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from amends.accounts.models import User
from amends.cases import selectors, services
from amends.cases.forms import CaseDecisionForm, CaseReturnForm
from amends.cases.models import Case, CaseState
from amends.cases.workflow import CASE_WORKFLOW
from amends.core.errors import DomainError, StaleVersion
from amends.referrals.models import ContactChannel

QUEUE_LABELS = {
    CaseState.OFFERED: "Waiting for a decision",
    CaseState.ACCEPTED: "Accepted",
    CaseState.RETURNED: "Returned to the hub",
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def case_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.can_see_intake(user):
        raise Http404("No such page.")
    state = request.GET.get("state") or CaseState.OFFERED
    if state not in selectors.QUEUE_STATES:
        state = CaseState.OFFERED
    paginator = Paginator(selectors.case_list(user=user, state=state), settings.AMENDS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    services.cases_listed(actor=user, cases=list(page.object_list))
    return render(
        request,
        "cases/case_queue.html",
        {
            "page": page,
            "state": state,
            "state_label": QUEUE_LABELS[CaseState(state)],
            "views": [(value, QUEUE_LABELS[value]) for value in selectors.QUEUE_STATES],
            "offered_count": paginator.count
            if state == CaseState.OFFERED
            else selectors.offered_count(user=user),
            "today": timezone.localdate(),
        },
    )


def _detail_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    channel_labels = dict(ContactChannel.choices)
    can_decide = selectors.can_decide(user) and case.state == CaseState.OFFERED
    context: dict[str, Any] = {
        "case": case,
        "history": selectors.case_history(case=case),
        "state_labels": CASE_WORKFLOW.state_labels,
        "closing_reason_labels": CASE_WORKFLOW.closing_reason_labels,
        "safe_channels": [channel_labels.get(c, c) for c in case.safe_channels],
        "today": timezone.localdate(),
        "can_decide": can_decide,
        "accept_form": CaseDecisionForm(initial={"version": case.version}) if can_decide else None,
    }
    context.update(extra)
    return context


def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, reference=reference)
    services.case_viewed(actor=user, case=case)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


def _conflict(request: HttpRequest, reference: str) -> HttpResponse:
    current = selectors.case_get(user=_user(request), reference=reference)
    return render(request, "cases/case_conflict.html", {"case": current}, status=409)


@require_POST
def case_accept(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, reference=reference)
    form = CaseDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.case_accept(
                actor=user, case=case, expected_version=form.cleaned_data["version"]
            )
        except StaleVersion:
            current = selectors.case_get(user=user, reference=reference)
            if current.state == CaseState.ACCEPTED:
                # Sent twice (a double click, or a colleague): accepted once.
                messages.info(request, f"Case {case.reference} is already accepted.")
                return redirect("cases:detail", reference=reference)
            return _conflict(request, reference)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Case {case.reference} accepted.")
            return redirect("cases:detail", reference=reference)
    return render(
        request,
        "cases/case_detail.html",
        _detail_context(request, case, accept_form=form),
        status=400,
    )


@require_http_methods(["GET", "POST"])
def case_return(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, reference=reference)
    if not selectors.can_decide(user) or case.state != CaseState.OFFERED:
        return render(
            request,
            "cases/case_return.html",
            {"case": case, "form": None},
            status=400 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        form = CaseReturnForm(request.POST)
        if form.is_valid():
            try:
                services.case_return(
                    actor=user,
                    case=case,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except StaleVersion:
                return _conflict(request, reference)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Case {case.reference} returned to {case.hub.name}.")
                return redirect("cases:queue")
        return render(request, "cases/case_return.html", {"case": case, "form": form}, status=400)
    services.case_viewed(actor=user, case=case)
    form = CaseReturnForm(initial={"version": case.version})
    return render(request, "cases/case_return.html", {"case": case, "form": form})
