"""The API keys page: an organisation's administrators see and revoke their keys; others 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.accounts.models import Role
from amends.accounts.tests.factories import UserFactory
from amends.api.models import ApiKey
from amends.api.services import api_key_create
from amends.api.tests.conftest import URL, bearer, body
from amends.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

LIST = reverse("api_keys:list")


def revoke_url(api_key: ApiKey) -> str:
    return reverse("api_keys:revoke", args=[api_key.pk])


@pytest.fixture
def admin(police):
    return UserFactory(organisation=police, roles=[Role.ADMINISTRATOR])


@pytest.fixture
def api_key(key) -> ApiKey:
    return ApiKey.objects.get()


def test_lists_the_organisations_keys_without_the_secret(client, admin, key, api_key, other_key):
    client.force_login(admin)
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Niche export" in page
    assert f"amends_{api_key.prefix}_" in page
    assert key not in page
    assert key.rsplit("_", 1)[1] not in page
    assert "Athena export" not in page  # another organisation's key


def test_the_navigation_shows_the_page_to_administrators_only(client, admin, police):
    client.force_login(admin)
    assert f'href="{LIST}"' in client.get(reverse("accounts:users")).content.decode()
    officer = UserFactory(organisation=police, roles=[Role.POLICE_OFFICER])
    client.force_login(officer)
    assert f'href="{LIST}"' not in client.get("/staff/").content.decode()


def test_revoking_a_key_stops_it_at_once(client, admin, key, api_key, hub):
    client.force_login(admin)
    confirm = client.get(revoke_url(api_key))
    assert confirm.status_code == 200
    assert "Revoke this API key?" in confirm.content.decode()

    response = client.post(revoke_url(api_key))
    assert response.status_code == 302
    assert response["Location"] == LIST
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert api_key.revoked_by == admin
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, record_id=str(api_key.pk), actor_id=admin.pk
    ).exists()

    refused = client.post(URL, data=body(), content_type="application/json", headers=bearer(key))
    assert refused.status_code == 401
    assert "Revoked" in client.get(LIST).content.decode()


def test_another_organisations_administrator_gets_404(client, api_key, other_police):
    other_admin = UserFactory(organisation=other_police, roles=[Role.ADMINISTRATOR])
    client.force_login(other_admin)
    assert client.get(revoke_url(api_key)).status_code == 404
    assert client.post(revoke_url(api_key)).status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


@pytest.mark.parametrize("role", [Role.POLICE_OFFICER, Role.POLICE_RJ_COORDINATOR, Role.ANALYST])
def test_anyone_but_an_administrator_gets_404(client, police, api_key, role):
    client.force_login(UserFactory(organisation=police, roles=[role]))
    assert client.get(LIST).status_code == 404
    assert client.post(revoke_url(api_key)).status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client, api_key):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/staff/account/login/" in response["Location"]


def test_the_list_takes_the_same_queries_for_one_key_or_many(client, admin, police):
    api_key_create(actor=admin, organisation=police, name="One")
    client.force_login(admin)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for n in range(5):
        api_key_create(actor=admin, organisation=police, name=f"Key {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(one)
