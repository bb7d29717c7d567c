"""The hub's support pages in a real browser, with axe-core on every page visited.

A hub manager adds a safety device (after a refused empty form) and reads the
agency directory; a caseworker records needs on a referral in triage, issues
that device, and refers the person on to the demo agency (after a refused empty
form); the agency's caseworker finds it in their list, reads exactly what was
sent, and accepts it. The referral itself stays 404 for them.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.totp import unused_code

pytestmark = pytest.mark.browser

PASSWORD = "Amends-demo-2026"
MANAGER = "manager@barnet-victim-care-hub.example"
CASEWORKER = "caseworker@barnet-victim-care-hub.example"
AGENCY_CASEWORKER = "caseworker@haven-advocacy.example"
SERIAL = "WALK-PA-0001"


def sign_in(page, email: str) -> None:
    page.goto("/staff/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/2fa/authenticate/"))
    page.get_by_label(re.compile("code", re.I)).first.fill(unused_code(email))
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/$"))


def visit(page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)


def test_support_pages_from_the_inventory_to_the_agency_accepting(browser, live_url):
    manager = browser.new_context(base_url=live_url, locale="en-GB").new_page()
    sign_in(manager, MANAGER)
    visit(manager, "/staff/hub/devices/")
    assert manager.get_by_role("heading", name="Stock on hand").is_visible()
    manager.get_by_role("link", name="Add a device").click()
    assert_accessible(manager)
    submit(manager, "Add device")
    assert manager.locator(".govuk-error-summary").is_visible()
    manager.get_by_label("Type of device").select_option("personal_alarm")
    manager.get_by_label("Serial number").fill(SERIAL.lower())
    submit(manager, "Add device")
    assert f"Personal alarm {SERIAL} added to the inventory." in manager.content()
    manager.get_by_role("link", name=SERIAL).click()
    assert_accessible(manager)
    visit(manager, "/staff/hub/agencies/")
    manager.get_by_role("link", name="Haven Advocacy Service").click()
    assert_accessible(manager)
    manager.get_by_role("link", name=re.compile("^Change")).click()
    assert_accessible(manager)
    manager.context.close()

    caseworker = browser.new_context(base_url=live_url, locale="en-GB").new_page()
    sign_in(caseworker, CASEWORKER)
    caseworker.locator("tr", has_text="In triage").first.locator("a").first.click()
    caseworker.wait_for_url(re.compile(r"/staff/referrals/RJ-"))
    reference = caseworker.url.rstrip("/").rsplit("/", 1)[-1]
    assert caseworker.get_by_role("heading", name="Safety devices").is_visible()
    assert_accessible(caseworker)

    caseworker.get_by_role("link", name=re.compile("needs assessment")).first.click()
    assert_accessible(caseworker)
    for legend in ("Safety", "Emotional wellbeing", "Practical help"):
        caseworker.get_by_role("group", name=legend).get_by_label("High need").check()
    for legend in ("Health", "Money", "Access needs"):
        caseworker.get_by_role("group", name=legend).get_by_label("No need").check()
    caseworker.get_by_role("group", name="Overall risk").get_by_label("High").check()
    submit(caseworker, "Save needs assessment")
    assert "Needs assessment saved." in caseworker.content()

    caseworker.get_by_role("link", name=re.compile("Issue a safety device")).click()
    assert_accessible(caseworker)
    caseworker.get_by_label("Device").select_option(label=f"Personal alarm: {SERIAL}")
    caseworker.locator("input[name=referral_person]").first.check()
    submit(caseworker, "Issue device")
    assert f"Personal alarm {SERIAL} issued to" in caseworker.content()

    caseworker.get_by_role("link", name=re.compile("Refer on to a specialist agency")).click()
    assert_accessible(caseworker)
    submit(caseworker, "Send onward referral")
    assert caseworker.locator(".govuk-error-summary").is_visible()
    assert "Confirm that the person agreed" in caseworker.content()
    caseworker.get_by_label("Agency", exact=True).select_option(
        label="Haven Advocacy Service (uses Amends)"
    )
    caseworker.locator("input[name=referral_person]").first.check()
    caseworker.get_by_label("Name", exact=True).check()
    caseworker.get_by_label("Summary of needs").check()
    caseworker.get_by_label(re.compile("What are you asking")).fill("Please offer an adviser.")
    caseworker.get_by_label(re.compile("The person agreed")).check()
    submit(caseworker, "Send onward referral")
    banner = caseworker.locator(".govuk-notification-banner").inner_text()
    onward = re.search(r"OR-[0-9A-Z]{4}-[0-9A-Z]{4}", banner)
    assert onward, banner
    caseworker.context.close()

    agency = browser.new_context(base_url=live_url, locale="en-GB").new_page()
    sign_in(agency, AGENCY_CASEWORKER)
    agency.get_by_role("link", name="Onward referrals").click()
    assert_accessible(agency)
    agency.get_by_role("link", name=onward.group(0)).click()
    assert_accessible(agency)
    text = agency.content()
    assert "Please offer an adviser." in text
    assert "Safety: high need" in text
    assert reference not in text
    agency.get_by_label("Accepted").check()
    agency.get_by_label("Note").fill("Allocated to an adviser.")
    submit(agency, "Save")
    assert "‘accepted’" in agency.content()
    response = agency.goto(f"/staff/referrals/{reference}/")
    assert response is not None
    assert response.status == 404
    agency.context.close()
