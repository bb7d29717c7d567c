"""The public online application, /refer/: every step, its errors, its branches and its safety.

Walks go through the real views with Django's test client, one question page at
a time, as a browser without JavaScript would.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from amends.core.models import AuditEvent, OutboundMessage
from amends.referrals import application as app
from amends.referrals.models import (
    Answer,
    ContactChannel,
    PersonRole,
    Referral,
    ReferralSource,
)
from amends.referrals.selectors import referrals_visible_to
from amends.referrals.tests.factories import caseworker_factory, hub_factory

pytestmark = pytest.mark.django_db

HUB_INBOX = "alerts@test-hub.example"
TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)

SELF: list[tuple[str, dict]] = [
    ("who", {"applying_for": "myself"}),
    ("reported", {"reported": "yes"}),
    ("crime-reference", {"crime_reference": "1234/26/00042"}),
    ("offence", {"offence_type": "burglary"}),
    ("when", {"day": "3", "month": "2", "year": "2026"}),
    ("where", {"place": "Acacia Avenue, Barnet"}),
    ("name", {"full_name": "Alex Jo Morgan"}),
    ("date-of-birth", {"day": "14", "month": "6", "year": "1980"}),
    (
        "contact",
        {
            "email": "Alex.Morgan@example.org",
            "phone": "07700 900123",
            "address_line_1": "12 Acacia Avenue",
            "town": "Barnet",
            "postcode": "en5 1aa",
        },
    ),
    ("area", {"area": "test-hub"}),
    ("responsible", {"offender_known": "yes"}),
    ("safe-contact", {"channels": ["email", "phone"]}),
    ("safe-times", {"safe_times": "Weekday mornings"}),
    ("voicemail", {"may_leave_message": "no"}),
    ("interpreter", {"interpreter": "spoken"}),
    ("language", {"language": "Polish"}),
    ("adjustments", {"adjustments": "Step-free access"}),
    ("safety", {"feels_unsafe": "yes"}),
    ("support", {"support_wanted": "A personal alarm"}),
    ("consent", {"agree": "on"}),
]
# Everything personal in SELF: none of it may ever be in a URL.
SELF_PERSONAL = [
    "1234/26/00042",
    "Acacia",
    "Alex",
    "Morgan",
    "example.org",
    "07700",
    "900123",
    "EN5",
    "en5",
    "Weekday",
    "Polish",
    "Step-free",
    "alarm",
    "1980",
]

ON_BEHALF: list[tuple[str, dict]] = [
    ("who", {"applying_for": "someone_else"}),
    ("your-name", {"full_name": "Sam Taylor"}),
    ("your-contact", {"email": "sam.taylor@example.org", "phone": ""}),
    ("relationship", {"relationship": "Support worker"}),
    ("under-18", {"under_18": "yes"}),
    ("parent-or-guardian", {"is_parent": "no"}),
    ("parent-details", {"full_name": "Pat Reid", "phone": "07700 900456", "email": ""}),
    ("agreement", {"knows_and_agrees": "yes"}),
    ("reported", {"reported": "no"}),
    ("offence", {"offence_type": "violence"}),
    ("when", {"day": "1", "month": "Oct", "year": "2026"}),
    ("where", {"place": "online"}),
    ("name", {"full_name": "Robin Reid"}),
    ("date-of-birth", {"day": "1", "month": "1", "year": "2012"}),
    ("contact", {"email": "", "phone": "", "address_line_1": "", "town": "", "postcode": ""}),
    ("area", {"area": "not_sure"}),
    ("responsible", {"offender_known": "not_sure"}),
    ("interpreter", {"interpreter": "bsl"}),
    ("adjustments", {"adjustments": ""}),
    ("safety", {"feels_unsafe": "no"}),
    ("support", {"support_wanted": ""}),
    ("consent", {"agree": "on"}),
]


@pytest.fixture(autouse=True)
def _steady(settings) -> Iterator[None]:
    """A fixed clock, a clean cache (the rate limit lives there) and a known default hub."""
    settings.PUBLIC_REFERRAL_DEFAULT_HUB = "default-hub"
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def hub():
    hub = hub_factory("test-hub")
    hub.notification_email = HUB_INBOX
    hub.save(update_fields=["notification_email"])
    return hub


@pytest.fixture
def default_hub():
    return hub_factory("default-hub")


def url(step: str) -> str:
    return f"/refer/{step}/"


def post(client: Client, step: str, data: dict, **extra):
    return client.post(url(step), data, **extra)


def answer_all(client: Client, answers, upto: int | None = None) -> list[str]:
    """Answer each step in order; every answer must lead straight to the next question."""
    locations = []
    client.get(url(answers[0][0]))
    for index, (step, data) in enumerate(answers[:upto]):
        response = post(client, step, data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
        expected = (
            url(answers[index + 1][0]) if index + 1 < len(answers) else "/refer/check-answers/"
        )
        assert response["Location"] == expected, step
        locations.append(response["Location"])
    return locations


def answer_until(client: Client, answers, stop: str) -> None:
    """Answer the steps before `stop`."""
    answer_all(client, answers, upto=[name for name, _ in answers].index(stop))


def submit(client: Client, **data):
    return client.post("/refer/check-answers/", data)


def session_data(client: Client) -> dict:
    return dict(client.session.items())


# ----- the pages -----------------------------------------------------------


def test_the_start_page_starts_nothing_until_asked(client):
    response = client.get("/refer/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Apply for restorative justice or support" in page
    assert 'href="/refer/who/"' in page
    assert app.SESSION_KEY not in client.session


def test_the_first_question_starts_an_application_with_a_random_key(client):
    response = client.get(url("who"))
    assert response.status_code == 200
    key = client.session[app.SESSION_KEY]["key"]
    other = Client()
    other.get(url("who"))
    assert len(key) >= 40
    assert key != other.session[app.SESSION_KEY]["key"]


def test_question_pages_are_never_cached_and_carry_exit_this_page(client):
    response = client.get(url("who"))
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert 'href="/refer/exit/"' in page
    assert "govuk-exit-this-page" in page
    heading = "Are you applying for yourself or for someone else?"
    assert f'<h1 class="govuk-fieldset__heading">{heading}</h1>' in page


@pytest.mark.parametrize(
    ("answers", "step", "data", "message"),
    [
        (SELF, "who", {}, "Select if you are applying for yourself or someone else"),
        (
            SELF,
            "who",
            {"applying_for": "nobody"},
            "Select if you are applying for yourself or someone else",
        ),
        (ON_BEHALF, "your-name", {"full_name": "  "}, "Enter your full name"),
        (
            ON_BEHALF,
            "your-name",
            {"full_name": "x" * 101},
            "Full name must be 100 characters or fewer",
        ),
        (
            ON_BEHALF,
            "your-contact",
            {"email": "", "phone": ""},
            "Enter your email address or phone number",
        ),
        (
            ON_BEHALF,
            "your-contact",
            {"email": "sam@", "phone": ""},
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            ON_BEHALF,
            "your-contact",
            {"email": "", "phone": "call me"},
            "Enter a phone number, like 01632 960 001",
        ),
        (
            ON_BEHALF,
            "relationship",
            {"relationship": ""},
            "Enter your relationship to the person harmed",
        ),
        (ON_BEHALF, "under-18", {}, "Select if the person harmed is under 18"),
        (ON_BEHALF, "parent-or-guardian", {}, "Select if you are their parent or guardian"),
        (
            ON_BEHALF,
            "parent-details",
            {"full_name": "", "phone": "07700 900456", "email": ""},
            "Enter the full name of their parent or guardian",
        ),
        (
            ON_BEHALF,
            "agreement",
            {},
            "Select if the person harmed knows about this application and agrees to it",
        ),
        (SELF, "reported", {}, "Select if the crime has been reported to the police"),
        (
            SELF,
            "crime-reference",
            {"crime_reference": "1" * 41},
            "Crime reference number must be 40 characters or fewer",
        ),
        (SELF, "offence", {}, "Select the type of crime"),
        (SELF, "offence", {"offence_type": "jaywalking"}, "Select the type of crime"),
        (SELF, "when", {"day": "", "month": "", "year": ""}, "Enter the date it happened"),
        (
            SELF,
            "when",
            {"day": "3", "month": "", "year": "2026"},
            "Date it happened must include a month",
        ),
        (
            SELF,
            "when",
            {"day": "", "month": "", "year": "2026"},
            "Date it happened must include a day and month",
        ),
        (
            SELF,
            "when",
            {"day": "31", "month": "2", "year": "2026"},
            "Date it happened must be a real date",
        ),
        (
            SELF,
            "when",
            {"day": "3", "month": "13", "year": "2026"},
            "Date it happened must be a real date",
        ),
        (
            SELF,
            "when",
            {"day": "x", "month": "2", "year": "2026"},
            "Date it happened must be a real date",
        ),
        (SELF, "when", {"day": "3", "month": "2", "year": "26"}, "Year must include 4 numbers"),
        (
            SELF,
            "when",
            {"day": "26", "month": "11", "year": "2026"},
            "Date it happened must be today or in the past",
        ),
        (
            SELF,
            "when",
            {"day": "1", "month": "1", "year": "1899"},
            "Date it happened must be the same as or after 1 January 1900",
        ),
        (SELF, "where", {"place": ""}, "Enter where it happened"),
        (SELF, "where", {"place": "x" * 201}, "Where it happened must be 200 characters or fewer"),
        (SELF, "name", {"full_name": ""}, "Enter your full name"),
        (ON_BEHALF, "name", {"full_name": ""}, "Enter the full name of the person harmed"),
        (SELF, "date-of-birth", {"day": "", "month": "", "year": ""}, "Enter your date of birth"),
        (
            ON_BEHALF,
            "date-of-birth",
            {"day": "", "month": "", "year": ""},
            "Enter their date of birth",
        ),
        (
            SELF,
            "date-of-birth",
            {"day": "25", "month": "11", "year": "2026"},
            "Date of birth must be in the past",
        ),
        (
            ON_BEHALF,
            "date-of-birth",
            {"day": "1", "month": "1", "year": "1990"},
            "Date of birth must show they are under 18, as you said",
        ),
        (
            SELF,
            "contact",
            {"email": "", "phone": "", "address_line_1": "", "town": "", "postcode": ""},
            "Enter an email address, phone number or address",
        ),
        (
            SELF,
            "contact",
            {"email": "", "phone": "", "address_line_1": "1 High St", "town": "", "postcode": ""},
            "Enter the postcode",
        ),
        (
            SELF,
            "contact",
            {"email": "", "phone": "", "address_line_1": "", "town": "", "postcode": "EN5 1AA"},
            "Enter the building and street",
        ),
        (
            SELF,
            "contact",
            {
                "email": "",
                "phone": "",
                "address_line_1": "1 High St",
                "town": "",
                "postcode": "NOT A CODE",
            },
            "Enter a real postcode",
        ),
        (SELF, "area", {}, "Select the area you live in"),
        (ON_BEHALF, "area", {"area": "nowhere"}, "Select the area they live in"),
        (SELF, "responsible", {}, "Select if you know who is responsible"),
        (SELF, "safe-contact", {}, "Select at least one safe way to contact you"),
        (
            SELF,
            "safe-times",
            {"safe_times": "x" * 201},
            "Safe times must be 200 characters or fewer",
        ),
        (SELF, "voicemail", {}, "Select if we can leave a voicemail message"),
        (SELF, "interpreter", {}, "Select if an interpreter is needed"),
        (SELF, "language", {"language": ""}, "Enter the language"),
        (
            SELF,
            "adjustments",
            {"adjustments": "x" * 2001},
            "Your answer must be 2000 characters or fewer",
        ),
        (SELF, "safety", {}, "Select if you feel unsafe at home"),
        (ON_BEHALF, "safety", {}, "Select if they feel unsafe at home"),
        (
            SELF,
            "support",
            {"support_wanted": "x" * 2001},
            "Your answer must be 2000 characters or fewer",
        ),
        (SELF, "consent", {}, "Select to confirm you have read the privacy notice and agree"),
    ],
)
def test_every_question_refuses_a_bad_answer_with_the_govuk_message(
    client, hub, default_hub, answers, step, data, message
):
    answer_until(client, answers, step)
    response = post(client, step, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "There is a problem" in page
    assert message in page
    assert "<title>Error: " in page
    # The summary links to a field on the page.
    target = re.search(r'govuk-error-summary__list">\s*(?:<li>)?\s*<li><a href="#([^"]+)"', page)
    assert target
    assert f'id="{target.group(1)}"' in page
    assert client.session[app.SESSION_KEY]["answers"].get(step) is None


def test_a_month_may_be_written_as_a_word(client, hub):
    answer_until(client, SELF, "when")
    response = post(client, "when", {"day": "3", "month": "February", "year": "2026"})
    assert response.status_code == 302


def test_the_date_input_marks_only_the_missing_part(client, hub):
    answer_until(client, SELF, "when")
    page = post(client, "when", {"day": "3", "month": "", "year": "2026"}).content.decode()
    assert re.search(r'id="id_month"', page)
    assert page.count("govuk-input--error") == 1
    assert re.search(r'govuk-input--width-2 govuk-input--error" id="id_month"', page)


# ----- branches ------------------------------------------------------------


def test_applying_for_yourself_skips_the_questions_about_someone_else(client, hub):
    client.get(url("who"))
    response = post(client, "who", {"applying_for": "myself"})
    assert response["Location"] == url("reported")
    assert client.get(url("your-name"))["Location"] == url("reported")


def test_no_crime_reference_question_when_not_reported(client, hub):
    answer_until(client, SELF, "reported")
    response = post(client, "reported", {"reported": "not_sure"})
    assert response["Location"] == url("offence")
    assert client.get(url("crime-reference"))["Location"] == url("offence")


def test_a_question_ahead_of_the_first_unanswered_one_sends_you_back_to_it(client, hub):
    answer_until(client, SELF, "offence")
    assert client.get(url("consent"))["Location"] == url("offence")
    assert client.get("/refer/check-answers/")["Location"] == url("offence")


def test_questions_without_an_application_go_to_the_start(client):
    assert client.get(url("offence"))["Location"] == "/refer/"
    assert client.get("/refer/check-answers/")["Location"] == "/refer/"
    assert client.get("/refer/no-such-step/").status_code == 404


def test_someone_else_who_does_not_agree_stops_the_application(client, hub):
    steps = [s for s in ON_BEHALF if s[0] not in {"parent-or-guardian", "parent-details"}]
    steps = [("under-18", {"under_18": "no"}) if s[0] == "under-18" else s for s in steps]
    answer_until(client, steps, "agreement")
    response = post(client, "agreement", {"knows_and_agrees": "no"})
    assert response["Location"] == "/refer/they-need-to-agree/"
    page = client.get("/refer/they-need-to-agree/").content.decode()
    assert "They need to agree before you apply" in page
    assert 'href="/refer/agreement/"' in page
    assert client.get(url("reported"))["Location"] == "/refer/they-need-to-agree/"
    assert client.get("/refer/check-answers/")["Location"] == "/refer/they-need-to-agree/"
    # Changing the answer carries on.
    assert post(client, "agreement", {"knows_and_agrees": "yes"})["Location"] == url("reported")
    assert client.get("/refer/they-need-to-agree/")["Location"] == url("reported")


def test_a_parent_may_apply_for_a_child_who_has_not_agreed(client, hub, default_hub):
    steps = [s for s in ON_BEHALF if s[0] != "parent-details"]
    steps = [
        ("parent-or-guardian", {"is_parent": "yes"})
        if s[0] == "parent-or-guardian"
        else ("agreement", {"knows_and_agrees": "no"})
        if s[0] == "agreement"
        else s
        for s in steps
    ]
    answer_all(client, steps)
    assert submit(client)["Location"] == "/refer/confirmation/"
    referral = Referral.objects.get()
    roles = {rp.role: rp for rp in referral.people.select_related("person")}
    assert set(roles) == {PersonRole.VICTIM, PersonRole.REFERRER, PersonRole.PARENT_GUARDIAN}
    assert roles[PersonRole.REFERRER].person_id == roles[PersonRole.PARENT_GUARDIAN].person_id
    assert roles[PersonRole.VICTIM].knows_and_agrees is False


def test_the_date_of_birth_must_agree_with_the_answer_about_age(client, hub):
    steps = [("under-18", {"under_18": "no"}) if s[0] == "under-18" else s for s in ON_BEHALF]
    steps = [s for s in steps if s[0] not in {"parent-or-guardian", "parent-details"}]
    answer_until(client, steps, "date-of-birth")
    page = post(
        client, "date-of-birth", {"day": "1", "month": "1", "year": "2012"}
    ).content.decode()
    assert "Date of birth must show they are 18 or over, as you said" in page


def test_the_999_warning_shows_after_saying_home_is_unsafe(client, hub):
    answer_until(client, SELF, "support")
    assert "If you are in danger, call 999" in client.get(url("support")).content.decode()
    post(client, "safety", {"feels_unsafe": "no"})
    assert "If you are in danger, call 999" not in client.get(url("support")).content.decode()


def test_safe_ways_offered_are_only_those_we_have_details_for(client, hub):
    answer_until(client, SELF, "contact")
    post(
        client,
        "contact",
        {
            "email": "",
            "phone": "",
            "address_line_1": "1 High St",
            "town": "",
            "postcode": "EN5 1AA",
        },
    )
    post(client, "area", {"area": "test-hub"})
    post(client, "responsible", {"offender_known": "no"})
    page = client.get(url("safe-contact")).content.decode()
    assert 'value="letter"' in page
    assert 'value="email"' not in page
    assert 'value="phone"' not in page
    response = post(client, "safe-contact", {"channels": ["email"]})
    assert "Select at least one safe way to contact you" in response.content.decode()
    # Letter only: no question about times to call or voicemail.
    assert post(client, "safe-contact", {"channels": ["letter"]})["Location"] == url("interpreter")


# ----- check your answers and change links ---------------------------------


def test_check_answers_lists_every_answer_with_a_change_link(client, hub):
    answer_all(client, SELF)
    response = client.get("/refer/check-answers/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-summary-list" in page
    for text in [
        "Myself",
        "1234/26/00042",
        "Burglary",
        "3 February 2026",
        "Acacia Avenue, Barnet",
        "Alex Jo Morgan",
        "14 June 1980",
        "alex.morgan@example.org",
        "12 Acacia Avenue, Barnet, EN5 1AA",
        "test-hub hub",
        "Email",
        "Phone call",
        "Weekday mornings",
        "Yes, for a spoken language",
        "Polish",
        "Step-free access",
        "A personal alarm",
    ]:
        assert text in page, text
    for step, _ in SELF[:-1]:
        assert f'href="/refer/{step}/"' in page, step
    assert 'Change<span class="govuk-visually-hidden"> name</span>' in page


def test_answers_survive_going_back_and_reloading(client, hub):
    answer_until(client, SELF, "name")
    for step, data in SELF[: [s for s, _ in SELF].index("name")]:
        page = client.get(url(step)).content.decode()
        for value in data.values():
            if isinstance(value, str) and len(value) > 1:
                assert value in page, (step, value)
    assert "checked" in client.get(url("offence")).content.decode()


def test_a_change_link_returns_to_check_answers(client, hub):
    answer_all(client, SELF)
    client.get("/refer/check-answers/")
    page = client.get(url("where")).content.decode()
    assert 'value="Acacia Avenue, Barnet"' in page
    assert 'class="govuk-back-link">Back</a>' in page
    assert 'href="/refer/check-answers/" class="govuk-back-link"' in page
    response = post(client, "where", {"place": "Station Road"})
    assert response["Location"] == "/refer/check-answers/"
    assert "Station Road" in client.get("/refer/check-answers/").content.decode()


def test_a_change_that_needs_new_answers_asks_them_then_returns(client, hub, default_hub):
    answer_all(client, SELF)
    client.get("/refer/check-answers/")
    # Now it is for someone else: the questions about them are asked first.
    assert post(client, "who", {"applying_for": "someone_else"})["Location"] == url("your-name")
    assert post(client, "your-name", {"full_name": "Sam Taylor"})["Location"] == url("your-contact")
    post(client, "your-contact", {"email": "sam@example.org", "phone": ""})
    post(client, "relationship", {"relationship": "Friend"})
    post(client, "under-18", {"under_18": "no"})
    assert post(client, "agreement", {"knows_and_agrees": "yes"})["Location"] == (
        "/refer/check-answers/"
    )


def test_a_change_that_makes_a_later_answer_wrong_shows_that_question_with_its_error(client, hub):
    answer_all(client, SELF)
    client.get("/refer/check-answers/")
    response = post(
        client,
        "contact",
        {
            "email": "",
            "phone": "",
            "address_line_1": "1 High St",
            "town": "",
            "postcode": "EN5 1AA",
        },
    )
    assert response["Location"] == url("safe-contact")
    page = client.get(url("safe-contact")).content.decode()
    assert "Select at least one safe way to contact you" in page


# ----- nothing personal in a URL or in the browser -------------------------


def test_no_answer_is_ever_in_a_url(client, hub):
    seen_urls = answer_all(client, SELF)
    pages = [client.get(url(step)).content.decode() for step, _ in SELF]
    pages.append(client.get("/refer/check-answers/").content.decode())
    response = submit(client)
    seen_urls.append(response["Location"])
    pages.append(client.get(response["Location"]).content.decode())
    for page in pages:
        seen_urls += re.findall(r'(?:href|action|src)="([^"]*)"', page)
    for seen in seen_urls:
        assert "?" not in seen or seen.startswith("http"), seen
        for text in SELF_PERSONAL:
            assert text.lower() not in seen.lower(), (seen, text)
    for page in pages:
        assert "localStorage" not in page
        assert "sessionStorage" not in page


# ----- submitting ----------------------------------------------------------


def test_applying_for_yourself_makes_the_right_referral(client, hub):
    answer_all(client, SELF)
    client.get("/refer/check-answers/")
    response = submit(client)
    assert response.status_code == 302
    assert response["Location"] == "/refer/confirmation/"
    referral = Referral.objects.get()
    assert referral.hub == hub
    assert referral.source == ReferralSource.SELF
    assert referral.referred_by is None
    assert referral.referring_organisation is None
    assert referral.offence_type == "burglary"
    assert referral.offence_date == dt.date(2026, 2, 3)
    assert referral.offence_place == "Acacia Avenue, Barnet"
    assert referral.crime_reference == "1234/26/00042"
    assert referral.reported_to_police is True
    assert referral.offender_known == Answer.YES
    assert referral.feels_unsafe_at_home is True
    assert referral.support_wanted == "A personal alarm"
    assert referral.consent_given_at == NOW
    assert referral.privacy_notice_version == app.PRIVACY_NOTICE_VERSION == "2026-11"
    assert referral.submission_key
    assert referral.enhanced_rights is False
    (victim,) = referral.people.select_related("person")
    assert victim.role == PersonRole.VICTIM
    person = victim.person
    assert (person.given_name, person.family_name) == ("Alex Jo", "Morgan")
    assert person.date_of_birth == dt.date(1980, 6, 14)
    assert person.email == "alex.morgan@example.org"
    assert person.phone == "07700 900123"
    assert (person.address_line_1, person.town, person.postcode) == (
        "12 Acacia Avenue",
        "Barnet",
        "EN5 1AA",
    )
    assert victim.safe_channels == [ContactChannel.EMAIL, ContactChannel.PHONE]
    assert victim.safe_times == "Weekday mornings"
    assert victim.may_leave_message is False
    assert victim.post_is_safe is False
    assert victim.knows_and_agrees is None
    assert (victim.language, victim.needs_interpreter, victim.uses_bsl) == ("Polish", True, False)
    assert victim.adjustments == "Step-free access"
    event = AuditEvent.objects.get(record_type="referrals.referral", record_id=str(referral.pk))
    assert event.actor_id is None
    assert event.action == "create"


def test_the_hub_gets_the_referral_and_an_alert(client, hub):
    answer_all(client, SELF)
    submit(client)
    referral = Referral.objects.get()
    assert list(referrals_visible_to(caseworker_factory(hub))) == [referral]
    alert = OutboundMessage.objects.get(recipient=HUB_INBOX)
    assert alert.record_id == str(referral.pk)
    # The acknowledgement goes to the applicant on the channel they said was safe.
    assert OutboundMessage.objects.filter(recipient="alex.morgan@example.org").exists()


def test_applying_for_someone_else_makes_the_right_referral(client, hub, default_hub):
    answer_all(client, ON_BEHALF)
    assert submit(client)["Location"] == "/refer/confirmation/"
    referral = Referral.objects.get()
    assert referral.hub == default_hub  # "I'm not sure" → PUBLIC_REFERRAL_DEFAULT_HUB
    assert referral.source == ReferralSource.ON_BEHALF
    assert referral.reported_to_police is False
    assert referral.crime_reference == ""
    assert referral.offence_date == dt.date(2026, 10, 1)
    assert referral.offender_known == Answer.NOT_SURE
    assert referral.feels_unsafe_at_home is False
    assert referral.enhanced_rights is True  # a child harmed by crime
    people = {rp.role: rp for rp in referral.people.select_related("person")}
    assert set(people) == {PersonRole.VICTIM, PersonRole.REFERRER, PersonRole.PARENT_GUARDIAN}
    victim = people[PersonRole.VICTIM]
    assert victim.person.full_name == "Robin Reid"
    assert victim.person.date_of_birth == dt.date(2012, 1, 1)
    assert victim.knows_and_agrees is True
    assert victim.safe_channels == []
    assert victim.post_is_safe is None
    assert (victim.needs_interpreter, victim.uses_bsl, victim.language) == (True, True, "")
    referrer = people[PersonRole.REFERRER]
    assert referrer.person.full_name == "Sam Taylor"
    assert referrer.person.email == "sam.taylor@example.org"
    assert referrer.relationship == "Support worker"
    assert referrer.safe_channels == [ContactChannel.EMAIL]
    parent = people[PersonRole.PARENT_GUARDIAN]
    assert parent.person.full_name == "Pat Reid"
    assert parent.person.phone == "07700 900456"
    # The acknowledgement goes to whoever applied.
    assert OutboundMessage.objects.filter(recipient="sam.taylor@example.org").exists()


def test_sending_clears_the_answers_and_shows_the_reference(client, hub):
    answer_all(client, SELF)
    response = submit(client)
    referral = Referral.objects.get()
    assert app.SESSION_KEY not in client.session
    stored = json.dumps(session_data(client))
    for text in SELF_PERSONAL:
        assert text not in stored
    page = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in page
    assert referral.reference in page
    assert "within 2 working days" in page
    assert re.fullmatch(r"RJ-[0-9A-Z]{4}-[0-9A-Z]{4}", referral.reference)
    assert client.get(url("where"))["Location"] == "/refer/"


def test_a_double_submit_makes_one_referral(client, hub):
    answer_all(client, SELF)
    first = submit(client)
    second = submit(client)
    assert first["Location"] == second["Location"] == "/refer/confirmation/"
    assert Referral.objects.count() == 1


def test_a_resubmitted_application_returns_the_referral_it_made(client, hub):
    answer_all(client, SELF)
    application = app.application_load(client.session)
    assert application is not None
    answers = app.application_answers(application)
    first = app.application_submit(answers=answers, submission_key=application.submission_key)
    again = app.application_submit(answers=answers, submission_key=application.submission_key)
    assert first.pk == again.pk
    assert Referral.objects.count() == 1
    # The view, given the same session, shows the confirmation of that referral.
    assert submit(client)["Location"] == "/refer/confirmation/"
    assert first.reference in client.get("/refer/confirmation/").content.decode()
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(("answers", "most"), [(SELF, 25), (ON_BEHALF, 30)])
def test_submitting_is_a_bounded_number_of_queries(
    client, hub, default_hub, django_assert_max_num_queries, answers, most
):
    answer_all(client, answers)
    with django_assert_max_num_queries(most):
        response = submit(client)
    assert response["Location"] == "/refer/confirmation/"


def test_an_incomplete_application_cannot_be_sent(client, hub):
    answer_until(client, SELF, "consent")
    response = submit(client)
    assert response["Location"] == url("consent")
    assert not Referral.objects.exists()


# ----- bots ----------------------------------------------------------------


def test_the_bot_trap_is_hidden_from_people_and_their_tools(client, hub):
    answer_all(client, SELF)
    page = client.get("/refer/check-answers/").content.decode()
    trap = re.search(
        r'<div class="govuk-visually-hidden" aria-hidden="true">(.*?)</div>', page, re.S
    )
    assert trap, "the trap's wrapper is hidden from screen readers"
    assert 'tabindex="-1"' in trap.group(1)
    assert 'autocomplete="off"' in trap.group(1)
    assert "Leave this field blank" in trap.group(1)


def test_a_filled_trap_sends_nothing_and_keeps_the_answers(client, hub):
    answer_all(client, SELF)
    response = submit(client, website="https://spam.example")
    assert response.status_code == 400
    assert "Your application has not been sent" in response.content.decode()
    assert not Referral.objects.exists()
    assert client.get("/refer/check-answers/").status_code == 200


def test_too_many_applications_from_one_address_are_refused_and_kept(settings, hub):
    settings.PUBLIC_REFERRAL_SUBMISSIONS_PER_HOUR = 2
    for _ in range(2):
        applicant = Client(REMOTE_ADDR="203.0.113.9")
        answer_all(applicant, SELF)
        assert submit(applicant)["Location"] == "/refer/confirmation/"
    third = Client(REMOTE_ADDR="203.0.113.9")
    answer_all(third, SELF)
    response = submit(third)
    assert response.status_code == 429
    assert "Your application has not been sent" in response.content.decode()
    assert Referral.objects.count() == 2
    assert third.get("/refer/check-answers/").status_code == 200  # the answers are kept
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    answer_all(elsewhere, SELF)
    assert submit(elsewhere)["Location"] == "/refer/confirmation/"
    # An hour later the first address may send again.
    with time_machine.travel(NOW + dt.timedelta(minutes=61), tick=False):
        answer_all(third, SELF)
        assert submit(third)["Location"] == "/refer/confirmation/"


def test_resending_an_application_already_counted_is_never_refused(settings, hub):
    settings.PUBLIC_REFERRAL_SUBMISSIONS_PER_HOUR = 1
    applicant = Client(REMOTE_ADDR="203.0.113.9")
    answer_all(applicant, SELF)
    application = app.application_load(applicant.session)
    assert application is not None
    request = type("R", (), {"META": {"REMOTE_ADDR": "203.0.113.9"}})()
    assert app.submission_allowed(request, application.submission_key)
    assert app.submission_allowed(request, application.submission_key)
    assert submit(applicant)["Location"] == "/refer/confirmation/"
    assert not app.submission_allowed(request, "another-application")


# ----- exit and time out ---------------------------------------------------


def test_exit_this_page_clears_the_application_and_leaves(client, hub):
    answer_until(client, SELF, "where")
    response = client.get("/refer/exit/")
    assert response.status_code == 302
    assert response["Location"] == "https://www.bbc.co.uk/weather"
    assert app.SESSION_KEY not in client.session
    assert client.get(url("offence"))["Location"] == "/refer/"


def test_exit_this_page_on_the_home_page_goes_through_our_exit(client):
    page = client.get("/").content.decode()
    assert 'href="/refer/exit/"' in page
    assert "govuk-js-exit-this-page-button" in page


def test_answers_are_cleared_after_30_minutes_without_activity(client, hub):
    answer_until(client, SELF, "where")
    with time_machine.travel(NOW + dt.timedelta(minutes=29), tick=False):
        assert client.get(url("where")).status_code == 200
    # Activity at minute 29 keeps it for another 30.
    with time_machine.travel(NOW + dt.timedelta(minutes=58), tick=False):
        assert post(client, "where", {"place": "Station Road"})["Location"] == url("name")
    with time_machine.travel(NOW + dt.timedelta(minutes=89), tick=False):
        response = client.get(url("name"))
        assert response["Location"] == "/refer/answers-cleared/"
        assert app.SESSION_KEY not in client.session
        page = client.get("/refer/answers-cleared/").content.decode()
        assert "Your answers were cleared to protect your privacy" in page
        assert client.get(url("name"))["Location"] == "/refer/"
        # Starting again makes a new application.
        assert client.get(url("who")).status_code == 200
        assert client.session[app.SESSION_KEY]["answers"] == {}


def test_a_final_submit_after_the_time_out_sends_nothing(client, hub):
    answer_all(client, SELF)
    with time_machine.travel(NOW + dt.timedelta(minutes=31), tick=False):
        assert submit(client)["Location"] == "/refer/answers-cleared/"
    assert not Referral.objects.exists()


# ----- the home page -------------------------------------------------------


def test_the_home_page_links_to_the_application_and_says_what_happens_next(client):
    page = client.get("/").content.decode()
    assert 'href="/refer/"' in page
    assert "Apply online" in page
    assert "2 working days" in page
    assert "safety devices" in page


def test_service_urls_are_step_names_only():
    for step in app.STEPS:
        assert re.fullmatch(r"[a-z0-9-]+", step.name)
        assert urlsplit(url(step.name)).query == ""


# ----- PostgreSQL: many copies of one final submit at once ----------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submits_of_one_application_make_one_referral(hub):
    applicant = Client()
    answer_all(applicant, SELF)
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

    assert responses == [(302, "/refer/confirmation/")] * 20
    referral = Referral.objects.get()
    assert referral.people.count() == 1
    creates = AuditEvent.objects.filter(record_type="referrals.referral", action="create")
    assert list(creates.values_list("record_id", flat=True)) == [str(referral.pk)]
    assert OutboundMessage.objects.filter(recipient=HUB_INBOX).count() == 1
    page = applicant.get("/refer/confirmation/").content.decode()
    assert referral.reference in page
