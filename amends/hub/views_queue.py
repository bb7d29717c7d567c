"""The hub queue and the caseworkers' load: thin views over amends.hub.queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from amends.accounts.models import Role, User
from amends.accounts.selectors import hub_caseworkers
from amends.core.errors import DomainError
from amends.hub import queue
from amends.hub.forms_queue import BulkAllocateForm, QueueFilterForm
from amends.referrals import services as referral_services


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "core/errors/403.html", status=403)


def _references(items: list[str]) -> str:
    return ", ".join(items)


def _allocation_messages(
    request: HttpRequest, result: queue.AllocationResult, caseworker: User
) -> None:
    name = caseworker.full_name or caseworker.email
    done = len(result.allocated) + len(result.already)
    if done:
        messages.success(
            request,
            f"{done} referral{'' if done == 1 else 's'} allocated to {name}: "
            f"{_references(result.allocated + result.already)}.",
        )
    if result.changed:
        messages.warning(
            request,
            "Not allocated, because someone changed them after you opened the queue: "
            f"{_references(result.changed)}. Check them and try again.",
        )
    for reference, reason in result.refused:
        messages.warning(request, f"{reference} was not allocated. {reason}")


@require_http_methods(["GET", "POST"])
def queue_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    hub = queue.queue_hub(user=user)
    if hub is None:
        return _forbidden(request)
    today = timezone.localdate()
    # Whoever the filter names is offered too (a former caseworker, from the load page).
    named = request.GET.get("allocated_to", "")
    also = [int(named)] if named.isdigit() and len(named) < 19 else []
    caseworkers = queue.queue_caseworkers(hub=hub, also=also)
    filter_form = QueueFilterForm(request.GET, caseworkers=caseworkers)
    filter_form.is_valid()
    can_allocate = user.has_role(Role.HUB_MANAGER)
    allocate_form: BulkAllocateForm | None = None
    status = 200
    if request.method == "POST":
        if not can_allocate:
            return _forbidden(request)
        allocate_form = BulkAllocateForm(request.POST, caseworkers=hub_caseworkers(hub=hub))
        if allocate_form.is_valid():
            caseworker = allocate_form.cleaned_data["caseworker"]
            try:
                result = queue.referrals_allocate(
                    actor=user,
                    hub=hub,
                    caseworker=caseworker,
                    selected=allocate_form.cleaned_data["selected"],
                )
            except DomainError as error:
                allocate_form.add_error(None, error.message)
            else:
                _allocation_messages(request, result, caseworker)
                return redirect(request.get_full_path())
        status = 400
    page = queue.queue_page(
        user=user,
        hub=hub,
        filters=filter_form.filters(),
        page_number=request.GET.get("page"),
        per_page=settings.AMENDS_PAGE_SIZE,
        today=today,
    )
    referral_services.referrals_listed(actor=user, referrals=[row.referral for row in page.rows])
    return render(
        request,
        "hub/queue/queue.html",
        {
            "queue": page,
            "view_labels": queue.VIEW_LABELS,
            "filter_form": filter_form,
            "allocate_form": allocate_form,
            "can_allocate": can_allocate,
            "allocatable": [c for c in caseworkers if getattr(c, "can_be_allocated", False)],
            "error_title": bool(filter_form.errors or (allocate_form and allocate_form.errors)),
        },
        status=status,
    )


@require_GET
def caseworker_loads(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    hub = queue.queue_hub(user=user)
    if hub is None or not user.has_role(Role.HUB_MANAGER):
        return _forbidden(request)
    today = timezone.localdate()
    loads = queue.caseworker_loads(user=user, hub=hub, today=today)
    return render(
        request,
        "hub/queue/caseworkers.html",
        {"hub": hub, "loads": loads, "today": today},
    )
