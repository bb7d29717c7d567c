"""Shared pytest set-up: skip reasons for database-specific tests."""

from __future__ import annotations

import pytest
from django.db import connection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    vendor = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    for item in items:
        if item.get_closest_marker("postgres_only") and vendor != "postgresql":
            item.add_marker(
                pytest.mark.skip(
                    reason="needs PostgreSQL (row locks and real concurrency); "
                    "run with DATABASE_URL=postgres://... as .ci/run does"
                )
            )


@pytest.fixture
def db_vendor() -> str:
    return connection.vendor
