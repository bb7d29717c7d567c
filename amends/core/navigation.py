"""Staff navigation by role: each app registers its entries in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in with an organisation
    order: int = 100


_ENTRIES: list[NavEntry] = []


def register(entry: NavEntry) -> None:
    if entry not in _ENTRIES:
        _ENTRIES.append(entry)


def staff_navigation(request: HttpRequest) -> list[dict[str, object]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/staff/"):
        return []
    roles: frozenset[str] = getattr(user, "roles", frozenset())
    items = []
    for entry in sorted(_ENTRIES, key=lambda e: (e.order, e.label)):
        if entry.roles is not None and not entry.roles & roles:
            continue
        href = reverse(entry.url_name)
        active = request.path == href if href == "/staff/" else request.path.startswith(href)
        items.append({"text": entry.label, "href": href, "active": active})
    return items
