"""Password reset by email: the same page whether or not the email has an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from amends.accounts.tests.factories import TEST_PASSWORD, UserFactory
from amends.accounts.tests.helpers import password_key_path, post_password, set_password, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_clock")]

NEW_PASSWORD = "a-brand-new-long-passphrase"


def request_reset(client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email}, follow=True)


def without_tokens(response) -> str:
    """The page without its per-request tokens (CSRF, CSP nonce)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def test_known_and_unknown_email_get_the_same_page(client):
    user = UserFactory()

    known = request_reset(client, user.email)
    unknown = request_reset(client, "no-such-person@example.org")

    assert known.redirect_chain == unknown.redirect_chain
    assert known.redirect_chain == [(reverse("account_reset_password_done"), 302)]
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known) == without_tokens(unknown)


def test_known_email_gets_one_message_with_a_working_link(client):
    user = UserFactory()

    request_reset(client, user.email)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    response = set_password(client, password_key_path(mail.outbox[0]), NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The reset signs no one in: the authenticator code is still needed.
    assert client.get("/staff/")["Location"].startswith(reverse("account_login"))
    assert sign_in(client, user.email, NEW_PASSWORD)["Location"] == "/staff/"


def test_reset_link_works_once(client):
    user = UserFactory()
    request_reset(client, user.email)
    path = password_key_path(mail.outbox[0])
    set_password(client, path, NEW_PASSWORD)

    response = client.get(path, follow=True)

    assert response.status_code == 200
    assert response.context["token_fail"] is True


def test_unknown_email_sends_no_message(client):
    # ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS is off: allauth would otherwise mail the address
    # to say it has no account and to invite its owner to sign up, which staff cannot.
    request_reset(client, "no-such-person@example.org")

    assert mail.outbox == []


def test_disabled_user_gets_no_message(client):
    user = UserFactory(is_active=False)

    request_reset(client, user.email)

    assert mail.outbox == []


def test_old_password_stops_working_after_a_reset(client):
    user = UserFactory()
    request_reset(client, user.email)
    set_password(client, password_key_path(mail.outbox[0]), NEW_PASSWORD)

    response = post_password(client, user.email, TEST_PASSWORD)

    assert response.status_code == 200
    assert response.context["form"].errors
