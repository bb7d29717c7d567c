"""The allocation rule, due dates, CPD, the RJC share, and the allocation and compliance pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.models import AuditAction, AuditEvent
from amends.practitioners import compliance
from amends.practitioners.compliance import ItemState
from amends.practitioners.models import (
    AccreditationRole,
    DbsOutcome,
    PractitionerLevel,
    PractitionerState,
    ReminderKind,
    RjcStatus,
    TrainingCourse,
)
from amends.practitioners.tests.factories import (
    CpdEntryFactory,
    DbsCheckFactory,
    ObservedPracticeFactory,
    PractitionerFactory,
    ProviderFactory,
    SupervisionSessionFactory,
    TrainingRecordFactory,
    eligible_practitioner_factory,
    facilitator_user_factory,
    provider_coordinator_factory,
    volunteer_coordinator_factory,
)

pytestmark = pytest.mark.django_db

D = dt.date
ON = D(2026, 6, 10)  # a Wednesday
ALLOCATION_URL = "/staff/practitioners/allocation/"
COMPLIANCE_URL = "/staff/practitioners/compliance/"


def practitioner_on(
    on=ON,
    *,
    dbs=None,
    supervised=None,
    observed=None,
    trained=True,
    **fields,
):
    """An active facilitator whose records are in date on `on`, unless told otherwise.

    `dbs`, `supervised`, `observed`: the date of the record, or False for none.
    """
    defaults = {
        "state": PractitionerState.ACTIVE,
        "accreditation_role": AccreditationRole.FACILITATOR,
        "level": "",
    }
    defaults.update(fields)
    practitioner = PractitionerFactory(**defaults)
    if dbs is not False:
        DbsCheckFactory(practitioner=practitioner, issue_date=dbs or on - dt.timedelta(days=60))
    if trained:
        TrainingRecordFactory(
            practitioner=practitioner,
            course=TrainingCourse.FACILITATOR,
            completed_on=on - dt.timedelta(days=200),
        )
    if supervised is not False:
        SupervisionSessionFactory(
            practitioner=practitioner, held_on=supervised or on - dt.timedelta(days=14)
        )
    if observed is not False:
        ObservedPracticeFactory(
            practitioner=practitioner, observed_on=observed or on - dt.timedelta(days=90)
        )
    return practitioner


def reasons(practitioner, on=ON, **kwargs):
    return compliance.practitioner_status(practitioner, on=on, **kwargs).reasons_not_eligible


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2023, 3, 3), 36, D(2026, 3, 3)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 6, 10), -12, D(2025, 6, 10)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert compliance.add_months(day, months) == expected


# ---------------------------------------------------------------------------
# The allocation rule, reason by reason
# ---------------------------------------------------------------------------


def test_an_active_trained_vetted_supervised_observed_facilitator_is_eligible():
    status = compliance.practitioner_status(practitioner_on(), on=ON)
    assert status.eligible
    assert status.reasons_not_eligible == []
    assert status.trained


def test_paused_is_a_reason():
    assert reasons(practitioner_on(state=PractitionerState.PAUSED)) == ["Paused"]


def test_accredited_but_not_yet_active_is_a_reason():
    assert reasons(practitioner_on(state=PractitionerState.ACCREDITED)) == [
        "Accredited, not yet active"
    ]


def test_not_trained_is_a_reason():
    assert reasons(practitioner_on(trained=False)) == ["Not trained as a facilitator"]
    advocate = practitioner_on(trained=False, accreditation_role=AccreditationRole.ADVOCATE)
    assert reasons(advocate) == ["Not trained as an advocate"]


@pytest.mark.parametrize("course", [TrainingCourse.INDUCTION, TrainingCourse.REFRESHER])
def test_induction_or_a_refresher_alone_is_not_training_to_take_cases(course):
    practitioner = practitioner_on(trained=False)
    TrainingRecordFactory(practitioner=practitioner, course=course, completed_on=D(2026, 1, 5))
    assert reasons(practitioner) == ["Not trained as a facilitator"]


@pytest.mark.parametrize(
    "course", [TrainingCourse.FACILITATOR, TrainingCourse.ADVANCED, TrainingCourse.ADVOCATE]
)
def test_facilitator_advanced_or_advocate_training_counts(course):
    practitioner = practitioner_on(trained=False)
    TrainingRecordFactory(practitioner=practitioner, course=course, completed_on=D(2026, 1, 5))
    assert reasons(practitioner) == []


def test_dbs_certificate_expired_is_a_reason_from_the_day_after_renewal_was_due():
    # 36 months: renewal due 3 March 2026.
    practitioner = practitioner_on(D(2026, 3, 3), dbs=D(2023, 3, 3))
    assert reasons(practitioner, on=D(2026, 3, 3)) == []
    assert reasons(practitioner, on=D(2026, 3, 4)) == ["DBS certificate expired on 3 March 2026"]
    status = compliance.practitioner_status(practitioner, on=ON)
    assert status.dbs_renewal_due == D(2026, 3, 3)


def test_a_renewed_dbs_certificate_replaces_the_old_one():
    practitioner = practitioner_on(dbs=D(2023, 3, 3))
    DbsCheckFactory(practitioner=practitioner, issue_date=D(2026, 2, 20))
    status = compliance.practitioner_status(practitioner, on=ON)
    assert status.eligible
    assert status.dbs_renewal_due == D(2029, 2, 20)


def test_no_dbs_check_or_one_not_accepted_is_a_reason():
    assert reasons(practitioner_on(dbs=False)) == ["No DBS check on record"]
    refused = practitioner_on(dbs=False)
    DbsCheckFactory(practitioner=refused, issue_date=D(2026, 5, 1), outcome=DbsOutcome.NOT_ACCEPTED)
    assert reasons(refused) == ["DBS check of 1 May 2026 not accepted"]


def test_a_later_dbs_check_not_accepted_overrides_an_earlier_clear_one():
    practitioner = practitioner_on(dbs=D(2025, 1, 10))
    DbsCheckFactory(
        practitioner=practitioner, issue_date=D(2026, 5, 1), outcome=DbsOutcome.NOT_ACCEPTED
    )
    assert reasons(practitioner) == ["DBS check of 1 May 2026 not accepted"]


def test_supervision_more_than_12_weeks_ago_is_a_reason():
    assert reasons(practitioner_on(supervised=ON - dt.timedelta(weeks=12))) == []
    assert reasons(practitioner_on(supervised=ON - dt.timedelta(weeks=13))) == [
        "Last supervision was 13 weeks ago (due every 12 weeks)"
    ]
    assert reasons(practitioner_on(supervised=ON - dt.timedelta(weeks=12, days=1))) == [
        "Last supervision was 12 weeks and 1 day ago (due every 12 weeks)"
    ]
    assert reasons(practitioner_on(supervised=False)) == [
        "No supervision on record (due every 12 weeks)"
    ]


def test_the_supervision_interval_is_a_setting(settings):
    settings.SUPERVISION_INTERVAL_WEEKS = 8
    practitioner = practitioner_on(supervised=ON - dt.timedelta(weeks=9))
    assert reasons(practitioner) == ["Last supervision was 9 weeks ago (due every 8 weeks)"]


def test_no_observed_practice_in_the_last_year_is_a_reason():
    assert reasons(practitioner_on(observed=D(2025, 6, 10))) == []
    assert reasons(practitioner_on(observed=D(2025, 6, 9))) == [
        "No observed practice in the last year"
    ]
    assert reasons(practitioner_on(observed=False)) == ["No observed practice in the last year"]


def test_an_unsatisfactory_observation_does_not_count():
    practitioner = practitioner_on(observed=False)
    ObservedPracticeFactory(
        practitioner=practitioner, observed_on=D(2026, 5, 1), satisfactory=False
    )
    assert reasons(practitioner) == [
        "No observed practice in the last year",
        "Observed practice on 1 May 2026 was not satisfactory",
    ]


def test_at_case_limit_is_a_reason():
    practitioner = practitioner_on(case_limit=3)
    assert reasons(practitioner, open_cases=2) == []
    assert reasons(practitioner, open_cases=3) == ["At case limit (3 of 3)"]


def test_every_reason_is_given_at_once():
    practitioner = practitioner_on(
        state=PractitionerState.PAUSED,
        trained=False,
        dbs=D(2022, 1, 1),
        supervised=False,
        observed=False,
        case_limit=1,
    )
    assert reasons(practitioner, open_cases=1) == [
        "Paused",
        "Not trained as a facilitator",
        "DBS certificate expired on 1 January 2025",
        "No supervision on record (due every 12 weeks)",
        "No observed practice in the last year",
        "At case limit (1 of 1)",
    ]


def test_records_dated_after_the_day_asked_about_do_not_count():
    practitioner = practitioner_on(supervised=False, observed=False, dbs=False, trained=False)
    later = ON + dt.timedelta(days=1)
    DbsCheckFactory(practitioner=practitioner, issue_date=later)
    SupervisionSessionFactory(practitioner=practitioner, held_on=later)
    ObservedPracticeFactory(practitioner=practitioner, observed_on=later)
    TrainingRecordFactory(practitioner=practitioner, completed_on=later)
    assert len(reasons(practitioner)) == 4
    assert reasons(practitioner, on=later) == []


# ---------------------------------------------------------------------------
# Due dates and CPD
# ---------------------------------------------------------------------------


def test_due_dates_and_their_states():
    practitioner = practitioner_on(
        dbs=D(2023, 6, 19),  # renewal due 19 June 2026: within 10 working days of ON
        supervised=D(2026, 3, 10),  # due 2 June 2026: overdue
        observed=D(2026, 1, 5),  # due 5 January 2027: in date
    )
    status = compliance.practitioner_status(practitioner, on=ON)
    assert (status.dbs_renewal_due, status.supervision_due, status.observation_due) == (
        D(2026, 6, 19),
        D(2026, 6, 2),
        D(2027, 1, 5),
    )
    states = {item.kind: (item.state, item.due_on) for item in status.items}
    assert states == {
        ReminderKind.DBS: (ItemState.DUE_SOON, D(2026, 6, 19)),
        ReminderKind.SUPERVISION: (ItemState.OVERDUE, D(2026, 6, 2)),
        ReminderKind.OBSERVATION: (ItemState.OK, D(2027, 1, 5)),
    }
    overdue = next(item for item in status.items if item.kind == ReminderKind.SUPERVISION)
    assert (overdue.tag_text, overdue.tag_class) == ("Overdue", "govuk-tag--red")


def test_cpd_counts_the_rolling_12_months_up_to_the_day():
    practitioner = practitioner_on(level=PractitionerLevel.PRACTITIONER)  # 12 hours a year
    CpdEntryFactory(practitioner=practitioner, completed_on=D(2025, 6, 10), hours=Decimal(5))
    CpdEntryFactory(practitioner=practitioner, completed_on=D(2025, 6, 11), hours=Decimal(3))
    CpdEntryFactory(practitioner=practitioner, completed_on=D(2026, 2, 1), hours=Decimal("4.5"))
    CpdEntryFactory(practitioner=practitioner, completed_on=D(2026, 6, 11), hours=Decimal(9))
    status = compliance.practitioner_status(practitioner, on=ON)
    assert status.cpd_hours == Decimal("7.5")  # 11 June 2025 and 1 February 2026 only
    assert status.cpd_hours_required == 12
    assert status.cpd_short
    item = next(item for item in status.items if item.kind == ReminderKind.CPD)
    assert (item.state, item.due_on, item.tag_text) == (ItemState.SHORT, None, "Hours short")
    assert item.summary == "7.5 of 12 hours in the last 12 months"
    # CPD is kept up to standard, but it is not part of the allocation rule.
    assert status.eligible


def test_cpd_is_due_the_day_before_older_activity_drops_out_and_leaves_it_short():
    practitioner = practitioner_on(level=PractitionerLevel.FOUNDATION)  # 6 hours a year
    CpdEntryFactory(practitioner=practitioner, completed_on=D(2025, 9, 1), hours=Decimal(4))
    CpdEntryFactory(practitioner=practitioner, completed_on=D(2026, 2, 1), hours=Decimal(4))
    status = compliance.practitioner_status(practitioner, on=ON)
    assert (status.cpd_hours, status.cpd_short) == (Decimal(8), False)
    # The 1 September 2025 hours count up to 31 August 2026; 4 hours left are short of 6.
    assert status.cpd_due == D(2026, 8, 31)
    on_due = compliance.practitioner_status(practitioner, on=D(2026, 8, 31))
    assert on_due.cpd_hours == Decimal(8)
    after = compliance.practitioner_status(practitioner, on=D(2026, 9, 1))
    assert (after.cpd_hours, after.cpd_short) == (Decimal(4), True)


def test_cpd_hours_by_level_come_from_the_setting(settings):
    settings.CPD_HOURS_BY_LEVEL = {"foundation": 6, "practitioner": 12, "senior": 20}
    practitioner = practitioner_on(level=PractitionerLevel.SENIOR)
    CpdEntryFactory(practitioner=practitioner, completed_on=D(2026, 1, 1), hours=Decimal(18))
    status = compliance.practitioner_status(practitioner, on=ON)
    assert (status.cpd_hours_required, status.cpd_short) == (20, True)


def test_no_level_means_no_cpd_requirement_is_known():
    status = compliance.practitioner_status(practitioner_on(level=""), on=ON)
    assert status.cpd_hours_required is None
    assert not status.cpd_short
    assert ReminderKind.CPD not in {item.kind for item in status.items}


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------


def test_practitioners_for_allocation_lists_the_providers_practising_people_eligible_first():
    provider = ProviderFactory()
    zed = practitioner_on(provider=provider, last_name="Zed")
    abbot = practitioner_on(provider=provider, last_name="Abbot", supervised=False)
    paused = practitioner_on(provider=provider, last_name="Moss", state=PractitionerState.PAUSED)
    accredited = practitioner_on(
        provider=provider, last_name="Baker", state=PractitionerState.ACCREDITED
    )
    cole = practitioner_on(provider=provider, last_name="Cole")
    for state in (PractitionerState.APPLIED, PractitionerState.TRAINING, PractitionerState.LEFT):
        practitioner_on(provider=provider, state=state)
    practitioner_on()  # another provider's

    rows = compliance.practitioners_for_allocation(provider=provider, on=ON)
    assert [p for p, _ in rows] == [cole, zed, abbot, accredited, paused]
    assert [status.eligible for _, status in rows] == [True, True, False, False, False]


def test_open_case_counts_take_a_practitioner_out_at_their_limit():
    provider = ProviderFactory()
    busy = practitioner_on(provider=provider, case_limit=2, last_name="Able")
    free = practitioner_on(provider=provider, case_limit=2, last_name="Brown")
    rows = compliance.practitioners_for_allocation(
        provider=provider, on=ON, open_cases={busy.pk: 2, free.pk: 1}
    )
    assert [(p, s.eligible, s.open_cases) for p, s in rows] == [(free, True, 1), (busy, False, 2)]
    assert rows[1][1].reasons_not_eligible == ["At case limit (2 of 2)"]


def allocation_queries(provider):
    with CaptureQueriesContext(connection) as captured:
        rows = compliance.practitioners_for_allocation(provider=provider, on=ON)
        for _, status in rows:
            assert status.reasons_not_eligible is not None
    return len(captured), len(rows)


def practitioner_with_history(provider):
    practitioner = practitioner_on(provider=provider, level=PractitionerLevel.PRACTITIONER)
    SupervisionSessionFactory(practitioner=practitioner, held_on=D(2026, 1, 5))
    CpdEntryFactory(practitioner=practitioner, completed_on=D(2026, 1, 5))
    return practitioner


def test_practitioners_for_allocation_makes_the_same_queries_for_3_or_30():
    provider = ProviderFactory()
    for _ in range(3):
        practitioner_with_history(provider)
    few, count = allocation_queries(provider)
    assert count == 3
    for _ in range(27):
        practitioner_with_history(provider)
    many, count = allocation_queries(provider)
    assert count == 30
    assert few == many == 6


def test_the_rjc_share_is_registered_or_accredited_of_active_practitioners():
    provider = ProviderFactory()
    statuses = [RjcStatus.REGISTERED] * 5 + [RjcStatus.ACCREDITED] * 2
    statuses += [RjcStatus.APPLIED, RjcStatus.NOT_REGISTERED, RjcStatus.NOT_REGISTERED]
    for status in statuses:
        practitioner_on(provider=provider, rjc_status=status)
    # Not active: not counted either way.
    practitioner_on(provider=provider, state=PractitionerState.PAUSED, rjc_status="registered")
    overview = compliance.compliance_overview(provider=provider, on=ON)
    assert str(overview.rjc_share) == "7 of 10 (70%)"
    assert overview.practitioners == 11
    assert str(compliance.rjc_share([])) == "No active practitioners"


def test_the_compliance_overview_lists_overdue_then_due_soon_items():
    provider = ProviderFactory()
    fine = practitioner_on(provider=provider, last_name="Fine")
    soon = practitioner_on(provider=provider, last_name="Soon", dbs=D(2023, 6, 19))
    late = practitioner_on(provider=provider, last_name="Late", supervised=D(2026, 3, 10))
    never = practitioner_on(provider=provider, last_name="Never", observed=False)
    overview = compliance.compliance_overview(provider=provider, on=ON)
    assert [(row.practitioner, row.item.kind, row.item.state) for row in overview.rows] == [
        (never, ReminderKind.OBSERVATION, ItemState.MISSING),
        (late, ReminderKind.SUPERVISION, ItemState.OVERDUE),
        (soon, ReminderKind.DBS, ItemState.DUE_SOON),
    ]
    assert fine not in overview.listed
    assert [(label, len(rows)) for label, rows in overview.sections] == [
        ("DBS renewal", 1),
        ("Supervision", 1),
        ("Observed practice", 1),
        ("CPD hours", 0),
    ]


# ---------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------


@pytest.fixture
def provider():
    return ProviderFactory(name="Mend Together")


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_allocation_page_shows_who_is_available_and_why_others_are_not(client, provider):
    coordinator = provider_coordinator_factory(provider)
    ready = eligible_practitioner_factory(
        provider=provider, first_name="Ada", last_name="Ready", languages="English, Polish"
    )
    lapsed = eligible_practitioner_factory(
        provider=provider, first_name="Ben", last_name="Lapsed", supervised_days_ago=13 * 7
    )
    page = signed_in(client, coordinator).get(ALLOCATION_URL)
    assert page.status_code == 200
    html = page.content.decode()
    available, _, not_available = html.partition('<h2 class="govuk-heading-m">Not available')
    assert "Facilitators available for allocation" in available
    assert "Ada Ready" in available
    assert "English, Polish" in available
    assert "Tuesday evening, Saturday morning" in available
    assert "Ben Lapsed" not in available
    assert "Ben Lapsed" in not_available
    assert "Last supervision was 13 weeks ago (due every 12 weeks)" in not_available
    assert [p for p, *_ in page.context["available"]] == [ready]
    assert [p for p, *_ in page.context["not_available"]] == [lapsed]

    event = AuditEvent.objects.filter(action=AuditAction.LIST).latest("id")
    assert event.actor_id == coordinator.pk
    assert event.record_type == "practitioners.practitioner"
    assert event.detail == {"page": "allocation", "ids": [ready.pk, lapsed.pk]}


def test_the_volunteer_coordinator_sees_the_allocation_page_too(client, provider):
    eligible_practitioner_factory(provider=provider, first_name="Ada", last_name="Ready")
    page = signed_in(client, volunteer_coordinator_factory(provider)).get(ALLOCATION_URL)
    assert page.status_code == 200
    assert "Ada Ready" in page.content.decode()


@pytest.mark.parametrize("url", [ALLOCATION_URL, COMPLIANCE_URL])
def test_another_providers_coordinator_sees_only_their_own_practitioners(client, provider, url):
    eligible_practitioner_factory(provider=provider, first_name="Ada", last_name="Ready")
    eligible_practitioner_factory(
        provider=provider, first_name="Ben", last_name="Lapsed", supervised_days_ago=100
    )
    other = ProviderFactory(name="Other Provider")
    theirs = eligible_practitioner_factory(provider=other, first_name="Cat", last_name="Theirs")
    page = signed_in(client, volunteer_coordinator_factory(other)).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ada Ready" not in html
    assert "Ben Lapsed" not in html
    assert "Mend Together" not in html
    if url == ALLOCATION_URL:
        assert [p for p, *_ in page.context["available"]] == [theirs]


@pytest.mark.parametrize("url", [ALLOCATION_URL, COMPLIANCE_URL])
@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.RJ_PROVIDER, Role.FACILITATOR),
        (OrganisationKind.RJ_PROVIDER, Role.ANALYST),
        (OrganisationKind.RJ_PROVIDER, Role.ADMINISTRATOR),
        (OrganisationKind.RJ_PROVIDER, Role.DATA_PROTECTION_OFFICER),
        (OrganisationKind.VICTIM_CARE_HUB, Role.HUB_MANAGER),
        (OrganisationKind.POLICE, Role.POLICE_RJ_COORDINATOR),
    ],
)
def test_other_roles_are_refused(client, provider, url, kind, role):
    eligible_practitioner_factory(provider=provider, first_name="Ada", last_name="Ready")
    organisation = (
        provider if kind == OrganisationKind.RJ_PROVIDER else OrganisationFactory(kind=kind)
    )
    user = UserFactory(organisation=organisation, roles=[role])
    page = signed_in(client, user).get(url)
    assert page.status_code == 403
    assert "Ada Ready" not in page.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.LIST).exists()


def test_a_facilitator_user_of_the_provider_is_refused(client, provider):
    page = signed_in(client, facilitator_user_factory(provider)).get(ALLOCATION_URL)
    assert page.status_code == 403


@pytest.mark.parametrize("url", [ALLOCATION_URL, COMPLIANCE_URL])
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    page = client.get(url)
    assert page.status_code == 302
    assert reverse("account_login") in page["Location"]


def test_the_pages_are_in_the_coordinators_navigation(client, provider):
    page = signed_in(client, provider_coordinator_factory(provider)).get(ALLOCATION_URL)
    hrefs = [item["href"] for item in page.context["staff_navigation"]]
    assert ALLOCATION_URL in hrefs
    assert COMPLIANCE_URL in hrefs


def test_the_compliance_page_lists_who_is_due_or_overdue_with_a_text_tag(client, provider):
    coordinator = volunteer_coordinator_factory(provider)
    eligible_practitioner_factory(provider=provider, first_name="Ada", last_name="Ready", level="")
    late = eligible_practitioner_factory(
        provider=provider,
        first_name="Ben",
        last_name="Lapsed",
        supervised_days_ago=100,
        rjc_status=RjcStatus.REGISTERED,
    )
    eligible_practitioner_factory(
        provider=provider,
        first_name="Cat",
        last_name="Third",
        rjc_status=RjcStatus.ACCREDITED,
        level="",
    )
    page = signed_in(client, coordinator).get(COMPLIANCE_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 of 3 (67%)" in html
    assert "Ben Lapsed" in html
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert "Ada Ready" not in html  # nothing due: not named
    event = AuditEvent.objects.filter(action=AuditAction.LIST).latest("id")
    assert event.detail == {"page": "compliance", "ids": [late.pk]}


def test_the_provider_coordinator_sees_the_rjc_share(client, provider):
    eligible_practitioner_factory(provider=provider, rjc_status=RjcStatus.REGISTERED)
    eligible_practitioner_factory(provider=provider)
    page = signed_in(client, provider_coordinator_factory(provider)).get(COMPLIANCE_URL)
    assert page.status_code == 200
    assert "1 of 2 (50%)" in page.content.decode()


def page_queries(client, url):
    client.get(url)  # warm up: the first request of a session also records the MFA check
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [ALLOCATION_URL, COMPLIANCE_URL])
def test_the_pages_make_the_same_number_of_queries_for_3_or_30_practitioners(client, provider, url):
    client = signed_in(client, volunteer_coordinator_factory(provider))

    def add(count):
        for n in range(count):
            eligible_practitioner_factory(
                provider=provider,
                supervised_days_ago=100 if n % 2 else 14,
                level=PractitionerLevel.FOUNDATION,
            )

    add(3)
    few = page_queries(client, url)
    add(27)
    many = page_queries(client, url)
    assert few == many
    assert many <= 16
