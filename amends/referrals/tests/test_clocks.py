"""The hub's clocks: working days over weekends and bank holidays, and every step moving them."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import override_settings

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.referrals import services
from amends.referrals.clocks import (
    Stage,
    clocks_from,
    current_stage,
    referral_clock_rows,
    restarts_clocks,
    running_stage,
)
from amends.referrals.models import ClosingReason, ContactOutcome, Referral, ReferralState
from amends.referrals.tests.factories import (
    caseworker_factory,
    hub_factory,
    manager_factory,
    referral_factory,
)

S = ReferralState
LONDON = ZoneInfo("Europe/London")


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def at(text: str) -> dt.datetime:
    """A time in London."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


# ----- the arithmetic (no database) ---------------------------------------------------


@pytest.mark.parametrize(
    ("received", "enhanced", "first_contact", "triage", "handoff"),
    [
        # Monday: two working days later is Wednesday.
        ("2026-11-02", False, "2026-11-04", "2026-11-16", "2026-11-30"),
        # Friday: the weekend does not count.
        ("2026-11-06", False, "2026-11-10", "2026-11-20", "2026-12-04"),
        ("2026-11-06", True, "2026-11-09", "2026-11-20", "2026-12-04"),
        # Saturday: as if on the Friday before, the clocks count from Monday.
        ("2026-11-07", False, "2026-11-10", "2026-11-20", "2026-12-04"),
        # Christmas Eve 2026: Christmas Day (Friday) and Boxing Day observed on Monday 28th
        # are bank holidays, and so is New Year's Day 2027 (Friday).
        ("2026-12-24", False, "2026-12-30", "2027-01-12", "2027-01-26"),
        ("2026-12-24", True, "2026-12-29", "2027-01-12", "2027-01-26"),
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March.
        ("2027-03-25", False, "2027-03-31", "2027-04-12", "2027-04-26"),
        ("2027-03-25", True, "2027-03-30", "2027-04-12", "2027-04-26"),
    ],
)
def test_the_deadlines_count_working_days_in_england_and_wales(
    received, enhanced, first_contact, triage, handoff
):
    clocks = clocks_from(started_on=d(received), enhanced_rights=enhanced)
    assert (clocks.first_contact_due, clocks.triage_due, clocks.handoff_due) == (
        d(first_contact),
        d(triage),
        d(handoff),
    )


@override_settings(
    HUB_FIRST_CONTACT_WORKING_DAYS=3,
    HUB_FIRST_CONTACT_WORKING_DAYS_ENHANCED=2,
    HUB_TRIAGE_WORKING_DAYS=5,
    HUB_HANDOFF_WORKING_DAYS=8,
)
def test_the_day_counts_are_settings():
    clocks = clocks_from(started_on=d("2026-11-06"), enhanced_rights=False)
    assert (clocks.first_contact_due, clocks.triage_due, clocks.handoff_due) == (
        d("2026-11-11"),
        d("2026-11-13"),
        d("2026-11-18"),
    )
    assert clocks_from(started_on=d("2026-11-06"), enhanced_rights=True).first_contact_due == d(
        "2026-11-10"
    )


@pytest.mark.parametrize(
    ("state", "contacted", "stage"),
    [
        (S.NEW, False, Stage.FIRST_CONTACT),
        (S.NEW, True, Stage.TRIAGE),
        (S.CONTACTING, False, Stage.FIRST_CONTACT),
        (S.CONTACTING, True, Stage.TRIAGE),
        (S.IN_TRIAGE, True, Stage.TRIAGE),
        (S.AWAITING_CONSENT, True, Stage.HANDOFF),
        (S.HANDED_OFF, True, None),
        (S.CLOSED, False, None),
    ],
)
def test_each_state_runs_one_clock_or_none(state, contacted, stage):
    assert current_stage(state=state, contacted=contacted) == stage


def test_only_coming_back_from_closed_or_handed_off_restarts_the_clocks():
    assert restarts_clocks(sources=frozenset({S.CLOSED}), target=S.NEW)
    assert restarts_clocks(sources=frozenset({S.HANDED_OFF}), target=S.IN_TRIAGE)
    assert not restarts_clocks(sources=frozenset({S.CONTACTING}), target=S.IN_TRIAGE)
    assert not restarts_clocks(sources=frozenset({S.NEW, S.HANDED_OFF}), target=S.CLOSED)


# ----- stored on the referral and moved by every step -------------------------------------


@pytest.fixture
def provider():
    return OrganisationFactory(slug="clock-provider", kind=OrganisationKind.RJ_PROVIDER)


@pytest.fixture
def hub(provider):
    return hub_factory("clock-hub", provider=provider)


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


@pytest.fixture
def manager(hub):
    return manager_factory(hub)


@pytest.fixture
def coordinator(provider):
    return UserFactory(organisation=provider, roles=[Role.PROVIDER_COORDINATOR])


def fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


