"""The Victims' Code record, its referral, its clocks and the compliance figures.

Every test runs on Friday 8 January 2027 (time-machine), so that the dates
around Christmas 2026 are in the past and the clocks are deterministic.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.errors import DomainError, StaleVersion
from amends.core.models import AuditAction, AuditEvent, OutboundMessage
from amends.core.workingdays import add_working_days
from amends.referrals import victims_code
from amends.referrals.models import (
    PersonRole,
    Referral,
    ReferralShare,
    ReferralSource,
    ShareRoute,
    VictimAnswer,
    VictimsCodeRecord,
)
from amends.referrals.tests.factories import hub_factory

pytestmark = pytest.mark.django_db

D = dt.date
R = Role
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 1, 8, 12, 0, tzinfo=LONDON)  # Friday 8 January 2027
NEW_URL = "/staff/victims-code/new/"
LIST_URL = "/staff/victims-code/"
COMPLIANCE_URL = "/staff/compliance/victims-code/"
OFFENDER_URL = "/staff/refer/person-responsible/"


@pytest.fixture(autouse=True)
def on_8_january_2027():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def w():
    police = OrganisationFactory(slug="police", name="Test Police", kind=OrganisationKind.POLICE)
    yot = OrganisationFactory(slug="yot", name="Test YOT", kind=OrganisationKind.YOUTH_JUSTICE)
    hub = hub_factory("hub1")
    hub.notification_email = "team@hub1.example"
    hub.save(update_fields=["notification_email"])
    return SimpleNamespace(
        police=police,
        yot=yot,
        hub=hub,
        hub2=hub_factory("hub2"),
        other_police=OrganisationFactory(slug="other-police", kind=OrganisationKind.POLICE),
        officer=UserFactory(organisation=police, roles=[R.POLICE_OFFICER], full_name="Priya Shah"),
        coordinator=UserFactory(organisation=police, roles=[R.POLICE_RJ_COORDINATOR]),
        yot_worker=UserFactory(
            organisation=yot, roles=[R.YOUTH_JUSTICE_WORKER], full_name="Grace Adeyemi"
        ),
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def record_data(**overrides):
    data = {
        "form_token": secrets.token_urlsafe(16),
        "given_name": "Alex",
        "family_name": "Morgan",
        "date_of_birth": "14 2 1980",
        "phone": "07700 900123",
        "email": "alex.morgan@example.org",
        "crime_reference": "1234/27/00001",
        "offence_type": "burglary",
        "date_reported": "4 1 2027",
        "date_told": "6 1 2027",
        "told_by": "PC Priya Shah",
        "told_how": "phone",
        "enhanced_rights": "no",
        "offender_under_18": "no",
        "answer": "declined",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def wants_referral(hub, **overrides):
    return record_data(
        answer="wants_referral",
        hub=hub.pk,
        safe_channels=["email", "phone"],
        may_leave_message="no",
        safe_times="Weekdays after 6pm",
        **overrides,
    )


def make_record(actor, *, hub=None, **overrides):
    """A record through the service, as an officer's form would make it."""
    fields = {
        "victim": victims_code.PersonDetails(
            given_name="Sam", family_name="Taylor", email="sam@example.org", phone="07700900456"
        ),
        "crime_reference": "1234/27/00099",
        "offence_type": "theft",
        "date_reported": D(2027, 1, 4),
        "date_told": D(2027, 1, 6),
        "told_by": actor.full_name,
        "told_how": "in_person",
        "enhanced_rights": False,
        "offender_under_18": actor.organisation.kind == OrganisationKind.YOUTH_JUSTICE,
        "answer": VictimAnswer.DECLINED,
    }
    if hub is not None:
        fields["answer"] = VictimAnswer.WANTS_REFERRAL
        fields["hub"] = hub
        fields["safe_contact"] = victims_code.SafeContact(channels=["email"])
    fields.update(overrides)
    return victims_code.victims_code_record_create(actor=actor, **fields)


def queries_for(client, url):
    client.get(url)  # warm up: the first request of a session also records the MFA check
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# ---------------------------------------------------------------------------
# Done when: an officer's "told about RJ, declined" record is in the figures
# ---------------------------------------------------------------------------


def test_an_officers_told_about_rj_declined_record_appears_in_the_compliance_figures(client, w):
    response = signed_in(client, w.officer).post(NEW_URL, record_data(answer="declined"))
    assert response.status_code == 302
    record = VictimsCodeRecord.objects.get()
    assert (record.answer, record.referral, record.recorded_by) == ("declined", None, w.officer)
    assert not Referral.objects.exists()

    page = signed_in(client, w.coordinator).get(COMPLIANCE_URL)
    assert page.status_code == 200
    figures = page.context["figures"]
    assert (figures.told, figures.declined, figures.wants_referral, figures.undecided) == (
        1,
        1,
        0,
        0,
    )
    assert (figures.told_in_time, figures.told_in_time_percent) == (1, 100)
    html = page.content.decode()
    assert "Victims told about restorative justice" in html
    assert "1 of 1 (100%)" in html
    # Aggregate only: no names, no references.
    for text in ("Alex", "Morgan", "1234/27/00001", "Priya Shah"):
        assert text not in html


# ---------------------------------------------------------------------------
# Recording, and the referral it makes
# ---------------------------------------------------------------------------


