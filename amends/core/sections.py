"""Sections that a later app adds to a page of an earlier one.

Imports point one way along the pipeline, so the referral page (referrals)
cannot import what the hub or the cases app hold about it. Instead each later
app registers a section in its AppConfig.ready(), and the page renders every
section registered for it: `page_sections("referrals:detail", request, referral)`.

A section's `render(request, record)` returns its HTML, or "" when the user may
not see it. It fetches what it shows in a fixed number of queries, so that the
page's query count stays constant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class PageSection:
    page: str
    name: str
    render: Callable[[HttpRequest, Any], str]
    order: int = 100


_SECTIONS: dict[tuple[str, str], PageSection] = {}


def register(section: PageSection) -> None:
    """Add (or replace, by page and name) a section; calling it twice is harmless."""
    _SECTIONS[(section.page, section.name)] = section


def page_sections(page: str, request: HttpRequest, record: Any) -> list[SafeString]:
    """The HTML of each section registered for `page`, in order, leaving out empty ones."""
    sections = sorted(
        (s for s in _SECTIONS.values() if s.page == page), key=lambda s: (s.order, s.name)
    )
    rendered = []
    for section in sections:
        html = section.render(request, record)
        if html.strip():
            # Rendered by Django templates, which escape what they show.
            rendered.append(mark_safe(html))  # noqa: S308
    return rendered
