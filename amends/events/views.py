"""Staff pages for events: thin views over the selectors and services.

Only the coordinators of the organisation that organises an event reach it; anyone else
gets a 404, as for every page outside their scope.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amends.accounts.models import User
from amends.core.errors import DomainError, StaleVersion
from amends.core.workflow import transition_history
from amends.events import exports, ics, selectors, services
from amends.events.forms import (
    AttendanceForm,
    EventCreateForm,
    EventEditForm,
    EventTransitionForm,
    RegisterPersonForm,
    RegisterPractitionerForm,
    RegisterStaffForm,
    SchoolAttendanceForm,
    add_domain_error,
    new_submission_key,
)
from amends.events.models import Event, EventState, RegistrantKind, YearGroup
from amends.events.workflow import EVENT_WORKFLOW


def _manager(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not selectors.can_manage_events(user):
        raise Http404("No events here.")
    return user


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    past = request.GET.get("when") == "past"
    paginator = Paginator(selectors.event_list(user=user, past=past), settings.AMENDS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "events/event_list.html",
        {
            "page": page,
            "past": past,
            "can_oversee_hours": selectors.can_oversee_hours(user),
        },
    )


@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    if request.method == "POST":
        form = EventCreateForm(request.POST)
        if form.is_valid():
            try:
                event = services.event_create(
                    actor=user,
                    submission_key=form.cleaned_data["submission_key"],
                    **form.event_fields(),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f"Event {event.reference} created.")
                return redirect("events:detail", reference=event.reference)
    else:
        form = EventCreateForm(initial={"submission_key": new_submission_key()})
    return render(request, "events/event_form.html", {"form": form, "event": None})


def _detail_context(request: HttpRequest, event: Event, **extra: Any) -> dict[str, Any]:
    user = _manager(request)
    registrations = selectors.event_registrations(event=event)
    transitions = EVENT_WORKFLOW.available_to(event, user)
    counts = selectors.school_attendance_counts(event=event) if event.is_school_session else {}
    context: dict[str, Any] = {
        "event": event,
        "registrations": registrations,
        "school_counts": [
            (label, counts[value]) for value, label in YearGroup.choices if value in counts
        ],
        "history": transition_history(event),
        "state_labels": EVENT_WORKFLOW.state_labels,
        "transition_form": EventTransitionForm(
            initial={"version": event.version},
            transitions=transitions,
            state_labels=EVENT_WORKFLOW.state_labels,
        )
        if transitions
        else None,
        "is_cancelled": event.state == EventState.CANCELLED,
    }
    context.update(extra)
    return context


@require_GET
def event_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _manager(request)
    event = selectors.event_get(user=user, reference=reference)
    context = _detail_context(request, event)
    services.event_viewed(actor=user, event=event, registrations=context["registrations"])
    return render(request, "events/event_detail.html", context)


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, reference: str) -> HttpResponse:
    user = _manager(request)
    event = selectors.event_get(user=user, reference=reference)
    if request.method == "POST":
        form = EventEditForm(request.POST)
        if form.is_valid():
            try:
                services.event_update(
                    actor=user,
                    event=event,
                    expected_version=form.cleaned_data["version"],
                    changes=form.event_fields(),
                )
            except StaleVersion:
                current = selectors.event_get(user=user, reference=reference)
                return render(
                    request,
                    "events/event_conflict.html",
                    {
                        "event": current,
                        "form": form,
                        "current_form": EventEditForm(initial=EventEditForm.initial_for(current)),
                    },
                    status=409,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Event details saved.")
                return redirect("events:detail", reference=reference)
    else:
        form = EventEditForm(initial=EventEditForm.initial_for(event))
    return render(request, "events/event_form.html", {"form": form, "event": event})


@require_POST
def event_transition(request: HttpRequest, reference: str) -> HttpResponse:
    user = _manager(request)
    event = selectors.event_get(user=user, reference=reference)
    transitions = EVENT_WORKFLOW.available_to(event, user)
    form = EventTransitionForm(
        request.POST, transitions=transitions, state_labels=EVENT_WORKFLOW.state_labels
    )
    if form.is_valid():
        try:
            services.event_transition(
                actor=user,
                event=event,
                to_state=form.cleaned_data["to_state"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Status changed to ‘{event.get_state_display()}’.")
            return redirect("events:detail", reference=reference)
    elif not transitions:
        form.errors.clear()
        form.add_error(None, "The status of this event cannot be changed.")
    event = selectors.event_get(user=user, reference=reference)
    context = _detail_context(request, event, transition_form=form)
    services.event_viewed(actor=user, event=event, registrations=context["registrations"])
    return render(request, "events/event_detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
def event_register(request: HttpRequest, reference: str) -> HttpResponse:
    """Register a practitioner, a member of staff, or a police officer or someone else."""
    user = _manager(request)
    event = selectors.event_get(user=user, reference=reference)
    who = request.POST.get("who", "") if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    forms_by_who = {
        "practitioner": RegisterPractitionerForm(
            data if who == "practitioner" else None,
            practitioners=selectors.registrable_practitioners(event=event),
        ),
        "staff": RegisterStaffForm(
            data if who == "staff" else None, staff=selectors.registrable_staff(event=event)
        ),
        "person": RegisterPersonForm(data if who == "person" else None),
    }
    status = 200
    if request.method == "POST":
        form = forms_by_who.get(who)
        if form is None:
            raise Http404("No such form.")
        if form.is_valid():
            data_ = form.cleaned_data
            kwargs: dict[str, Any]
            if who == "practitioner":
                kwargs = {
                    "kind": RegistrantKind.PRACTITIONER,
                    "practitioner": data_["practitioner"],
                }
            elif who == "staff":
                kwargs = {"kind": RegistrantKind.STAFF, "user": data_["user"]}
            else:
                kwargs = {
                    "kind": data_["kind"],
                    "name": data_["name"],
                    "email": data_["email"],
                    "organisation_name": data_["organisation_name"],
                }
            try:
                registration, created = services.registration_add(actor=user, event=event, **kwargs)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                if created:
                    messages.success(request, f"{registration.name} is registered.")
                else:
                    messages.info(request, f"{registration.name} was already registered.")
                return redirect("events:detail", reference=reference)
        status = 400
    return render(
        request,
        "events/register.html",
        {
            "event": event,
            "practitioner_form": forms_by_who["practitioner"],
            "staff_form": forms_by_who["staff"],
            "person_form": forms_by_who["person"],
            # The one form that was sent with mistakes: its error summary goes at the top.
            "error_form": forms_by_who.get(who) if status == 400 else None,
            "error_title": status == 400,
            "is_full": event.capacity is not None and event.registered_count >= event.capacity,  # type: ignore[attr-defined]
        },
        status=status,
    )


@require_POST
def registration_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user = _manager(request)
    event = selectors.event_get(user=user, reference=reference)
    try:
        name = services.registration_remove(actor=user, event=event, registration_id=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if name is not None:
            messages.success(request, f"{name} is no longer registered.")
    return redirect("events:detail", reference=reference)


@require_http_methods(["GET", "POST"])
def event_attendance(request: HttpRequest, reference: str) -> HttpResponse:
    user = _manager(request)
    event = selectors.event_get(user=user, reference=reference)
    registrations = selectors.event_registrations(event=event)
    status = 200
    conflict = ""
    if request.method == "POST":
        form = AttendanceForm(request.POST, registrations=registrations)
        if form.is_valid():
            marks = [
                services.AttendanceMark(
                    registration_id=pk,
                    attended=attended,
                    completed=completed,
                    expected_version=version,
                )
                for pk, attended, completed, version in form.marks()
            ]
            try:
                services.attendance_record(actor=user, event=event, marks=marks)
            except StaleVersion as error:
                registrations = selectors.event_registrations(event=event)
                form = AttendanceForm(registrations=registrations)
                conflict = (
                    f"{error.message} Your changes have not been saved: "
                    "check the list below and save again."
                )
                status = 409
            except DomainError as error:
                add_domain_error(form, error)
                status = 400
            else:
                messages.success(request, "Attendance saved.")
                return redirect("events:detail", reference=reference)
        else:
            status = 400
    else:
        form = AttendanceForm(registrations=registrations)
    services.event_viewed(actor=user, event=event, registrations=registrations)
    return render(
        request,
        "events/attendance.html",
        {
            "event": event,
            "form": form,
            "refusal": _attendance_refusal(event),
            "conflict": conflict,
            "error_title": bool(conflict),
        },
        status=status,
    )


def _attendance_refusal(event: Event) -> str | None:
    try:
        services.attendance_can_be_taken(event=event)
    except DomainError as error:
        return error.message
    return None


@require_http_methods(["GET", "POST"])
def event_school_attendance(request: HttpRequest, reference: str) -> HttpResponse:
    user = _manager(request)
    event = selectors.event_get(user=user, reference=reference)
    if not event.is_school_session:
        raise Http404("Pupil numbers are recorded for school sessions only.")
    status = 200
    conflict = ""
    if request.method == "POST":
        form = SchoolAttendanceForm(request.POST)
        if form.is_valid():
            try:
                services.school_attendance_record(
                    actor=user,
                    event=event,
                    counts=form.counts(),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleVersion as error:
                event = selectors.event_get(user=user, reference=reference)
                form = SchoolAttendanceForm(
                    initial={
                        "version": event.version,
                        **selectors.school_attendance_counts(event=event),
                    }
                )
                conflict = (
                    f"{error.message} Your numbers have not been saved: "
                    "check the numbers below and save again."
                )
                status = 409
            except DomainError as error:
                add_domain_error(form, error)
                status = 400
            else:
                messages.success(request, "Pupil numbers saved.")
                return redirect("events:detail", reference=reference)
        else:
            status = 400
    else:
        form = SchoolAttendanceForm(
            initial={"version": event.version, **selectors.school_attendance_counts(event=event)}
        )
    return render(
        request,
        "events/school_attendance.html",
        {
            "event": event,
            "form": form,
            "refusal": _attendance_refusal(event),
            "conflict": conflict,
            "error_title": bool(conflict),
        },
        status=status,
    )


@require_GET
def event_attendance_csv(request: HttpRequest, reference: str) -> HttpResponse:
    user = _manager(request)
    event = selectors.event_get(user=user, reference=reference)
    registrations = selectors.event_registrations(event=event)
    services.attendance_exported(actor=user, event=event, registrations=registrations)
    response = HttpResponse(
        exports.attendance_csv(event=event, registrations=registrations),
        content_type="text/csv; charset=utf-8",
    )
    filename = exports.attendance_filename(event)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def event_ics(request: HttpRequest, reference: str) -> HttpResponse:
    user = _manager(request)
    event = selectors.event_get(user=user, reference=reference)
    return ics_response(event)


def ics_response(event: Event) -> HttpResponse:
    response = HttpResponse(ics.event_ical(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics.ical_filename(event)}"'
    return response
