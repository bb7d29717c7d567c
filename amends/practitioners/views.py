"""The volunteer coordinator's pages: the recruitment pipeline and practitioners' records.

Thin views over the selectors and services. The volunteer coordinator changes
records; the provider coordinator reads them; a facilitator reads their own
("My practice record"). Every page that shows a person is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from amends.accounts.models import Role, User
from amends.core.errors import DomainError, StaleVersion
from amends.core.scoping import get_or_404
from amends.practitioners import selectors, services
from amends.practitioners.compliance import add_months, practitioner_status
from amends.practitioners.forms import (
    AddStaffForm,
    CpdEntryForm,
    DbsCheckForm,
    ObservationForm,
    PractitionerDetailsForm,
    PractitionerFilterForm,
    RefereeAddForm,
    RefereeRecordForm,
    SupervisionForm,
    TrainingRecordForm,
    TransitionForm,
    availability_label,
)
from amends.practitioners.models import AccreditationRole, Practitioner, PractitionerState
from amends.practitioners.workflow import PRACTITIONER_WORKFLOW, next_steps


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "core/errors/403.html", status=403)


# --- the pipeline ----------------------------------------------------------------------------


def practitioner_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.can_list_practitioners(user):
        if user.has_role(Role.FACILITATOR):
            return redirect("practitioners:mine")
        raise Http404("No such page.")
    filter_form = PractitionerFilterForm(request.GET)
    filters = filter_form.filters()
    paginator = Paginator(
        selectors.practitioner_list(user=user, **filters), settings.AMENDS_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    services.practitioners_listed(actor=user, practitioners=list(page.object_list))
    counts = selectors.practitioner_state_counts(
        user=user, kind=filters["kind"], role=filters["role"], search=filters["search"]
    )
    return render(
        request,
        "practitioners/practitioner_list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "filters": filters,
            "state_counts": counts,
            "total": sum(n for _, _, n in counts),
            "can_change": selectors.can_change_practitioners(user),
        },
    )


def _detail_context(request: HttpRequest, practitioner: Practitioner) -> dict[str, Any]:
    user = _user(request)
    today = timezone.localdate()
    can_change = selectors.can_change_practitioners(user)
    steps = next_steps(practitioner, user) if can_change else []
    application = getattr(practitioner, "application", None)
    roles = dict(AccreditationRole.choices)
    return {
        "practitioner": practitioner,
        "application": application,
        "roles_interested": [
            roles.get(role, role) for role in (application.roles_interested if application else [])
        ],
        "status": practitioner_status(practitioner, on=today),
        "dbs_checks": [
            (check, add_months(check.issue_date, settings.DBS_RENEWAL_MONTHS))
            for check in practitioner.dbs_checks.all()
        ],
        "availability": [availability_label(code) for code in practitioner.availability],
        "history": selectors.practitioner_history(practitioner=practitioner),
        "state_labels": PRACTITIONER_WORKFLOW.state_labels,
        "can_change": can_change,
        "open": practitioner.state not in services.CLOSED_STATES,
        "next_steps": steps,
        "practising": practitioner.state
        in {PractitionerState.ACCREDITED, PractitionerState.ACTIVE, PractitionerState.PAUSED},
    }


def practitioner_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    practitioner = selectors.practitioner_get(user=user, reference=reference)
    services.practitioner_viewed(actor=user, practitioner=practitioner)
    return render(
        request, "practitioners/practitioner_detail.html", _detail_context(request, practitioner)
    )


def practitioner_mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    practitioner = selectors.practitioner_own(user=user)
    if practitioner is None:
        return render(request, "practitioners/practitioner_mine_none.html")
    services.practitioner_viewed(actor=user, practitioner=practitioner)
    context = _detail_context(request, practitioner)
    context["mine"] = True
    return render(request, "practitioners/practitioner_detail.html", context)


# --- status ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def practitioner_transition(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    practitioner = selectors.practitioner_get(user=user, reference=reference)
    if not selectors.can_change_practitioners(user):
        return _forbidden(request)
    steps = next_steps(practitioner, user)
    labels = PRACTITIONER_WORKFLOW.state_labels
    status = 200
    if request.method == "POST":
        loaded = request.POST.get("version", "")
        if loaded.isdigit() and int(loaded) != practitioner.version:
            if request.POST.get("to_state") == practitioner.state:
                # Sent twice (a double click): the first one moved them already.
                return redirect("practitioners:detail", reference=reference)
            # Changed since the page was loaded: the steps offered then may not apply now.
            return _conflict(request, user, reference)
        form = TransitionForm(request.POST, transitions=steps, state_labels=labels)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.practitioner_transition(
                    actor=user,
                    practitioner=practitioner,
                    to_state=data["to_state"],
                    reason=data["reason"],
                    expected_version=data["version"],
                    accreditation_role=data["accreditation_role"],
                    level=data["level"],
                )
            except StaleVersion:
                current = selectors.practitioner_get(user=user, reference=reference)
                if current.state != data["to_state"]:
                    return _conflict(request, user, reference)
                # Sent twice (a double click): the first one did it.
                return redirect("practitioners:detail", reference=reference)
            except DomainError as error:
                form.add_error("to_state", error.message)
            else:
                label = labels[data["to_state"]]
                messages.success(request, f"{practitioner.full_name} moved to ‘{label}’.")
                return redirect("practitioners:detail", reference=reference)
        status = 400
    else:
        services.practitioner_viewed(actor=user, practitioner=practitioner)
        form = TransitionForm(
            initial={
                "version": practitioner.version,
                "accreditation_role": practitioner.accreditation_role,
                "level": practitioner.level,
            },
            transitions=steps,
            state_labels=labels,
        )
    return render(
        request,
        "practitioners/practitioner_transition.html",
        {"practitioner": practitioner, "form": form, "steps": steps},
        status=status,
    )


def _conflict(
    request: HttpRequest,
    user: User,
    reference: str,
    form: PractitionerDetailsForm | None = None,
) -> HttpResponse:
    """409: the record changed since the form was loaded: theirs against what is saved."""
    current = selectors.practitioner_get(user=user, reference=reference)
    comparison = []
    if form is not None:
        saved = {**PractitionerDetailsForm.initial_for(current), "user": current.user}
        for field in form.visible_fields():
            yours = _shown(field.field, form.cleaned_data.get(field.name))
            comparison.append((field.label, yours, _shown(field.field, saved.get(field.name))))
    return render(
        request,
        "practitioners/practitioner_conflict.html",
        {"practitioner": current, "comparison": comparison},
        status=409,
    )


def _differs(form: PractitionerDetailsForm, current: Practitioner) -> bool:
    """Whether what the form asks for is not what is saved now."""
    saved = {**PractitionerDetailsForm.initial_for(current), "user": current.user}
    return any(
        _shown(form.fields[name], value) != _shown(form.fields[name], saved.get(name))
        for name, value in form.changes().items()
    )


def _shown(field: forms.Field, value: Any) -> str:
    """A form value as the page shows it: choice labels, a user's email, blank for nothing."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(field, forms.ModelChoiceField):
        return str(getattr(value, "email", value))
    choices = dict(getattr(field, "choices", ()))
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return str(choices.get(value, value))


