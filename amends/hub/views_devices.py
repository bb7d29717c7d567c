"""The hub's safety device inventory: stock on hand, each device and its history."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from amends.core.errors import DomainError, StaleVersion
from amends.hub import selectors, services
from amends.hub.forms import DeviceAddForm, DeviceFilterForm, TransitionForm
from amends.hub.models import DeviceState, SafetyDevice
from amends.hub.views_base import add_service_error, forbidden, signed_in_user, with_version
from amends.hub.workflow import DEVICE_WORKFLOW, device_page_transitions


def device_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if selectors.hub_of(user) is None:
        raise Http404("No such page.")
    filter_form = DeviceFilterForm(request.GET)
    filters = filter_form.filters()
    paginator = Paginator(selectors.device_list(user=user, **filters), settings.AMENDS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    services.records_listed(actor=user, model=SafetyDevice, records=list(page.object_list))
    return render(
        request,
        "hub/device_list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "filtered": any(filters.values()),
            "stock": selectors.device_stock(user=user),
            "state_labels": DeviceState.labels,
            "can_manage": selectors.can_manage_hub(user),
        },
    )


@require_http_methods(["GET", "POST"])
def device_add(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if selectors.hub_of(user) is None:
        raise Http404("No such page.")
    if not selectors.can_manage_hub(user):
        return forbidden(request)
    form = DeviceAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.device_add(
                actor=user,
                device_type=form.cleaned_data["device_type"],
                serial_number=form.cleaned_data["serial_number"],
                description=form.cleaned_data["description"],
                note=form.cleaned_data["note"],
                submission_key=form.cleaned_data["submission_key"] or None,
            )
        except DomainError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{device} added to the inventory.")
            return redirect("hub:devices")
    return render(
        request, "hub/device_add.html", {"form": form}, status=400 if form.is_bound else 200
    )


def _detail(
    request: HttpRequest,
    device: SafetyDevice,
    form: TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    transitions = device_page_transitions(device, user)
    if form is None and transitions:
        form = TransitionForm(initial={"version": device.version}, transitions=transitions)
    return render(
        request,
        "hub/device_detail.html",
        {
            "device": device,
            "issues": list(device.issues.all()),
            "history": selectors.device_history(device=device),
            "state_labels": DEVICE_WORKFLOW.state_labels,
            "form": form,
        },
        status=status,
    )


def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    device = selectors.device_get(user=user, pk=pk)
    services.record_viewed(actor=user, record=device)
    return _detail(request, device)


@require_POST
def device_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    device = selectors.device_get(user=user, pk=pk)
    transitions = device_page_transitions(device, user)
    if not transitions:
        return forbidden(request)
    form = TransitionForm(request.POST, transitions=transitions)
    if form.is_valid():
        try:
            services.device_transition(
                actor=user,
                device=device,
                to_state=form.cleaned_data["to_state"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            # Show the device as it is now, with a form that carries its current version.
            device = selectors.device_get(user=user, pk=pk)
            form = TransitionForm(
                with_version(request.POST, device.version),
                transitions=device_page_transitions(device, user),
            )
            form.is_valid()
            form.add_error(None, error.message)
            return _detail(request, device, form, status=409)
        except DomainError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{device} is now ‘{device.get_state_display().lower()}’.")
            return redirect("hub:device_detail", pk=device.pk)
    return _detail(request, selectors.device_get(user=user, pk=pk), form, status=400)
