from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amends.accounts.models import Role, User
from amends.accounts.selectors import organisation_users


def user_list(request: HttpRequest) -> HttpResponse:
    admin = request.user
    assert isinstance(admin, User)
    if not admin.has_role(Role.ADMINISTRATOR) or admin.organisation is None:
        return render(request, "core/errors/404.html", status=404)
    users = organisation_users(organisation=admin.organisation)
    return render(request, "accounts/user_list.html", {"users": users})
