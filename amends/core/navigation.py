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
    items: list[dict[str, object]] = []
    for entry in sorted(_ENTRIES, key=lambda e: (e.order, e.label)):
        if entry.roles is not None and not entry.roles & roles:
            continue
        href = reverse(entry.url_name)
        items.append({"text": entry.label, "href": href, "active": False})
    # The entry whose address is the longest start of this page's is the current one:
    # /staff/hub/devices/ is "Safety devices", not "Queue" at /staff/hub/.
    matching = [
        item
        for item in items
        if request.path == item["href"]
        or (item["href"] != "/staff/" and request.path.startswith(str(item["href"])))
    ]
    if matching:
        max(matching, key=lambda item: len(str(item["href"])))["active"] = True
    return items
