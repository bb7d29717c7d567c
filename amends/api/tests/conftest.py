"""Fixtures for the API tests: organisations, keys, and a clean cache for rate limits."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from amends.accounts.models import OrganisationKind
from amends.accounts.tests.factories import OrganisationFactory
from amends.api.schemas import REFERRAL_EXAMPLE
from amends.api.services import api_key_create
from amends.referrals.tests.factories import hub_factory

URL = "/api/v1/referrals"


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hub(db):
    # The hub the OpenAPI example names, so that the example works as it stands.
    return hub_factory(slug=REFERRAL_EXAMPLE["hub"])


@pytest.fixture
def police(db):
    return OrganisationFactory(slug="met-police", name="Met Police", kind=OrganisationKind.POLICE)


@pytest.fixture
def other_police(db):
    return OrganisationFactory(slug="city-police", name="City Police", kind=OrganisationKind.POLICE)


@pytest.fixture
def key(police) -> str:
    return api_key_create(actor=None, organisation=police, name="Niche export")[1]


@pytest.fixture
def other_key(other_police) -> str:
    return api_key_create(actor=None, organisation=other_police, name="Athena export")[1]


def body(**overrides):
    data = copy.deepcopy(REFERRAL_EXAMPLE)
    data.update(overrides)
    return data


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def post(client, hub):
    def _post(data, *, key, idempotency_key=None, **headers):
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return client.post(
            URL, data=data, content_type="application/json", headers={**bearer(key), **headers}
        )

    return _post
