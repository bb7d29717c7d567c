"""A new referral through the victim care hub to the RJ provider, in a real browser.

The hub manager allocates it; the caseworker is refused a contact channel the person
said is unsafe, then reaches them, records their needs, issues a safety device and
refers them on to a specialist agency, whose caseworker accepts; the caseworker
records consent to share and hands off; the provider coordinator accepts the case.
Until the hand-off the provider's users get 404 on the referral and find it nowhere;
after it they see the case, never the referral. axe-core runs on every page visited.
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
AGENCY = "caseworker@haven-advocacy.example"
PROVIDER = "coordinator@calm-mediation.example"
PROVIDER_NAME = "Calm Mediation"
REFERENCE = re.compile(r"RJ-[0-9A-Z]{4}-[0-9A-Z]{4}")
CASE_REFERENCE = re.compile(r"CS-[0-9A-Z]{4}-[0-9A-Z]{4}")
# The ways of contact a person may call safe, as the contact form labels them.
CHANNELS = ("Phone call", "Text message", "Email")


@pytest.fixture(scope="module")
def sign_in(browser, live_url) -> Iterator[Any]:
    """A browser of its own for each person, signed in once with password and TOTP.

    Once per module: a TOTP code is accepted once, so a second sign-in in the same
    30 seconds would be refused.
    """
    contexts = []
    pages: dict[str, Any] = {}

    def signed_in(email: str) -> Any:
        if email in pages:
            return pages[email]
        context = browser.new_context(base_url=live_url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        pages[email] = page
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


def visit(page: Any, path: str, *, status: int = 200) -> Any:
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path}: {response.status}"
    assert_accessible(page)
    return response


def submit(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)


def follow(page: Any, link: str | re.Pattern[str]) -> None:
    page.get_by_role("link", name=link).first.click()
    page.wait_for_load_state()
    assert_accessible(page)


def change_status(page: Any, to: str) -> None:
    page.get_by_label("New status").select_option(label=to)
    submit(page, "Change status")
    assert page.locator("h1 + p .govuk-tag").first.inner_text() == to


def provider_sees_nothing_of(page: Any, reference: str) -> None:
    """The provider's users: 404 on the referral, and it is in none of their lists or searches."""
    for path in (
        f"/staff/referrals/{reference}/",
        f"/staff/cases/hand-off/{reference}/",
        f"/staff/hub/referrals/{reference}/contact/",
    ):
        visit(page, path, status=404)
    for path in ("/staff/", "/staff/cases/", "/staff/cases/?state=returned"):
        visit(page, path)
        assert reference not in page.content()
    response = page.goto(f"/staff/hub/?q={reference}")
    assert response is not None
    assert response.status in {403, 404}
    assert reference not in page.content()


