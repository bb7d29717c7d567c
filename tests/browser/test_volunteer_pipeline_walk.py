"""From a volunteer application to casework allocation, in a real browser (issue 7's Done-when).

A member of the public applies at /volunteer/; the demo volunteer coordinator signs in
(password and TOTP) and moves them through every step to accredited and active,
recording the references, the DBS check, training, supervision, observed practice and CPD
on the way. The provider coordinator then finds them on the allocation page, supervised today; when
the coordinator corrects that supervision's date to 13 weeks ago (it was entered wrongly),
they disappear from the facilitators available for allocation and are listed as not
available, with that reason. axe-core runs on every page visited.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.test_volunteer_apply_walk import apply_to_volunteer
from tests.browser.totp import unused_code

pytestmark = pytest.mark.browser

PASSWORD = "Amends-demo-2026"
VOLUNTEER_COORDINATOR = "volunteers@calm-mediation.example"
PROVIDER_COORDINATOR = "coordinator@calm-mediation.example"
FIRST_NAME, LAST_NAME = "Morgan", "Adebayo"
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}"


def sign_in(page, email: str) -> None:
    page.goto("/staff/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/2fa/authenticate/"))
    page.get_by_label(re.compile("code", re.I)).first.fill(unused_code(email))
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(r"/staff/$"))


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def submit(page, name: str = "Save") -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)


def on_record(page, reference: str) -> None:
    page.wait_for_url(re.compile(rf"/staff/practitioners/{reference}/$"))
    assert heading(page) == FULL_NAME
    assert_accessible(page)


def move_to(page, reference: str, label: str, *, role: str = "", level: str = "") -> None:
    """Change status to `label` on the status page, then check the record says so."""
    page.get_by_role("link", name=re.compile("^Change status")).click()
    page.wait_for_url(re.compile(rf"/staff/practitioners/{reference}/status/$"))
    assert_accessible(page)
    page.get_by_label(label, exact=True).check()
    if role:
        page.get_by_label("Accredited as").select_option(label=role)
        page.get_by_label("Practitioner level").select_option(label=level)
    submit(page, "Change status")
    on_record(page, reference)
    assert page.locator("main .govuk-tag").first.inner_text() == label


def record(page, reference: str, link: str, fields: dict[str, str], checks: list[str]) -> None:
    """Open a record form from the practitioner's page, fill it in and save it."""
    page.get_by_role("link", name=link).first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    for label, value in fields.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    for label in checks:
        page.get_by_label(label, exact=True).check()
    submit(page)
    on_record(page, reference)


def test_an_applicant_becomes_a_facilitator_available_for_allocation(browser, live_url):
    today = dt.date.today()

    # A member of the public applies.
    public = browser.new_context(base_url=live_url, locale="en-GB")
    reference = apply_to_volunteer(
        public.new_page(),
        live_url,
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        email="morgan.adebayo@example.org",
    )
    public.close()

    # The volunteer coordinator finds the application.
    staff = browser.new_context(base_url=live_url, locale="en-GB")
    page = staff.new_page()
    sign_in(page, VOLUNTEER_COORDINATOR)
    page.get_by_role("link", name="Volunteers and practitioners").click()
    page.wait_for_url(re.compile(r"/staff/practitioners/$"))
    assert heading(page) == "Volunteers and practitioners"
    assert_accessible(page)
    page.get_by_label("Name or reference").fill(reference)
    submit(page, "Filter")
    page.get_by_role("link", name=FULL_NAME).click()
    on_record(page, reference)
    assert "To help people harmed by crime." in page.content()
    assert "35 to 44" not in page.content()  # equality answers are never on the record

    move_to(page, reference, "Shortlisted")
    move_to(page, reference, "Interview")
    move_to(page, reference, "References requested")

    # Not before the references are back: the refusal is a GOV.UK error.
    page.get_by_role("link", name=re.compile("^Change status")).click()
    page.get_by_label("DBS check", exact=True).check()
    submit(page, "Change status")
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Both references must be received and satisfactory" in page.content()
    page.get_by_role("link", name=f"Back to {FULL_NAME}").click()
    on_record(page, reference)

    for referee in ("Tom Baker", "Ann Lee"):
        record(
            page,
            reference,
            f"Record reference from {referee}",
            {"Date the reference was received": today.isoformat()},
            ["Yes"],
        )
    move_to(page, reference, "DBS check")
    record(
        page,
        reference,
        "Record a DBS check",
        {"Certificate number": "001234567890", "Date of issue": today.isoformat()},
        ["Clear"],
    )
    move_to(page, reference, "Induction")
    move_to(page, reference, "Training")
    record(
        page,
        reference,
        "Record training",
        {
            "Course": "RJ facilitator training",
            "Date completed": today.isoformat(),
            "Length": "28",
            "Trainer (optional)": "Owen Hughes",
        },
        [],
    )
    move_to(page, reference, "Accredited", role="Facilitator", level="Foundation")

    # Supervised and observed today.
    record(
        page,
        reference,
        "Record supervision",
        {"Date of the supervision": today.isoformat(), "Supervisor": "Mark Robinson"},
        [],
    )
    record(
        page,
        reference,
        "Record observed practice",
        {"Date observed": today.isoformat(), "Observer": "Owen Hughes"},
        ["Yes"],
    )
    record(
        page,
        reference,
        "Record CPD",
        {
            "Activity": "Webinar: working with young people",
            "Date completed": today.isoformat(),
            "Hours": "1.5",
        },
        [],
    )
    page.get_by_role("link", name=re.compile("^Change details")).click()
    page.wait_for_url(re.compile(rf"/staff/practitioners/{reference}/details/$"))
    assert_accessible(page)
    page.get_by_label("Areas covered (optional)").fill("Barnet, Enfield")
    page.get_by_label("Case limit").fill("2")
    submit(page)
    on_record(page, reference)
    assert "Barnet, Enfield" in page.content()
    move_to(page, reference, "Active")
    assert "Can be allocated cases today." in page.content()

    # The provider coordinator allocates cases: the new facilitator is available.
    allocator = browser.new_context(base_url=live_url, locale="en-GB")
    allocation = allocator.new_page()
    sign_in(allocation, PROVIDER_COORDINATOR)
    allocation.goto("/staff/practitioners/allocation/")
    assert_accessible(allocation)
    available = allocation.get_by_role("table", name="Facilitators available for allocation")
    assert FULL_NAME in available.inner_text()
    assert (
        FULL_NAME
        not in allocation.get_by_role(
            "table", name="Practitioners not available for allocation, and why"
        ).inner_text()
    )

    # The supervision was in fact 13 weeks ago: the coordinator corrects its date, and
    # with supervision more than 12 weeks old the facilitator is no longer available.
    page.get_by_role("link", name=re.compile("^Correct the supervision of")).first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Correct a supervision record" in page.content()
    page.get_by_label("Date of the supervision", exact=True).fill(
        (today - dt.timedelta(weeks=13)).isoformat()
    )
    submit(page)
    on_record(page, reference)
    assert "Last supervision was 13 weeks ago (due every 12 weeks)" in page.content()
    allocation.reload()
    assert_accessible(allocation)
    available = allocation.get_by_role("table", name="Facilitators available for allocation")
    assert FULL_NAME not in (available.inner_text() if available.count() else "")
    row = (
        allocation.get_by_role("table", name="Practitioners not available for allocation, and why")
        .get_by_role("row")
        .filter(has_text=FULL_NAME)
    )
    assert "Last supervision was 13 weeks ago (due every 12 weeks)" in row.inner_text()
    staff.close()
    allocator.close()