def test_the_form_defaults_who_told_them_to_the_signed_in_officer(client, w):
    response = signed_in(client, w.officer).get(NEW_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Priya Shah"' in html
    assert 'value="8 1 2027"' in html  # told today, unless changed
    assert 'name="form_token"' in html
    assert 'data-prevent-double-click="true"' in html
    assert "all victims under 18" in html  # who is entitled to enhanced rights
    assert "hub1 hub" in html
    assert "hub2 hub" in html


def test_a_victim_who_wants_a_referral_gets_one_linked_to_the_record_and_the_hub_is_alerted(
    client, w
):
    response = signed_in(client, w.officer).post(
        NEW_URL, wants_referral(w.hub, enhanced_rights="yes")
    )
    record = VictimsCodeRecord.objects.select_related("referral").get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/victims-code/{record.pk}/"
    referral = record.referral
    assert referral is not None
    assert (
        referral.hub,
        referral.source,
        referral.referring_organisation,
        referral.referred_by,
    ) == (
        w.hub,
        ReferralSource.POLICE,
        w.police,
        w.officer,
    )
    assert (referral.date_reported, referral.enhanced_rights, referral.crime_reference) == (
        D(2027, 1, 4),
        True,
        "1234/27/00001",
    )
    victim = referral.people.get()
    assert victim.role == PersonRole.VICTIM
    assert victim.person_id == record.victim_id  # one person record, linked to both
    assert victim.safe_channels == ["email", "phone"]
    assert (victim.may_leave_message, victim.safe_times) == (False, "Weekdays after 6pm")
    assert record.victim.email == "alex.morgan@example.org"
    # referral_created_notify ran in the same transaction: the hub's alert and the victim's
    # acknowledgement (email is a channel they said was safe) are queued.
    templates = set(
        OutboundMessage.objects.filter(record_id=str(referral.pk)).values_list(
            "template", flat=True
        )
    )
    assert templates == {"referral_new_hub", "referral_ack"}
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, record_type="referrals.victimscoderecord"
    ).exists()
    # The officer sees the status of the referral they made.
    assert client.get(f"/staff/referrals/{referral.reference}/").status_code == 200


def test_a_youth_justice_worker_records_victims_of_under_18s_and_refers_as_youth_justice(client, w):
    response = signed_in(client, w.yot_worker).post(
        NEW_URL, wants_referral(w.hub2, offender_under_18="yes")
    )
    assert response.status_code == 302
    record = VictimsCodeRecord.objects.get()
    assert (record.organisation, record.offender_under_18) == (w.yot, True)
    referral = record.referral
    assert referral is not None
    assert (referral.source, referral.referring_organisation) == (
        ReferralSource.YOUTH_JUSTICE,
        w.yot,
    )


