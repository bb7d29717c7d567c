"""The people pages: an organisation's administrators invite people, give roles, disable accounts.

Every page is a 404 to anyone who is not an administrator of the organisation
(selectors.administered_organisation) and every person is reached through
selectors.organisation_user_get, so another organisation's people are 404s too.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amends.accounts import selectors, services
from amends.accounts.forms import UserInviteForm, UserRolesForm
from amends.accounts.models import User
from amends.core.errors import DomainError

# Which form field shows a refusal from the services; anything else goes on top.
_ERROR_FIELDS = {
    services.EMAIL_IN_USE: "email",
    services.NOT_ALLOWED: "roles",
    "no_roles": "roles",
    "own_administrator_role": "roles",
}


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _posted(request: HttpRequest) -> QueryDict | None:
    # Not `request.POST or None`: a form posted with every box unticked is empty, yet posted.
    return request.POST if request.method == "POST" else None


def _add_domain_error(form: UserInviteForm | UserRolesForm, error: DomainError) -> None:
    field = _ERROR_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, error.message)


@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    organisation = selectors.administered_organisation(actor=actor)
    paginator = Paginator(
        selectors.organisation_users(organisation=organisation), settings.AMENDS_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    services.users_listed(actor=actor, users=page.object_list)
    return render(request, "accounts/user_list.html", {"organisation": organisation, "page": page})


@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    organisation = selectors.administered_organisation(actor=actor)
    form = UserInviteForm(_posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_invite(
                actor=actor,
                organisation=organisation,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
            )
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            messages.success(request, f"Invitation sent to {user.email}.")
            return redirect("accounts:user_detail", pk=user.pk)
    return render(
        request,
        "accounts/user_invite.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    person = selectors.organisation_user_get(actor=actor, pk=pk)
    services.user_viewed(actor=actor, user=person)
    return render(request, "accounts/user_detail.html", {"person": person})


@require_http_methods(["GET", "POST"])
def user_roles(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    person = selectors.organisation_user_get(actor=actor, pk=pk)
    assert person.organisation is not None
    form = UserRolesForm(
        _posted(request),
        organisation=person.organisation,
        initial={"roles": sorted(person.roles)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_roles_set(actor=actor, user=person, roles=form.cleaned_data["roles"])
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            messages.success(request, f"Roles changed for {person.full_name}.")
            return redirect("accounts:user_detail", pk=person.pk)
    return render(
        request,
        "accounts/user_roles.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )


def _access(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    actor = _actor(request)
    person = selectors.organisation_user_get(actor=actor, pk=pk)
    error = None
    if person.pk == actor.pk:
        error = "You cannot disable or enable your own account."
    elif request.method == "POST":
        try:
            if active:
                services.user_reactivate(actor=actor, user=person)
            else:
                services.user_deactivate(actor=actor, user=person)
        except DomainError as refused:
            error = refused.message
        else:
            done = "enabled" if active else "disabled"
            messages.success(request, f"{person.full_name}’s account is {done}.")
            return redirect("accounts:user_detail", pk=person.pk)
    return render(
        request,
        "accounts/user_access.html",
        {"person": person, "enable": active, "error": error, "error_title": bool(error)},
        status=400 if error and request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def user_disable(request: HttpRequest, pk: int) -> HttpResponse:
    return _access(request, pk, active=False)


@require_http_methods(["GET", "POST"])
def user_enable(request: HttpRequest, pk: int) -> HttpResponse:
    return _access(request, pk, active=True)


@require_POST
def user_invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    person = selectors.organisation_user_get(actor=actor, pk=pk)
    try:
        services.user_invitation_resend(actor=actor, user=person)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Invitation sent again to {person.email}.")
    return redirect("accounts:user_detail", pk=person.pk)
