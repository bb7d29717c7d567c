"""Safety devices: the inventory, stock on hand, issuing (never twice at once) and returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amends.core.errors import DomainError, TransitionRefused
from amends.core.models import AuditAction, AuditEvent
from amends.hub import selectors, services
from amends.hub.models import (
    DeviceIssue,
    DeviceIssueOutcome,
    DeviceState,
    DeviceType,
    SafetyDevice,
)
from amends.hub.services import SupportRefused
from amends.hub.tests.factories_support import (
    device_lend,
    device_make,
    offender_of,
    supported_referral,
    victim_of,
)
from amends.referrals import services as referral_services
from amends.referrals.models import ClosingReason, ReferralState
from amends.referrals.tests.factories import caseworker_factory, hub_factory, manager_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return hub_factory("device-hub")


@pytest.fixture
def manager(hub):
    return manager_factory(hub)


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


@pytest.fixture
def referral(hub):
    return supported_referral(hub=hub)


def today_text(days: int = 0) -> str:
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day.day} {day.month} {day.year}"


# --- the inventory -----------------------------------------------------------------------------


def test_serial_numbers_are_unique_per_hub_ignoring_case_and_spaces(manager, hub):
    device_make(manager=manager, serial="pa 0001")
    with pytest.raises(SupportRefused, match="PA 0001 is already in the inventory") as refused:
        device_make(manager=manager, serial="  PA   0001 ")
    assert refused.value.field == "serial_number"
    # Another hub may hold a device with the same serial number.
    other_manager = manager_factory(hub_factory("other-device-hub"))
    assert device_make(manager=other_manager, serial="PA 0001").serial_number == "PA 0001"


def test_the_database_refuses_a_second_device_with_the_same_serial_number(manager, hub):
    device_make(manager=manager, serial="DB-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        SafetyDevice.objects.create(
            hub=hub, device_type=DeviceType.SMART_LOCK, serial_number="DB-1"
        )


def test_only_a_hub_manager_adds_devices(caseworker):
    with pytest.raises(DomainError, match="Only a hub manager"):
        device_make(manager=caseworker)


def test_the_add_page_refuses_bad_input_with_a_message_each(client, manager):
    client.force_login(manager)
    device_make(manager=manager, serial="TAKEN-1")
    cases = [
        ({"device_type": "", "serial_number": "X1"}, "device_type", "Choose the type of device"),
        ({"device_type": "toaster", "serial_number": "X1"}, "device_type", "Select a valid choice"),
        ({"device_type": "smart_lock", "serial_number": ""}, "serial_number", "Enter the device"),
        (
            {"device_type": "smart_lock", "serial_number": "taken-1"},
            "serial_number",
            "TAKEN-1 is already in the inventory",
        ),
        (
            {"device_type": "smart_lock", "serial_number": "X" * 61},
            "serial_number",
            "60 characters or fewer",
        ),
    ]
    for data, field, message in cases:
        response = client.post("/staff/hub/devices/new/", data)
        assert response.status_code == 400, data
        html = response.content.decode()
        assert f'href="#id_{field}"' in html, data
        assert message in html, data
    assert SafetyDevice.objects.count() == 1


def test_adding_the_same_form_twice_makes_one_device(client, manager):
    client.force_login(manager)
    data = {"device_type": "video_doorbell", "serial_number": "VD-77", "submission_key": "k" * 32}
    assert client.post("/staff/hub/devices/new/", data).status_code == 302
    assert client.post("/staff/hub/devices/new/", data).status_code == 302
    assert SafetyDevice.objects.filter(serial_number="VD-77").count() == 1


def test_the_inventory_shows_stock_on_hand_per_type(client, manager, caseworker, referral):
    alarms = [device_make(manager=manager) for _ in range(3)]
    device_make(manager=manager, device_type=DeviceType.SMART_LOCK)
    device_lend(actor=caseworker, referral=referral, device=alarms[0])
    services.device_transition(
        actor=manager, device=alarms[1], to_state=DeviceState.RETIRED, reason="Battery failed."
    )
    stock = {row.device_type: row for row in selectors.device_stock(user=manager)}
    assert stock[DeviceType.PERSONAL_ALARM].counts == {
        DeviceState.IN_STOCK: 1,
        DeviceState.ISSUED: 1,
        DeviceState.RETIRED: 1,
    }
    assert stock[DeviceType.PERSONAL_ALARM].in_stock == 1
    assert stock[DeviceType.SMART_LOCK].in_stock == 1
    assert stock[DeviceType.GPS_ALARM].in_stock == 0
    client.force_login(caseworker)
    html = client.get("/staff/hub/devices/").content.decode()
    assert "Stock on hand" in html
    assert "None in stock" in html  # GPS alarms, and the others with none: in words, not colour
    assert "Alex Morgan" in html
    assert referral.reference in html


def test_the_inventory_list_makes_the_same_number_of_queries_for_3_or_30_devices(
    client, manager, caseworker, hub
):
    client.force_login(manager)

    def count() -> int:
        client.get("/staff/hub/devices/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/hub/devices/").status_code == 200
        return len(captured)

    for _ in range(3):
        device_lend(
            actor=caseworker,
            referral=supported_referral(hub=hub),
            device=device_make(manager=manager),
        )
    few = count()
    for _ in range(27):
        device_lend(
            actor=caseworker,
            referral=supported_referral(hub=hub),
            device=device_make(manager=manager),
        )
    assert count() == few


# --- issuing ----------------------------------------------------------------------------------


def test_a_device_is_issued_to_a_person_and_its_state_follows(manager, caseworker, referral):
    device = device_make(manager=manager)
    issue = device_lend(actor=caseworker, referral=referral, device=device)
    device.refresh_from_db()
    assert device.state == DeviceState.ISSUED
    assert issue.referral_person == victim_of(referral)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, record_type="hub.deviceissue", record_id=issue.pk
    ).exists()


def test_a_device_cannot_be_issued_twice_at_once(manager, caseworker, referral, hub):
    device = device_make(manager=manager)
    device_lend(actor=caseworker, referral=referral, device=device)
    elsewhere = supported_referral(hub=hub)
    with pytest.raises(SupportRefused, match=r"is already issued\. Record its return") as refused:
        device_lend(actor=caseworker, referral=elsewhere, device=device)
    assert refused.value.field == "device"
    assert DeviceIssue.objects.filter(device=device).count() == 1


def test_the_database_refuses_two_open_issues_of_one_device(manager, caseworker, referral):
    device = device_make(manager=manager)
    issue = device_lend(actor=caseworker, referral=referral, device=device)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeviceIssue.objects.create(
            device=device,
            referral=referral,
            referral_person=issue.referral_person,
            issued_on=timezone.localdate(),
            issued_by=caseworker,
        )


def test_the_same_issue_sent_twice_returns_the_first(manager, caseworker, referral):
    device = device_make(manager=manager)
    first = device_lend(actor=caseworker, referral=referral, device=device)
    assert device_lend(actor=caseworker, referral=referral, device=device) == first


def test_a_retired_device_cannot_be_issued(manager, caseworker, referral):
    device = device_make(manager=manager)
    services.device_transition(
        actor=manager, device=device, to_state=DeviceState.RETIRED, reason="Cracked case."
    )
    with pytest.raises(DomainError, match="is retired: only a device in stock"):
        device_lend(actor=caseworker, referral=referral, device=device)


def test_devices_are_not_issued_to_the_person_responsible(manager, caseworker, referral):
    device = device_make(manager=manager)
    with pytest.raises(DomainError, match="not the person responsible"):
        services.device_issue(
            actor=caseworker,
            referral=referral,
            device=device,
            referral_person=offender_of(referral),
            issued_on=timezone.localdate(),
        )


def test_the_issue_page_refuses_bad_input(client, manager, caseworker, referral, hub):
    device = device_make(manager=manager)
    taken = device_make(manager=manager)
    device_lend(actor=caseworker, referral=supported_referral(hub=hub), device=taken)
    client.force_login(caseworker)
    url = f"/staff/hub/referrals/{referral.reference}/devices/issue/"
    victim = victim_of(referral)
    good = {"device": device.pk, "referral_person": victim.pk, "issued_on": today_text()}
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"device": ""}, "device", "Choose a device in stock"),
        ({"device": taken.pk}, "device", "That device is no longer in stock"),
        ({"referral_person": offender_of(referral).pk}, "referral_person", "Choose a person in"),
        ({"issued_on": ""}, "issued_on", "Enter the date it was issued"),
        ({"issued_on": "31 2 2026"}, "issued_on", "must be a real date"),
        ({"issued_on": today_text(1)}, "issued_on", "must be today or in the past"),
        (
            {"expected_return_on": today_text(-1)},
            "expected_return_on",
            "on or after the date issued",
        ),
    ]
    for change, field, message in cases:
        response = client.post(url, {**good, **change})
        assert response.status_code == 400, change
        html = response.content.decode()
        assert f'href="#id_{field}"' in html, (change, html)
        assert message in html, (change, html)
    assert not DeviceIssue.objects.filter(referral=referral).exists()
    response = client.post(url, {**good, "expected_return_on": today_text(30)})
    assert response.status_code == 302
    # Sent twice (a double click): one issue, and no error.
    assert client.post(url, {**good, "expected_return_on": today_text(30)}).status_code == 302
    assert DeviceIssue.objects.filter(referral=referral).count() == 1


# --- returns and losses ------------------------------------------------------------------------


def test_a_return_puts_the_device_back_to_be_checked_then_in_stock(manager, caseworker, referral):
    device = device_make(manager=manager)
    issue = device_lend(actor=caseworker, referral=referral, device=device)
    services.device_issue_end(
        actor=caseworker,
        issue=issue,
        outcome=DeviceIssueOutcome.RETURNED,
        ended_on=timezone.localdate(),
        note="Works; needs charging.",
    )
    device.refresh_from_db()
    assert device.state == DeviceState.RETURNED
    with pytest.raises(DomainError, match="only a device in stock"):
        device_lend(actor=caseworker, referral=referral, device=device)
    services.device_transition(actor=caseworker, device=device, to_state=DeviceState.IN_STOCK)
    again = device_lend(actor=caseworker, referral=referral, device=device)
    assert again != issue
    assert DeviceIssue.objects.filter(device=device).count() == 2


def test_a_loss_is_recorded_even_after_the_referral_closed(manager, caseworker, referral):
    device = device_make(manager=manager)
    issue = device_lend(actor=caseworker, referral=referral, device=device)
    referral_services.referral_transition(
        actor=caseworker,
        referral=referral,
        to_state=ReferralState.CLOSED,
        closing_reason=ClosingReason.WITHDRAWN,
    )
    with pytest.raises(DomainError, match="closed"):
        device_lend(actor=caseworker, referral=referral, device=device_make(manager=manager))
    services.device_issue_end(
        actor=caseworker,
        issue=issue,
        outcome=DeviceIssueOutcome.LOST,
        ended_on=timezone.localdate(),
    )
    device.refresh_from_db()
    assert device.state == DeviceState.LOST


def test_an_ended_issue_cannot_end_differently(manager, caseworker, referral):
    issue = device_lend(actor=caseworker, referral=referral, device=device_make(manager=manager))
    today = timezone.localdate()
    ended = services.device_issue_end(
        actor=caseworker, issue=issue, outcome=DeviceIssueOutcome.RETURNED, ended_on=today
    )
    # The same again (a double click) is no error; a different answer is.
    assert (
        services.device_issue_end(
            actor=caseworker, issue=issue, outcome=DeviceIssueOutcome.RETURNED, ended_on=today
        )
        == ended
    )
    with pytest.raises(DomainError, match="already recorded as returned"):
        services.device_issue_end(
            actor=caseworker, issue=issue, outcome=DeviceIssueOutcome.LOST, ended_on=today
        )


def test_the_return_page_refuses_bad_input(client, manager, caseworker, referral):
    issue = device_lend(actor=caseworker, referral=referral, device=device_make(manager=manager))
    client.force_login(caseworker)
    url = f"/staff/hub/device-issues/{issue.pk}/end/"
    assert client.get(url).status_code == 200
    cases = [
        ({"ended_on": today_text()}, "outcome", "Choose whether the device came back"),
        ({"outcome": "returned", "ended_on": today_text(1)}, "ended_on", "today or in the past"),
        ({"outcome": "returned", "ended_on": today_text(-1)}, "ended_on", "on or after the date"),
        ({"outcome": "returned", "ended_on": "yesterday"}, "ended_on", "must be a real date"),
    ]
    for data, field, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400, data
        html = response.content.decode()
        assert f'href="#id_{field}"' in html, data
        assert message in html, data
    response = client.post(url, {"outcome": "lost", "ended_on": today_text()})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.outcome == DeviceIssueOutcome.LOST
    assert issue.device.state == DeviceState.LOST


def test_the_device_page_offers_only_what_is_not_done_from_a_referral(
    client, manager, caseworker, referral
):
    device = device_make(manager=manager)
    client.force_login(manager)
    page = client.get(f"/staff/hub/devices/{device.pk}/").content.decode()
    assert "Retire" in page
    assert "Issue to a person" not in page
    device_lend(actor=caseworker, referral=referral, device=device)
    page = client.get(f"/staff/hub/devices/{device.pk}/").content.decode()
    assert "Record its return or loss on the referral" in page
    response = client.post(
        f"/staff/hub/devices/{device.pk}/status/",
        {"version": device.version + 1, "to_state": DeviceState.LOST, "reason": "Gone"},
    )
    assert response.status_code == 403
    with pytest.raises(DomainError, match="from the referral it is issued on"):
        services.device_transition(actor=manager, device=device, to_state=DeviceState.LOST)


def test_retiring_needs_a_manager_and_a_reason(client, manager, caseworker):
    device = device_make(manager=manager)
    with pytest.raises(TransitionRefused, match="Only a hub manager"):
        services.device_transition(
            actor=caseworker, device=device, to_state=DeviceState.RETIRED, reason="Old"
        )
    client.force_login(manager)
    url = f"/staff/hub/devices/{device.pk}/status/"
    response = client.post(url, {"version": device.version, "to_state": DeviceState.RETIRED})
    assert response.status_code == 400
    assert "Give a reason for ‘retire’" in response.content.decode()
    stale = client.post(
        url, {"version": device.version + 5, "to_state": DeviceState.RETIRED, "reason": "Old"}
    )
    assert stale.status_code == 409
    ok = client.post(
        url, {"version": device.version, "to_state": DeviceState.RETIRED, "reason": "Old"}
    )
    assert ok.status_code == 302
    device.refresh_from_db()
    assert device.state == DeviceState.RETIRED


def test_another_hub_gets_404_on_devices_and_issues(client, manager, caseworker, referral):
    device = device_make(manager=manager)
    issue = device_lend(actor=caseworker, referral=referral, device=device)
    outsider = manager_factory(hub_factory("far-hub"))
    client.force_login(outsider)
    for url in (
        f"/staff/hub/devices/{device.pk}/",
        f"/staff/hub/device-issues/{issue.pk}/end/",
        f"/staff/hub/referrals/{referral.reference}/devices/issue/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/staff/hub/devices/{device.pk}/status/",
            {"version": 1, "to_state": "retired", "reason": "x"},
        ).status_code
        == 404
    )
    assert device.serial_number not in client.get("/staff/hub/devices/").content.decode()
    with pytest.raises(Exception, match="No device"):
        services.device_transition(
            actor=outsider, device=device, to_state=DeviceState.RETIRED, reason="x"
        )
