"""The volunteer coordinator's pages: lists, the record, status changes, forms and conflicts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amends.core.models import AuditAction, AuditEvent, TransitionLog
from amends.practitioners import services
from amends.practitioners.models import (
    AccreditationRole,
    CpdEntry,
    DbsCheck,
    DbsOutcome,
    ObservedPractice,
    Practitioner,
    PractitionerKind,
    PractitionerLevel,
    PractitionerState,
    Referee,
    SupervisionSession,
    TrainingCourse,
    TrainingRecord,
)
from amends.practitioners.tests.factories import (
    CpdEntryFactory,
    DbsCheckFactory,
    EqualityMonitoringResponseFactory,
    PractitionerFactory,
    ProviderFactory,
    TrainingRecordFactory,
    applicant_factory,
    eligible_practitioner_factory,
    facilitator_user_factory,
    provider_coordinator_factory,
    volunteer_coordinator_factory,
)

pytestmark = pytest.mark.django_db
S = PractitionerState


@pytest.fixture
def provider():
    return ProviderFactory(name="Calm Mediation")


@pytest.fixture
def coordinator(provider):
    return volunteer_coordinator_factory(provider)


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def url(name, practitioner=None, **kwargs):
    if practitioner is not None:
        kwargs["reference"] = practitioner.reference
    return reverse(f"practitioners:{name}", kwargs=kwargs or None)


def queries_for(client, path):
    client.get(path)  # warm up: the first request of a session also records the MFA check
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def error_summary(response) -> str:
    """The page, unescaped, after checking it has a GOV.UK error summary."""
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html, html
    return unescape(html)


# --- the list ------------------------------------------------------------------------------


def test_the_list_makes_the_same_number_of_queries_for_5_or_50_rows(signed_in, provider):
    for _ in range(5):
        PractitionerFactory(provider=provider)
    few = queries_for(signed_in, url("list"))
    for i in range(45):
        PractitionerFactory(provider=provider, state=list(S)[i % len(S)])
    many = queries_for(signed_in, url("list"))
    assert few == many
    assert many <= 12


def test_the_list_counts_each_state_and_filters(signed_in, provider):
    PractitionerFactory(provider=provider, first_name="Asha", last_name="Khan")
    PractitionerFactory(provider=provider, first_name="Ben", last_name="Lowe", state=S.ACTIVE)
    staff = PractitionerFactory(
        provider=provider,
        first_name="Cara",
        last_name="Moss",
        state=S.ACTIVE,
        kind=PractitionerKind.STAFF,
        accreditation_role=AccreditationRole.ADVOCATE,
    )
    PractitionerFactory(first_name="Zed", last_name="Other")  # another provider
    html = signed_in.get(url("list")).content.decode()
    assert "All (3)" in html
    assert "Applied (1)" in html
    assert "Active (2)" in html
    assert "Zed" not in html
    active = signed_in.get(url("list") + "?state=active").content.decode()
    assert "Ben Lowe" in active
    assert "Cara Moss" in active
    assert "Asha Khan" not in active
    staff_only = signed_in.get(url("list") + "?kind=staff").content.decode()
    assert "Cara Moss" in staff_only
    assert "Ben Lowe" not in staff_only
    advocates = signed_in.get(url("list") + "?role=advocate").content.decode()
    assert "Cara Moss" in advocates
    assert "Ben Lowe" not in advocates
    by_name = signed_in.get(url("list") + "?q=khan").content.decode()
    assert "Asha Khan" in by_name
    assert "Ben Lowe" not in by_name
    by_reference = signed_in.get(url("list") + f"?q={staff.reference.lower()}").content.decode()
    assert "Cara Moss" in by_reference
    assert "Asha Khan" not in by_reference
    nonsense = signed_in.get(url("list") + "?state=nonsense&kind=x")
    assert nonsense.status_code == 200  # an unknown filter shows everyone


def test_the_list_is_paginated_and_audited(signed_in, provider, coordinator):
    people = [PractitionerFactory(provider=provider) for _ in range(30)]
    page1 = signed_in.get(url("list")).content.decode()
    page2 = signed_in.get(url("list") + "?page=2").content.decode()
    assert sum(p.reference in page1 for p in people) == 25
    assert sum(p.reference in page2 for p in people) == 5
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, actor_id=coordinator.pk)
    assert listed.count() == 2
    assert [len(event.detail["ids"]) for event in listed.order_by("id")] == [25, 5]


def test_the_coordinators_see_the_nav_entry_and_others_do_not(client, provider, coordinator):
    client.force_login(coordinator)
    assert "Volunteers and practitioners" in client.get(url("list")).content.decode()
    client.force_login(provider_coordinator_factory(provider))
    assert "Volunteers and practitioners" in client.get(url("list")).content.decode()
    client.force_login(facilitator_user_factory(provider))
    html = client.get(url("mine")).content.decode()
    assert "Volunteers and practitioners" not in html
    assert "My practice record" in html


# --- the record ------------------------------------------------------------------------------


def test_the_record_shows_everything_and_is_audited(signed_in, provider, coordinator):
    applicant = applicant_factory(provider=provider, level=PractitionerLevel.PRACTITIONER)
    application = applicant.application
    application.motivation = "I was helped by RJ after a burglary."
    application.save()
    DbsCheckFactory(
        practitioner=applicant, certificate_number="009876543210", issue_date=dt.date(2025, 1, 31)
    )
    CpdEntryFactory(practitioner=applicant, hours=Decimal("7.5"))
    EqualityMonitoringResponseFactory(provider=provider, ethnicity="Any other ethnic group")
    response = signed_in.get(url("detail", applicant))
    html = unescape(response.content.decode())  # Faker's names may have an apostrophe
    assert response.status_code == 200
    assert applicant.full_name in html
    assert "I was helped by RJ after a burglary." in html
    assert "009876543210" in html
    assert "31 Jan 2028" in html  # renewal due 36 months after issue
    assert "7.5 hours in the last 12 months, of 12 needed a year" in html
    for referee in applicant.referees.all():
        assert referee.name in html
    # Equality monitoring is never on a named person's page.
    assert "Any other ethnic group" not in html
    assert "equality" not in html.lower()
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, record_id=str(applicant.pk), actor_id=coordinator.pk
    ).exists()


def test_the_record_of_a_practising_facilitator_says_whether_they_can_be_allocated(
    signed_in, provider
):
    eligible = eligible_practitioner_factory(provider=provider)
    html = signed_in.get(url("detail", eligible)).content.decode()
    assert "Can be allocated cases today." in html
    overdue = eligible_practitioner_factory(provider=provider, supervised_days_ago=14 * 7)
    html = signed_in.get(url("detail", overdue)).content.decode()
    assert "Cannot be allocated cases today" in html
    assert "Last supervision was 14 weeks ago" in html


def test_a_reader_sees_no_change_links(client, provider):
    applicant = applicant_factory(provider=provider)
    client.force_login(provider_coordinator_factory(provider))
    html = client.get(url("detail", applicant)).content.decode()
    assert "Change status" not in html
    assert "Record a DBS check" not in html
    assert client.get(url("transition", applicant)).status_code == 403
    assert client.get(url("edit", applicant)).status_code == 403
    assert client.get(url("dbs_add", applicant)).status_code == 403
    assert client.get(url("add_staff")).status_code == 403


# --- status ----------------------------------------------------------------------------------


def test_the_status_page_offers_only_the_next_steps(signed_in, provider):
    applicant = applicant_factory(provider=provider, state=S.TRAINING)
    html = signed_in.get(url("transition", applicant)).content.decode()
    assert 'value="accredited"' in html
    assert 'value="not_progressed"' in html
    assert 'value="active"' not in html
    assert 'value="shortlisted"' not in html
    assert "When accrediting" in html


def test_a_status_change_moves_them_on(signed_in, provider):
    applicant = applicant_factory(provider=provider)
    response = signed_in.post(
        url("transition", applicant), {"version": applicant.version, "to_state": S.SHORTLISTED}
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", applicant)
    applicant.refresh_from_db()
    assert applicant.state == S.SHORTLISTED


def test_a_refused_step_shows_the_guard_as_a_govuk_error(signed_in, provider):
    applicant = applicant_factory(provider=provider, state=S.REFERENCES)
    response = signed_in.post(
        url("transition", applicant), {"version": applicant.version, "to_state": S.VETTING}
    )
    assert response.status_code == 400
    html = error_summary(response)
    assert "Both references must be received and satisfactory" in html
    assert 'href="#id_to_state"' in html
    assert "govuk-error-message" in html


def test_accrediting_through_the_form_records_role_and_level(signed_in, provider):
    applicant = applicant_factory(provider=provider, state=S.TRAINING)
    TrainingRecordFactory(practitioner=applicant, course=TrainingCourse.ADVOCATE)
    response = signed_in.post(
        url("transition", applicant),
        {
            "version": applicant.version,
            "to_state": S.ACCREDITED,
            "accreditation_role": AccreditationRole.ADVOCATE,
            "level": PractitionerLevel.FOUNDATION,
        },
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert (applicant.state, applicant.accreditation_role, applicant.level) == (
        S.ACCREDITED,
        AccreditationRole.ADVOCATE,
        PractitionerLevel.FOUNDATION,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to_state": S.NOT_PROGRESSED, "reason": " "}, "Enter why they are not progressing"),
        ({"to_state": ""}, "Select the next step"),
        ({"to_state": S.ACTIVE}, "Select one of the next steps shown"),
    ],
)
def test_bad_status_changes_are_explained(signed_in, provider, data, message):
    applicant = applicant_factory(provider=provider)
    response = signed_in.post(url("transition", applicant), {"version": applicant.version, **data})
    assert response.status_code == 400
    assert message in error_summary(response)
    applicant.refresh_from_db()
    assert applicant.state == S.APPLIED


def test_a_status_change_on_a_stale_page_shows_the_conflict_page(signed_in, provider, coordinator):
    applicant = applicant_factory(provider=provider)
    loaded = applicant.version
    services.practitioner_transition(
        actor=coordinator, practitioner=applicant, to_state=S.SHORTLISTED
    )
    response = signed_in.post(
        url("transition", applicant),
        {"version": loaded, "to_state": S.NOT_PROGRESSED, "reason": "x"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this record" in html
    assert "Shortlisted" in html
    applicant.refresh_from_db()
    assert applicant.state == S.SHORTLISTED


def test_a_status_change_sent_twice_is_made_once(signed_in, provider):
    applicant = applicant_factory(provider=provider)
    data = {"version": applicant.version, "to_state": S.SHORTLISTED}
    first = signed_in.post(url("transition", applicant), data)
    second = signed_in.post(url("transition", applicant), data)
    assert (first.status_code, second.status_code) == (302, 302)
    applicant.refresh_from_db()
    assert applicant.version == 2
    assert TransitionLog.objects.filter(object_id=applicant.pk).count() == 1


# --- details ---------------------------------------------------------------------------------


def details(practitioner, **overrides):
    data = {
        "version": practitioner.version,
        "email": practitioner.email,
        "phone": practitioner.phone,
        "availability": ["weekday_evening", "weekend"],
        "languages": "English, Urdu",
        "areas": "Barnet",
        "case_limit": "3",
        "accreditation_role": "",
        "level": "",
        "rjc_status": "not_registered",
        "rjc_number": "",
        "user": "",
    }
    data.update(overrides)
    return data


def test_details_are_saved(signed_in, provider):
    practitioner = PractitionerFactory(provider=provider, state=S.ACCREDITED)
    facilitator = facilitator_user_factory(provider)
    response = signed_in.post(
        url("edit", practitioner), details(practitioner, user=str(facilitator.pk))
    )
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.availability == ["weekday_evening", "weekend"]
    assert practitioner.languages == "English, Urdu"
    assert practitioner.user == facilitator


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"case_limit": "0"}, "case_limit", "The case limit must be 1 or more"),
        ({"case_limit": "lots"}, "case_limit", "The case limit must be a whole number, like 3"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
        ({"rjc_status": "registered"}, "rjc_number", "Enter their RJC registration number"),
        ({"availability": ["midnight"]}, "availability", "Select the times they are available"),
        ({"user": "999999"}, "user", "Select a facilitator from the list"),
    ],
)
def test_bad_details_get_a_specific_error(signed_in, provider, overrides, field, message):
    practitioner = PractitionerFactory(provider=provider)
    response = signed_in.post(url("edit", practitioner), details(practitioner, **overrides))
    assert response.status_code == 400
    html = error_summary(response)
    assert message in html
    assert f'href="#id_{field}"' in html


def test_details_sent_twice_are_saved_once(signed_in, provider):
    practitioner = PractitionerFactory(provider=provider)
    data = details(practitioner, areas="Enfield")
    assert signed_in.post(url("edit", practitioner), data).status_code == 302
    assert signed_in.post(url("edit", practitioner), data).status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.version == 2


def test_saving_stale_details_shows_both_versions(signed_in, provider, coordinator):
    practitioner = PractitionerFactory(provider=provider, areas="Barnet")
    loaded = practitioner.version
    services.practitioner_update(
        actor=coordinator,
        practitioner=practitioner,
        expected_version=loaded,
        changes={"areas": "Haringey"},
    )
    response = signed_in.post(url("edit", practitioner), details(practitioner, areas="Enfield"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this record" in html
    assert "Enfield" in html
    assert "Haringey" in html
    assert "Weekday evenings" in html  # choice labels, not codes
    practitioner.refresh_from_db()
    assert practitioner.areas == "Haringey"


# --- one page per record --------------------------------------------------------------------

YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

RECORD_FORMS = [
    (
        "dbs_add",
        {"certificate_number": "001234567890", "issue_date": YESTERDAY, "outcome": "clear"},
        DbsCheck,
    ),
    (
        "training_add",
        {"course": "facilitator", "completed_on": YESTERDAY, "hours": "28", "trainer": "A Trainer"},
        TrainingRecord,
    ),
    ("supervision_add", {"held_on": YESTERDAY, "supervisor": "Dr Ann Lee"}, SupervisionSession),
    (
        "observation_add",
        {"observed_on": YESTERDAY, "observer": "Owen Hughes", "satisfactory": "yes"},
        ObservedPractice,
    ),
    ("cpd_add", {"activity": "Webinar", "completed_on": YESTERDAY, "hours": "1.5"}, CpdEntry),
    (
        "referee_add",
        {"name": "Jo Bloggs", "relationship": "Former manager", "email": "jo@example.org"},
        Referee,
    ),
]


@pytest.mark.parametrize(("name", "data", "model"), RECORD_FORMS)
def test_each_record_form_saves_once_however_often_it_is_sent(
    signed_in, provider, name, data, model
):
    practitioner = PractitionerFactory(provider=provider, state=S.ACTIVE)
    assert signed_in.get(url(name, practitioner)).status_code == 200
    for _ in range(2):
        response = signed_in.post(url(name, practitioner), data)
        assert response.status_code == 302
        assert response["Location"] == url("detail", practitioner)
    assert model.objects.filter(practitioner=practitioner).count() == 1


@pytest.mark.parametrize(
    ("name", "data", "field", "message"),
    [
        ("dbs_add", {"certificate_number": "12345", "issue_date": YESTERDAY, "outcome": "clear"},
         "certificate_number", "The certificate number must be 12 digits"),
        ("dbs_add", {"certificate_number": "001234567890", "issue_date": TOMORROW,
                     "outcome": "clear"},
         "issue_date", "date of issue must be today or in the past"),
        ("dbs_add", {"certificate_number": "001234567890", "issue_date": "2026-02-30",
                     "outcome": "clear"},
         "issue_date", "must be a real date"),
        ("dbs_add", {"certificate_number": "001234567890", "issue_date": YESTERDAY},
         "outcome", "Select the outcome of the DBS check"),
        ("training_add", {"course": "", "completed_on": YESTERDAY, "hours": "2"},
         "course", "Select the course"),
        ("training_add", {"course": "facilitator", "completed_on": YESTERDAY, "hours": "two"},
         "hours", "must be a number"),
        ("supervision_add", {"held_on": "", "supervisor": "Ann"},
         "held_on", "Enter the date of the supervision"),
        ("supervision_add", {"held_on": YESTERDAY, "supervisor": ""},
         "supervisor", "Enter who supervised them"),
        ("observation_add", {"observed_on": YESTERDAY, "observer": "Ann"},
         "satisfactory", "Select yes if their practice was satisfactory"),
        ("cpd_add", {"activity": "Webinar", "completed_on": YESTERDAY, "hours": "0"},
         "hours", "The number of CPD hours must be 0.1 or more"),
        ("cpd_add", {"activity": "Webinar", "completed_on": YESTERDAY, "hours": "1.25"},
         "hours", "nearest tenth of an hour"),
        ("referee_add", {"name": "Jo", "relationship": "Manager"},
         "email", "Enter the referee's email address or phone number"),
    ],
)  # fmt: skip
def test_each_record_form_explains_bad_input(signed_in, provider, name, data, field, message):
    practitioner = PractitionerFactory(provider=provider, state=S.ACTIVE)
    response = signed_in.post(url(name, practitioner), data)
    assert response.status_code == 400
    html = error_summary(response)
    assert message in html
    assert f'href="#id_{field}"' in html


def test_a_rule_the_service_enforces_shows_as_an_error(signed_in, provider):
    gone = PractitionerFactory(provider=provider, state=S.LEFT)
    response = signed_in.post(
        url("supervision_add", gone), {"held_on": YESTERDAY, "supervisor": "Ann"}
    )
    assert response.status_code == 400
    assert "no longer with the service" in error_summary(response)


def test_a_reference_is_recorded_and_requested(signed_in, provider):
    applicant = applicant_factory(provider=provider, state=S.REFERENCES)
    referee, other = applicant.referees.order_by("id")
    path = url("referee_record", applicant, referee_id=referee.pk)
    assert signed_in.get(path).status_code == 200
    response = signed_in.post(path, {"received_on": YESTERDAY, "satisfactory": "no", "notes": ""})
    assert response.status_code == 302
    referee.refresh_from_db()
    assert referee.satisfactory is False
    response = signed_in.post(url("referee_request", applicant, referee_id=other.pk))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.requested_on == timezone.localdate()
    stranger = applicant_factory(provider=provider)
    foreign = stranger.referees.order_by("id")[0]
    assert signed_in.get(url("referee_record", applicant, referee_id=foreign.pk)).status_code == 404


# --- staff -----------------------------------------------------------------------------------


def test_the_coordinator_adds_a_member_of_staff(signed_in, provider):
    facilitator = facilitator_user_factory(provider, full_name="Ruth Campbell")
    page = signed_in.get(url("add_staff")).content.decode()
    assert "Ruth Campbell" in page
    response = signed_in.post(
        url("add_staff"),
        {
            "user": str(facilitator.pk),
            "course": "facilitator",
            "completed_on": YESTERDAY,
            "hours": "28",
            "accreditation_role": "facilitator",
            "level": "senior",
        },
    )
    added = Practitioner.objects.get(user=facilitator)
    assert response.status_code == 302
    assert response["Location"] == url("detail", added)
    assert (added.kind, added.state) == (PractitionerKind.STAFF, S.ACCREDITED)
    assert f'value="{facilitator.pk}"' not in signed_in.get(url("add_staff")).content.decode()


def test_adding_staff_with_training_needs_the_accreditation(signed_in, provider):
    facilitator = facilitator_user_factory(provider)
    response = signed_in.post(
        url("add_staff"), {"user": str(facilitator.pk), "course": "facilitator"}
    )
    assert response.status_code == 400
    html = error_summary(response)
    assert "Enter the date the training was completed" in html
    assert "Select the role they are accredited for" in html
    assert "Select their practitioner level" in html
    assert not Practitioner.objects.exists()


# --- my practice record ----------------------------------------------------------------------


def test_a_facilitator_sees_their_own_practice_record(client, provider):
    facilitator = facilitator_user_factory(provider)
    client.force_login(facilitator)
    assert "not linked to a practice record" in client.get(url("mine")).content.decode()
    mine = eligible_practitioner_factory(provider=provider, user=facilitator)
    DbsCheckFactory(practitioner=mine, outcome=DbsOutcome.CLEAR)
    response = client.get(url("mine"))
    html = response.content.decode()
    assert "My practice record" in html
    assert mine.reference in html
    assert "Change status" not in html
    assert "Referees" not in html
    assert client.get(url("list")).status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, record_id=str(mine.pk), actor_id=facilitator.pk
    ).exists()


def test_the_coordinator_corrects_a_supervision_date_from_the_record(signed_in, provider):
    practitioner = PractitionerFactory(provider=provider, state=S.ACTIVE)
    session = SupervisionSession.objects.create(
        practitioner=practitioner, held_on=timezone.localdate(), supervisor="Dr Ann Lee"
    )
    correct = url("supervision_correct", practitioner, session_id=session.pk)
    assert correct in signed_in.get(url("detail", practitioner)).content.decode()
    page = signed_in.get(correct).content.decode()
    assert "Correct a supervision record" in page
    assert 'value="Dr Ann Lee"' in page
    response = signed_in.post(correct, {"held_on": YESTERDAY, "supervisor": ""})
    assert response.status_code == 400
    assert "Enter who supervised them" in error_summary(response)
    response = signed_in.post(correct, {"held_on": YESTERDAY, "supervisor": "Dr Ann Lee"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.held_on.isoformat() == YESTERDAY


def test_another_providers_supervision_record_is_not_found(signed_in, provider):
    other = PractitionerFactory(provider=ProviderFactory(name="Elsewhere"), state=S.ACTIVE)
    session = SupervisionSession.objects.create(
        practitioner=other, held_on=timezone.localdate(), supervisor="Dr Ann Lee"
    )
    mine = PractitionerFactory(provider=provider, state=S.ACTIVE)
    assert (
        signed_in.get(url("supervision_correct", other, session_id=session.pk)).status_code == 404
    )
    # Nor through one of our own practitioners' addresses.
    assert signed_in.get(url("supervision_correct", mine, session_id=session.pk)).status_code == 404
