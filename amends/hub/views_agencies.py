"""The hub's directory of specialist agencies: hub managers keep it, caseworkers read it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from amends.core.errors import DomainError, StaleVersion
from amends.hub import selectors, services
from amends.hub.forms import AgencyForm, VersionedForm
from amends.hub.models import Agency, ServiceArea
from amends.hub.views_base import add_service_error, forbidden, signed_in_user


def agency_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if selectors.hub_of(user) is None:
        raise Http404("No such page.")
    archived = request.GET.get("archived") == "1"
    return render(
        request,
        "hub/agency_list.html",
        {
            "agencies": list(selectors.agency_list(user=user, archived=archived)),
            "archived": archived,
            "can_manage": selectors.can_manage_hub(user),
        },
    )


@require_http_methods(["GET", "POST"])
def agency_add(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if selectors.hub_of(user) is None:
        raise Http404("No such page.")
    if not selectors.can_manage_hub(user):
        return forbidden(request)
    form = AgencyForm(
        request.POST if request.method == "POST" else None,
        organisations=selectors.agency_organisations(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(
                actor=user,
                submission_key=form.cleaned_data["submission_key"] or None,
                **form.values(),
            )
        except DomainError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{agency.name} added to the directory.")
            return redirect("hub:agency_detail", pk=agency.pk)
    return render(
        request,
        "hub/agency_form.html",
        {"form": form, "agency": None},
        status=400 if form.is_bound else 200,
    )


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    agency = selectors.agency_get(user=user, pk=pk)
    can_manage = selectors.can_manage_hub(user)
    return render(
        request,
        "hub/agency_detail.html",
        {
            "agency": agency,
            "can_manage": can_manage,
            "in_use": selectors.agency_in_use(agency=agency) if can_manage else True,
        },
    )


@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    agency = selectors.agency_get(user=user, pk=pk)
    if not selectors.can_manage_hub(user):
        return forbidden(request)
    organisations = selectors.agency_organisations()
    if request.method == "POST":
        form = AgencyForm(request.POST, organisations=organisations)
        if form.is_valid():
            if form.cleaned_data["version"] is None:
                form.add_error(None, "Open the agency again and make your changes.")
            else:
                try:
                    services.agency_update(
                        actor=user,
                        agency=agency,
                        expected_version=form.cleaned_data["version"],
                        changes=form.values(),
                    )
                except StaleVersion:
                    current = selectors.agency_get(user=user, pk=pk)
                    return render(
                        request,
                        "hub/agency_conflict.html",
                        {"agency": current, "rows": _compare(form, current)},
                        status=409,
                    )
                except DomainError as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, f"{form.cleaned_data['name']} saved.")
                    return redirect("hub:agency_detail", pk=agency.pk)
        status = 400
    else:
        form = AgencyForm.for_agency(agency, organisations=organisations)
        status = 200
    return render(request, "hub/agency_form.html", {"form": form, "agency": agency}, status=status)


@require_POST
def agency_archive(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    agency = selectors.agency_get(user=user, pk=pk)
    if not selectors.can_manage_hub(user):
        return forbidden(request)
    form = VersionedForm(request.POST)
    active = request.POST.get("active") == "1"
    if not form.is_valid():
        messages.error(request, "Open the agency again and try once more.")
        return redirect("hub:agency_detail", pk=agency.pk)
    try:
        services.agency_set_active(
            actor=user, agency=agency, active=active, expected_version=form.cleaned_data["version"]
        )
    except StaleVersion:
        messages.error(
            request, "Someone else changed this agency meanwhile. Check it and try again."
        )
        return redirect("hub:agency_detail", pk=agency.pk)
    messages.success(
        request,
        f"{agency.name} is back in the directory."
        if active
        else f"{agency.name} archived: nobody new can be referred to it.",
    )
    return redirect("hub:agency_detail", pk=agency.pk)


@require_http_methods(["GET", "POST"])
def agency_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    agency = selectors.agency_get(user=user, pk=pk)
    if not selectors.can_manage_hub(user):
        return forbidden(request)
    error = ""
    if request.method == "POST":
        try:
            services.agency_delete(actor=user, agency=agency)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, f"{agency.name} removed from the directory.")
            return redirect("hub:agencies")
    return render(
        request,
        "hub/agency_delete.html",
        {"agency": agency, "error": error},
        status=400 if error else 200,
    )


def _shown(name: str, value: Any) -> str:
    if name == "services":
        labels = dict(ServiceArea.choices)
        return ", ".join(str(labels.get(code, code)) for code in value) or "None"
    if name == "organisation":
        return str(value) if value else "Does not use Amends"
    return str(value or "")


def _compare(form: AgencyForm, saved: Agency) -> list[tuple[str, str, str]]:
    """Each detail as entered and as saved now, for the conflict page."""
    return [
        (str(form.fields[name].label), _shown(name, value), _shown(name, getattr(saved, name)))
        for name, value in form.values().items()
    ]
