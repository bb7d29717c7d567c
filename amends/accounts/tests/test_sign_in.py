"""Sign-in through django-allauth: password then TOTP, enrolment, lockout, enumeration."""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django.urls import reverse

from amends.accounts.adapter import MFAAdapter
from amends.accounts.models import Role
from amends.accounts.tests.factories import TEST_PASSWORD, UserFactory, has_totp
from amends.accounts.tests.helpers import post_password, reauthenticate, sign_in, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_clock")]

LOGIN_URL = "/staff/account/login/"


def error_text(key: str) -> str:
    return str(get_adapter().error_messages[key])


def form_errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


@pytest.mark.parametrize("path", ["/staff/", "/staff/organisation/users/", "/admin/"])
def test_signed_out_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=")
    assert client.get(LOGIN_URL).status_code == 200


def test_password_then_authenticator_code_reaches_staff_pages(client):
    user = UserFactory()

    response = post_password(client, user.email)
    # A password alone is not enough: allauth asks for the code next.
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/staff/")["Location"].startswith(LOGIN_URL)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_email_is_matched_whatever_its_case(client):
    user = UserFactory(email="sam.jones@example.org")

    response = sign_in(client, "Sam.Jones@EXAMPLE.org")

    assert response["Location"] == "/staff/"
    assert client.get("/staff/").wsgi_request.user == user


def test_wrong_authenticator_code_does_not_sign_in(client):
    user = UserFactory()
    post_password(client, user.email)
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert error_text("incorrect_code") in response.content.decode()
    assert client.get("/staff/")["Location"].startswith(LOGIN_URL)


def test_a_code_cannot_be_used_twice(client):
    user = UserFactory()
    sign_in(client, user.email)
    client.post(reverse("account_logout"))

    post_password(client, user.email)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response.status_code == 200
    assert client.get("/staff/")["Location"].startswith(LOGIN_URL)


@pytest.mark.parametrize("path", ["/staff/", "/staff/organisation/users/", "/admin/"])
def test_user_without_authenticator_is_sent_to_set_one_up(client, path):
    user = UserFactory(totp=False, roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)

    response = post_password(client, user.email)
    # No authenticator yet, so allauth signs them in on the password alone ...
    assert response.status_code == 302

    # ... and every staff page sends them to set one up first.
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def enrol(client, user) -> str:
    """Sign in without an authenticator and open the set-up page; returns the new secret."""
    post_password(client, user.email)
    # Straight after signing in, set-up does not ask for the password a second time.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    return client.session["mfa.totp.secret"]


def test_enrolment_long_after_signing_in_asks_for_the_password_again(client, settings):
    user = UserFactory(totp=False)
    post_password(client, user.email)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = reauthenticate(client, next_url=reverse("mfa_activate_totp"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_user_without_authenticator_can_set_one_up_and_gets_recovery_codes(client):
    user = UserFactory(totp=False)
    secret = enrol(client, user)

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert has_totp(user)
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    codes = recovery.wrap().get_unused_codes()
    assert len(codes) == 10
    page = client.get(reverse("mfa_view_recovery_codes"))
    assert page.status_code == 200
    assert all(code in page.content.decode() for code in codes)
    assert client.get("/staff/").status_code == 200


def test_wrong_code_does_not_enrol(client):
    user = UserFactory(totp=False)
    secret = enrol(client, user)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})

    assert response.status_code == 200
    assert not has_totp(user)
    assert client.get("/staff/")["Location"] == reverse("mfa_activate_totp")


def test_recovery_code_signs_in_instead_of_authenticator_code(client):
    user = UserFactory(totp=False)
    secret = enrol(client, user)
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    codes = (
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    client.post(reverse("account_logout"))

    post_password(client, user.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})

    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_authenticator_cannot_be_removed(client):
    user = UserFactory()
    sign_in(client, user.email)
    reauthenticate(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert has_totp(user)
    assert str(MFAAdapter.error_messages["cannot_delete_authenticator"]) in (
        response.content.decode()
    )


def test_adapter_allows_removing_recovery_codes_but_not_the_authenticator():
    user = UserFactory()
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    codes = Authenticator(user=user, type=Authenticator.Type.RECOVERY_CODES)

    assert MFAAdapter().can_delete_authenticator(totp) is False
    assert MFAAdapter().can_delete_authenticator(codes) is True


def test_disabled_user_cannot_sign_in(client):
    user = UserFactory(is_active=False)

    response = post_password(client, user.email, follow=True)

    assert client.get("/staff/")["Location"].startswith(LOGIN_URL)
    assert response.status_code == 200


def _ten_failures_then_right_password(client, email: str) -> list:
    responses = [post_password(client, email, "not-the-password") for _ in range(10)]
    responses.append(post_password(client, email, TEST_PASSWORD))
    return responses


def test_eleventh_failed_sign_in_is_refused_even_with_the_right_password(client):
    user = UserFactory()

    responses = _ten_failures_then_right_password(client, user.email)

    for response in responses[:10]:
        assert response.status_code == 200
        assert form_errors(response) == [error_text("email_password_mismatch")]
    assert responses[10].status_code == 200
    assert form_errors(responses[10]) == [error_text("too_many_login_attempts")]
    assert client.get("/staff/")["Location"].startswith(LOGIN_URL)


def test_lockout_is_per_email(client):
    locked, other = UserFactory(), UserFactory()
    _ten_failures_then_right_password(client, locked.email)

    response = sign_in(client, other.email)

    assert response["Location"] == "/staff/"


def test_lockout_ignores_the_case_of_the_email(client):
    user = UserFactory(email="pat.lee@example.org")
    for _ in range(10):
        post_password(client, "PAT.LEE@example.org", "not-the-password")

    response = post_password(client, "pat.lee@example.org")

    assert form_errors(response) == [error_text("too_many_login_attempts")]
    assert user.last_login is None


def test_lockout_holds_whichever_host_name_is_used(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    user = UserFactory()
    for n in range(10):
        post_password(
            client, user.email, "not-the-password", HTTP_HOST="localhost" if n % 2 else "testserver"
        )

    response = post_password(client, user.email, HTTP_HOST="localhost")

    assert form_errors(response) == [error_text("too_many_login_attempts")]


def test_unknown_email_gets_the_same_response_as_a_known_one(client):
    user = UserFactory()

    known = _ten_failures_then_right_password(client, user.email)
    unknown = _ten_failures_then_right_password(client, "nobody-here@example.org")

    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert [form_errors(r) for r in known] == [form_errors(r) for r in unknown]
    # The lockout itself is the same for an email without an account.
    assert form_errors(unknown[10]) == [error_text("too_many_login_attempts")]
    for a, b in zip(known, unknown, strict=True):
        for error in form_errors(a):
            assert error in a.content.decode()
            assert error in b.content.decode()


def test_staff_cannot_add_or_remove_their_own_email_addresses(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/staff/account/email/").status_code == 404
    assert client.post("/staff/account/email/", {"email": "new@example.org"}).status_code == 404
