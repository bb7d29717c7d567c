"""The page frame: public pages, health, and the GOV.UK-styled error pages."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from amends.core.views import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/accessibility/", "/privacy/", "/cookies/"])
def test_public_pages_carry_the_frame(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="govuk-skip-link"' in page
    assert "govuk-phase-banner" in page
    for link in ("/accessibility/", "/privacy/", "/cookies/"):
        assert f'href="{link}"' in page
    assert "govuk-exit-this-page" in page


def test_healthz_is_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok"}


def test_unknown_pages_get_the_govuk_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-template" in response.content.decode()


def test_a_form_without_its_csrf_token_gets_the_csrf_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/staff/account/login/", {"login": "a@b.example", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "your form could not be sent" in page
    assert "Nothing has been saved" in page


def test_the_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_security_headers_are_sent(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Request-ID"]
