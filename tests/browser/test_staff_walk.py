"""A member of staff signs in with password and TOTP, opens staff home and a referral.

axe-core runs on every page the walk visits.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.totp import unused_code

pytestmark = pytest.mark.browser

EMAIL = "caseworker@barnet-victim-care-hub.example"
PASSWORD = "Amends-demo-2026"


def test_public_pages_are_accessible(page):
    for path, heading in [
        ("/", None),
        ("/accessibility/", "Accessibility statement"),
        ("/privacy/", "Privacy notice"),
        ("/cookies/", "Cookies"),
        ("/no-such-page/", "Page not found"),
    ]:
        page.goto(path)
        if heading:
            assert heading in page.locator("h1").inner_text()
        assert_accessible(page)


def test_sign_in_with_password_and_totp_then_open_a_referral(page):
    page.goto("/staff/")
    assert "/staff/account/login/" in page.url
    assert_accessible(page)

    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)

    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/2fa/authenticate/"))
    assert_accessible(page)

    page.get_by_label(re.compile("code", re.I)).first.fill(unused_code(EMAIL))
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.locator("h1").inner_text() == "Referrals"
    assert_accessible(page)

    first = page.locator("table.govuk-table tbody a").first
    reference = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(rf"/staff/referrals/{reference}/$"))
    assert reference in page.locator("h1").inner_text()
    assert page.get_by_role("heading", name="People").is_visible()
    assert page.get_by_role("heading", name="History").is_visible()
    assert_accessible(page)