# --- details ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def practitioner_edit(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    practitioner = selectors.practitioner_get(user=user, reference=reference)
    if not selectors.can_change_practitioners(user):
        return _forbidden(request)
    sign_ins = selectors.facilitator_sign_ins(practitioner=practitioner)
    status = 200
    if request.method == "POST":
        form = PractitionerDetailsForm(request.POST, practitioner=practitioner, sign_ins=sign_ins)
        if form.is_valid():
            try:
                services.practitioner_update(
                    actor=user,
                    practitioner=practitioner,
                    expected_version=form.cleaned_data["version"],
                    changes=form.changes(),
                )
            except StaleVersion:
                current = selectors.practitioner_get(user=user, reference=reference)
                if not _differs(form, current):
                    # Sent twice (a double click): the first one saved it.
                    return redirect("practitioners:detail", reference=reference)
                return _conflict(request, user, reference, form)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Details saved.")
                return redirect("practitioners:detail", reference=reference)
        status = 400
    else:
        services.practitioner_viewed(actor=user, practitioner=practitioner)
        form = PractitionerDetailsForm(
            initial=PractitionerDetailsForm.initial_for(practitioner),
            practitioner=practitioner,
            sign_ins=sign_ins,
        )
    return render(
        request,
        "practitioners/practitioner_edit.html",
        {"practitioner": practitioner, "form": form},
        status=status,
    )


