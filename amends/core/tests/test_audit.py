"""The audit trail is append-only in the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from amends.accounts.models import Role
from amends.accounts.tests.factories import UserFactory
from amends.core.audit import audit_record
from amends.core.models import AuditAction, AuditEvent
from amends.referrals.tests.factories import hub_factory, referral_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    user = UserFactory(roles=[Role.HUB_CASEWORKER])
    return audit_record(actor=user, action=AuditAction.VIEW, record_type="x.y", record_id="1")


def test_raw_sql_update_on_the_audit_table_fails(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'change' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == "view"


def test_raw_sql_delete_on_the_audit_table_fails(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_orm_cannot_change_or_delete_audit_events_either(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_email="someone@else.example")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_email == event.actor_email


def test_an_audit_event_records_who_where_what_and_the_request(client, event):
    hub = hub_factory()
    caseworker = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER])
    referral = referral_factory(hub=hub)
    client.force_login(caseworker)
    response = client.get(
        f"/staff/referrals/{referral.reference}/", headers={"X-Request-ID": "req-12345678"}
    )
    assert response.status_code == 200
    view = AuditEvent.objects.get(
        action=AuditAction.VIEW, record_type="referrals.referral", record_id=str(referral.pk)
    )
    assert view.actor_id == caseworker.pk
    assert view.actor_email == caseworker.email
    assert view.organisation_slug == hub.slug
    assert view.record_type == "referrals.referral"
    assert view.request_id == "req-12345678"
    assert response["X-Request-ID"] == "req-12345678"