def test_a_police_officer_is_told_that_the_yot_records_victims_of_under_18s(client, w):
    response = signed_in(client, w.officer).post(NEW_URL, record_data(offender_under_18="yes"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "the youth justice service (YOT) tells the victim" in html
    assert not VictimsCodeRecord.objects.exists()
    # The service refuses it too, whatever calls it.
    with pytest.raises(DomainError, match="youth justice service"):
        make_record(w.officer, offender_under_18=True)


def test_a_youth_justice_worker_cannot_record_a_victim_of_an_adult(client, w):
    response = signed_in(client, w.yot_worker).post(NEW_URL, record_data(offender_under_18="no"))
    assert response.status_code == 200
    assert "When they are an adult, or not known, the police tell the victim" in (
        response.content.decode()
    )
    assert not VictimsCodeRecord.objects.exists()


BAD_INPUTS = [
    ({"date_reported": "9 1 2027"}, "The date the crime was reported must be today or in the past"),
    (
        {"date_told": "9 1 2027"},
        "The date the victim was told about RJ must be today or in the past",
    ),
    (
        {"date_reported": "6 1 2027", "date_told": "5 1 2027"},
        "must be the same as or after the date the crime was reported",
    ),
    ({"date_reported": "31 2 2027"}, "Date the crime was reported must be a real date"),
    ({"date_reported": ""}, "Enter the date the crime was reported"),
    ({"date_told": ""}, "Enter the date the victim was told about restorative justice"),
    ({"date_of_birth": "1 1 2030"}, "date of birth must be in the past"),
    ({"given_name": ""}, "Enter the victim&#x27;s first name"),
    ({"family_name": ""}, "Enter the victim&#x27;s last name"),
    ({"crime_reference": ""}, "Enter the crime reference number"),
    ({"offence_type": ""}, "Select the type of offence"),
    ({"offence_type": "nonsense"}, "Select a valid choice"),
    ({"told_by": ""}, "Enter who told the victim about restorative justice"),
    ({"told_how": ""}, "Select how the victim was told about restorative justice"),
    ({"enhanced_rights": ""}, "Select yes if the victim is entitled to enhanced rights"),
    ({"offender_under_18": ""}, "Select yes if the person responsible is under 18"),
    ({"answer": ""}, "Select the victim&#x27;s answer"),
    ({"answer": "maybe"}, "Select a valid choice"),
    ({"email": "not-an-email"}, "Enter an email address in the correct format"),
    ({"phone": "12"}, "Enter a phone number, like 01632 960 001"),
    (
        {"date_of_birth": "1 6 2015", "enhanced_rights": "no"},
        "Victims under 18 are entitled to enhanced rights",
    ),
    ({"form_token": ""}, "This field is required"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUTS)
def test_bad_input_on_the_record_form_says_what_is_wrong_and_saves_nothing(
    client, w, overrides, message
):
    response = signed_in(client, w.officer).post(NEW_URL, record_data(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert message in html
    assert not VictimsCodeRecord.objects.exists()
    assert not Referral.objects.exists()


WANTS_REFERRAL_BAD_INPUTS = [
    ({"hub": None}, "Select the victim care hub that should receive the referral"),
    ({"safe_channels": None}, "Select at least one way it is safe to contact them"),
    ({"safe_channels": ["email"], "email": ""}, "Enter an email address for the victim"),
    ({"safe_channels": ["sms"], "phone": ""}, "Enter a phone number for the victim"),
    ({"safe_channels": ["letter"]}, "Enter an address and postcode for the victim"),
    ({"safe_channels": ["in_person"]}, "Select a valid choice"),
]


@pytest.mark.parametrize(("overrides", "message"), WANTS_REFERRAL_BAD_INPUTS)
def test_a_referral_needs_a_hub_and_a_safe_way_to_contact_the_victim(client, w, overrides, message):
    data = wants_referral(w.hub)
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    response = signed_in(client, w.officer).post(NEW_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VictimsCodeRecord.objects.exists()
    assert not Referral.objects.exists()


def test_hub_and_safe_channels_are_not_needed_when_the_victim_declines(client, w):
    response = signed_in(client, w.officer).post(NEW_URL, record_data(answer="undecided"))
    assert response.status_code == 302
    assert VictimsCodeRecord.objects.get().answer == VictimAnswer.UNDECIDED


def test_an_empty_form_lists_every_missing_answer(client, w):
    response = signed_in(client, w.officer).post(NEW_URL, {})
    html = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Enter the victim&#x27;s first name",
        "Enter the crime reference number",
        "Enter the date the crime was reported",
        "Select the victim&#x27;s answer",
    ):
        assert message in html


def test_a_double_submitted_record_makes_one_record_and_one_referral(client, w):
    data = wants_referral(w.hub)
    signed_in(client, w.officer)
    first = client.post(NEW_URL, data)
    second = client.post(NEW_URL, data)
    record = VictimsCodeRecord.objects.get()
    assert Referral.objects.count() == 1
    assert first["Location"] == second["Location"] == f"/staff/victims-code/{record.pk}/"
    page = client.get(second["Location"]).content.decode()
    assert "You already sent this form. It was saved once." in page


def test_a_refused_form_can_be_corrected_and_sent_with_the_same_token(client, w):
    data = record_data(date_told="1 1 2027")  # before it was reported
    signed_in(client, w.officer)
    assert client.post(NEW_URL, data).status_code == 200
    data["date_told"] = "6 1 2027"
    assert client.post(NEW_URL, data).status_code == 302
    assert VictimsCodeRecord.objects.count() == 1


def test_a_refusal_from_the_service_gives_the_form_token_back(w):
    token = victims_code.form_token_new()
    with pytest.raises(DomainError):
        make_record(w.officer, offender_under_18=True, form_token=token)
    assert make_record(w.officer, form_token=token).pk
    with pytest.raises(victims_code.AlreadySubmitted):
        make_record(w.officer, form_token=token)


def test_without_a_shared_cache_the_referrals_unique_key_still_stops_a_second_record(w):
    token = victims_code.form_token_new()
    first = make_record(w.officer, hub=w.hub, form_token=token)
    cache.clear()  # as if the second request went to a process with a cache of its own
    with pytest.raises(victims_code.AlreadySubmitted) as refused:
        make_record(w.officer, hub=w.hub, form_token=token)
    assert refused.value.saved == first.pk
    assert VictimsCodeRecord.objects.count() == Referral.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_concurrent_submissions_of_one_form_make_one_record(w):
    token = victims_code.form_token_new()
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit():
        try:
            barrier.wait()
            make_record(w.officer, hub=w.hub, form_token=token)
            result = "saved"
        except victims_code.AlreadySubmitted:
            result = "already"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already"] * 7 + ["saved"]
    assert VictimsCodeRecord.objects.count() == 1
    assert Referral.objects.count() == 1


# ---------------------------------------------------------------------------
# An undecided victim answers later
# ---------------------------------------------------------------------------


def answer_data(record, to_hub=None, **overrides):
    data = {"version": record.version, "answer": "declined"}
    if to_hub is not None:
        data.update(
            {
                "answer": "wants_referral",
                "hub": to_hub.pk,
                "safe_channels": ["sms"],
                "phone": "07700 900789",
                "email": "sam@example.org",
            }
        )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_undecided_victim_who_now_wants_a_referral_gets_one(client, w):
    record = make_record(w.officer, answer=VictimAnswer.UNDECIDED)
    signed_in(client, w.officer)
    page = client.get(f"/staff/victims-code/{record.pk}/").content.decode()
    assert "Record their answer" in page
    url = f"/staff/victims-code/{record.pk}/answer/"
    assert client.get(url).status_code == 200
    response = client.post(url, answer_data(record, to_hub=w.hub))
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.answer, record.version) == (VictimAnswer.WANTS_REFERRAL, 2)
    referral = record.referral
    assert (referral.hub, referral.referred_by, referral.source) == (
        w.hub,
        w.officer,
        ReferralSource.POLICE,
    )
    entry = referral.people.get()
    assert entry.person_id == record.victim_id
    assert entry.safe_channels == ["sms"]
    # The changed phone number is saved on the person, and audited by field name only.
    assert record.victim.phone == "07700 900789"
    change = AuditEvent.objects.get(action=AuditAction.CHANGE, record_type="people.person")
    assert change.fields == ["phone"]
    assert "07700" not in str(change.detail)
    assert OutboundMessage.objects.filter(
        record_id=str(referral.pk), template="referral_new_hub"
    ).exists()


def test_the_refer_clock_of_a_victim_who_decided_later_starts_when_they_asked(client, w):
    record = make_record(w.officer, answer=VictimAnswer.UNDECIDED)
    assert record.date_asked is None
    with time_machine.travel(NOW + dt.timedelta(days=14), tick=False):
        signed_in(client, w.officer)
        response = client.post(
            f"/staff/victims-code/{record.pk}/answer/", answer_data(record, to_hub=w.hub)
        )
        assert response.status_code == 302, response
        record.refresh_from_db()
        assert record.answer == VictimAnswer.WANTS_REFERRAL, response["Location"]
        asked = dt.date.fromisoformat(str(record.date_asked))
        assert asked > record.date_told
        clock = victims_code.record_clock(record, today=asked)
    assert clock.refer is not None
    assert clock.refer.due == add_working_days(asked, 2)
    assert clock.refer.met


def test_a_victim_who_asks_when_told_has_the_refer_clock_start_that_day(w):
    record = make_record(w.officer, hub=w.hub)
    assert record.date_asked == record.date_told


def test_an_undecided_victim_who_declines_is_recorded_without_a_referral(client, w):
    record = make_record(w.officer, answer=VictimAnswer.UNDECIDED)
    response = signed_in(client, w.officer).post(
        f"/staff/victims-code/{record.pk}/answer/", answer_data(record, phone="")
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.answer, record.referral) == (VictimAnswer.DECLINED, None)
    assert record.victim.phone == "07700900456"  # untouched when they declined


def test_a_stale_answer_gets_the_conflict_page_and_changes_nothing(client, w):
    record = make_record(w.officer, answer=VictimAnswer.UNDECIDED)
    loaded = answer_data(record, to_hub=w.hub)
    # The coordinator records "declined" first.
    victims_code.victims_code_record_answer(
        actor=w.coordinator,
        record=record,
        expected_version=record.version,
        answer=VictimAnswer.DECLINED,
    )
    response = signed_in(client, w.officer).post(f"/staff/victims-code/{record.pk}/answer/", loaded)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this record" in html
    assert "Wants a referral" in html
    assert "Declined" in html
    record.refresh_from_db()
    assert (record.answer, record.referral, record.version) == (VictimAnswer.DECLINED, None, 2)
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.CONFLICT).exists()
    with pytest.raises(StaleVersion):
        victims_code.victims_code_record_answer(
            actor=w.officer, record=record, expected_version=1, answer=VictimAnswer.DECLINED
        )


def test_a_double_submitted_answer_makes_one_referral(client, w):
    record = make_record(w.officer, answer=VictimAnswer.UNDECIDED)
    url = f"/staff/victims-code/{record.pk}/answer/"
    data = answer_data(record, to_hub=w.hub)
    signed_in(client, w.officer)
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 302
    assert second["Location"] == f"/staff/victims-code/{record.pk}/"
    assert "This answer was already saved." in client.get(second["Location"]).content.decode()
    assert Referral.objects.count() == 1


def test_an_answer_already_recorded_cannot_be_changed(client, w):
    record = make_record(w.officer, answer=VictimAnswer.DECLINED)
    url = f"/staff/victims-code/{record.pk}/answer/"
    signed_in(client, w.officer)
    response = client.get(url)
    assert response.status_code == 302
    with pytest.raises(DomainError, match="already recorded"):
        victims_code.victims_code_record_answer(
            actor=w.officer, record=record, expected_version=1, answer=VictimAnswer.WANTS_REFERRAL
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"answer": ""}, "Select whether the victim wants a referral or declined"),
        ({"answer": "undecided"}, "Select a valid choice"),
        ({"hub": None}, "Select the victim care hub that should receive the referral"),
        ({"safe_channels": None}, "Select at least one way it is safe to contact them"),
        ({"safe_channels": ["email"], "email": ""}, "Enter an email address for the victim"),
        ({"safe_channels": ["letter"]}, "Enter an address and postcode for the victim"),
        ({"phone": "abc"}, "Enter a phone number"),
        ({"version": ""}, "This field is required"),
    ],
)
def test_bad_input_on_the_answer_form_saves_nothing(client, w, overrides, message):
    record = make_record(w.officer, answer=VictimAnswer.UNDECIDED)
    response = signed_in(client, w.officer).post(
        f"/staff/victims-code/{record.pk}/answer/", answer_data(record, to_hub=w.hub, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    record.refresh_from_db()
    assert (record.answer, record.version) == (VictimAnswer.UNDECIDED, 1)


def test_hub_staff_who_see_a_record_cannot_record_its_answer(client, w):
    # Hub staff see a record through a referral; an undecided record has none, so use the
    # coordinator of another force: outside scope is a 404, not a 403.
    record = make_record(w.officer, answer=VictimAnswer.UNDECIDED)
    stranger = UserFactory(organisation=w.other_police, roles=[R.POLICE_RJ_COORDINATOR])
    assert (
        signed_in(client, stranger)
        .post(f"/staff/victims-code/{record.pk}/answer/", answer_data(record))
        .status_code
        == 404
    )
    # The force's DPO sees it, but only officers and the coordinator record answers.
    dpo = UserFactory(organisation=w.police, roles=[R.DATA_PROTECTION_OFFICER])
    assert signed_in(client, dpo).get(f"/staff/victims-code/{record.pk}/").status_code == 200
    assert signed_in(client, dpo).get(f"/staff/victims-code/{record.pk}/answer/").status_code == 403


# ---------------------------------------------------------------------------
# Scoping: every role × organisation × record
# ---------------------------------------------------------------------------

HUB_READERS = {R.HUB_CASEWORKER, R.HUB_MANAGER, R.DATA_PROTECTION_OFFICER}
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("police", R.POLICE_OFFICER): {"officer_declined", "officer_referred"},
    ("police", R.POLICE_RJ_COORDINATOR): {"officer_declined", "officer_referred", "colleague"},
    ("police", R.DATA_PROTECTION_OFFICER): {"officer_declined", "officer_referred", "colleague"},
    ("yot", R.YOUTH_JUSTICE_WORKER): {"yot"},
    ("yot", R.DATA_PROTECTION_OFFICER): {"yot"},
    ("other-police", R.POLICE_OFFICER): {"other_force"},
    ("other-police", R.POLICE_RJ_COORDINATOR): {"other_force"},
    ("other-police", R.DATA_PROTECTION_OFFICER): {"other_force"},
    **{("hub1", role): {"officer_referred", "other_force"} for role in HUB_READERS},
    **{("hub2", role): {"yot"} for role in HUB_READERS},
}
LIST_READERS = {
    ("police", R.POLICE_OFFICER),
    ("police", R.POLICE_RJ_COORDINATOR),
    ("police", R.DATA_PROTECTION_OFFICER),
    ("yot", R.YOUTH_JUSTICE_WORKER),
    ("yot", R.DATA_PROTECTION_OFFICER),
    ("other-police", R.POLICE_OFFICER),
    ("other-police", R.POLICE_RJ_COORDINATOR),
    ("other-police", R.DATA_PROTECTION_OFFICER),
}
RECORDERS = {
    ("police", R.POLICE_OFFICER),
    ("yot", R.YOUTH_JUSTICE_WORKER),
    ("other-police", R.POLICE_OFFICER),
}
COMPLIANCE_READERS = {
    ("police", R.POLICE_RJ_COORDINATOR),
    ("police", R.DATA_PROTECTION_OFFICER),
    ("yot", R.DATA_PROTECTION_OFFICER),
    ("other-police", R.POLICE_RJ_COORDINATOR),
    ("other-police", R.DATA_PROTECTION_OFFICER),
}


@pytest.fixture
def matrix(w):
    provider = OrganisationFactory(slug="provider", kind=OrganisationKind.RJ_PROVIDER)
    w.hub.hands_off_to = provider
    w.hub.save(update_fields=["hands_off_to"])
    orgs = {
        "police": w.police,
        "yot": w.yot,
        "other-police": w.other_police,
        "hub1": w.hub,
        "hub2": w.hub2,
        "provider": provider,
        "agency": OrganisationFactory(slug="agency", kind=OrganisationKind.SPECIALIST_AGENCY),
    }
    users = {
        (slug, role): UserFactory(organisation=org, roles=[role], email=f"{role}@{slug}.example")
        for slug, org in orgs.items()
        for role in Role.values
    }
    officer = users[("police", R.POLICE_OFFICER)]
    colleague = UserFactory(organisation=w.police, roles=[R.POLICE_OFFICER])
    records = {
        "officer_declined": make_record(officer),
        "officer_referred": make_record(officer, hub=w.hub),
        "colleague": make_record(colleague, answer=VictimAnswer.UNDECIDED),
        "yot": make_record(users[("yot", R.YOUTH_JUSTICE_WORKER)], hub=w.hub2),
        "other_force": make_record(users[("other-police", R.POLICE_OFFICER)], hub=w.hub),
    }
    # A hand-off to the provider shows it neither the referral nor the officer's record.
    ReferralShare.objects.create(
        referral=records["officer_referred"].referral,
        organisation=provider,
        route=ShareRoute.HAND_OFF,
        consent_recorded_at=NOW,
        shared_by=users[("hub1", R.HUB_CASEWORKER)],
    )
    return users, records


def test_every_role_in_every_organisation_sees_exactly_the_records_the_rules_allow(client, matrix):
    users, records = matrix
    mismatches = []
    for (slug, role), user in users.items():
        allowed = EXPECTED.get((slug, role), set())
        client.force_login(user)
        for name, record in records.items():
            status = client.get(f"/staff/victims-code/{record.pk}/").status_code
            expected = 200 if name in allowed else 404
            if status != expected:
                mismatches.append(f"{role}@{slug} → {name}: {status}, expected {expected}")
        visible = set(
            victims_code.victims_code_records_visible_to(user).values_list("pk", flat=True)
        )
        listed = {name for name, record in records.items() if record.pk in visible}
        if listed != allowed:
            mismatches.append(f"{role}@{slug} sees {sorted(listed)}, expected {sorted(allowed)}")
        for url, readers in (
            (LIST_URL, LIST_READERS),
            (NEW_URL, RECORDERS),
            (OFFENDER_URL, RECORDERS),
            (COMPLIANCE_URL, COMPLIANCE_READERS),
        ):
            status = client.get(url).status_code
            expected = 200 if (slug, role) in readers else 404
            if status != expected:
                mismatches.append(f"{role}@{slug} → {url}: {status}, expected {expected}")
    assert not mismatches, "\n".join(mismatches)


def test_a_record_outside_scope_is_the_same_404_as_one_that_does_not_exist(client, matrix):
    users, records = matrix
    client.force_login(users[("hub2", R.HUB_CASEWORKER)])
    not_yours = client.get(f"/staff/victims-code/{records['officer_declined'].pk}/")
    missing = client.get("/staff/victims-code/999999/")
    assert not_yours.status_code == missing.status_code == 404
    nonce = re.compile(rb'nonce="[^"]*"')
    assert nonce.sub(b"", not_yours.content) == nonce.sub(b"", missing.content)
    answer = f"/staff/victims-code/{records['colleague'].pk}/answer/"
    assert client.post(answer, {"version": 1, "answer": "declined"}).status_code == 404
    assert VictimsCodeRecord.objects.get(pk=records["colleague"].pk).answer == "undecided"


def test_a_disabled_officer_sees_nothing(matrix):
    users, _ = matrix
    officer = users[("police", R.POLICE_OFFICER)]
    officer.is_active = False
    officer.save()
    assert not victims_code.victims_code_records_visible_to(officer).exists()


def test_hub_staff_reach_the_record_from_the_referral_page(client, matrix):
    users, records = matrix
    referral = records["officer_referred"].referral
    client.force_login(users[("hub1", R.HUB_CASEWORKER)])
    html = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
    assert "Victims' Code" in html
    assert f'href="/staff/victims-code/{records["officer_referred"].pk}/"' in html
    # The provider to which it was handed off sees neither the referral nor the record
    # (a hand-off gives it a case with the agreed data set only).
    client.force_login(users[("provider", R.PROVIDER_COORDINATOR)])
    assert client.get(f"/staff/referrals/{referral.reference}/").status_code == 404
    record = records["officer_referred"]
    assert client.get(f"/staff/victims-code/{record.pk}/").status_code == 404


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------


def test_an_officer_lists_only_their_own_records_paginated_and_audited(client, w):
    colleague = UserFactory(organisation=w.police, roles=[R.POLICE_OFFICER])
    mine = [make_record(w.officer, crime_reference=f"MINE/{i:02}") for i in range(27)]
    make_record(colleague, crime_reference="THEIRS/01")
    signed_in(client, w.officer)
    page1 = client.get(LIST_URL).content.decode()
    page2 = client.get(LIST_URL + "?page=2").content.decode()
    assert "Your Victims' Code records" in page1
    assert "THEIRS/01" not in page1 + page2
    assert sum(f"MINE/{i:02}" in page1 for i in range(27)) == 25
    assert sum(f"MINE/{i:02}" in page2 for i in range(27)) == 2
    assert "Record that a victim was told about RJ" in page1
    listed = AuditEvent.objects.filter(action=AuditAction.LIST).order_by("id").first()
    assert listed is not None
    assert listed.record_type == "referrals.victimscoderecord"
    assert len(listed.detail["ids"]) == 25
    assert set(listed.detail["ids"]) <= {r.pk for r in mine}


def test_the_coordinator_lists_the_whole_force_and_filters_by_answer_and_deadlines(client, w):
    colleague = UserFactory(organisation=w.police, roles=[R.POLICE_OFFICER])
    make_record(w.officer, crime_reference="DECLINED/1")
    make_record(colleague, crime_reference="UNDECIDED/1", answer=VictimAnswer.UNDECIDED)
    make_record(
        w.officer,
        crime_reference="LATE/1",
        date_reported=D(2026, 12, 24),
        date_told=D(2027, 1, 6),  # the 5 working days ran out on 5 January
    )
    make_record(colleague, hub=w.hub, crime_reference="REFERRED/1", date_told=D(2027, 1, 7))
    signed_in(client, w.coordinator)
    everything = client.get(LIST_URL).content.decode()
    for ref in ("DECLINED/1", "UNDECIDED/1", "LATE/1", "REFERRED/1"):
        assert ref in everything
    assert "Recorded by" in everything
    declined = client.get(LIST_URL + "?answer=declined").content.decode()
    assert "DECLINED/1" in declined
    assert "LATE/1" in declined
    assert "UNDECIDED/1" not in declined
    assert "REFERRED/1" not in declined
    missed = client.get(LIST_URL + "?clock=missed").content.decode()
    assert "LATE/1" in missed
    assert "DECLINED/1" not in missed
    assert "REFERRED/1" not in missed
    met = client.get(LIST_URL + "?clock=met&answer=wants_referral").content.decode()
    assert "REFERRED/1" in met
    assert "LATE/1" not in met
    assert "DECLINED/1" not in met


def test_a_filtered_list_keeps_its_filters_in_the_page_links(client, w):
    for i in range(27):
        make_record(w.officer, crime_reference=f"R/{i:02}")
    html = signed_in(client, w.officer).get(LIST_URL + "?clock=met").content.decode()
    assert "?clock=met&amp;page=2" in html
    page2 = client.get(LIST_URL + "?clock=met&page=2").content.decode()
    assert sum(f"R/{i:02}" in page2 for i in range(27)) == 2


@pytest.mark.parametrize("query", ["", "?clock=missed", "?answer=declined&clock=met"])
def test_the_list_makes_the_same_number_of_queries_for_2_or_30_records(client, w, query):
    for _ in range(2):
        make_record(w.officer)
    make_record(w.officer, hub=w.hub)
    signed_in(client, w.coordinator)
    few = queries_for(client, LIST_URL + query)
    for _ in range(25):
        make_record(w.officer, date_told=D(2027, 1, 8))
    for _ in range(3):
        make_record(w.officer, hub=w.hub)
    many = queries_for(client, LIST_URL + query)
    assert few == many
    assert many <= 14


# ---------------------------------------------------------------------------
# Clocks
# ---------------------------------------------------------------------------


def clock(**overrides):
    fields: dict[str, Any] = {
        "date_reported": D(2026, 12, 24),
        "date_told": D(2026, 12, 24),
        "enhanced_rights": False,
        "answer": VictimAnswer.WANTS_REFERRAL,
        "referred_at": None,
        "today": D(2027, 1, 8),
    }
    fields.update(overrides)
    return victims_code.victims_code_clock(**fields)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def test_told_on_christmas_eve_2026_the_referral_is_due_by_wednesday_30_december():
    assert clock().refer.due == D(2026, 12, 30)
    assert clock(referred_at=at(D(2026, 12, 30), 23)).refer.status == "met"
    assert clock(referred_at=at(D(2026, 12, 31))).refer.status == "missed"
    assert clock(today=D(2026, 12, 29)).refer.status == "due"
    assert clock(today=D(2026, 12, 31)).refer.status == "overdue"
    # Late evening in London is already the next day in UTC in summer, never in winter:
    # the date referred is London's date.
    assert clock(referred_at=dt.datetime(2026, 12, 30, 23, 30, tzinfo=dt.UTC)).refer.met


def test_the_inform_deadline_is_5_working_days_or_1_with_enhanced_rights():
    standard = clock()
    assert standard.inform.due == D(2027, 1, 5)  # over Christmas, Boxing Day and New Year
    assert standard.inform.working_days == 5
    enhanced = clock(enhanced_rights=True)
    assert enhanced.inform.due == D(2026, 12, 29)
    assert enhanced.inform.working_days == 1
    assert clock(enhanced_rights=True, date_told=D(2026, 12, 29)).inform.status == "met"
    assert clock(enhanced_rights=True, date_told=D(2026, 12, 30)).inform.status == "missed"
    assert clock(date_told=D(2027, 1, 5)).inform.met
    assert not clock(date_told=D(2027, 1, 6)).inform.met


def test_easter_2026_and_a_plain_week():
    # Reported on Maundy Thursday with enhanced rights: Good Friday and Easter Monday skipped.
    easter = clock(date_reported=D(2026, 4, 2), date_told=D(2026, 4, 2), enhanced_rights=True)
    assert easter.inform.due == D(2026, 4, 7)
    assert easter.refer.due == D(2026, 4, 8)
    plain = clock(date_reported=D(2026, 3, 9), date_told=D(2026, 3, 11))
    assert plain.inform.due == D(2026, 3, 16)
    assert plain.refer.due == D(2026, 3, 13)


def test_a_victim_who_declined_or_has_not_decided_has_no_refer_clock():
    declined = clock(answer=VictimAnswer.DECLINED)
    assert declined.refer is None
    assert declined.all_met
    assert not declined.any_failed
    assert clock(answer=VictimAnswer.UNDECIDED).refer is None


@override_settings(
    VICTIMS_CODE_INFORM_DAYS=3, VICTIMS_CODE_INFORM_DAYS_ENHANCED=2, VICTIMS_CODE_REFER_DAYS=1
)
def test_the_deadlines_are_settings():
    assert clock().inform.due == D(2026, 12, 31)
    assert clock(enhanced_rights=True).inform.due == D(2026, 12, 30)
    assert clock().refer.due == D(2026, 12, 29)


def test_the_record_page_shows_the_clock_in_words_not_colour_alone(client, w):
    record = make_record(
        w.officer,
        hub=w.hub,
        date_reported=D(2026, 12, 24),
        date_told=D(2026, 12, 24),
    )
    signed_in(client, w.officer)
    response = client.get(f"/staff/victims-code/{record.pk}/")
    html = response.content.decode()
    assert "Told within 5 working days" in html
    assert (
        '<strong class="govuk-tag govuk-tag--green">Met</strong> Deadline: 5 January 2027' in html
    )
    # Referred today, 8 January: the deadline was 30 December.
    assert (
        '<strong class="govuk-tag govuk-tag--red">Missed</strong> Deadline: 30 December 2026'
        in (html)
    )
    assert record.referral.reference in html
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, record_id=str(record.pk))
    assert viewed.count() == 1


