"""The services behind the people pages: invite, roles, disable and enable, each audited."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from amends.accounts import services
from amends.accounts.models import OrganisationKind, Role, User
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.accounts.tests.helpers import password_key_path, set_password
from amends.core.errors import DomainError
from amends.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return OrganisationFactory(kind=OrganisationKind.VICTIM_CARE_HUB, name="Northbridge Hub")


@pytest.fixture
def admin(hub):
    return UserFactory(organisation=hub, roles=[Role.ADMINISTRATOR], full_name="Ada Admin")


def invite(admin, hub, **overrides):
    kwargs = {
        "actor": admin,
        "organisation": hub,
        "email": "Casey.Worker@Example.org",
        "full_name": "Casey Worker",
        "roles": [Role.HUB_CASEWORKER],
    }
    kwargs.update(overrides)
    return services.user_invite(**kwargs)


def audit_events(user):
    return list(AuditEvent.objects.filter(record_type="accounts.user", record_id=str(user.pk)))


def assert_no_personal_data(event, *values):
    recorded = json.dumps([event.fields, event.detail])
    for value in values:
        assert value.lower() not in recorded.lower()


class TestInvite:
    def test_creates_a_user_without_a_password_in_the_admins_organisation(self, admin, hub):
        user = invite(admin, hub)

        user.refresh_from_db()
        assert user.email == "casey.worker@example.org"
        assert user.full_name == "Casey Worker"
        assert user.organisation == hub
        assert user.is_active
        assert not user.has_usable_password()
        assert user.invitation_pending
        assert user.roles == {Role.HUB_CASEWORKER}
        assert not user.is_staff
        assert not user.is_superuser

    def test_is_audited_with_field_names_only(self, admin, hub):
        user = invite(admin, hub)

        (event,) = audit_events(user)
        assert event.action == "create"
        assert event.actor_id == admin.pk
        assert event.organisation_slug == hub.slug
        assert set(event.fields) == {"full_name", "email", "organisation", "roles"}
        assert_no_personal_data(event, "casey", "example.org")

    def test_emails_a_set_your_password_link_once_saved(
        self, admin, hub, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            user = invite(admin, hub)

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["casey.worker@example.org"]
        assert "Ada Admin" in message.body
        assert "Northbridge Hub" in message.body
        response = set_password(client, password_key_path(message), "a-long-new-passphrase")
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.check_password("a-long-new-passphrase")
        assert not user.invitation_pending

    def test_sends_nothing_if_the_invitation_is_not_saved(
        self, admin, hub, django_capture_on_commit_callbacks
    ):
        UserFactory(email="casey.worker@example.org")

        with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
            invite(admin, hub)

        assert mail.outbox == []

    @pytest.mark.parametrize(
        "email",
        ["casey.worker@example.org", "CASEY.WORKER@example.org", " casey.worker@example.org "],
    )
    def test_refuses_an_email_already_in_use(self, admin, hub, email):
        UserFactory(email="casey.worker@example.org", organisation=OrganisationFactory())

        with pytest.raises(DomainError) as refused:
            invite(admin, hub, email=email)

        assert refused.value.code == services.EMAIL_IN_USE
        assert User.objects.filter(email__iexact="casey.worker@example.org").count() == 1

    def test_two_invitations_racing_past_the_check_make_one_user(self, admin, hub, monkeypatch):
        invite(admin, hub)
        # The second submission checked before the first one saved.
        monkeypatch.setattr(services, "_email_in_use", lambda email: False)

        with pytest.raises(DomainError) as refused:
            invite(admin, hub)

        assert refused.value.code == services.EMAIL_IN_USE
        assert User.objects.filter(email="casey.worker@example.org").count() == 1

    def test_refuses_a_role_the_organisation_cannot_give(self, admin, hub):
        with pytest.raises(DomainError) as refused:
            invite(admin, hub, roles=[Role.HUB_CASEWORKER, Role.FACILITATOR])

        assert refused.value.code == services.NOT_ALLOWED
        assert "Facilitator" in refused.value.message
        assert not User.objects.filter(email="casey.worker@example.org").exists()

    def test_refuses_no_roles(self, admin, hub):
        with pytest.raises(DomainError):
            invite(admin, hub, roles=[])

    @pytest.mark.parametrize("field", ["email", "full_name"])
    def test_refuses_blank_name_or_email(self, admin, hub, field):
        with pytest.raises(DomainError):
            invite(admin, hub, **{field: "  "})

    def test_only_an_administrator_of_the_organisation_can_invite(self, hub):
        manager = UserFactory(organisation=hub, roles=[Role.HUB_MANAGER])
        other_admin = UserFactory(roles=[Role.ADMINISTRATOR])

        for actor in (manager, other_admin):
            with pytest.raises(DomainError) as refused:
                invite(actor, hub)
            assert refused.value.code == "forbidden"
        assert not User.objects.filter(email="casey.worker@example.org").exists()


class TestInvitationResend:
    def test_sends_a_fresh_link(self, admin, hub, django_capture_on_commit_callbacks):
        user = invite(admin, hub)

        with django_capture_on_commit_callbacks(execute=True):
            services.user_invitation_resend(actor=admin, user=user)

        assert [m.to for m in mail.outbox] == [[user.email]]
        assert audit_events(user)[0].detail == {"invitation_resent": True}

    def test_refused_once_a_password_is_set(self, admin, hub):
        user = UserFactory(organisation=hub)

        with pytest.raises(DomainError):
            services.user_invitation_resend(actor=admin, user=user)


class TestRolesSet:
    def test_adds_and_removes_roles_and_audits_which(self, admin, hub):
        user = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER])

        services.user_roles_set(actor=admin, user=user, roles=[Role.HUB_MANAGER, Role.ANALYST])

        assert User.objects.get(pk=user.pk).roles == {Role.HUB_MANAGER, Role.ANALYST}
        (event,) = audit_events(user)
        assert event.action == "change"
        assert event.fields == ["roles"]
        assert event.detail == {
            "added": [Role.ANALYST, Role.HUB_MANAGER],
            "removed": [Role.HUB_CASEWORKER],
        }
        assert_no_personal_data(event, user.email, user.full_name)

    def test_no_change_writes_nothing(self, admin, hub):
        user = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER])

        services.user_roles_set(actor=admin, user=user, roles=[Role.HUB_CASEWORKER])

        assert audit_events(user) == []

    def test_refuses_a_role_the_organisation_cannot_give(self, admin, hub):
        user = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER])

        with pytest.raises(DomainError) as refused:
            services.user_roles_set(actor=admin, user=user, roles=[Role.POLICE_OFFICER])

        assert refused.value.code == services.NOT_ALLOWED
        assert User.objects.get(pk=user.pk).roles == {Role.HUB_CASEWORKER}

    def test_administrator_cannot_remove_their_own_administrator_role(self, admin):
        with pytest.raises(DomainError) as refused:
            services.user_roles_set(actor=admin, user=admin, roles=[Role.HUB_MANAGER])

        assert refused.value.code == "own_administrator_role"
        assert User.objects.get(pk=admin.pk).roles == {Role.ADMINISTRATOR}

    def test_administrator_can_add_roles_to_themselves(self, admin):
        services.user_roles_set(
            actor=admin, user=admin, roles=[Role.ADMINISTRATOR, Role.HUB_MANAGER]
        )

        assert User.objects.get(pk=admin.pk).roles == {Role.ADMINISTRATOR, Role.HUB_MANAGER}

    def test_administrator_can_remove_another_administrators_role(self, admin, hub):
        other = UserFactory(organisation=hub, roles=[Role.ADMINISTRATOR])

        services.user_roles_set(actor=admin, user=other, roles=[Role.ANALYST])

        assert User.objects.get(pk=other.pk).roles == {Role.ANALYST}

    def test_refused_for_someone_in_another_organisation(self, admin):
        outsider = UserFactory(roles=[Role.HUB_CASEWORKER])

        with pytest.raises(DomainError):
            services.user_roles_set(actor=admin, user=outsider, roles=[Role.HUB_MANAGER])

        assert User.objects.get(pk=outsider.pk).roles == {Role.HUB_CASEWORKER}

    def test_refused_for_a_non_administrator(self, hub):
        manager = UserFactory(organisation=hub, roles=[Role.HUB_MANAGER])
        user = UserFactory(organisation=hub, roles=[Role.HUB_CASEWORKER])

        with pytest.raises(DomainError):
            services.user_roles_set(actor=manager, user=user, roles=[Role.ADMINISTRATOR])


class TestDeactivate:
    def test_disables_and_enables_with_an_audit_event_each(self, admin, hub):
        user = UserFactory(organisation=hub)

        services.user_deactivate(actor=admin, user=user)
        assert not User.objects.get(pk=user.pk).is_active
        services.user_reactivate(actor=admin, user=user)
        assert User.objects.get(pk=user.pk).is_active

        events = audit_events(user)
        assert [(e.action, e.fields) for e in events] == [("change", ["is_active"])] * 2

    def test_disabling_twice_writes_one_event(self, admin, hub):
        user = UserFactory(organisation=hub)

        services.user_deactivate(actor=admin, user=user)
        services.user_deactivate(actor=admin, user=user)

        assert len(audit_events(user)) == 1

    def test_administrator_cannot_disable_themselves(self, admin):
        with pytest.raises(DomainError) as refused:
            services.user_deactivate(actor=admin, user=admin)

        assert refused.value.code == "own_account"
        assert User.objects.get(pk=admin.pk).is_active

    def test_refused_for_someone_in_another_organisation(self, admin):
        outsider = UserFactory()

        with pytest.raises(DomainError):
            services.user_deactivate(actor=admin, user=outsider)

        assert User.objects.get(pk=outsider.pk).is_active
