"""Two people acting on one referral at once: one wins, the other is told, nothing doubles."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from amends.core.errors import DomainError
from amends.core.models import TransitionLog
from amends.referrals import services
from amends.referrals.models import Referral, ReferralState
from amends.referrals.tests.factories import (
    caseworker_factory,
    hub_factory,
    manager_factory,
    referral_factory,
)

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def run_together(count, action):
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait()
            action()
            result = "ok"
        except DomainError as error:
            result = type(error).__name__
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_concurrent_transitions_from_one_version_apply_once():
    hub = hub_factory()
    caseworker = caseworker_factory(hub)
    referral = referral_factory(hub=hub)
    referral = services.referral_allocate(
        actor=manager_factory(hub), referral=referral, caseworker=caseworker
    )
    version = referral.version

    def transition():
        services.referral_transition(
            actor=caseworker,
            referral=Referral.objects.get(pk=referral.pk),
            to_state=ReferralState.CONTACTING,
            expected_version=version,
        )

    outcomes = run_together(8, transition)
    assert sorted(outcomes) == ["StaleVersion"] * 7 + ["ok"]
    assert TransitionLog.objects.filter(object_id=referral.pk).count() == 1
    assert Referral.objects.get(pk=referral.pk).version == version + 1


def test_concurrent_edits_from_one_version_save_once():
    hub = hub_factory()
    caseworker = caseworker_factory(hub)
    referral = referral_factory(hub=hub)

    def edit():
        services.referral_update(
            actor=caseworker,
            referral=Referral.objects.get(pk=referral.pk),
            expected_version=referral.version,
            changes={"offence_place": f"Edited by {threading.get_ident()}"},
        )

    outcomes = run_together(8, edit)
    assert sorted(outcomes) == ["StaleVersion"] * 7 + ["ok"]
    assert Referral.objects.get(pk=referral.pk).version == referral.version + 1
