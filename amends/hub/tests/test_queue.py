"""The hub queue: views that agree with the clocks, filters, search within the hub, allocation."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.models import AuditAction, AuditEvent
from amends.hub import queue
from amends.people.models import Person
from amends.referrals import services
from amends.referrals.clocks import clock_fields
from amends.referrals.matching import referral_person_link
from amends.referrals.models import (
    ClosingReason,
    ContactOutcome,
    OffenceType,
    PersonRole,
    Referral,
    ReferralPerson,
    ReferralSource,
    ReferralState,
)
from amends.referrals.queue_fields import victim_fields
from amends.referrals.services import PersonInReferral
from amends.referrals.tests.factories import caseworker_factory, hub_factory, manager_factory

pytestmark = pytest.mark.django_db
S = ReferralState
LONDON = ZoneInfo("Europe/London")
# Wednesday 11 November 2026, mid-morning in London.
TODAY = dt.date(2026, 11, 11)
NOW = dt.datetime(2026, 11, 11, 10, 0, tzinfo=LONDON)
URL = "/staff/hub/"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hub():
    return hub_factory("queue-hub")


@pytest.fixture
def other_hub():
    return hub_factory("other-queue-hub")


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub, full_name="Sam Patel")


@pytest.fixture
def colleague(hub):
    return caseworker_factory(hub, full_name="Ola Adeyemi")


@pytest.fixture
def manager(hub):
    return manager_factory(hub, full_name="Helen Reid")


def make(
    hub,
    *,
    received: str = "2026-11-11",
    given: str = "Alex",
    family: str = "Morgan",
    dob: dt.date | None = None,
    **fields,
) -> Referral:
    """A referral received at 09:00 on `received` (London), through the service."""
    day = dt.date.fromisoformat(received)
    return services.referral_create(
        actor=None,
        hub=hub,
        source=ReferralSource.SELF,
        offence_type=fields.pop("offence_type", OffenceType.BURGLARY),
        people=[
            PersonInReferral(
                role=PersonRole.VICTIM, given_name=given, family_name=family, date_of_birth=dob
            )
        ],
        received_at=dt.datetime.combine(day, dt.time(9), tzinfo=LONDON),
        **fields,
    )


def bulk(hub, count: int, *, received: dt.date = TODAY) -> None:
    """`count` open referrals with a victim each, written in bulk (fast, as the bench does)."""
    referrals = [
        Referral(
            hub=hub,
            source=ReferralSource.SELF,
            offence_type=OffenceType.THEFT,
            received_at=dt.datetime.combine(received, dt.time(9), tzinfo=LONDON),
            **clock_fields(started_on=received, enhanced_rights=False, state=S.NEW),
            **victim_fields(given_name="Jordan", family_name=f"Smith{i}"),
        )
        for i in range(count)
    ]
    Referral.objects.bulk_create(referrals)
    people = Person.objects.bulk_create(
        [Person(given_name="Jordan", family_name=f"Smith{i}") for i in range(count)]
    )
    ReferralPerson.objects.bulk_create(
        [
            ReferralPerson(referral=r, person=p, role=PersonRole.VICTIM)
            for r, p in zip(referrals, people, strict=True)
        ]
    )


def listed(client, query: str = "") -> list[str]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.content.decode()[:500]
    return [row.referral.reference for row in response.context["queue"].rows]


@pytest.fixture
def signed_in(client, caseworker):
    client.force_login(caseworker)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


# ----- the views agree with the clocks ----------------------------------------------------


def test_due_today_and_overdue_are_the_clocks_compared_with_today(signed_in, hub):
    due_today = make(hub, received="2026-11-09")  # first contact by Wednesday 11th
    overdue = make(hub, received="2026-11-05")  # by Monday 9th
    enhanced_overdue = make(hub, received="2026-11-09", enhanced_rights=True)  # by Tuesday 10th
    later = make(hub, received="2026-11-11")  # by Friday 13th
    assert listed(signed_in, "?view=due_today") == [due_today.reference]
    assert listed(signed_in, "?view=overdue") == [overdue.reference, enhanced_overdue.reference]
    assert listed(signed_in) == [
        overdue.reference,
        enhanced_overdue.reference,
        due_today.reference,
        later.reference,
    ]
    page = signed_in.get(URL).content.decode()
    # Said in words, not by colour alone.
    assert page.count(">Overdue</strong>") == 2
    assert page.count(">Due today</strong>") == 1
    assert "Overdue (2)" in page
    assert "Due today (1)" in page
    assert "All open (4)" in page


def test_the_views_follow_the_clock_from_one_day_to_the_next(signed_in, hub, caseworker, today):
    referral = make(hub, received="2026-11-09")
    assert listed(signed_in, "?view=due_today") == [referral.reference]
    today.move_to(dt.datetime(2026, 11, 12, 9, 0, tzinfo=LONDON))
    signed_in.force_login(caseworker)  # the next morning's session
    assert listed(signed_in, "?view=due_today") == []
    assert listed(signed_in, "?view=overdue") == [referral.reference]


def test_the_views_hold_what_their_names_say(signed_in, hub, caseworker, colleague, manager):
    new = make(hub)
    mine = make(hub)
    services.referral_allocate(actor=manager, referral=mine, caseworker=caseworker)
    contacting = make(hub)
    services.referral_allocate(actor=manager, referral=contacting, caseworker=colleague)
    services.referral_transition(actor=colleague, referral=contacting, to_state=S.CONTACTING)
    deciding = make(hub)
    services.referral_allocate(actor=manager, referral=deciding, caseworker=caseworker)
    services.referral_transition(actor=caseworker, referral=deciding, to_state=S.CONTACTING)
    services.contact_attempt_record(
        actor=caseworker, referral=deciding, channel="phone", outcome=ContactOutcome.SPOKE
    )
    services.referral_transition(actor=caseworker, referral=deciding, to_state=S.IN_TRIAGE)
    services.referral_transition(actor=caseworker, referral=deciding, to_state=S.AWAITING_CONSENT)
    closed = make(hub)
    services.referral_transition(
        actor=caseworker, referral=closed, to_state=S.CLOSED, closing_reason=ClosingReason.WITHDRAWN
    )
    assert listed(signed_in, "?view=new") == [new.reference]
    assert set(listed(signed_in, "?view=mine")) == {mine.reference, deciding.reference}
    assert listed(signed_in, "?view=contacting") == [contacting.reference]
    assert listed(signed_in, "?view=awaiting_consent") == [deciding.reference]
    everything = listed(signed_in, "?view=all")
    assert closed.reference not in everything
    assert set(everything) == {r.reference for r in (new, mine, contacting, deciding)}


def test_a_manager_is_not_offered_mine(manager_client, hub):
    make(hub)
    response = manager_client.get(URL + "?view=mine")
    assert "Mine (" not in response.content.decode()
    assert response.context["queue"].filters.view == queue.View.ALL


# ----- filters, search and sort -----------------------------------------------------------


def test_filters_narrow_the_queue(signed_in, hub, caseworker, manager):
    child = make(hub, given="Maya", family="Shah", dob=dt.date(2010, 5, 1))
    turns_18_today = make(hub, given="Noah", family="Khan", dob=dt.date(2008, 11, 11))
    adult = make(hub, given="Ruth", family="Evans", dob=dt.date(1980, 1, 1))
    robbery = make(hub, offence_type=OffenceType.ROBBERY, enhanced_rights=True)
    services.referral_allocate(actor=manager, referral=robbery, caseworker=caseworker)
    assert listed(signed_in, "?under_18=on") == [child.reference]
    assert listed(signed_in, "?offence_type=robbery") == [robbery.reference]
    assert listed(signed_in, "?enhanced_rights=yes") == [robbery.reference]
    assert set(listed(signed_in, "?enhanced_rights=no")) == {
        child.reference,
        turns_18_today.reference,
        adult.reference,
    }
    assert listed(signed_in, f"?allocated_to={caseworker.pk}") == [robbery.reference]
    assert robbery.reference not in listed(signed_in, "?allocated_to=none")
    assert listed(signed_in, "?state=contacting") == []
    assert len(listed(signed_in, "?state=new")) == 4


def test_a_bad_filter_value_is_refused_with_a_clear_message_and_ignored(signed_in, hub):
    referral = make(hub)
    response = signed_in.get(URL + "?state=handed_off&offence_type=nonsense")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a status from the list" in page
    assert "Choose an offence from the list" in page
    assert "There is a problem" in page
    assert [row.referral.reference for row in response.context["queue"].rows] == [
        referral.reference
    ]


def test_search_finds_a_reference_a_crime_reference_or_the_start_of_a_name(signed_in, hub):
    alex = make(hub, given="Alex", family="Morgan", crime_reference="01/123456/26")
    priya = make(hub, given="Priya", family="Okafor")
    van = make(hub, given="Robin", family="van der Berg")
    assert listed(signed_in, f"?q={alex.reference.lower()}") == [alex.reference]
    assert listed(signed_in, f"?q={alex.reference.replace('-', '')}") == [alex.reference]
    assert listed(signed_in, "?q=01/123456/26") == [alex.reference]
    assert listed(signed_in, "?q=morg") == [alex.reference]
    assert listed(signed_in, "?q=PRI") == [priya.reference]
    assert listed(signed_in, "?q=alex+morgan") == [alex.reference]
    assert listed(signed_in, "?q=van+der") == [van.reference]
    # The start of a name, never any part of it.
    assert listed(signed_in, "?q=organ") == []
    assert listed(signed_in, "?q=123456") == []


def test_search_never_finds_another_hubs_referral(signed_in, hub, other_hub):
    theirs = make(other_hub, given="Alex", family="Morgan", crime_reference="01/999999/26")
    ours = make(hub, given="Alex", family="Morgan")
    assert listed(signed_in, f"?q={theirs.reference}") == []
    assert listed(signed_in, "?q=01/999999/26") == []
    assert listed(signed_in, "?q=Morgan") == [ours.reference]
    assert theirs.reference not in signed_in.get(URL).content.decode()


def test_search_finds_open_referrals_only(signed_in, hub, caseworker):
    closed = make(hub, given="Alex", family="Morgan")
    services.referral_transition(
        actor=caseworker, referral=closed, to_state=S.CLOSED, closing_reason=ClosingReason.WITHDRAWN
    )
    assert listed(signed_in, f"?q={closed.reference}") == []


def test_sorting_by_received_puts_the_newest_first(signed_in, hub):
    older = make(hub, received="2026-11-02")
    newer = make(hub, received="2026-11-10", enhanced_rights=True)
    oldest_deadline_first = listed(signed_in)
    assert oldest_deadline_first == [older.reference, newer.reference]
    assert listed(signed_in, "?sort=received") == [newer.reference, older.reference]


def test_the_filters_stay_in_the_view_links_and_the_pages(signed_in, hub):
    bulk(hub, 30)
    page = signed_in.get(URL + "?offence_type=theft&view=all").content.decode()
    assert "offence_type=theft&amp;view=due_today" in page or (
        "view=due_today&amp;offence_type=theft" in page
    )
    assert re.search(r"offence_type=theft[^\"]*page=2|page=2[^\"]*offence_type=theft", page)


# ----- who sees it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.POLICE, Role.POLICE_OFFICER),
        (OrganisationKind.POLICE, Role.POLICE_RJ_COORDINATOR),
        (OrganisationKind.RJ_PROVIDER, Role.PROVIDER_COORDINATOR),
        (OrganisationKind.SPECIALIST_AGENCY, Role.AGENCY_CASEWORKER),
        (OrganisationKind.VICTIM_CARE_HUB, Role.DATA_PROTECTION_OFFICER),
        (OrganisationKind.VICTIM_CARE_HUB, Role.ANALYST),
    ],
)
def test_only_the_hubs_caseworkers_and_managers_have_a_queue(client, hub, kind, role):
    make(hub)
    org = hub if kind == OrganisationKind.VICTIM_CARE_HUB else OrganisationFactory(kind=kind)
    client.force_login(UserFactory(organisation=org, roles=[role]))
    assert client.get(URL).status_code == 403
    assert client.get(URL + "caseworkers/").status_code == 403


def test_another_hubs_caseworker_sees_their_own_queue_only(client, hub, other_hub):
    ours = make(hub)
    theirs = make(other_hub)
    client.force_login(caseworker_factory(other_hub))
    assert listed(client) == [theirs.reference]
    assert client.get(f"/staff/referrals/{ours.reference}/").status_code == 404


def test_listing_the_queue_is_audited_with_the_referrals_shown(signed_in, hub, caseworker):
    shown = [make(hub), make(hub)]
    before = AuditEvent.objects.count()
    signed_in.get(URL)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.actor_id) == (AuditAction.LIST, caseworker.pk)
    assert sorted(event.detail["ids"]) == sorted(r.pk for r in shown)


# ----- a constant number of queries -------------------------------------------------------


def queries_for(client, url: str) -> int:
    client.get(url)  # warm up: the first request of a session records the MFA check
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


QUERY_URLS = [
    URL,
    URL + "?view=overdue",
    URL + "?view=mine&sort=received",
    URL + "?q=jordan",
    URL + "?q=RJ-0000-0000",
    URL + "?under_18=on&offence_type=theft&enhanced_rights=no&allocated_to=none&page=2",
    URL + "caseworkers/",
]


def test_the_queue_makes_the_same_number_of_queries_for_10_or_500_referrals(
    client, hub, caseworker, manager
):
    client.force_login(manager)
    bulk(hub, 10, received=dt.date(2026, 11, 5))
    few = {url: queries_for(client, url) for url in QUERY_URLS}
    bulk(hub, 490, received=dt.date(2026, 11, 5))
    many = {url: queries_for(client, url) for url in QUERY_URLS}
    assert few == many
    # The queue: session, user, roles, caseworkers, counts, rows, victims, audit.
    assert max(many.values()) <= 12, many


# ----- allocation -------------------------------------------------------------------------


def test_the_manager_allocates_several_referrals_at_once(manager_client, hub, caseworker):
    first, second, untouched = make(hub), make(hub), make(hub)
    response = manager_client.post(
        URL + "?view=new",
        {
            "caseworker": caseworker.pk,
            "selected": [f"{first.reference}:{first.version}", f"{second.reference}:1"],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == URL + "?view=new"
    for referral in (first, second):
        referral.refresh_from_db()
        assert referral.allocated_to_id == caseworker.pk
    untouched.refresh_from_db()
    assert untouched.allocated_to_id is None
    page = manager_client.get(response["Location"]).content.decode()
    assert "2 referrals allocated to Sam Patel" in page
    assert listed(manager_client, "?view=new") == [untouched.reference]
    events = AuditEvent.objects.filter(
        action=AuditAction.CHANGE, record_id__in=[str(first.pk), str(second.pk)]
    )
    assert events.count() == 2


def test_sending_the_allocation_twice_changes_nothing_the_second_time(
    manager_client, hub, caseworker
):
    referral = make(hub)
    data = {"caseworker": caseworker.pk, "selected": [f"{referral.reference}:1"]}
    manager_client.post(URL, data)
    referral.refresh_from_db()
    version = referral.version
    response = manager_client.post(URL, data, follow=True)
    referral.refresh_from_db()
    assert referral.version == version
    assert "1 referral allocated to Sam Patel" in response.content.decode()


def test_a_referral_changed_since_the_page_loaded_is_not_allocated(
    manager_client, hub, caseworker, colleague, manager
):
    referral = make(hub)
    services.referral_allocate(actor=manager, referral=referral, caseworker=colleague)
    response = manager_client.post(
        URL, {"caseworker": caseworker.pk, "selected": [f"{referral.reference}:1"]}, follow=True
    )
    referral.refresh_from_db()
    assert referral.allocated_to_id == colleague.pk
    assert "someone changed them after you opened the queue" in response.content.decode()


def test_another_hubs_referral_cannot_be_allocated_from_the_queue(
    manager_client, hub, other_hub, caseworker
):
    theirs = make(other_hub)
    response = manager_client.post(
        URL, {"caseworker": caseworker.pk, "selected": [f"{theirs.reference}:1"]}, follow=True
    )
    theirs.refresh_from_db()
    assert theirs.allocated_to_id is None
    assert "It is not open in your hub" in response.content.decode()


def test_allocating_without_a_choice_says_what_is_missing(manager_client, hub):
    make(hub)
    response = manager_client.post(URL, {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose a caseworker to allocate the selected referrals to" in page
    assert "Select at least one referral to allocate" in page
    assert page.startswith("<!DOCTYPE html>") or "Error:" in page


def test_a_caseworker_cannot_allocate(signed_in, hub, colleague):
    referral = make(hub)
    response = signed_in.post(
        URL, {"caseworker": colleague.pk, "selected": [f"{referral.reference}:1"]}
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.allocated_to_id is None


def test_a_caseworker_sees_no_allocation_form(signed_in, hub):
    make(hub)
    assert "Allocate selected referrals" not in signed_in.get(URL).content.decode()


# ----- each caseworker's load -------------------------------------------------------------


def test_the_manager_sees_each_caseworkers_open_and_overdue_load(
    manager_client, hub, caseworker, colleague, manager
):
    overdue = make(hub, received="2026-11-05")
    due_today = make(hub, received="2026-11-09")
    later = make(hub)
    nobodys = make(hub, received="2026-11-05")
    for referral in (overdue, due_today, later):
        services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    response = manager_client.get(URL + "caseworkers/")
    loads = {
        (load.caseworker.full_name if load.caseworker else None): (
            load.open,
            load.due_today,
            load.overdue,
        )
        for load in response.context["loads"]
    }
    assert loads == {None: (1, 0, 1), "Sam Patel": (3, 1, 1), "Ola Adeyemi": (0, 0, 0)}
    assert nobodys.allocated_to_id is None
    page = response.content.decode()
    assert f"?view=overdue&amp;allocated_to={caseworker.pk}" in page


def test_a_former_caseworker_still_holding_referrals_is_listed(
    manager_client, hub, caseworker, manager
):
    referral = make(hub)
    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    response = manager_client.get(URL + "caseworkers/")
    assert [
        (load.caseworker.pk, load.open) for load in response.context["loads"] if load.caseworker
    ] == [(caseworker.pk, 1)]
    assert "account disabled" in response.content.decode()
    # The queue still filters by them, but offers only active caseworkers to allocate to.
    assert listed(manager_client, f"?allocated_to={caseworker.pk}") == [referral.reference]
    assert manager_client.get(URL).context["allocatable"] == []


def test_linking_another_person_record_changes_what_the_queue_finds(signed_in, hub, caseworker):
    known = make(hub, given="Alexandra", family="Morgan-Smith", dob=dt.date(2012, 4, 1))
    new = make(hub, given="Alex", family="Morgan")
    assert listed(signed_in, "?q=morgan-s") == [known.reference]
    victim_in_new = new.people.get(role=PersonRole.VICTIM)
    referral_person_link(
        actor=caseworker,
        referral_person=victim_in_new,
        person=known.people.get(role=PersonRole.VICTIM).person,
        expected_version=Referral.objects.get(pk=new.pk).version,
    )
    assert set(listed(signed_in, "?q=morgan-s")) == {known.reference, new.reference}
    assert set(listed(signed_in, "?under_18=on")) == {known.reference, new.reference}
    assert set(listed(signed_in, "?q=alexandra")) == {known.reference, new.reference}


@pytest.mark.parametrize("value", ["99999999999999999999999", "12abc", "-1"])
def test_a_caseworker_filter_that_names_nobody_is_refused_clearly(signed_in, hub, value):
    make(hub)
    response = signed_in.get(URL + "?allocated_to=" + value)
    assert response.status_code == 200
    assert "Choose a caseworker from the list" in response.content.decode()


def test_the_referral_page_makes_the_same_number_of_queries_with_10_or_500_referrals(
    client, hub, caseworker
):
    """Including the possible-match check, which looks at people the hub can see."""
    client.force_login(caseworker)
    bulk(hub, 10, received=dt.date(2026, 11, 5))
    referral = Referral.objects.filter(hub=hub).order_by("pk").first()
    assert referral is not None
    page = f"/staff/referrals/{referral.reference}/"
    few = queries_for(client, page)
    bulk(hub, 490, received=dt.date(2026, 11, 5))
    assert queries_for(client, page) == few
