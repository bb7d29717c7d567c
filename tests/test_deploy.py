"""Production settings, health endpoints and readiness, against the real process."""

from __future__ import annotations

import json
import secrets

import pytest

from tests.server import amends, base_env, get, running_server

PRODUCTION = {
    "AMENDS_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "amends.example.org",
    "SITE_URL": "https://amends.example.org",
}


def test_check_deploy_under_production_settings_prints_no_warnings():
    result = amends("check", "--deploy", "--fail-level", "WARNING", env=base_env(**PRODUCTION))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    "secret_key",
    ["", "short", "amends-development-only-key-never-use-in-production-0123456789abcdef", "x" * 60],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    env = base_env(**{**PRODUCTION, "SECRET_KEY": secret_key})
    result = amends("check", env=env, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random value" in result.stderr


def test_production_refuses_to_start_without_its_https_address():
    env = base_env(**{**PRODUCTION, "SITE_URL": ""})
    result = amends("check", env=env, check=False)
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_demo_refuses_to_run_under_production_settings():
    result = amends("demo", env=base_env(**PRODUCTION), check=False)
    assert result.returncode != 0
    assert "refuses to run under production settings" in result.stderr


def test_healthz_answers_while_readyz_is_503_when_the_database_is_unreachable():
    env = base_env(
        AMENDS_ENV="test",
        DATABASE_URL="postgres://postgres@127.0.0.1:9/unreachable",
    )
    with running_server(env, workers=1) as base:
        status, body = get(f"{base}/healthz")
        assert (status, json.loads(body)["status"]) == (200, "ok")
        status, body = get(f"{base}/readyz")
        assert status == 503
        payload = json.loads(body)
        assert payload["status"] == "unavailable"
        assert payload["checks"]["database"].startswith("unreachable")


def test_readyz_is_503_with_unapplied_migrations_and_200_once_migrated(tmp_path):
    env = base_env(AMENDS_ENV="test", DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with running_server(env, workers=1) as base:
        status, body = get(f"{base}/readyz")
        assert status == 503
        assert "unapplied" in json.loads(body)["checks"]["migrations"]
        amends("migrate", "--noinput", env=env)
        status, body = get(f"{base}/readyz")
        assert status == 200
        assert json.loads(body) == {
            "status": "ok",
            "checks": {"database": "ok", "migrations": "ok"},
        }
