"""The people pages under /staff/organisation/: list, invite, roles, disable and enable."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.accounts.models import OrganisationKind, Role, User
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.accounts.tests.helpers import password_key_path, post_password, set_password
from amends.core.models import AuditEvent

pytestmark = pytest.mark.django_db

USERS = reverse("accounts:users")
INVITE = reverse("accounts:user_invite")


@pytest.fixture
def hub():
    return OrganisationFactory(kind=OrganisationKind.VICTIM_CARE_HUB, name="Northbridge Hub")


@pytest.fixture
def org_admin(hub):
    return UserFactory(organisation=hub, roles=[Role.ADMINISTRATOR], full_name="Ada Admin")


@pytest.fixture
def signed_in(client, org_admin):
    client.force_login(org_admin)
    return client


def _first(pattern: str, response) -> str:
    found = re.search(pattern, response.content.decode(), re.S)
    assert found, pattern
    return found.group(1).strip()


def title(response) -> str:
    return _first(r"<title>(.*?)</title>", response)


def h1(response) -> str:
    return _first(r"<h1[^>]*>(.*?)</h1>", response)


def errors(response) -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def person_pages(pk: int) -> list[str]:
    return [
        reverse("accounts:user_detail", args=[pk]),
        reverse("accounts:user_roles", args=[pk]),
        reverse("accounts:user_disable", args=[pk]),
        reverse("accounts:user_enable", args=[pk]),
    ]


def invite_data(**overrides):
    data = {
        "full_name": "Casey Worker",
        "email": "casey.worker@example.org",
        "roles": [Role.HUB_CASEWORKER],
    }
    data.update(overrides)
    return data


class TestList:
    def test_shows_name_email_roles_and_status(self, signed_in, org_admin, hub):
        UserFactory(
            organisation=hub,
            full_name="Bea Caseworker",
            email="bea@example.org",
            roles=[Role.HUB_CASEWORKER, Role.HUB_MANAGER],
        )
        UserFactory(organisation=hub, full_name="Cal Gone", is_active=False)
        UserFactory(organisation=hub, full_name="Dee New", password=None, totp=False)
        UserFactory(full_name="Eve Elsewhere")

        response = signed_in.get(USERS)

        assert response.status_code == 200
        assert title(response).startswith("People in Northbridge Hub")
        assert h1(response) == "People in Northbridge Hub"
        page = response.content.decode()
        assert "bea@example.org" in page
        assert "Hub caseworker, Hub manager" in page
        assert "Ada Admin</a> (you)" in page
        rows = {p.full_name: p for p in response.context["page"]}
        assert set(rows) == {"Ada Admin", "Bea Caseworker", "Cal Gone", "Dee New"}
        for name, status in [
            ("Bea Caseworker", "Active"),
            ("Cal Gone", "Disabled"),
            ("Dee New", "Invited"),
        ]:
            assert re.search(rf"{name}</a>.*?{status}</strong>", page, re.S)
        assert "Eve Elsewhere" not in page

    def test_query_count_does_not_grow_with_the_number_of_people(self, signed_in, hub):
        def count_queries() -> int:
            signed_in.get(USERS)  # the first request also checks the authenticator
            with CaptureQueriesContext(connection) as queries:
                assert signed_in.get(USERS).status_code == 200
            return len(queries)

        UserFactory.create_batch(2, organisation=hub, roles=[Role.HUB_CASEWORKER])
        few = count_queries()
        UserFactory.create_batch(
            18, organisation=hub, roles=[Role.HUB_CASEWORKER, Role.HUB_MANAGER]
        )
        many = count_queries()

        assert many == few


class TestInvite:
    def test_page(self, signed_in):
        response = signed_in.get(INVITE)

        assert response.status_code == 200
        assert title(response).startswith("Invite someone")
        assert h1(response) == "Invite someone"
        page = response.content.decode()
        assert 'class="govuk-back-link"' in page
        assert 'data-prevent-double-click="true"' in page
        # Only the roles a victim care hub can give are offered.
        offered = set(re.findall(r'name="roles" type="checkbox" value="([a-z_]+)"', page))
        assert offered == {
            Role.HUB_CASEWORKER,
            Role.HUB_MANAGER,
            Role.ANALYST,
            Role.DATA_PROTECTION_OFFICER,
            Role.ADMINISTRATOR,
        }

    def test_invites_and_goes_to_the_new_person(
        self, signed_in, hub, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in.post(INVITE, invite_data(), follow=True)

        user = User.objects.get(email="casey.worker@example.org")
        assert response.redirect_chain == [(reverse("accounts:user_detail", args=[user.pk]), 302)]
        assert user.organisation == hub
        assert user.roles == {Role.HUB_CASEWORKER}
        assert "Invitation sent to casey.worker@example.org" in response.content.decode()
        assert "Invited" in response.content.decode()
        assert [m.to for m in mail.outbox] == [["casey.worker@example.org"]]

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"full_name": ""}, "full_name", "Enter their full name"),
            ({"full_name": "x" * 201}, "full_name", "Full name must be 200 characters or fewer"),
            ({"email": ""}, "email", "Enter their email address"),
            (
                {"email": "not-an-email"},
                "email",
                "Enter an email address in the correct format, like name@example.com",
            ),
            ({"roles": []}, "roles", "Select at least one role"),
            ({"roles": [Role.FACILITATOR]}, "roles", "Select only roles from the list"),
            ({"roles": [Role.HUB_CASEWORKER, "king"]}, "roles", "Select only roles from the list"),
        ],
    )
    def test_bad_input_is_refused_with_a_message(self, signed_in, data, field, message):
        response = signed_in.post(INVITE, invite_data(**data))

        assert response.status_code == 400
        assert errors(response) == {field: [message]}
        assert title(response).startswith("Error: ")
        assert "There is a problem" in response.content.decode()
        assert message in response.content.decode()
        assert not User.objects.filter(email="casey.worker@example.org").exists()

    def test_email_in_use_is_refused_with_a_message(self, signed_in):
        UserFactory(email="casey.worker@example.org")

        response = signed_in.post(INVITE, invite_data(email="Casey.Worker@example.org"))

        assert response.status_code == 400
        assert errors(response) == {
            "email": ["There is already an account with this email address"]
        }
        assert User.objects.filter(email__iexact="casey.worker@example.org").count() == 1

    def test_submitting_twice_makes_one_user(self, signed_in, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            first = signed_in.post(INVITE, invite_data())
            second = signed_in.post(INVITE, invite_data())

        assert first.status_code == 302
        assert second.status_code == 400
        assert User.objects.filter(email="casey.worker@example.org").count() == 1
        assert len(mail.outbox) == 1

    def test_invited_person_sets_a_password_signs_in_and_must_set_up_an_authenticator(
        self, signed_in, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post(INVITE, invite_data())
        newcomer = Client()

        response = set_password(
            newcomer, password_key_path(mail.outbox[0]), "my-own-long-passphrase"
        )
        assert response.status_code == 302
        response = post_password(newcomer, "casey.worker@example.org", "my-own-long-passphrase")

        assert response.status_code == 302
        assert newcomer.get("/staff/")["Location"] == reverse("mfa_activate_totp")

    def test_resend_sends_a_new_link(self, signed_in, hub, django_capture_on_commit_callbacks):
        user = UserFactory(organisation=hub, password=None, totp=False)

        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in.post(
                reverse("accounts:user_invitation", args=[user.pk]), follow=True
            )

        assert response.status_code == 200
        assert [m.to for m in mail.outbox] == [[user.email]]
        assert f"Invitation sent again to {user.email}" in response.content.decode()


class TestDetailAndRoles:
    def test_detail_page(self, signed_in, hub):
        user = UserFactory(
            organisation=hub, full_name="Bea Caseworker", roles=[Role.HUB_CASEWORKER]
        )

        response = signed_in.get(reverse("accounts:user_detail", args=[user.pk]))

        assert response.status_code == 200
        assert title(response).startswith("Bea Caseworker")
        assert h1(response) == "Bea Caseworker"
        page = response.content.decode()
        assert "Hub caseworker" in page
        assert reverse("accounts:user_roles", args=[user.pk]) in page
        assert reverse("accounts:user_disable", args=[user.pk]) in page

    def test_own_page_offers_no_disable(self, signed_in, org_admin):
        response = signed_in.get(reverse("accounts:user_detail", args=[org_admin.pk]))

        assert (
            reverse("accounts:user_disable", args=[org_admin.pk]) not in response.content.decode()
        )

    def test_roles_page_shows_current_roles_checked(self, signed_in, hub):
        user = UserFactory(organisation=hub, roles=[Role.HUB_MANAGER])

        response = signed_in.get(reverse("accounts:user_roles", args=[user.pk]))

        assert response.status_code == 200
        assert h1(response) == "Change roles"
        page = response.content.decode()
        assert re.search(r'value="hub_manager" checked', page)
        assert not re.search(r'value="hub_caseworker" checked', page)
        assert 'data-prevent-double-click="true"' in page
        assert 'class="govuk-back-link"' in page

    def test_changes_roles(self, signed_in, hub):
        user = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER])

        response = signed_in.post(
            reverse("accounts:user_roles", args=[user.pk]),
            {"roles": [Role.HUB_MANAGER, Role.DATA_PROTECTION_OFFICER]},
        )

        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])
        assert User.objects.get(pk=user.pk).roles == {
            Role.HUB_MANAGER,
            Role.DATA_PROTECTION_OFFICER,
        }
        assert AuditEvent.objects.filter(record_id=str(user.pk), fields=["roles"]).count() == 1

    @pytest.mark.parametrize(
        ("roles", "message"),
        [
            ([], "Select at least one role"),
            ([Role.POLICE_OFFICER], "Select only roles from the list"),
        ],
    )
    def test_bad_roles_are_refused(self, signed_in, hub, roles, message):
        user = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER])

        response = signed_in.post(reverse("accounts:user_roles", args=[user.pk]), {"roles": roles})

        assert response.status_code == 400
        assert errors(response) == {"roles": [message]}
        assert User.objects.get(pk=user.pk).roles == {Role.HUB_CASEWORKER}

    def test_cannot_remove_own_administrator_role(self, signed_in, org_admin):
        response = signed_in.post(
            reverse("accounts:user_roles", args=[org_admin.pk]), {"roles": [Role.HUB_MANAGER]}
        )

        assert response.status_code == 400
        assert "You cannot remove your own administrator role" in errors(response)["roles"][0]
        assert User.objects.get(pk=org_admin.pk).roles == {Role.ADMINISTRATOR}


class TestDisableAndEnable:
    def test_confirm_then_disable_ends_their_session(self, signed_in, hub):
        user = UserFactory(organisation=hub, full_name="Bea Caseworker")
        their_client = Client()
        their_client.force_login(user)
        assert their_client.get("/staff/").status_code == 200
        url = reverse("accounts:user_disable", args=[user.pk])

        confirm = signed_in.get(url)
        assert confirm.status_code == 200
        assert h1(confirm) == "Disable this account?"
        assert 'data-prevent-double-click="true"' in confirm.content.decode()
        response = signed_in.post(url, follow=True)

        assert response.redirect_chain == [(reverse("accounts:user_detail", args=[user.pk]), 302)]
        assert "Bea Caseworker’s account is disabled" in response.content.decode()
        assert not User.objects.get(pk=user.pk).is_active
        assert their_client.get("/staff/")["Location"].startswith(reverse("account_login"))

    def test_enable(self, signed_in, hub):
        user = UserFactory(organisation=hub, is_active=False)

        response = signed_in.post(reverse("accounts:user_enable", args=[user.pk]))

        assert response.status_code == 302
        assert User.objects.get(pk=user.pk).is_active

    def test_cannot_disable_themselves(self, signed_in, org_admin):
        url = reverse("accounts:user_disable", args=[org_admin.pk])

        page = signed_in.get(url)
        response = signed_in.post(url)

        assert "You cannot disable or enable your own account" in page.content.decode()
        assert response.status_code == 400
        assert User.objects.get(pk=org_admin.pk).is_active


class TestOnlyTheOrganisationsAdministrators:
    @pytest.mark.parametrize(
        "roles", [[], [Role.HUB_MANAGER], [Role.DATA_PROTECTION_OFFICER, Role.HUB_CASEWORKER]]
    )
    def test_everyone_else_in_the_organisation_gets_404(self, client, hub, roles):
        someone = UserFactory(organisation=hub, roles=roles)
        target = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER])
        client.force_login(someone)

        for url in [USERS, INVITE, *person_pages(target.pk)]:
            assert client.get(url).status_code == 404, url
        for url in [
            INVITE,
            *person_pages(target.pk)[1:],
            reverse("accounts:user_invitation", args=[target.pk]),
        ]:
            assert (
                client.post(url, {"roles": [Role.ADMINISTRATOR], **invite_data()}).status_code
                == 404
            ), url

        assert User.objects.get(pk=target.pk).roles == {Role.HUB_CASEWORKER}
        assert User.objects.get(pk=target.pk).is_active
        assert not User.objects.filter(email="casey.worker@example.org").exists()

    def test_another_organisations_administrator_gets_404(self, client, hub):
        target = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER], password=None)
        outsider = UserFactory(
            organisation=OrganisationFactory(kind=OrganisationKind.VICTIM_CARE_HUB),
            roles=[Role.ADMINISTRATOR],
        )
        client.force_login(outsider)

        for url in person_pages(target.pk):
            assert client.get(url).status_code == 404, url
        for url in [
            *person_pages(target.pk)[1:],
            reverse("accounts:user_invitation", args=[target.pk]),
        ]:
            assert client.post(url, {"roles": [Role.ADMINISTRATOR]}).status_code == 404, url
        assert target.full_name not in client.get(USERS).content.decode()

        target.refresh_from_db()
        assert target.roles == {Role.HUB_CASEWORKER}
        assert target.is_active
        assert mail.outbox == []

    def test_unknown_person_is_404(self, signed_in):
        assert signed_in.get(reverse("accounts:user_detail", args=[999_999])).status_code == 404


def test_looking_at_people_is_audited_once_per_page(signed_in, hub, org_admin):
    colleague = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER])
    before = AuditEvent.objects.count()
    assert signed_in.get(reverse("accounts:users")).status_code == 200
    listed = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert listed.action == "list"
    assert set(listed.detail["ids"]) == {org_admin.pk, colleague.pk}
    assert signed_in.get(reverse("accounts:user_detail", args=[colleague.pk])).status_code == 200
    viewed = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 2
    assert (viewed.action, viewed.record_type, viewed.record_id) == (
        "view",
        "accounts.user",
        str(colleague.pk),
    )
