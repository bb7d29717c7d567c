"""What every hub support page shares: the signed-in user, refusals, service errors on forms."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from amends.accounts.models import User
from amends.core.errors import DomainError


def signed_in_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "core/errors/403.html", status=403)


def add_service_error(form: forms.Form, error: DomainError) -> None:
    """Show a refusal on the field it is about (`SupportRefused.field`), else above the form."""
    field = getattr(error, "field", "")
    form.add_error(field if field in form.fields else None, error.message)


def with_version(data: QueryDict, version: int) -> QueryDict:
    """The submitted data, carrying the record's current version (after a conflict)."""
    copied = data.copy()
    copied["version"] = str(version)
    return copied