def test_a_caseworker_takes_a_new_referral_to_the_rj_provider(sign_in):
    # The hub manager opens a new, unallocated referral from the queue and allocates it.
    manager = sign_in(MANAGER)
    visit(manager, "/staff/hub/?view=new")
    manager.locator("table.govuk-table tbody").get_by_role("link", name=REFERENCE).first.click()
    manager.wait_for_url(re.compile(r"/staff/referrals/RJ-"))
    assert_accessible(manager)
    found = REFERENCE.search(manager.locator("h1").inner_text())
    assert found is not None
    reference = found.group(0)
    referral_path = f"/staff/referrals/{reference}/"

    provider = sign_in(PROVIDER)
    provider_sees_nothing_of(provider, reference)

    manager.get_by_label("Caseworker").select_option(label=CASEWORKER_NAME)
    submit(manager, "Allocate")
    assert f"Allocated to {CASEWORKER_NAME}" in manager.content()

    # The caseworker starts contacting the person, in the ways they said are safe.
    caseworker = sign_in(CASEWORKER)
    visit(caseworker, referral_path)
    change_status(caseworker, "Contacting")
    follow(caseworker, "Record a contact attempt")
    safe_ways = caseworker.locator("dt", has_text="Safe ways").locator("xpath=..").inner_text()
    unsafe = next(channel for channel in CHANNELS if channel not in safe_ways)
    safe = next((channel for channel in CHANNELS if channel in safe_ways), "In person")

    caseworker.get_by_label(unsafe, exact=True).check()
    caseworker.get_by_label("No answer", exact=True).check()
    submit(caseworker, "Record the attempt")
    summary = caseworker.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert f"{unsafe} is not safe for" in summary.inner_text()

    caseworker.get_by_label(safe, exact=True).check()
    caseworker.get_by_label("Spoke to the person", exact=True).check()
    submit(caseworker, "Record the attempt")
    assert "Contact attempt recorded." in caseworker.content()
    submit(caseworker, "Move to triage")
    assert caseworker.locator("h1 + p .govuk-tag").first.inner_text() == "In triage"

    # Their needs, a safety device, and an onward referral to a specialist agency.
    follow(caseworker, re.compile("^Record a needs assessment"))
    for area in ("safety", "emotional", "practical", "health", "financial", "access"):
        level = "high" if area == "safety" else "none"
        caseworker.locator(f"input[name={area}_level][value={level}]").check()
    caseworker.locator("input[name=overall_risk][value=medium]").check()
    caseworker.get_by_label(re.compile("^Summary")).fill("Wants the locks changed.")
    submit(caseworker, "Save needs assessment")
    assert caseworker.url.endswith(referral_path)
    assert "High need" in caseworker.locator("#needs ~ dl").first.inner_text()

    follow(caseworker, re.compile("^Issue a safety device"))
    caseworker.get_by_label("Device").select_option(index=1)
    caseworker.locator("input[name=referral_person]").first.check()
    submit(caseworker, "Issue device")
    assert caseworker.url.endswith(referral_path)

    follow(caseworker, re.compile("^Refer on to a specialist agency"))
    caseworker.get_by_label("Agency", exact=True).select_option(
        label="Haven Advocacy Service (uses Amends)"
    )
    caseworker.locator("input[name=referral_person]").first.check()
    caseworker.locator("input[name=shared_items]").first.check()
    caseworker.get_by_label("What are you asking the agency to do?").fill(
        "Please offer an independent adviser."
    )
    caseworker.get_by_label(re.compile("^The person agreed that we share")).check()
    submit(caseworker, "Send onward referral")
    assert caseworker.url.endswith(referral_path)
    onward = caseworker.locator("#onward-referrals ~ table").get_by_role("link").first
    onward_reference = onward.inner_text()

    # The agency's caseworker sees what was sent to them, not the referral, and accepts.
    agency = sign_in(AGENCY)
    visit(agency, referral_path, status=404)
    visit(agency, "/staff/hub/onward-referrals/")
    follow(agency, onward_reference)
    agency.get_by_label("Accepted", exact=True).check()
    submit(agency, "Save")
    assert "Accepted" in agency.locator("h1 + p .govuk-tag").first.inner_text()

    # The person hears about RJ and agrees to share their details with the provider.
    visit(caseworker, referral_path)
    change_status(caseworker, "Awaiting the person's decision")
    follow(caseworker, re.compile("^Record consent and hand off"))
    assert f"What {PROVIDER_NAME} will see" in caseworker.content()
    caseworker.get_by_label("The person themselves", exact=True).check()
    caseworker.get_by_label("By phone", exact=True).check()
    submit(caseworker, "Record consent")
    assert "Consent to share with the RJ provider recorded." in caseworker.content()

    provider_sees_nothing_of(provider, reference)

    submit(caseworker, f"Hand off to {PROVIDER_NAME}")
    assert caseworker.url.endswith(referral_path)
    assert f"Handed off to {PROVIDER_NAME}." in caseworker.content()
    found = CASE_REFERENCE.search(caseworker.content())
    assert found is not None
    case_reference = found.group(0)

    # The provider coordinator finds the case in their intake queue and accepts it.
    visit(provider, "/staff/cases/")
    assert case_reference in provider.content()
    follow(provider, case_reference)
    assert "What the hub shared" in provider.content()
    assert reference not in provider.content()
    submit(provider, "Accept the case")
    assert provider.locator("h1 + p .govuk-tag").first.inner_text() == "Accepted"
    visit(provider, referral_path, status=404)

    # The hub sees the provider's answer on the referral.
    visit(caseworker, referral_path)
    assert (
        "Accepted"
        in caseworker.locator("text=Case at the provider").locator("xpath=..").inner_text()
    )


def test_the_provider_coordinator_returns_a_case_with_a_reason(sign_in):
    provider = sign_in(PROVIDER)
    visit(provider, "/staff/cases/")
    provider.locator("table.govuk-table tbody").get_by_role(
        "link", name=CASE_REFERENCE
    ).first.click()
    provider.wait_for_load_state()
    assert_accessible(provider)
    case_reference = provider.locator("h1").inner_text().removeprefix("Case ")
    follow(provider, re.compile("^Return it to the hub"))
    submit(provider, "Return the case")
    summary = provider.locator(".govuk-error-summary")
    assert "Enter why you are returning the case" in summary.inner_text()
    provider.get_by_label(re.compile("^Why are you returning")).fill(
        "The person responsible has moved out of the area."
    )
    submit(provider, "Return the case")
    assert provider.url.endswith("/staff/cases/")
    assert f"Case {case_reference} returned to" in provider.content()
    visit(provider, "/staff/cases/?state=returned")
    assert case_reference in provider.content()