def clocks_of(referral: Referral) -> tuple[dt.date | None, ...]:
    r = fresh(referral)
    return (r.clocks_started_on, r.first_contact_due, r.triage_due, r.handoff_due, r.due_on)


def victim_keys(referral: Referral) -> tuple[str, str, dt.date | None]:
    r = fresh(referral)
    return (r.victim_family_key, r.victim_given_key, r.victim_born_on)


def move(referral, actor, to, **kwargs):
    return services.referral_transition(
        actor=actor, referral=fresh(referral), to_state=to, **kwargs
    )


def contact(referral, caseworker, outcome):
    services.contact_attempt_record(
        actor=caseworker, referral=referral, channel="phone", outcome=outcome
    )


@pytest.mark.django_db
def test_a_new_referral_gets_its_clocks_from_the_day_it_was_received_in_london(hub):
    # 00:30 on Friday 3 July 2026 in London is still Thursday in UTC.
    referral = referral_factory(hub=hub, received_at=at("2026-07-03T00:30"))
    assert clocks_of(referral) == (
        d("2026-07-03"),
        d("2026-07-07"),
        d("2026-07-17"),
        d("2026-07-31"),
        d("2026-07-07"),
    )
    enhanced = referral_factory(hub=hub, received_at=at("2026-07-03T00:30"), enhanced_rights=True)
    assert fresh(enhanced).first_contact_due == fresh(enhanced).due_on == d("2026-07-06")


@pytest.mark.django_db
def test_each_step_moves_the_due_date_to_the_next_stage_and_stops_it_at_hand_off(
    hub, caseworker, manager, coordinator
):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False) as traveller:
        referral = referral_factory(hub=hub)
        assert fresh(referral).due_on == d("2026-11-04")
        services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
        move(referral, caseworker, S.CONTACTING)
        assert fresh(referral).due_on == d("2026-11-04"), "first contact still to make"
        traveller.move_to(at("2026-11-03T10:00"))
        contact(referral, caseworker, ContactOutcome.NO_ANSWER)
        assert fresh(referral).due_on == d("2026-11-04")
        contact(referral, caseworker, ContactOutcome.SPOKE)
        assert fresh(referral).due_on == d("2026-11-16"), "now the triage decision"
        move(referral, caseworker, S.IN_TRIAGE)
        assert fresh(referral).due_on == d("2026-11-16")
        move(referral, caseworker, S.AWAITING_CONSENT)
        assert fresh(referral).due_on == d("2026-11-30"), "now the hand-off"
        services.referral_record_consent_to_share(actor=caseworker, referral=fresh(referral))
        move(referral, caseworker, S.HANDED_OFF)
        assert fresh(referral).due_on is None
        # The dates themselves stay, as they were set when the referral arrived.
        assert clocks_of(referral)[:4] == (
            d("2026-11-02"),
            d("2026-11-04"),
            d("2026-11-16"),
            d("2026-11-30"),
        )
        # Returned by the provider on Thursday 19 November: the clocks start again.
        traveller.move_to(at("2026-11-19T15:00"))
        services.referral_return_from_provider(
            actor=coordinator, referral=fresh(referral), reason="The person has moved away."
        )
        assert clocks_of(referral) == (
            d("2026-11-19"),
            d("2026-11-23"),
            d("2026-12-03"),
            d("2026-12-17"),
            d("2026-12-03"),
        )


@pytest.mark.django_db
def test_closing_stops_the_clocks_and_reopening_starts_them_again(hub, caseworker, manager):
    with time_machine.travel(at("2026-12-21T09:00"), tick=False) as traveller:
        referral = referral_factory(hub=hub)
        services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
        move(referral, caseworker, S.CONTACTING)
        contact(referral, caseworker, ContactOutcome.SPOKE)
        move(referral, caseworker, S.IN_TRIAGE)
        move(
            referral,
            caseworker,
            S.CLOSED,
            closing_reason=ClosingReason.SUPPORT_ONLY,
            reason="Wants support only.",
        )
        assert fresh(referral).due_on is None
        # Reopened on Christmas Eve: a new first-contact clock, over the holidays. The
        # person was spoken to before it closed, but not since it came back.
        traveller.move_to(at("2026-12-24T11:00"))
        move(referral, manager, S.NEW, reason="The person called back.")
        assert clocks_of(referral) == (
            d("2026-12-24"),
            d("2026-12-30"),
            d("2027-01-12"),
            d("2027-01-26"),
            d("2026-12-30"),
        )


@pytest.mark.django_db
def test_withdrawing_at_any_stage_stops_the_clocks(hub, caseworker, manager):
    referral = referral_factory(hub=hub)
    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    move(referral, caseworker, S.CONTACTING)
    move(referral, caseworker, S.CLOSED, closing_reason=ClosingReason.WITHDRAWN)
    assert fresh(referral).due_on is None


