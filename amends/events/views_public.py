"""The public events page: public, upcoming events, each with an iCalendar file.

Nothing about who registered is ever shown or put in a file here.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from amends.events import selectors
from amends.events.views import ics_response

PUBLIC_PAGE_SIZE = 20


@require_GET
def public_event_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.public_events(), PUBLIC_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "events/public_list.html", {"page": page})


@require_GET
def public_event_ics(request: HttpRequest, reference: str) -> HttpResponse:
    return ics_response(selectors.public_event_get(reference=reference))
