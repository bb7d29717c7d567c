"""Signing in as a person would: password, then the code from an authenticator app."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

from amends.accounts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET


def totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    """The code an authenticator app shows now for `secret`."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def post_password(client: Client, email: str, password: str = TEST_PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def sign_in(client: Client, email: str, password: str = TEST_PASSWORD):
    """Password, then TOTP code; returns the response to the code."""
    response = post_password(client, email, password)
    assert response.status_code == 302, response
    assert response["Location"] == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": totp_code()})


def reauthenticate(client: Client, password: str = TEST_PASSWORD, next_url: str = ""):
    """allauth asks for the password again before changing authenticators."""
    data = {"password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_reauthenticate"), data)


PASSWORD_KEY_LINK = re.compile(r"https?://\S+/staff/account/password/reset/key/\S+/")


def password_key_path(message: EmailMessage) -> str:
    """The path of the set-your-password link in `message` (reset or invitation)."""
    found = PASSWORD_KEY_LINK.search(str(message.body))
    assert found, message.body
    return urlsplit(found.group(0)).path


def set_password(client: Client, path: str, password: str):
    """Open a set-your-password link and choose `password`; returns the response to that."""
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    return client.post(form_url, {"password1": password, "password2": password})
