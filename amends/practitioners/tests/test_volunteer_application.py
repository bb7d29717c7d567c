"""The public volunteer application, /volunteer/: every step, its errors, sending it, and privacy.

Walks go through the real views with Django's test client, one question page at a
time, as a browser without JavaScript would.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.test import Client

from amends.accounts.models import Organisation, OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.models import AuditEvent, OutboundMessage
from amends.practitioners import application as app
from amends.practitioners.models import (
    EqualityMonitoringResponse,
    Practitioner,
    PractitionerKind,
    PractitionerState,
    Referee,
    VolunteerApplication,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
COORDINATOR = "volunteers@provider.example"

FULL: list[tuple[str, dict]] = [
    ("your-name", {"first_name": "Priya", "last_name": "Shah"}),
    ("date-of-birth", {"day": "14", "month": "6", "year": "1985"}),
    ("contact-details", {"email": "Priya.Shah@example.org", "phone": "07700 900321"}),
    (
        "address",
        {
            "address_line_1": "4 Mill Lane",
            "address_line_2": "Flat 2",
            "town": "Barnet",
            "postcode": "en5 2bb",
        },
    ),
    ("roles", {"roles": ["facilitator", "advocate"]}),
    ("availability", {"availability": ["weekday_evening", "weekend"]}),
    ("hours", {"hours": "8"}),
    ("languages", {"languages": "English, Gujarati"}),
    ("experience", {"experience": "Samaritans listener for three years"}),
    ("why-volunteer", {"motivation": "I want to help people move on"}),
    ("access-needs", {"access_needs": "Step-free access"}),
    (
        "first-referee",
        {
            "full_name": "Tom Baker",
            "relationship": "Manager at work",
            "email": "Tom.Baker@example.com",
            "phone": "",
        },
    ),
    (
        "second-referee",
        {
            "full_name": "Ann Lee",
            "relationship": "Friend for 10 years",
            "email": "",
            "phone": "07700 900654",
        },
    ),
    (
        "equality",
        {
            "age_band": "35_44",
            "sex": "female",
            "gender_same_as_birth": "yes",
            "ethnicity": "asian",
            "disability": "no",
            "religion": "hindu",
            "sexual_orientation": "bisexual",
        },
    ),
    ("privacy", {"agree": "on"}),
]
# Everything personal in FULL: none of it may ever be in a URL.
PERSONAL = [
    "Priya",
    "Shah",
    "1985",
    "example.org",
    "07700",
    "Mill Lane",
    "EN5",
    "Gujarati",
    "Samaritans",
    "Tom Baker",
    "Ann Lee",
    "Step-free",
]
# The equality answers as they read: the applicant sees them back, nobody else ever does.
EQUALITY_LABELS = ["35 to 44", "Asian or Asian British", "Hindu", "Bisexual"]


def with_answer(answers, step: str, data: dict) -> list[tuple[str, dict]]:
    return [(name, data if name == step else given) for name, given in answers]


@pytest.fixture(autouse=True)
def _steady() -> Iterator[None]:
    """A fixed clock and a clean cache (the rate limit lives there)."""
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def provider():
    provider = OrganisationFactory(
        slug="calm-provider", name="Calm Provider", kind=OrganisationKind.RJ_PROVIDER
    )
    UserFactory(organisation=provider, email=COORDINATOR, roles=[Role.VOLUNTEER_COORDINATOR])
    return provider


def url(step: str) -> str:
    return f"/volunteer/{step}/"


def post(client: Client, step: str, data: dict, **extra):
    return client.post(url(step), data, **extra)


def answer_all(client: Client, answers=FULL, upto: int | None = None) -> list[str]:
    """Answer each step in order; every answer must lead straight to the next question."""
    locations = []
    client.get(url(answers[0][0]))
    for index, (step, data) in enumerate(answers[:upto]):
        response = post(client, step, data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
        expected = (
            url(answers[index + 1][0]) if index + 1 < len(answers) else "/volunteer/check-answers/"
        )
        assert response["Location"] == expected, step
        locations.append(response["Location"])
    return locations


def answer_until(client: Client, stop: str, answers=FULL) -> None:
    """Answer the steps before `stop`."""
    answer_all(client, answers, upto=[name for name, _ in answers].index(stop))


def submit(client: Client, **data):
    return client.post("/volunteer/check-answers/", data)


# ----- the start page and the pages ----------------------------------------


def test_the_start_page_says_what_volunteering_involves_and_starts_nothing(client):
    response = client.get("/volunteer/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "Volunteer with the restorative justice service",
        "Facilitator",
        "Co-facilitator",
        "Victim advocate",
        "A few hours a week",
        "free restorative justice facilitator training",
        "supervision",
        "continuing professional development (CPD)",
        "two references",
        "enhanced Disclosure and Barring Service (DBS) check. We pay for the DBS check",
        "18 or over",
        "Start now",
    ]:
        assert text in page, text
    assert 'href="/volunteer/your-name/"' in page
    assert app.SESSION_KEY not in client.session
    # Not a safety-sensitive service: no "Exit this page".
    assert "govuk-exit-this-page" not in page


def test_the_home_page_links_to_volunteering(client):
    page = client.get("/").content.decode()
    assert "Volunteer with us" in page
    assert 'href="/volunteer/"' in page


def test_the_first_question_starts_an_application_with_a_random_key(client):
    response = client.get(url("your-name"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert (
        '<h1 class="govuk-fieldset__heading">What is your name?</h1>' in response.content.decode()
    )
    key = client.session[app.SESSION_KEY]["key"]
    other = Client()
    other.get(url("your-name"))
    assert len(key) >= 40
    assert key != other.session[app.SESSION_KEY]["key"]


def test_step_urls_are_step_names_only():
    for step in app.STEPS:
        assert re.fullmatch(r"[a-z0-9-]+", step.name)


# ----- every question's bad answers ----------------------------------------

TOO_LONG = "x" * 2001
BAD_ANSWERS = [
    ("your-name", {"first_name": "", "last_name": "Shah"}, "Enter your first name"),
    ("your-name", {"first_name": "Priya", "last_name": " "}, "Enter your last name"),
    (
        "your-name",
        {"first_name": "x" * 101, "last_name": "Shah"},
        "First name must be 100 characters or fewer",
    ),
    ("date-of-birth", {"day": "", "month": "", "year": ""}, "Enter your date of birth"),
    (
        "date-of-birth",
        {"day": "14", "month": "", "year": "1985"},
        "Date of birth must include a month",
    ),
    (
        "date-of-birth",
        {"day": "", "month": "", "year": "1985"},
        "Date of birth must include a day and month",
    ),
    (
        "date-of-birth",
        {"day": "31", "month": "2", "year": "1985"},
        "Date of birth must be a real date",
    ),
    (
        "date-of-birth",
        {"day": "14", "month": "13", "year": "1985"},
        "Date of birth must be a real date",
    ),
    ("date-of-birth", {"day": "14", "month": "6", "year": "85"}, "Year must include 4 numbers"),
    (
        "date-of-birth",
        {"day": "26", "month": "11", "year": "2026"},
        "Date of birth must be in the past",
    ),
    (
        "date-of-birth",
        {"day": "1", "month": "1", "year": "1899"},
        "Date of birth must be the same as or after 1 January 1900",
    ),
    (
        "date-of-birth",
        {"day": "26", "month": "11", "year": "2008"},
        "You must be 18 or over to volunteer with us",
    ),
    ("contact-details", {"email": "", "phone": ""}, "Enter your email address"),
    (
        "contact-details",
        {"email": "priya@", "phone": ""},
        "Enter an email address in the correct format, like name@example.com",
    ),
    (
        "contact-details",
        {"email": "priya@example.org", "phone": "call me"},
        "Enter a phone number, like 01632 960 001",
    ),
    (
        "address",
        {"address_line_1": "", "address_line_2": "", "town": "Barnet", "postcode": "EN5 2BB"},
        "Enter address line 1, typically the building and street",
    ),
    (
        "address",
        {"address_line_1": "4 Mill Lane", "address_line_2": "", "town": "", "postcode": "EN5 2BB"},
        "Enter town or city",
    ),
    (
        "address",
        {"address_line_1": "4 Mill Lane", "address_line_2": "", "town": "Barnet", "postcode": ""},
        "Enter postcode",
    ),
    (
        "address",
        {
            "address_line_1": "4 Mill Lane",
            "address_line_2": "",
            "town": "Barnet",
            "postcode": "NOT A CODE",
        },
        "Enter a real postcode",
    ),
    ("roles", {}, "Select at least one role you are interested in"),
    ("roles", {"roles": ["juggler"]}, "Select at least one role you are interested in"),
    ("availability", {}, "Select when you could volunteer"),
    ("availability", {"availability": ["midnight"]}, "Select when you could volunteer"),
    ("hours", {"hours": ""}, "Enter how many hours a month you could give"),
    ("hours", {"hours": "eight"}, "Hours a month must be a whole number, like 8"),
    ("hours", {"hours": "2.5"}, "Hours a month must be a whole number, like 8"),
    ("hours", {"hours": "0"}, "Hours a month must be between 1 and 160"),
    ("hours", {"hours": "500"}, "Hours a month must be between 1 and 160"),
    ("languages", {"languages": ""}, "Enter the languages you speak"),
    ("languages", {"languages": "x" * 301}, "Languages must be 300 characters or fewer"),
    ("experience", {"experience": TOO_LONG}, "Your experience must be 2000 characters or fewer"),
    ("why-volunteer", {"motivation": "  "}, "Enter why you want to volunteer"),
    (
        "why-volunteer",
        {"motivation": TOO_LONG},
        "Why you want to volunteer must be 2000 characters or fewer",
    ),
    ("access-needs", {"access_needs": TOO_LONG}, "Your answer must be 2000 characters or fewer"),
    (
        "first-referee",
        {"full_name": "", "relationship": "Manager", "email": "tom@example.com", "phone": ""},
        "Enter the full name of your first referee",
    ),
    (
        "first-referee",
        {"full_name": "Tom Baker", "relationship": "", "email": "tom@example.com", "phone": ""},
        "Enter how your first referee knows you",
    ),
    (
        "first-referee",
        {"full_name": "Tom Baker", "relationship": "Manager", "email": "", "phone": ""},
        "Enter an email address or phone number for your first referee",
    ),
    (
        "first-referee",
        {"full_name": "Tom Baker", "relationship": "Manager", "email": "tom@", "phone": ""},
        "Enter an email address in the correct format, like name@example.com",
    ),
    (
        "first-referee",
        {"full_name": "Tom Baker", "relationship": "Manager", "email": "", "phone": "12"},
        "Enter a phone number, like 01632 960 001",
    ),
    (
        "first-referee",
        {"full_name": "Sita Shah", "relationship": "My mum", "email": "", "phone": "07700 900999"},
        "Your referee cannot be a member of your family",
    ),
    (
        "second-referee",
        {"full_name": "Raj Shah", "relationship": "Husband", "email": "raj@example.org"},
        "Your referee cannot be a member of your family",
    ),
    (
        "second-referee",
        {"full_name": "", "relationship": "Friend", "email": "ann@example.org", "phone": ""},
        "Enter the full name of your second referee",
    ),
    (
        "second-referee",
        {"full_name": "tom  baker", "relationship": "Friend", "email": "", "phone": "07700 900111"},
        "Your second referee must be a different person from your first referee",
    ),
    (
        "second-referee",
        {"full_name": "T Baker", "relationship": "Friend", "email": "tom.baker@example.com"},
        "Your second referee must be a different person from your first referee",
    ),
    ("equality", {"ethnicity": "martian"}, "Select your ethnic group or leave it blank"),
    ("equality", {"age_band": "12_17"}, "Select your age or leave it blank"),
    ("privacy", {}, "Select to confirm you have read the privacy notice and agree"),
]


@pytest.mark.parametrize(("step", "data", "message"), BAD_ANSWERS)
def test_every_question_refuses_a_bad_answer_with_the_govuk_message(
    client, provider, step, data, message
):
    answer_until(client, step)
    response = post(client, step, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "There is a problem" in page
    assert message in page
    assert "<title>Error: " in page
    assert 'class="govuk-error-message"' in page
    # The summary links to a field on the page.
    target = re.search(r'govuk-error-summary__list">\s*<li><a href="#([^"]+)"', page)
    assert target
    assert f'id="{target.group(1)}"' in page
    assert client.session[app.SESSION_KEY]["answers"].get(step) is None


def test_under_18_is_refused_and_18_today_is_welcome(client, provider):
    answer_until(client, "date-of-birth")
    page = post(
        client, "date-of-birth", {"day": "26", "month": "11", "year": "2008"}
    ).content.decode()
    assert "You must be 18 or over to volunteer with us" in page
    assert client.get(url("contact-details"))["Location"] == url("date-of-birth")
    assert client.get("/volunteer/check-answers/")["Location"] == url("date-of-birth")
    # The 18th birthday is today.
    response = post(client, "date-of-birth", {"day": "25", "month": "Nov", "year": "2008"})
    assert response["Location"] == url("contact-details")


def test_the_date_input_marks_only_the_missing_part(client, provider):
    answer_until(client, "date-of-birth")
    page = post(
        client, "date-of-birth", {"day": "14", "month": "", "year": "1985"}
    ).content.decode()
    assert page.count("govuk-input--error") == 1
    assert 'govuk-input--width-2 govuk-input--error" id="id_month"' in page
    assert 'autocomplete="bday-month"' in page


@pytest.mark.parametrize(
    "relationship", ["Friend of my brother", "Business partner", "My sister's neighbour"]
)
def test_a_referee_who_only_knows_the_family_is_not_taken_for_family(
    client, provider, relationship
):
    answer_until(client, "first-referee")
    data = {"full_name": "Jo Hill", "relationship": relationship, "email": "jo@example.net"}
    assert post(client, "first-referee", data)["Location"] == url("second-referee")


def test_the_referee_pages_say_a_referee_cannot_be_family(client, provider):
    answer_until(client, "first-referee")
    page = client.get(url("first-referee")).content.decode()
    assert "A referee cannot be a member of your family or your partner." in page
    assert "govuk-warning-text" in page
    assert "Who is your first referee?" in page
    assert "Email address (optional)" in page


# ----- moving about --------------------------------------------------------


def test_a_question_ahead_of_the_first_unanswered_one_sends_you_back_to_it(client, provider):
    answer_until(client, "roles")
    assert client.get(url("privacy"))["Location"] == url("roles")
    assert client.get("/volunteer/check-answers/")["Location"] == url("roles")
    assert client.get("/volunteer/no-such-step/").status_code == 404


def test_answers_survive_going_back_and_reloading(client, provider):
    answer_until(client, "equality")
    for step, data in FULL[: [s for s, _ in FULL].index("equality")]:
        page = client.get(url(step)).content.decode()
        for value in data.values():
            if isinstance(value, str) and len(value) > 1:
                assert value in page, (step, value)
    page = client.get(url("roles")).content.decode()
    assert re.search(r'value="facilitator" checked', page)
    assert not re.search(r'value="co_facilitator" checked', page)


def test_the_equality_questions_can_be_skipped_or_left_blank(client, provider):
    answer_until(client, "equality")
    page = client.get(url("equality")).content.decode()
    assert "Equality monitoring questions (optional)" in page
    assert "Skip these questions" in page
    assert page.count("Prefer not to say") == 7
    assert "not stored with your name" in page
    # Skipping forgets anything chosen before skipping.
    response = post(client, "equality", {"sex": "female", "skip": "yes"})
    assert response["Location"] == url("privacy")
    assert set(client.session[app.SESSION_KEY]["answers"]["equality"].values()) == {""}
    assert post(client, "equality", {})["Location"] == url("privacy")


# ----- check your answers --------------------------------------------------


def test_check_answers_lists_every_answer_with_a_change_link(client, provider):
    answer_all(client)
    response = client.get("/volunteer/check-answers/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-summary-list" in page
    for text in [
        "Priya Shah",
        "14 June 1985",
        "priya.shah@example.org",
        "07700 900321",
        "4 Mill Lane",
        "Flat 2",
        "EN5 2BB",
        "Facilitator",
        "Victim advocate",
        "Weekday evenings",
        "Weekends",
        "8 hours",
        "English, Gujarati",
        "Samaritans listener for three years",
        "I want to help people move on",
        "Step-free access",
        "Tom Baker",
        "Manager at work",
        "tom.baker@example.com",
        "Ann Lee",
        "07700 900654",
        # The applicant's own equality answers, shown back to them alone.
        "Only you can see these answers here",
        *EQUALITY_LABELS,
    ]:
        assert text in page, text
    for step, _ in FULL[:-1]:
        assert f'href="/volunteer/{step}/"' in page, step
    assert 'Change<span class="govuk-visually-hidden"> first referee</span>' in page
    assert 'Change<span class="govuk-visually-hidden"> date of birth</span>' in page


def test_a_change_link_returns_to_check_answers(client, provider):
    answer_all(client)
    client.get("/volunteer/check-answers/")
    page = client.get(url("languages")).content.decode()
    assert 'value="English, Gujarati"' in page
    assert 'href="/volunteer/check-answers/" class="govuk-back-link"' in page
    response = post(client, "languages", {"languages": "English, Gujarati, Hindi"})
    assert response["Location"] == "/volunteer/check-answers/"
    assert "English, Gujarati, Hindi" in client.get("/volunteer/check-answers/").content.decode()


def test_a_change_that_makes_a_later_answer_wrong_asks_it_again(client, provider):
    answer_all(client)
    client.get("/volunteer/check-answers/")
    # The first referee becomes the second one's name: the second must now change.
    data = dict(FULL[11][1], full_name="Ann Lee", email="ann.lee@example.com")
    assert post(client, "first-referee", data)["Location"] == url("second-referee")
    page = client.get(url("second-referee")).content.decode()
    assert "Your second referee must be a different person from your first referee" in page


def test_no_answer_is_ever_in_a_url(client, provider):
    seen_urls = answer_all(client)
    pages = [client.get(url(step)).content.decode() for step, _ in FULL]
    pages.append(client.get("/volunteer/check-answers/").content.decode())
    response = submit(client)
    seen_urls.append(response["Location"])
    pages.append(client.get(response["Location"]).content.decode())
    for page in pages:
        seen_urls += re.findall(r'(?:href|action|src)="([^"]*)"', page)
    for seen in seen_urls:
        assert "?" not in seen or seen.startswith("http"), seen
        for text in PERSONAL:
            assert text.lower() not in seen.lower(), (seen, text)


# ----- sending -------------------------------------------------------------


def test_a_whole_application_makes_one_volunteer_with_everything_they_said(client, provider):
    answer_all(client)
    response = submit(client)
    assert response["Location"] == "/volunteer/confirmation/"

    practitioner = Practitioner.objects.get()
    assert practitioner.provider == provider
    assert practitioner.kind == PractitionerKind.VOLUNTEER
    assert practitioner.state == PractitionerState.APPLIED
    assert (practitioner.first_name, practitioner.last_name) == ("Priya", "Shah")
    assert practitioner.email == "priya.shah@example.org"
    assert practitioner.phone == "07700 900321"
    assert practitioner.availability == ["weekday_evening", "weekend"]
    assert practitioner.languages == "English, Gujarati"
    assert practitioner.submission_key
    assert practitioner.user is None
    assert re.fullmatch(r"VOL-[0-9A-Z]{4}-[0-9A-Z]{4}", practitioner.reference)

    application = VolunteerApplication.objects.get()
    assert application.practitioner == practitioner
    assert application.date_of_birth == dt.date(1985, 6, 14)
    assert (application.address_line_1, application.address_line_2) == ("4 Mill Lane", "Flat 2")
    assert (application.town, application.postcode) == ("Barnet", "EN5 2BB")
    assert application.roles_interested == ["facilitator", "advocate"]
    assert application.hours_per_month == "8"
    assert application.experience == "Samaritans listener for three years"
    assert application.motivation == "I want to help people move on"
    assert application.access_needs == "Step-free access"
    assert application.privacy_notice_version == app.PRIVACY_NOTICE_VERSION
    assert application.submitted_at == NOW

    referees = list(Referee.objects.order_by("id"))
    assert [(r.practitioner_id, r.name, r.relationship, r.email, r.phone) for r in referees] == [
        (practitioner.pk, "Tom Baker", "Manager at work", "tom.baker@example.com", ""),
        (practitioner.pk, "Ann Lee", "Friend for 10 years", "", "07700 900654"),
    ]
    assert all(r.requested_on is None and r.satisfactory is None for r in referees)

    response_row = EqualityMonitoringResponse.objects.get()
    assert response_row.provider == provider
    assert response_row.month == dt.date(2026, 11, 1)
    assert (
        response_row.age_band,
        response_row.sex,
        response_row.gender_same_as_birth,
        response_row.ethnicity,
        response_row.disability,
        response_row.religion,
        response_row.sexual_orientation,
    ) == ("35_44", "female", "yes", "asian", "no", "hindu", "bisexual")

    event = AuditEvent.objects.get(
        record_type="practitioners.practitioner", record_id=str(practitioner.pk)
    )
    assert event.actor_id is None
    assert event.action == "create"


def test_the_applicant_and_the_coordinators_hear_of_it_without_personal_details(client, provider):
    second = UserFactory(
        organisation=provider,
        email="second-coordinator@provider.example",
        roles=[Role.VOLUNTEER_COORDINATOR],
    )
    UserFactory(
        organisation=provider, email="facilitator@provider.example", roles=[Role.FACILITATOR]
    )
    UserFactory(
        organisation=provider,
        email="gone@provider.example",
        roles=[Role.VOLUNTEER_COORDINATOR],
        is_active=False,
    )
    # Another provider (after "Calm Provider" by name, so not the one applied to).
    elsewhere = OrganisationFactory(
        slug="other-provider", name="Other Provider", kind=OrganisationKind.RJ_PROVIDER
    )
    UserFactory(
        organisation=elsewhere, email="other@elsewhere.example", roles=[Role.VOLUNTEER_COORDINATOR]
    )
    answer_all(client)
    submit(client)
    practitioner = Practitioner.objects.get()

    messages = {m.recipient: m for m in OutboundMessage.objects.all()}
    assert set(messages) == {"priya.shah@example.org", COORDINATOR, second.email}
    ack = messages["priya.shah@example.org"]
    assert ack.template == app.VOLUNTEER_ACK
    assert ack.channel == "email"
    assert ack.record_id == str(practitioner.pk)
    for recipient in (COORDINATOR, second.email):
        alert = messages[recipient]
        assert alert.template == app.VOLUNTEER_NEW_COORDINATOR
        assert alert.personalisation["reference"] == practitioner.reference
        assert alert.personalisation["link"].endswith(
            f"/staff/practitioners/{practitioner.reference}/"
        )
    # Nothing personal in any text: only the reference identifies the application.
    texts = json.dumps([m.personalisation for m in messages.values()])
    for text in [*PERSONAL, *EQUALITY_LABELS, "bisexual", "hindu"]:
        assert text.lower() not in texts.lower(), text


def test_a_provider_without_coordinators_is_alerted_at_its_inbox(client):
    provider = OrganisationFactory(
        slug="small-provider",
        kind=OrganisationKind.RJ_PROVIDER,
        notification_email="team@small.example",
    )
    answer_all(client)
    submit(client)
    assert Practitioner.objects.get().provider == provider
    assert set(OutboundMessage.objects.values_list("recipient", flat=True)) == {
        "priya.shah@example.org",
        "team@small.example",
    }


def test_the_volunteer_provider_setting_chooses_the_provider(client, settings, provider):
    chosen = OrganisationFactory(
        slug="chosen-provider", name="Zed Provider", kind=OrganisationKind.RJ_PROVIDER
    )
    settings.VOLUNTEER_PROVIDER = "chosen-provider"
    answer_all(client)
    submit(client)
    assert Practitioner.objects.get().provider == chosen
    assert EqualityMonitoringResponse.objects.get().provider == chosen


def test_without_the_setting_the_first_provider_by_name_gets_it(client, settings, provider):
    OrganisationFactory(slug="zed", name="Zed Provider", kind=OrganisationKind.RJ_PROVIDER)
    settings.VOLUNTEER_PROVIDER = "not-a-provider"
    answer_all(client)
    submit(client)
    assert Practitioner.objects.get().provider == provider


def test_with_no_provider_nothing_is_sent_and_the_answers_are_kept(client):
    answer_all(client)
    response = submit(client)
    assert response.status_code == 503
    assert "Your application has not been sent" in response.content.decode()
    assert not Practitioner.objects.exists()
    assert client.get("/volunteer/check-answers/").status_code == 200


def test_skipped_equality_questions_store_no_response(client, provider):
    answer_all(client, with_answer(FULL, "equality", {"skip": "yes"}))
    submit(client)
    assert Practitioner.objects.count() == 1
    assert not EqualityMonitoringResponse.objects.exists()


def test_prefer_not_to_say_is_an_answer_and_is_counted(client, provider):
    answer_all(client, with_answer(FULL, "equality", {"religion": "prefer_not_to_say"}))
    submit(client)
    row = EqualityMonitoringResponse.objects.get()
    assert row.religion == "prefer_not_to_say"
    assert row.ethnicity == row.sex == ""


def test_sending_clears_the_answers_and_shows_the_reference(client, provider):
    answer_all(client)
    response = submit(client)
    practitioner = Practitioner.objects.get()
    assert app.SESSION_KEY not in client.session
    stored = json.dumps(dict(client.session.items()))
    for text in PERSONAL:
        assert text not in stored
    page = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in page
    assert "Application sent" in page
    assert practitioner.reference in page
    assert "What happens next" in page
    assert "enhanced DBS check, which we pay for" in page
    # The answers are gone: a question goes to the friendly restart, not a blank form.
    assert client.get(url("languages"))["Location"] == "/volunteer/confirmation/"


def test_a_double_submit_makes_one_record_with_one_reference(client, provider):
    answer_all(client)
    first = submit(client)
    second = submit(client)
    assert first["Location"] == second["Location"] == "/volunteer/confirmation/"
    assert Practitioner.objects.count() == 1
    assert VolunteerApplication.objects.count() == 1
    assert Referee.objects.count() == 2
    assert EqualityMonitoringResponse.objects.count() == 1
    reference = Practitioner.objects.get().reference
    assert reference in client.get("/volunteer/confirmation/").content.decode()


def test_a_replayed_submission_returns_the_record_it_made(client, provider):
    answer_all(client)
    application = app.application_load(client.session)
    assert application is not None
    answers = app.application_answers(application)
    first = app.volunteer_application_submit(
        answers=answers, submission_key=application.submission_key
    )
    again = app.volunteer_application_submit(
        answers=answers, submission_key=application.submission_key
    )
    assert first.pk == again.pk
    assert first.reference == again.reference
    # The view, given the same session, shows the confirmation of that record.
    assert submit(client)["Location"] == "/volunteer/confirmation/"
    assert first.reference in client.get("/volunteer/confirmation/").content.decode()
    assert Practitioner.objects.count() == 1
    assert Referee.objects.count() == 2
    assert EqualityMonitoringResponse.objects.count() == 1
    assert OutboundMessage.objects.filter(recipient=COORDINATOR).count() == 1


def test_an_incomplete_application_cannot_be_sent(client, provider):
    answer_until(client, "privacy")
    assert submit(client)["Location"] == url("privacy")
    assert not Practitioner.objects.exists()


@pytest.mark.parametrize("coordinators", [1, 4])
def test_sending_takes_the_same_number_of_queries_however_many_coordinators(
    client, provider, django_assert_num_queries, coordinators
):
    for n in range(coordinators - 1):
        UserFactory(
            organisation=provider,
            email=f"coordinator{n}@provider.example",
            roles=[Role.VOLUNTEER_COORDINATOR],
        )
    answer_all(client)
    # The coordinators are found in one query, and every message (with its audit
    # event) is written in one batch.
    with django_assert_num_queries(19):
        response = submit(client)
    assert response["Location"] == "/volunteer/confirmation/"
    assert OutboundMessage.objects.count() == 1 + coordinators


# ----- equality monitoring stays unlinked ----------------------------------


def test_the_equality_response_has_no_link_to_anyone():
    fields = {f.name for f in EqualityMonitoringResponse._meta.get_fields()}
    assert fields == {
        "id",
        "provider",
        "month",
        "age_band",
        "sex",
        "gender_same_as_birth",
        "ethnicity",
        "disability",
        "religion",
        "sexual_orientation",
    }
    relations = [f for f in EqualityMonitoringResponse._meta.get_fields() if f.is_relation]
    assert [(f.name, f.related_model) for f in relations] == [("provider", Organisation)]
    # Nothing time-stamped that could be matched to the moment an application arrived.
    assert not [
        f
        for f in EqualityMonitoringResponse._meta.get_fields()
        if isinstance(f, models.DateTimeField | models.TimeField)
    ]
    for model in (Practitioner, VolunteerApplication, Referee):
        assert EqualityMonitoringResponse not in {
            f.related_model for f in model._meta.get_fields() if f.is_relation
        }, model


def test_nothing_written_on_sending_points_at_the_equality_response(client, provider):
    answer_all(client)
    submit(client)
    row = EqualityMonitoringResponse.objects.get()
    practitioner = Practitioner.objects.get()
    assert not AuditEvent.objects.filter(record_type="practitioners.equalitymonitoringresponse")
    details = json.dumps(list(AuditEvent.objects.values("detail", "fields")))
    assert "equality" not in details
    for message in OutboundMessage.objects.all():
        assert message.record_type == "practitioners.practitioner"
        assert message.record_id == str(practitioner.pk)
    assert row.pk is not None


def test_the_staff_record_of_the_applicant_shows_no_equality_answer(client, provider):
    answer_all(client)
    submit(client)
    practitioner = Practitioner.objects.get()
    coordinator = provider.users.get(email=COORDINATOR)
    staff = Client()
    staff.force_login(coordinator)
    response = staff.get(f"/staff/practitioners/{practitioner.reference}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Priya" in page
    for text in [*EQUALITY_LABELS, "Equality", "ethnic", "sexual orientation", "religion"]:
        assert text.lower() not in page.lower(), text


# ----- bots and too many ---------------------------------------------------


def test_the_bot_trap_is_hidden_and_a_filled_one_sends_nothing(client, provider):
    answer_all(client)
    page = client.get("/volunteer/check-answers/").content.decode()
    trap = re.search(
        r'<div class="govuk-visually-hidden" aria-hidden="true">(.*?)</div>', page, re.S
    )
    assert trap
    assert 'tabindex="-1"' in trap.group(1)
    response = submit(client, website="https://spam.example")
    assert response.status_code == 400
    assert "Your application has not been sent" in response.content.decode()
    assert not Practitioner.objects.exists()
    assert client.get("/volunteer/check-answers/").status_code == 200


def test_too_many_applications_from_one_address_are_refused_and_kept(settings, provider):
    settings.VOLUNTEER_SUBMISSIONS_PER_HOUR = 2
    for _ in range(2):
        applicant = Client(REMOTE_ADDR="203.0.113.9")
        answer_all(applicant)
        assert submit(applicant)["Location"] == "/volunteer/confirmation/"
    third = Client(REMOTE_ADDR="203.0.113.9")
    answer_all(third)
    response = submit(third)
    assert response.status_code == 429
    assert "Your application has not been sent" in response.content.decode()
    assert Practitioner.objects.count() == 2
    assert third.get("/volunteer/check-answers/").status_code == 200
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    answer_all(elsewhere)
    assert submit(elsewhere)["Location"] == "/volunteer/confirmation/"
    # An hour later the first address may send again.
    with time_machine.travel(NOW + dt.timedelta(minutes=61), tick=False):
        answer_all(third)
        assert submit(third)["Location"] == "/volunteer/confirmation/"
    assert Practitioner.objects.count() == 4


def test_resending_an_application_already_counted_is_never_refused(settings, provider):
    settings.VOLUNTEER_SUBMISSIONS_PER_HOUR = 1
    applicant = Client(REMOTE_ADDR="203.0.113.9")
    answer_all(applicant)
    application = app.application_load(applicant.session)
    assert application is not None
    request = type("R", (), {"META": {"REMOTE_ADDR": "203.0.113.9"}})()
    assert app.submission_allowed(request, application.submission_key)
    assert app.submission_allowed(request, application.submission_key)
    assert submit(applicant)["Location"] == "/volunteer/confirmation/"
    assert not app.submission_allowed(request, "another-application")


# ----- a lost or timed-out session -----------------------------------------


def test_a_lost_session_gets_a_friendly_restart(client, provider):
    # A final submit, or a question, with no application in this session.
    response = submit(client)
    assert response["Location"] == "/volunteer/start-again/"
    assert client.get(url("hours"))["Location"] == "/volunteer/start-again/"
    page = client.get("/volunteer/start-again/").content.decode()
    assert "Sorry, you’ll have to start again" in page
    assert "Your application has not been sent." in page
    assert 'href="/volunteer/your-name/"' in page
    assert not Practitioner.objects.exists()
    # Starting again makes a new application.
    assert client.get(url("your-name")).status_code == 200
    assert client.session[app.SESSION_KEY]["answers"] == {}


def test_answers_are_deleted_after_an_hour_without_activity(client, provider):
    answer_until(client, "hours")
    with time_machine.travel(NOW + dt.timedelta(minutes=59), tick=False):
        assert client.get(url("hours")).status_code == 200
    with time_machine.travel(NOW + dt.timedelta(minutes=118), tick=False):
        assert post(client, "hours", {"hours": "6"})["Location"] == url("languages")
    with time_machine.travel(NOW + dt.timedelta(minutes=179), tick=False):
        response = client.get(url("languages"))
        assert response["Location"] == "/volunteer/answers-deleted/"
        assert app.SESSION_KEY not in client.session
        page = client.get("/volunteer/answers-deleted/").content.decode()
        assert "You did nothing for 60 minutes, so we deleted your answers" in page
        assert client.get(url("languages"))["Location"] == "/volunteer/start-again/"


def test_a_final_submit_after_the_time_out_sends_nothing(client, provider):
    answer_all(client)
    with time_machine.travel(NOW + dt.timedelta(minutes=61), tick=False):
        assert submit(client)["Location"] == "/volunteer/answers-deleted/"
    assert not Practitioner.objects.exists()


# ----- PostgreSQL: many copies of one final submit at once ----------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submits_of_one_application_make_one_record(provider):
    applicant = Client()
    answer_all(applicant)
    session_cookie = applicant.cookies[settings.SESSION_COOKIE_NAME].value
    barrier = threading.Barrier(20)
    responses: list[tuple[int, str]] = []
    lock = threading.Lock()

    def send() -> None:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
        try:
            barrier.wait()
            response = submit(client)
            result = (response.status_code, response.get("Location", ""))
        finally:
            connection.close()
        with lock:
            responses.append(result)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert responses == [(302, "/volunteer/confirmation/")] * 20
    practitioner = Practitioner.objects.get()
    assert Referee.objects.filter(practitioner=practitioner).count() == 2
    assert EqualityMonitoringResponse.objects.count() == 1
    creates = AuditEvent.objects.filter(record_type="practitioners.practitioner", action="create")
    assert list(creates.values_list("record_id", flat=True)) == [str(practitioner.pk)]
    assert OutboundMessage.objects.filter(recipient=COORDINATOR).count() == 1
