"""`amends create-api-key`: prints a key that works, and keeps only its hash."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from amends.api.models import ApiKey
from amends.api.tests.conftest import URL, bearer, body

pytestmark = pytest.mark.django_db


def create_key(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create-api-key", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_prints_a_key_that_works_and_stores_only_its_hash(client, police, hub):
    key, note = create_key(police.slug, "--name", "Niche RMS export")
    assert key.startswith("amends_")
    assert "not shown again" in note
    api_key = ApiKey.objects.get()
    assert (api_key.organisation, api_key.name) == (police, "Niche RMS export")
    assert api_key.hashed_key == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {getattr(api_key, f.attname) for f in ApiKey._meta.concrete_fields}

    response = client.post(URL, data=body(), content_type="application/json", headers=bearer(key))
    assert response.status_code == 201


def test_each_key_is_different(police):
    assert create_key(police.slug)[0] != create_key(police.slug)[0]


def test_warns_that_a_hubs_key_cannot_send_referrals(hub):
    _, note = create_key(hub.slug)
    assert "cannot send referrals" in note


def test_an_unknown_organisation_is_refused():
    with pytest.raises(CommandError, match="no organisation"):
        create_key("nowhere")
    assert not ApiKey.objects.exists()
