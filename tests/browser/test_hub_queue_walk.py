"""The hub queue in a real browser: views, filters, search, bulk allocation, each caseworker's load.

The Barnet hub manager opens the queue, looks at what is overdue, filters and
searches, allocates two new referrals to a caseworker at once, and checks the
caseworkers' load; the caseworker then finds them under "Mine". axe-core runs on
every page visited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.totp import unused_code

pytestmark = pytest.mark.browser

PASSWORD = "Amends-demo-2026"
MANAGER = "manager@barnet-victim-care-hub.example"
CASEWORKER = "caseworker@barnet-victim-care-hub.example"
CASEWORKER_NAME = "Sam Patel"
REFERENCE = re.compile(r"RJ-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture(scope="module")
def sign_in(browser, live_url) -> Iterator[Any]:
    """A browser of its own for each person, signed in once with password and TOTP."""
    contexts = []

    def signed_in(email: str) -> Any:
        context = browser.new_context(base_url=live_url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.goto("/staff/account/login/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/2fa/authenticate/"))
        page.get_by_label(re.compile("code", re.I)).first.fill(unused_code(email))
        page.get_by_role("button", name="Continue", exact=True).click()
        page.wait_for_url(lambda url: "/account/" not in url)
        return page

    yield signed_in
    for context in contexts:
        context.close()


def references_listed(page: Any) -> list[str]:
    cells = page.locator("table.govuk-table tbody tr td a.govuk-link").all_inner_texts()
    return [text for text in cells if REFERENCE.fullmatch(text)]


def test_the_manager_works_the_queue_and_allocates(sign_in):
    page = sign_in(MANAGER)
    page.get_by_role("link", name="Queue", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/hub/$"))
    assert_accessible(page)
    assert page.get_by_role("heading", name="Queue", level=1).is_visible()

    views = page.get_by_role("navigation", name="Views of the queue")
    views.get_by_role("link", name=re.compile(r"^Overdue \(\d+\)$")).click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "view=overdue" in page.url

    # Filter and sort, opened from its details element.
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Status").select_option(label="New")
    page.get_by_label("Sort by").select_option(label="Received, newest first")
    page.get_by_role("button", name="Search and filter").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "state=new" in page.url
    assert "view=overdue" in page.url

    # A search that matches nothing says so; a bad filter value is explained.
    page.goto("/staff/hub/?q=Zzyzx")
    assert_accessible(page)
    assert page.get_by_text("No open referrals match your search and filters.").is_visible()
    page.goto("/staff/hub/?state=closed")
    assert_accessible(page)
    assert page.get_by_role("link", name="Choose a status from the list").is_visible()

    # Two open referrals, allocated to Sam Patel at once.
    page.goto("/staff/hub/?view=all")
    assert_accessible(page)
    chosen = references_listed(page)[:2]
    assert len(chosen) == 2
    for reference in chosen:
        page.get_by_label(f"Select referral {reference}").check()
    page.get_by_label("Allocate the selected referrals to").select_option(label=CASEWORKER_NAME)
    page.get_by_role("button", name="Allocate selected referrals").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.get_by_text(f"2 referrals allocated to {CASEWORKER_NAME}").is_visible()

    # Nothing ticked: the error summary says what to do.
    page.get_by_role("button", name="Allocate selected referrals").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.get_by_role("link", name="Select at least one referral to allocate").is_visible()

    page.get_by_role("link", name="Caseworkers", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.get_by_role("row", name=re.compile(CASEWORKER_NAME)).is_visible()

    # The caseworker finds them under "Mine", and each page shows its deadlines.
    page = sign_in(CASEWORKER)
    page.goto("/staff/hub/?view=mine")
    assert_accessible(page)
    mine = page.get_by_role("link", name=re.compile(r"^Mine \(\d+\)$"))
    assert mine.get_attribute("aria-current") == "page"
    page.goto("/staff/hub/?view=mine&q=" + chosen[0])
    assert references_listed(page) == [chosen[0]]
    page.get_by_role("link", name=chosen[0]).click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.get_by_role("heading", name="Deadlines").is_visible()
    # The caseworkers' load is the manager's page.
    response = page.goto("/staff/hub/caseworkers/")
    assert response is not None
    assert response.status == 403
