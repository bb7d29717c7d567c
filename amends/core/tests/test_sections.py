"""Page sections: later apps add to an earlier app's page without the earlier app importing them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import RequestFactory

from amends.core import sections
from amends.core.sections import PageSection, page_sections, register


@pytest.fixture
def registry() -> Iterator[None]:
    saved = dict(sections._SECTIONS)
    sections._SECTIONS.clear()
    yield
    sections._SECTIONS.clear()
    sections._SECTIONS.update(saved)


def test_sections_render_in_order_and_empty_ones_are_left_out(registry):
    register(PageSection(page="p", name="b", render=lambda r, rec: f"<p>b {rec}</p>", order=20))
    register(PageSection(page="p", name="a", render=lambda r, rec: f"<p>a {rec}</p>", order=10))
    register(PageSection(page="p", name="hidden", render=lambda r, rec: "  ", order=5))
    register(PageSection(page="other", name="c", render=lambda r, rec: "<p>c</p>"))
    request = RequestFactory().get("/")
    assert page_sections("p", request, 7) == ["<p>a 7</p>", "<p>b 7</p>"]


def test_registering_twice_keeps_one(registry):
    section = PageSection(page="p", name="x", render=lambda r, rec: "<p>x</p>")
    register(section)
    register(section)
    assert page_sections("p", RequestFactory().get("/"), None) == ["<p>x</p>"]