# --- one page per record type ------------------------------------------------------------------

# Saves one record from a valid form's data, through a service.
RecordSave = Callable[[User, Practitioner, dict[str, Any]], Any]


def _record_page(
    request: HttpRequest,
    reference: str,
    *,
    form_class: type[forms.Form],
    save: RecordSave,
    template: str,
    done: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    user = _user(request)
    practitioner = selectors.practitioner_get(user=user, reference=reference)
    if not selectors.can_change_practitioners(user):
        return _forbidden(request)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                save(user, practitioner, form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, done)
                return redirect("practitioners:detail", reference=reference)
        status = 400
    else:
        services.practitioner_viewed(actor=user, practitioner=practitioner)
        form = form_class()
    context = {"practitioner": practitioner, "form": form, **(extra or {})}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def dbs_check_add(request: HttpRequest, reference: str) -> HttpResponse:
    def save(user: User, practitioner: Practitioner, data: dict[str, Any]) -> Any:
        return services.dbs_check_record(
            actor=user,
            practitioner=practitioner,
            certificate_number=data["certificate_number"],
            issue_date=data["issue_date"],
            outcome=data["outcome"],
            update_service=data["update_service"],
        )

    return _record_page(
        request,
        reference,
        form_class=DbsCheckForm,
        save=save,
        template="practitioners/record_dbs.html",
        done="DBS check recorded.",
        extra={"renewal_months": settings.DBS_RENEWAL_MONTHS},
    )


@require_http_methods(["GET", "POST"])
def training_add(request: HttpRequest, reference: str) -> HttpResponse:
    def save(user: User, practitioner: Practitioner, data: dict[str, Any]) -> Any:
        return services.training_record_add(
            actor=user,
            practitioner=practitioner,
            course=data["course"],
            completed_on=data["completed_on"],
            hours=data["hours"],
            title=data["title"],
            trainer=data["trainer"],
        )

    return _record_page(
        request,
        reference,
        form_class=TrainingRecordForm,
        save=save,
        template="practitioners/record_training.html",
        done="Training recorded.",
    )


@require_http_methods(["GET", "POST"])
def supervision_add(request: HttpRequest, reference: str) -> HttpResponse:
    def save(user: User, practitioner: Practitioner, data: dict[str, Any]) -> Any:
        return services.supervision_record(
            actor=user,
            practitioner=practitioner,
            held_on=data["held_on"],
            supervisor=data["supervisor"],
            notes=data["notes"],
        )

    return _record_page(
        request,
        reference,
        form_class=SupervisionForm,
        save=save,
        template="practitioners/record_supervision.html",
        done="Supervision recorded.",
        extra={"supervision_weeks": settings.SUPERVISION_INTERVAL_WEEKS},
    )


@require_http_methods(["GET", "POST"])
def supervision_correct(request: HttpRequest, reference: str, session_id: int) -> HttpResponse:
    """Correct a supervision record: the form starts from what was recorded."""
    user = _user(request)
    practitioner = selectors.practitioner_get(user=user, reference=reference)
    session = get_or_404(practitioner.supervision_sessions.all(), pk=session_id)
    if not selectors.can_change_practitioners(user):
        return _forbidden(request)
    status = 200
    if request.method == "POST":
        form = SupervisionForm(request.POST)
        if form.is_valid():
            try:
                services.supervision_correct(
                    actor=user,
                    session=session,
                    held_on=form.cleaned_data["held_on"],
                    supervisor=form.cleaned_data["supervisor"],
                    notes=form.cleaned_data["notes"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Supervision record corrected.")
                return redirect("practitioners:detail", reference=reference)
        status = 400
    else:
        services.practitioner_viewed(actor=user, practitioner=practitioner)
        form = SupervisionForm(
            initial={
                "held_on": session.held_on,
                "supervisor": session.supervisor,
                "notes": session.notes,
            }
        )
    context = {
        "practitioner": practitioner,
        "form": form,
        "supervision_weeks": settings.SUPERVISION_INTERVAL_WEEKS,
        "correcting": session,
    }
    return render(request, "practitioners/record_supervision.html", context, status=status)


@require_http_methods(["GET", "POST"])
def observation_add(request: HttpRequest, reference: str) -> HttpResponse:
    def save(user: User, practitioner: Practitioner, data: dict[str, Any]) -> Any:
        return services.observation_record(
            actor=user,
            practitioner=practitioner,
            observed_on=data["observed_on"],
            observer=data["observer"],
            satisfactory=data["satisfactory"] == "yes",
            notes=data["notes"],
        )

    return _record_page(
        request,
        reference,
        form_class=ObservationForm,
        save=save,
        template="practitioners/record_observation.html",
        done="Observed practice recorded.",
    )


@require_http_methods(["GET", "POST"])
def cpd_add(request: HttpRequest, reference: str) -> HttpResponse:
    def save(user: User, practitioner: Practitioner, data: dict[str, Any]) -> Any:
        return services.cpd_entry_add(
            actor=user,
            practitioner=practitioner,
            completed_on=data["completed_on"],
            activity=data["activity"],
            hours=data["hours"],
            evidence=data["evidence"],
        )

    return _record_page(
        request,
        reference,
        form_class=CpdEntryForm,
        save=save,
        template="practitioners/record_cpd.html",
        done="CPD recorded.",
    )


@require_http_methods(["GET", "POST"])
def referee_add(request: HttpRequest, reference: str) -> HttpResponse:
    def save(user: User, practitioner: Practitioner, data: dict[str, Any]) -> Any:
        return services.referee_add(
            actor=user,
            practitioner=practitioner,
            name=data["name"],
            relationship=data["relationship"],
            email=data["email"],
            phone=data["phone"],
        )

    return _record_page(
        request,
        reference,
        form_class=RefereeAddForm,
        save=save,
        template="practitioners/record_referee_add.html",
        done="Referee added.",
    )


@require_http_methods(["GET", "POST"])
def referee_record(request: HttpRequest, reference: str, referee_id: int) -> HttpResponse:
    user = _user(request)
    practitioner = selectors.practitioner_get(user=user, reference=reference)
    referee = selectors.referee_get(practitioner=practitioner, referee_id=referee_id)

    def save(user: User, practitioner: Practitioner, data: dict[str, Any]) -> Any:
        return services.referee_record(
            actor=user,
            referee=referee,
            received_on=data["received_on"],
            satisfactory=data["satisfactory"] == "yes",
            notes=data["notes"],
        )

    return _record_page(
        request,
        reference,
        form_class=RefereeRecordForm,
        save=save,
        template="practitioners/record_reference.html",
        done=f"Reference from {referee.name} recorded.",
        extra={"referee": referee},
    )


@require_POST
def referee_request(request: HttpRequest, reference: str, referee_id: int) -> HttpResponse:
    user = _user(request)
    practitioner = selectors.practitioner_get(user=user, reference=reference)
    referee = selectors.referee_get(practitioner=practitioner, referee_id=referee_id)
    if not selectors.can_change_practitioners(user):
        return _forbidden(request)
    try:
        services.referee_request(actor=user, referee=referee)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Reference from {referee.name} marked as requested today.")
    return redirect("practitioners:detail", reference=reference)


# --- staff ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def add_staff(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.can_list_practitioners(user):
        raise Http404("No such page.")
    if not selectors.can_change_practitioners(user):
        return _forbidden(request)
    candidates = selectors.staff_who_may_be_added(user=user)
    status = 200
    if request.method == "POST":
        form = AddStaffForm(request.POST, candidates=candidates)
        if form.is_valid():
            data = form.cleaned_data
            try:
                practitioner = services.practitioner_add_staff(
                    actor=user,
                    user=data["user"],
                    phone=data["phone"],
                    course=data["course"],
                    completed_on=data["completed_on"],
                    hours=data["hours"],
                    trainer=data["trainer"],
                    accreditation_role=data["accreditation_role"],
                    level=data["level"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"{practitioner.full_name} added as a practitioner.")
                return redirect("practitioners:detail", reference=practitioner.reference)
        status = 400
    else:
        form = AddStaffForm(candidates=candidates)
    return render(request, "practitioners/add_staff.html", {"form": form}, status=status)
