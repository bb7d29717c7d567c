"""Volunteer hours and expenses: a facilitator's own log, and the coordinator's totals."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from amends.accounts.models import Role, User
from amends.core.errors import DomainError
from amends.events import exports, selectors, services
from amends.events.forms import ClaimDecisionForm, HoursForm, add_domain_error, new_submission_key
from amends.events.models import ExpensesStatus


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
def my_hours(request: HttpRequest) -> HttpResponse:
    """A facilitator logs their own hours and expenses, and sees what they logged."""
    user = _user(request)
    if not user.has_role(Role.FACILITATOR):
        raise Http404("No hours here.")
    practitioner = selectors.own_practitioner(user=user)
    if practitioner is None:
        return render(request, "events/hours_not_linked.html")
    events = selectors.hours_events_for(practitioner=practitioner)
    status = 200
    if request.method == "POST":
        form = HoursForm(request.POST, events=events)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.hours_log(
                    actor=user,
                    date=data["date"],
                    hours=data["hours"],
                    activity=data["activity"],
                    event=data["event"],
                    case_reference=data["case_reference"],
                    description=data["description"],
                    expenses_pence=form.expenses_pence(),
                    expenses_for=data["expenses_for"],
                    submission_key=data["submission_key"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Your hours are saved.")
                return redirect("events:hours")
        status = 400
    else:
        form = HoursForm(
            initial={"submission_key": new_submission_key(), "date": timezone.localdate()},
            events=events,
        )
    paginator = Paginator(selectors.own_hours(practitioner=practitioner), settings.AMENDS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    entries = list(page.object_list)
    services.hours_listed(actor=user, entries=entries)
    return render(
        request,
        "events/hours.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "reasons": selectors.expense_decision_reasons(entries=entries),
            "practitioner": practitioner,
        },
        status=status,
    )


def _coordinator(request: HttpRequest) -> User:
    user = _user(request)
    if not selectors.can_oversee_hours(user):
        raise Http404("No hours here.")
    return user


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + 1 else this_year


@require_GET
def hours_totals(request: HttpRequest) -> HttpResponse:
    user = _coordinator(request)
    year = _year(request)
    totals = selectors.hours_totals(user=user, year=year)
    services.hours_totals_viewed(actor=user, year=year)
    this_year = timezone.localdate().year
    return render(
        request,
        "events/hours_totals.html",
        {
            "totals": totals,
            "years": list(range(this_year, this_year - 5, -1)),
            "pending_claims": selectors.expense_claims_pending(user=user).count(),
        },
    )


@require_GET
def hours_totals_csv(request: HttpRequest) -> HttpResponse:
    user = _coordinator(request)
    year = _year(request)
    totals = selectors.hours_totals(user=user, year=year)
    services.hours_totals_viewed(actor=user, year=year, exported=True)
    response = HttpResponse(
        exports.hours_totals_csv(totals=totals), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{year}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def expense_claims(request: HttpRequest) -> HttpResponse:
    user = _coordinator(request)
    paginator = Paginator(selectors.expense_claims_pending(user=user), settings.AMENDS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    entries = list(page.object_list)
    services.hours_listed(actor=user, entries=entries)
    return render(request, "events/claims.html", {"page": page, "entries": entries})


@require_http_methods(["GET", "POST"])
def expense_claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _coordinator(request)
    entry = selectors.expense_claim_get(user=user, pk=pk)
    status = 200
    if request.method == "POST":
        form = ClaimDecisionForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                services.expense_claim_decide(
                    actor=user,
                    entry=entry,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                verdict = "approved" if approve else "not approved"
                messages.success(request, f"{entry.practitioner.full_name}'s claim is {verdict}.")
                return redirect("events:claims")
        status = 400
    else:
        services.expense_claim_viewed(actor=user, entry=entry)
        form = ClaimDecisionForm(initial={"version": entry.version})
    return render(
        request,
        "events/claim_decide.html",
        {
            "entry": entry,
            "form": form,
            "is_pending": entry.expenses_status == ExpensesStatus.PENDING,
        },
        status=status,
    )