def test_the_referral_page_shows_the_clock_with_one_more_query_whatever_the_record(client, w):
    caseworker = UserFactory(organisation=w.hub, roles=[R.HUB_CASEWORKER])
    on_time = make_record(w.officer, hub=w.hub, date_told=D(2027, 1, 7))
    signed_in(client, caseworker)
    url = f"/staff/referrals/{on_time.referral.reference}/"
    html = client.get(url).content.decode()
    assert "Referred within 2 working days" in html
    assert "Met</strong> Deadline: 11 January 2027" in html
    plain = victims_code.offender_referral_create(
        actor=w.officer,
        hub=w.hub,
        person=victims_code.PersonDetails("Jamie", "Reid", D(1990, 5, 5), phone="07700900111"),
        agrees=True,
        safe_contact=victims_code.SafeContact(channels=["phone"]),
        offence_type="theft",
        crime_reference="X/1",
    )
    with_record = queries_for(client, url)
    without = queries_for(client, f"/staff/referrals/{plain.reference}/")
    assert with_record == without
    assert (
        "Victims' Code" not in client.get(f"/staff/referrals/{plain.reference}/").content.decode()
    )


# ---------------------------------------------------------------------------
# Compliance figures
# ---------------------------------------------------------------------------


@pytest.fixture
def figures_world(w):
    # Told in time (5 working days), declined.
    make_record(w.officer, date_reported=D(2027, 1, 4), date_told=D(2027, 1, 6))
    # Enhanced rights: due 5 January, told on the 6th: missed. Undecided.
    make_record(
        w.officer,
        date_reported=D(2027, 1, 4),
        date_told=D(2027, 1, 6),
        enhanced_rights=True,
        answer=VictimAnswer.UNDECIDED,
    )
    # Told on Christmas Eve, referred today (8 January): referral late.
    make_record(w.officer, hub=w.hub, date_reported=D(2026, 12, 24), date_told=D(2026, 12, 24))
    # Enhanced rights, told the next day, referred today: both in time.
    make_record(
        w.officer,
        hub=w.hub,
        date_reported=D(2027, 1, 6),
        date_told=D(2027, 1, 7),
        enhanced_rights=True,
    )
    # Outside the default 3 months, and another force's: not counted.
    make_record(w.officer, date_reported=D(2026, 9, 1), date_told=D(2026, 9, 1))
    other = UserFactory(organisation=w.other_police, roles=[R.POLICE_OFFICER])
    make_record(other)
    return w


