"""The public online application in a real browser: for oneself, for someone else, by keyboard.

Each walk answers every question, uses a "Change" link from check your answers,
sends the application and gets a reference. axe-core runs on every page visited.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.accessibility import assert_accessible

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"RJ-[0-9A-Z]{4}-[0-9A-Z]{4}")


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def continue_(page, button: str = "Continue") -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert_accessible(page)


def choose(page, label: str) -> None:
    page.get_by_label(label, exact=True).check()
    continue_(page)


def fill(page, **fields: str) -> None:
    for label, value in fields.items():
        page.get_by_label(label.replace("_", " "), exact=False).first.fill(value)


def date(page, day: str, month: str, year: str) -> None:
    page.get_by_label("Day", exact=True).fill(day)
    page.get_by_label("Month", exact=True).fill(month)
    page.get_by_label("Year", exact=True).fill(year)
    continue_(page)


def start(page) -> None:
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("button", name="Apply online").click()
    page.wait_for_url(re.compile(r"/refer/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r"/refer/who/$"))
    assert_accessible(page)


def send_and_get_reference(page) -> str:
    continue_(page, "Accept and send")
    page.wait_for_url(re.compile(r"/refer/confirmation/$"))
    assert heading(page) == "Application sent"
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert REFERENCE.fullmatch(reference)
    assert reference not in page.url
    return reference


def test_apply_for_yourself(page):
    start(page)
    # An unanswered question shows the GOV.UK error summary, itself accessible.
    continue_(page)
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Select if you are applying for yourself or someone else" in page.content()
    assert page.title().startswith("Error: ")
    choose(page, "Myself")
    choose(page, "Yes")  # reported to the police
    fill(page, What_is_the_crime_reference_number="1234/26/00042")
    continue_(page)
    choose(page, "Burglary")
    date(page, "3", "2", "2026")
    fill(page, Where_did_it_happen="Acacia Avenue, Barnet")
    continue_(page)
    fill(page, What_is_your_full_name="Alex Morgan")
    continue_(page)
    date(page, "14", "6", "1980")
    assert heading(page) == "How can we contact you?"
    fill(page, Email_address="alex.morgan@example.org", Phone_number="07700 900123")
    continue_(page)
    choose(page, "Barnet Victim Care Hub")
    choose(page, "Yes")  # knows who is responsible
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Phone call", exact=True).check()
    continue_(page)
    fill(page, When_is_it_safe="Weekday mornings")
    continue_(page)
    choose(page, "No")  # voicemail
    choose(page, "No")  # interpreter
    continue_(page)  # adjustments: none
    choose(page, "Yes")  # feels unsafe at home
    assert "If you are in danger, call 999" in page.content()
    fill(page, What_other_support="A personal alarm")
    continue_(page)
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    continue_(page)

    assert heading(page) == "Check your answers before sending your application"
    assert "Acacia Avenue, Barnet" in page.content()
    page.get_by_role("link", name="Change where it happened").click()
    page.wait_for_url(re.compile(r"/refer/where/$"))
    assert_accessible(page)
    fill(page, Where_did_it_happen="Station Road, Barnet")
    continue_(page)
    page.wait_for_url(re.compile(r"/refer/check-answers/$"))
    assert "Station Road, Barnet" in page.content()

    send_and_get_reference(page)
    # The answers are gone: Back does not bring them back.
    page.go_back()
    page.wait_for_load_state()
    assert "Station Road" not in page.content()


def test_apply_for_someone_else(page):
    start(page)
    choose(page, "Someone else")
    fill(page, What_is_your_full_name="Sam Taylor")
    continue_(page)
    fill(page, Email_address="sam.taylor@example.org")
    continue_(page)
    fill(page, What_is_your_relationship="Friend")
    continue_(page)
    choose(page, "No")  # under 18
    choose(page, "Yes")  # they know and agree
    choose(page, "Not sure")  # reported
    choose(page, "Theft")
    date(page, "1", "Oct", "2026")
    fill(page, Where_did_it_happen="online")
    continue_(page)
    # Back, Forward and Reload keep the answers (from the server, never the browser's cache).
    page.go_back()
    page.wait_for_url(re.compile(r"/refer/where/$"))
    assert page.get_by_label("Where did it happen?").input_value() == "online"
    page.go_back()
    page.wait_for_url(re.compile(r"/refer/when/$"))
    assert page.get_by_label("Month", exact=True).input_value() == "Oct"
    page.go_forward()
    page.go_forward()
    page.wait_for_url(re.compile(r"/refer/name/$"))
    page.reload()
    assert heading(page) == "What is the full name of the person harmed?"
    fill(page, What_is_the_full_name="Robin Shaw")
    continue_(page)
    date(page, "1", "1", "1990")
    assert heading(page) == "How can we contact the person harmed?"
    fill(page, Phone_number="07700 900456")
    continue_(page)
    choose(page, "I’m not sure")
    choose(page, "Not sure")  # knows who is responsible
    page.get_by_label("Text message", exact=True).check()
    continue_(page)
    continue_(page)  # safe times: any
    choose(page, "Yes, for British Sign Language (BSL)")
    fill(page, Is_there_anything="Large print")
    continue_(page)
    choose(page, "No")  # unsafe at home
    assert "If you are in danger, call 999" not in page.content()
    continue_(page)
    page.get_by_label(re.compile("I have read the privacy notice")).check()
    continue_(page)

    assert heading(page) == "Check your answers before sending your application"
    page.get_by_role("link", name="Change your relationship to them").click()
    page.wait_for_url(re.compile(r"/refer/relationship/$"))
    assert_accessible(page)
    fill(page, What_is_your_relationship="Support worker")
    continue_(page)
    page.wait_for_url(re.compile(r"/refer/check-answers/$"))
    assert "Support worker" in page.content()
    send_and_get_reference(page)


# ----- the keyboard alone --------------------------------------------------


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has focus (never landing on the bot trap)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert not page.locator("#id_website:focus").count(), "Tab reached the bot trap"
        if page.locator(f"{selector}:focus").count():
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def submit_by_keyboard(page, button: str = "button.govuk-button") -> None:
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)


def radio_by_keyboard(page, name: str, value: str) -> None:
    tab_to(page, f'input[name="{name}"]')
    target = f'input[name="{name}"][value="{value}"]'
    for _ in range(20):
        if page.locator(f"{target}:focus").count():
            page.keyboard.press("Space")
            break
        page.keyboard.press("ArrowDown")
    assert page.locator(target).is_checked()
    submit_by_keyboard(page)


def type_by_keyboard(page, *fields: tuple[str, str], then_submit: bool = True) -> None:
    for field_id, text in fields:
        tab_to(page, f"#{field_id}")
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    if then_submit:
        submit_by_keyboard(page)


def test_apply_with_the_keyboard_alone(page):
    page.goto("/refer/")
    assert_accessible(page)
    submit_by_keyboard(page, 'a.govuk-button--start[href="/refer/who/"]')
    assert heading(page) == "Are you applying for yourself or for someone else?"
    radio_by_keyboard(page, "applying_for", "myself")
    radio_by_keyboard(page, "reported", "no")
    radio_by_keyboard(page, "offence_type", "theft")
    type_by_keyboard(page, ("id_day", "12"), ("id_month", "9"), ("id_year", "2026"))
    type_by_keyboard(page, ("id_place", "the park near the station"))
    type_by_keyboard(page, ("id_full_name", "jo bloggs"))
    type_by_keyboard(page, ("id_day", "2"), ("id_month", "3"), ("id_year", "1975"))
    type_by_keyboard(page, ("id_email", "jo.bloggs@example.org"))
    radio_by_keyboard(page, "area", "enfield-victim-care-hub")
    radio_by_keyboard(page, "offender_known", "no")
    tab_to(page, 'input[name="channels"][value="email"]')
    page.keyboard.press("Space")
    submit_by_keyboard(page)
    radio_by_keyboard(page, "interpreter", "no")
    submit_by_keyboard(page)  # adjustments: none
    radio_by_keyboard(page, "feels_unsafe", "no")
    submit_by_keyboard(page)  # other support: none
    tab_to(page, "#id_agree")
    page.keyboard.press("Space")
    submit_by_keyboard(page)

    assert heading(page) == "Check your answers before sending your application"
    submit_by_keyboard(page, 'a[href="/refer/where/"]')
    type_by_keyboard(page, ("id_place", "the high street"))
    assert heading(page) == "Check your answers before sending your application"
    assert "the high street" in page.content()

    submit_by_keyboard(page, "button.govuk-button")
    assert heading(page) == "Application sent"
    assert REFERENCE.fullmatch(page.locator(".govuk-panel__body strong").inner_text())
