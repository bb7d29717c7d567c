"""The Django admin is for superusers only, and its sign-in is allauth's (with TOTP)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amends.accounts.models import Role
from amends.accounts.tests.factories import UserFactory
from amends.accounts.tests.helpers import post_password, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_clock")]


def test_admin_sign_in_page_is_allauths(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_signed_out_visitor_to_admin_is_sent_to_sign_in(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('account_login')}?next=")


@pytest.mark.parametrize("roles", [[], [Role.ADMINISTRATOR], [Role.DATA_PROTECTION_OFFICER]])
def test_staff_member_who_is_not_a_superuser_gets_no_admin(client, roles):
    user = UserFactory(roles=roles)
    sign_in(client, user.email)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert client.get("/admin/auth/group/", follow=True).status_code == 403


def test_superuser_reaches_admin_after_password_and_code(client):
    user = UserFactory(is_staff=True, is_superuser=True, organisation=None)

    sign_in(client, user.email)

    assert client.get("/admin/").status_code == 200


def test_superuser_without_authenticator_must_set_one_up_first(client):
    user = UserFactory(is_staff=True, is_superuser=True, organisation=None, totp=False)
    post_password(client, user.email)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