def test_the_compliance_figures_count_deadlines_answers_and_enhanced_rights(figures_world):
    w = figures_world
    figures = victims_code.victims_code_compliance(
        organisation=w.police, date_from=D(2026, 10, 8), date_to=D(2027, 1, 8)
    )
    assert (figures.told, figures.told_in_time, figures.told_in_time_percent) == (4, 3, 75)
    assert (figures.wants_referral, figures.declined, figures.undecided) == (2, 1, 1)
    assert (figures.referred_in_time, figures.referred_in_time_percent) == (1, 50)
    assert (figures.enhanced.told, figures.enhanced.told_in_time) == (2, 1)
    assert figures.enhanced.told_in_time_percent == 50
    assert (figures.standard.told, figures.standard.told_in_time) == (2, 2)
    wider = victims_code.victims_code_compliance(
        organisation=w.police, date_from=D(2026, 8, 1), date_to=D(2027, 1, 8)
    )
    assert wider.told == 5


def test_the_compliance_page_defaults_to_the_last_3_months_and_is_audited(client, figures_world):
    w = figures_world
    response = signed_in(client, w.coordinator).get(COMPLIANCE_URL)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.date_from, figures.date_to) == (D(2026, 10, 8), D(2027, 1, 8))
    html = response.content.decode()
    assert "Victims told from 8 October 2026 to 8 January 2027" in html
    assert "3 of 4 (75%)" in html
    assert "1 of 2 (50%)" in html
    assert "Entitled to enhanced rights" in html
    for text in ("Sam", "Taylor", "1234/27/00099", "Priya Shah", "RJ-"):
        assert text not in html
    viewed = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert viewed.record_type == "referrals.victimscoderecord"
    assert viewed.detail["report"] == "victims_code_compliance"
    assert (viewed.detail["from"], viewed.detail["to"]) == ("2026-10-08", "2027-01-08")
    chosen = client.get(COMPLIANCE_URL + "?date_from=1+8+2026&date_to=8+1+2027")
    assert chosen.context["figures"].told == 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?date_from=8+1+2027&date_to=1+1+2027", "must be the same as or after its start"),
        ("?date_from=32+1+2027&date_to=", "From must be a real date"),
    ],
)
def test_a_bad_period_is_explained_and_shows_no_figures(client, w, query, message):
    response = signed_in(client, w.coordinator).get(COMPLIANCE_URL + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "<title>Error: " in html
    assert response.context["figures"] is None
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_the_compliance_page_makes_the_same_number_of_queries_for_2_or_30_records(client, w):
    make_record(w.officer)
    make_record(w.officer, hub=w.hub)
    signed_in(client, w.coordinator)
    few = queries_for(client, COMPLIANCE_URL)
    for i in range(28):
        make_record(w.officer, hub=w.hub if i % 2 else None)
    assert queries_for(client, COMPLIANCE_URL) == few


# ---------------------------------------------------------------------------
# Referring the person who caused harm
# ---------------------------------------------------------------------------


def offender_data(to_hub, **overrides):
    data = {
        "form_token": secrets.token_urlsafe(16),
        "given_name": "Jamie",
        "family_name": "Reid",
        "date_of_birth": "5 5 1990",
        "agrees": "on",
        "phone": "07700 900111",
        "safe_channels": ["phone"],
        "may_leave_message": "yes",
        "crime_reference": "5678/27/00002",
        "offence_type": "criminal_damage",
        "offence_date": "2 1 2027",
        "date_reported": "3 1 2027",
        "hub": to_hub.pk,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_officer_refers_the_person_responsible_with_the_victim_unknown(client, w):
    response = signed_in(client, w.officer).post(OFFENDER_URL, offender_data(w.hub))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/referrals/{referral.reference}/"
    assert (referral.source, referral.referring_organisation, referral.referred_by) == (
        ReferralSource.POLICE,
        w.police,
        w.officer,
    )
    assert (referral.offence_date, referral.date_reported) == (D(2027, 1, 2), D(2027, 1, 3))
    entry = referral.people.get()
    assert (entry.role, entry.person.full_name, entry.knows_and_agrees) == (
        PersonRole.OFFENDER,
        "Jamie Reid",
        True,
    )
    assert entry.safe_channels == ["phone"]
    assert not VictimsCodeRecord.objects.exists()
    assert OutboundMessage.objects.filter(
        record_id=str(referral.pk), template="referral_new_hub"
    ).exists()


def test_the_person_harmed_is_named_when_the_officer_knows_them(client, w):
    data = offender_data(w.hub, victim_given_name="Alex", victim_family_name="Morgan")
    assert signed_in(client, w.officer).post(OFFENDER_URL, data).status_code == 302
    roles = dict(Referral.objects.get().people.values_list("role", "person__given_name"))
    assert roles == {PersonRole.OFFENDER: "Jamie", PersonRole.VICTIM: "Alex"}


def test_a_youth_justice_worker_refers_a_young_person(client, w):
    data = offender_data(w.hub, date_of_birth="5 5 2011")
    assert signed_in(client, w.yot_worker).post(OFFENDER_URL, data).status_code == 302
    assert Referral.objects.get().source == ReferralSource.YOUTH_JUSTICE


@pytest.mark.parametrize(
    ("who", "overrides", "message"),
    [
        ("officer", {"date_of_birth": "5 5 2011"}, "the youth justice service (YOT) refers them"),
        ("yot_worker", {"date_of_birth": "5 5 1990"}, "The police refer adults"),
        ("officer", {"agrees": None}, "only once they have agreed"),
        ("officer", {"date_of_birth": ""}, "Enter the date of birth of the person responsible"),
        ("officer", {"date_reported": "9 1 2027"}, "must be today or in the past"),
        ("officer", {"offence_date": "9 1 2027"}, "The date of the offence must be today"),
        (
            "officer",
            {"offence_date": "4 1 2027", "date_reported": "3 1 2027"},
            "must be the same as or after the date of the offence",
        ),
        ("officer", {"hub": None}, "Select the victim care hub"),
        ("officer", {"safe_channels": None}, "Select at least one way it is safe"),
        ("officer", {"phone": ""}, "Enter a phone number for the person responsible"),
        ("officer", {"given_name": ""}, "Enter the first name of the person responsible"),
        ("officer", {"crime_reference": ""}, "Enter the crime reference number"),
    ],
)
def test_bad_input_on_the_offender_referral_form_saves_nothing(client, w, who, overrides, message):
    response = signed_in(client, getattr(w, who)).post(
        OFFENDER_URL, offender_data(w.hub, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_a_double_submitted_offender_referral_makes_one_referral(client, w):
    data = offender_data(w.hub)
    signed_in(client, w.officer)
    first = client.post(OFFENDER_URL, data)
    second = client.post(OFFENDER_URL, data)
    assert Referral.objects.count() == 1
    assert first["Location"] == second["Location"]


# ---------------------------------------------------------------------------
# Navigation
# ---------------------------------------------------------------------------


def test_officers_and_the_coordinator_find_the_pages_in_the_staff_menu(client, w):
    officer_page = signed_in(client, w.officer).get("/staff/").content.decode()
    assert 'href="/staff/victims-code/"' in officer_page
    assert 'href="/staff/compliance/victims-code/"' not in officer_page
    coordinator_page = signed_in(client, w.coordinator).get("/staff/").content.decode()
    assert 'href="/staff/compliance/victims-code/"' in coordinator_page
    caseworker = UserFactory(organisation=w.hub, roles=[R.HUB_CASEWORKER])
    hub_page = signed_in(client, caseworker).get("/staff/").content.decode()
    assert "/staff/victims-code/" not in hub_page