@pytest.mark.django_db
def test_the_enhanced_rights_answer_changes_the_first_contact_deadline(hub, caseworker):
    referral = referral_factory(hub=hub, received_at=at("2026-11-06T10:00"))
    assert fresh(referral).due_on == d("2026-11-10")
    current = fresh(referral)
    services.referral_update(
        actor=caseworker,
        referral=current,
        expected_version=current.version,
        changes={"enhanced_rights": True},
    )
    assert (fresh(referral).first_contact_due, fresh(referral).due_on) == (
        d("2026-11-09"),
        d("2026-11-09"),
    )


@pytest.mark.django_db
def test_the_referral_page_rows_say_which_clock_runs_and_which_are_met(hub, caseworker, manager):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        referral = referral_factory(hub=hub)
        rows = referral_clock_rows(fresh(referral), today=d("2026-11-04"))
        assert [(r.stage, r.status, r.tag) for r in rows] == [
            (Stage.FIRST_CONTACT, "due_today", "Due today"),
            (Stage.TRIAGE, "later", ""),
            (Stage.HANDOFF, "later", ""),
        ]
        services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
        move(referral, caseworker, S.CONTACTING)
        contact(referral, caseworker, ContactOutcome.SPOKE)
        assert running_stage(fresh(referral)) == Stage.TRIAGE
        rows = referral_clock_rows(fresh(referral), today=d("2026-11-17"))
        assert [(r.stage, r.status) for r in rows] == [
            (Stage.FIRST_CONTACT, "met"),
            (Stage.TRIAGE, "overdue"),
            (Stage.HANDOFF, "later"),
        ]
        assert rows[1].tag == "Overdue"


@pytest.mark.django_db
def test_the_migration_fills_the_clocks_of_existing_referrals_as_the_services_do(
    hub, caseworker, manager, coordinator
):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False) as traveller:
        plain = referral_factory(hub=hub)
        enhanced = referral_factory(hub=hub, enhanced_rights=True)
        contacted = referral_factory(hub=hub)
        services.referral_allocate(actor=manager, referral=contacted, caseworker=caseworker)
        move(contacted, caseworker, S.CONTACTING)
        contact(contacted, caseworker, ContactOutcome.SPOKE)
        waiting = referral_factory(hub=hub)
        services.referral_allocate(actor=manager, referral=waiting, caseworker=caseworker)
        move(waiting, caseworker, S.CONTACTING)
        contact(waiting, caseworker, ContactOutcome.SPOKE)
        move(waiting, caseworker, S.IN_TRIAGE)
        move(waiting, caseworker, S.AWAITING_CONSENT)
        reopened = referral_factory(hub=hub)
        services.referral_allocate(actor=manager, referral=reopened, caseworker=caseworker)
        move(reopened, caseworker, S.CONTACTING)
        move(reopened, caseworker, S.CLOSED, closing_reason=ClosingReason.WITHDRAWN)
        traveller.move_to(at("2026-11-12T09:00"))
        move(reopened, manager, S.NEW, reason="Came back.")
        closed = referral_factory(hub=hub)
        move(closed, caseworker, S.CLOSED, closing_reason=ClosingReason.WITHDRAWN)
    everyone = [plain, enhanced, contacted, waiting, reopened, closed]
    expected = {r.pk: clocks_of(r) for r in everyone}
    keys = {r.pk: victim_keys(r) for r in everyone}
    Referral.objects.update(
        clocks_started_on=None, first_contact_due=None, triage_due=None, handoff_due=None
    )
    Referral.objects.update(
        due_on=None, victim_family_key="", victim_given_key="", victim_born_on=None
    )
    migration = importlib.import_module("amends.referrals.migrations.0006_clocks")
    # What the migration uses of its schema editor: the connection and its quoting.
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.fill_queue_fields(apps, editor)
    assert {r.pk: clocks_of(r) for r in everyone} == expected
    assert {r.pk: victim_keys(r) for r in everyone} == keys
    assert keys[plain.pk] == ("morgan", "alex", None)
    assert expected[closed.pk][4] is None
    assert expected[waiting.pk][4] == d("2026-11-30")


@pytest.mark.django_db
def test_the_referral_page_shows_the_hubs_deadlines_to_the_hubs_staff_only(client, hub, caseworker):
    police = OrganisationFactory(slug="clock-police", kind=OrganisationKind.POLICE)
    officer = UserFactory(organisation=police, roles=[Role.POLICE_OFFICER])
    with time_machine.travel(at("2026-11-04T09:00"), tick=False):
        referral = referral_factory(
            hub=hub,
            actor=officer,
            referring_organisation=police,
            received_at=at("2026-11-02T10:00"),
        )
        client.force_login(caseworker)
        page = client.get(f"/staff/referrals/{referral.reference}/").content.decode()
        assert "Deadlines" in page
        assert "By 4 November 2026" in page
        assert ">Due today</strong>" in page
        assert "By 16 November 2026" in page
        assert "By 30 November 2026" in page
        client.force_login(officer)
        response = client.get(f"/staff/referrals/{referral.reference}/")
        assert response.status_code == 200
        assert "Deadlines" not in response.content.decode()
