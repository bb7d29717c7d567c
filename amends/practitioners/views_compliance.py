"""The allocation page and the compliance dashboard: thin views over `compliance`.

Both are for the RJ provider's coordinators (anyone else gets a 403) and list
only their own provider's practitioners; each page is audited, as it names people.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from amends.accounts.models import User
from amends.practitioners import compliance


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
def allocation(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    provider = compliance.compliance_provider(user=user)
    today = timezone.localdate()
    rows = [
        (practitioner, status, compliance.availability_text(practitioner))
        for practitioner, status in compliance.practitioners_for_allocation(
            provider=provider, on=today
        )
    ]
    compliance.practitioners_listed(
        actor=user, practitioners=[row[0] for row in rows], page="allocation"
    )
    return render(
        request,
        "practitioners/compliance/allocation.html",
        {
            "provider": provider,
            "on": today,
            "rule": compliance.eligibility_rule(),
            "available": [row for row in rows if row[1].eligible],
            "not_available": [row for row in rows if not row[1].eligible],
        },
    )


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    provider = compliance.compliance_provider(user=user)
    overview = compliance.compliance_overview(provider=provider, on=timezone.localdate())
    compliance.practitioners_listed(actor=user, practitioners=overview.listed, page="compliance")
    return render(
        request,
        "practitioners/compliance/dashboard.html",
        {"provider": provider, "overview": overview},
    )
