"""Several people issuing one device, or sending one onward referral form, at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from amends.core.errors import DomainError
from amends.hub.models import DeviceIssue, OnwardReferral, SafetyDevice
from amends.hub.tests.factories_support import (
    agency_make,
    device_lend,
    device_make,
    onward_send,
    supported_referral,
)
from amends.referrals.models import Referral
from amends.referrals.tests.factories import caseworker_factory, hub_factory, manager_factory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def run_together(count: int, action: Callable[[int], object]) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            barrier.wait()
            action(n)
            result = "ok"
        except DomainError as error:
            result = type(error).__name__
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_one_device_issued_on_several_referrals_at_once_goes_to_one():
    hub = hub_factory("race-hub")
    manager = manager_factory(hub)
    caseworker = caseworker_factory(hub)
    device = device_make(manager=manager)
    referrals = [supported_referral(hub=hub) for _ in range(6)]

    def issue(n: int) -> None:
        device_lend(
            actor=caseworker,
            referral=Referral.objects.get(pk=referrals[n].pk),
            device=SafetyDevice.objects.get(pk=device.pk),
        )

    outcomes = run_together(6, issue)
    assert sorted(outcomes) == ["SupportRefused"] * 5 + ["ok"]
    assert DeviceIssue.objects.filter(device=device).count() == 1


def test_one_onward_referral_form_sent_several_times_at_once_makes_one():
    hub = hub_factory("race-onward-hub")
    caseworker = caseworker_factory(hub)
    agency = agency_make(manager=manager_factory(hub), name="Race Advocacy")
    referral = supported_referral(hub=hub)

    def send(n: int) -> None:
        onward_send(
            actor=caseworker,
            referral=Referral.objects.get(pk=referral.pk),
            agency=agency,
            submission_key="one-form",
        )

    assert run_together(6, send) == ["ok"] * 6
    assert OnwardReferral.objects.filter(referral=referral).count() == 1
