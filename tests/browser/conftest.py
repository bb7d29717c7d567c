"""A real server (gunicorn) on its own database with demo data, and Debian's chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.server import amends, base_env, running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _fresh_postgres_database(url: str) -> str:
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'amends'}_browser"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed: `make browser-deps` installs it")
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith("postgres"):
        database_url = _fresh_postgres_database(configured)
    else:
        database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'amends.sqlite3'}"
    env = base_env(AMENDS_ENV="test", DATABASE_URL=database_url)
    amends("migrate", "--noinput", env=env)
    amends("createcachetable", env=env)
    amends("demo", "--referrals", "40", "--quiet-sign-ins", env=env)
    with running_server(env, workers=2) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_url):
    context = browser.new_context(base_url=live_url, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()
