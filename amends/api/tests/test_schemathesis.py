"""Schemathesis against /api/v1/openapi.json: no server error, no answer that breaks the schema.

It drives the WSGI application in this process (so it sees the test database)
with requests generated from the document: valid ones and invalid ones, with a
valid key and without one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from amends.api.tests.conftest import bearer

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture
def api_schema(hub, settings) -> Iterator[schemathesis.BaseSchema]:
    settings.API_RATE_LIMIT = "100000/m"
    # As Django's test client does: closing "old" connections after each request
    # would close the test's own transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def cases(schema: schemathesis.BaseSchema) -> st.SearchStrategy:
    create = schema["/api/v1/referrals"]["POST"]
    return st.one_of(
        # The document's own example, so that the way to success is walked too.
        *schema.get_strategies_from_examples(create),
        schema.as_strategy(GenerationMode.POSITIVE),
        schema.as_strategy(GenerationMode.NEGATIVE),
    )


def test_api_answers_within_its_schema(api_schema, key):
    statuses: set[int] = set()

    @BOUNDED
    @given(case=cases(api_schema))
    def call(case):
        statuses.add(case.call_and_validate(headers=bearer(key), checks=CHECKS).status_code)

    call()
    assert 201 in statuses, statuses  # the way to success was walked too


def test_api_without_a_key_answers_within_its_schema(api_schema):
    @BOUNDED
    @given(case=cases(api_schema))
    def call(case):
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code in {401, 404, 405, 413}

    call()
