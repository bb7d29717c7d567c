"""A member of the public applies to volunteer at /volunteer/, in a real browser.

`apply_to_volunteer` walks from the start page to the confirmation and returns the
reference; other walks (the coordinator's recruitment pipeline) call it to make the
applicant they then move through every step. axe-core runs on every page visited.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.accessibility import assert_accessible

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"VOL-[0-9A-Z]{4}-[0-9A-Z]{4}")


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def continue_(page, button: str = "Continue") -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)


def fill(page, label: str, value: str) -> None:
    page.get_by_label(label, exact=True).fill(value)


def apply_to_volunteer(
    page,
    base_url: str,
    *,
    first_name: str = "Priya",
    last_name: str = "Shah",
    email: str = "priya.shah@example.org",
    check_errors: bool = False,
    use_change_link: bool = False,
) -> str:
    """Apply at /volunteer/ from the start page to the confirmation; return the reference.

    With `check_errors`, also sends a blank name and an under-18 date of birth and
    checks the GOV.UK error pages; with `use_change_link`, changes one answer from
    check your answers and checks it comes back there.
    """
    base = base_url.rstrip("/")
    page.goto(f"{base}/volunteer/")
    assert heading(page) == "Volunteer with the restorative justice service"
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r"/volunteer/your-name/$"))
    assert_accessible(page)

    if check_errors:
        continue_(page)
        assert page.locator(".govuk-error-summary").is_visible()
        assert "Enter your first name" in page.content()
        assert page.title().startswith("Error: ")
    fill(page, "First name", first_name)
    fill(page, "Last name", last_name)
    continue_(page)

    assert heading(page) == "What is your date of birth?"
    if check_errors:
        fill(page, "Day", "1")
        fill(page, "Month", "1")
        fill(page, "Year", "2015")
        continue_(page)
        assert "You must be 18 or over to volunteer with us" in page.content()
    fill(page, "Day", "14")
    fill(page, "Month", "6")
    fill(page, "Year", "1985")
    continue_(page)

    assert heading(page) == "How can we contact you?"
    fill(page, "Email address", email)
    fill(page, "Phone number (optional)", "07700 900321")
    continue_(page)

    assert heading(page) == "What is your address?"
    fill(page, "Address line 1", "4 Mill Lane")
    fill(page, "Town or city", "Barnet")
    fill(page, "Postcode", "en5 2bb")
    continue_(page)

    assert heading(page) == "Which roles are you interested in?"
    page.get_by_label("Facilitator", exact=True).check()
    page.get_by_label("Victim advocate", exact=True).check()
    continue_(page)

    page.get_by_label("Weekday evenings", exact=True).check()
    page.get_by_label("Weekends", exact=True).check()
    continue_(page)

    fill(page, "How many hours a month could you give?", "8")
    continue_(page)
    fill(page, "Which languages do you speak?", "English, Gujarati")
    continue_(page)
    page.get_by_label(re.compile("What experience do you have")).fill(
        "Three years as a helpline listener"
    )
    continue_(page)
    fill(page, "Why do you want to volunteer with us?", "To help people harmed by crime.")
    continue_(page)
    continue_(page)  # no changes needed for interview or training

    assert heading(page) == "Who is your first referee?"
    assert "cannot be a member of your family" in page.content()
    fill(page, "Full name", "Tom Baker")
    fill(page, "How do they know you?", "Manager at work")
    fill(page, "Email address (optional)", "tom.baker@example.com")
    continue_(page)
    assert heading(page) == "Who is your second referee?"
    fill(page, "Full name", "Ann Lee")
    fill(page, "How do they know you?", "Friend for 10 years")
    fill(page, "Phone number (optional)", "07700 900654")
    continue_(page)

    assert heading(page) == "Equality monitoring questions (optional)"
    page.get_by_role("group", name="What is your age?").get_by_label("35 to 44").check()
    page.get_by_role("group", name="What is your religion?").get_by_label(
        "Prefer not to say"
    ).check()
    continue_(page)

    assert heading(page) == "Your privacy"
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    continue_(page)

    assert heading(page) == "Check your answers before sending your application"
    assert f"{first_name} {last_name}" in page.content()
    if use_change_link:
        page.get_by_role("link", name="Change languages").click()
        page.wait_for_url(re.compile(r"/volunteer/languages/$"))
        assert_accessible(page)
        fill(page, "Which languages do you speak?", "English, Gujarati, Hindi")
        continue_(page)
        page.wait_for_url(re.compile(r"/volunteer/check-answers/$"))
        assert "English, Gujarati, Hindi" in page.content()

    continue_(page, "Accept and send")
    page.wait_for_url(re.compile(r"/volunteer/confirmation/$"))
    assert heading(page) == "Application sent"
    reference = page.locator(".govuk-panel__body strong").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    assert reference not in page.url
    return reference


def test_a_member_of_the_public_applies_to_volunteer(page, live_url):
    reference = apply_to_volunteer(
        page,
        live_url,
        first_name="Jordan",
        last_name="Ellis",
        email="jordan.ellis@example.org",
        check_errors=True,
        use_change_link=True,
    )
    # Back does not bring the answers back: they were deleted when the application was sent.
    page.go_back()
    page.wait_for_load_state()
    assert "Jordan" not in page.content()
    assert_accessible(page)
    page.goto(f"{live_url}/volunteer/confirmation/")
    assert reference in page.content()
