"""The API keys page: an organisation's administrators see their keys and revoke them.

Every page is a 404 to anyone who is not an administrator of the organisation,
and another organisation's key is a 404 too (selectors.administered_api_key_get).
Keys are made with `amends create-api-key`, which shows the key once.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from amends.accounts.models import User
from amends.accounts.selectors import administered_organisation
from amends.api import selectors, services


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
def api_key_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    organisation = administered_organisation(actor=actor)
    api_keys = list(selectors.organisation_api_keys(organisation=organisation))
    services.api_keys_listed(actor=actor, api_keys=api_keys)
    return render(
        request, "api/api_key_list.html", {"organisation": organisation, "api_keys": api_keys}
    )


@require_http_methods(["GET", "POST"])
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    api_key = selectors.administered_api_key_get(actor=actor, pk=pk)
    if api_key.revoked_at is None and request.method == "POST":
        services.api_key_revoke(actor=actor, api_key=api_key)
        messages.success(request, f"The key “{api_key.name}” is revoked.")
        return redirect("api_keys:list")
    return render(request, "api/api_key_revoke.html", {"api_key": api_key})
