"""Every write to organisations' people: keyword-only, in one transaction, audited.

An organisation's administrators invite people, give them roles and disable
their accounts. An invitation is a set-your-password link made with
django-allauth's password reset key, so the page it opens is allauth's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from amends.accounts.models import Organisation, Role, User, UserRole
from amends.accounts.selectors import organisation_users
from amends.core.audit import audit_record
from amends.core.errors import DomainError
from amends.core.models import AuditAction

EMAIL_IN_USE = "email_in_use"
NOT_ALLOWED = "not_allowed"


def _require_administrator(actor: User, organisation: Organisation) -> None:
    if not (
        actor.is_active
        and actor.organisation_id == organisation.pk
        and actor.has_role(Role.ADMINISTRATOR)
    ):
        raise DomainError(
            f"Only an administrator of {organisation.name} can do this.", code="forbidden"
        )


def _clean_roles(organisation: Organisation, roles: Iterable[str]) -> set[str]:
    wanted = {str(role) for role in roles}
    if not wanted:
        raise DomainError("Select at least one role", code="no_roles")
    refused = wanted - organisation.allowed_roles
    if refused:
        labels = ", ".join(sorted(Role(r).label if r in Role.values else r for r in refused))
        raise DomainError(
            f"{organisation.name} cannot give these roles: {labels}", code=NOT_ALLOWED
        )
    return wanted


def _email_in_use(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def _lock(actor: User, user: User) -> User:
    """`user`'s row, locked for this transaction, if `actor` administers them."""
    assert actor.organisation is not None
    try:
        return (
            organisation_users(organisation=actor.organisation)
            .select_for_update(of=("self",))
            .get(pk=user.pk)
        )
    except User.DoesNotExist:
        raise DomainError("This person is not in your organisation.", code="forbidden") from None


def user_invite(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    full_name: str,
    roles: Iterable[str],
) -> User:
    """Create `email`'s account in `organisation`, with no password yet, and email them
    a link to set one. Refuses an email that already has an account, whatever its case.
    """
    _require_administrator(actor, organisation)
    email = email.strip().lower()
    full_name = full_name.strip()
    if not email or not full_name:
        raise DomainError("A full name and an email address are needed.")
    wanted = _clean_roles(organisation, roles)
    in_use = DomainError("There is already an account with this email address", code=EMAIL_IN_USE)
    if _email_in_use(email):
        raise in_use
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=None, full_name=full_name, organisation=organisation
            )
            UserRole.objects.bulk_create(UserRole(user=user, role=role) for role in wanted)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                record=user,
                fields=["full_name", "email", "organisation", "roles"],
                detail={"roles": sorted(wanted), "invited": True},
            )
            transaction.on_commit(lambda: _enqueue_invitation(user=user, inviter=actor))
    except IntegrityError:
        # Two submissions of the same invitation raced past the check above; the
        # unique email let only one of them through.
        raise in_use from None
    user.__dict__.pop("roles", None)
    return user


def user_invitation_resend(*, actor: User, user: User) -> None:
    """Email a fresh set-your-password link to someone who has not used theirs yet."""
    assert user.organisation is not None
    _require_administrator(actor, user.organisation)
    with transaction.atomic():
        current = _lock(actor, user)
        if not current.invitation_pending:
            raise DomainError(f"{current} has already set a password.", code="not_pending")
        if not current.is_active:
            raise DomainError(f"{current}’s account is disabled. Enable it first.")
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=current,
            detail={"invitation_resent": True},
        )
        transaction.on_commit(lambda: _enqueue_invitation(user=current, inviter=actor))


def _enqueue_invitation(*, user: User, inviter: User) -> None:
    from amends.accounts.tasks import invitation_send

    invitation_send.enqueue(user_id=user.pk, inviter_id=inviter.pk)


def invitation_url(*, user: User) -> str:
    """The set-your-password link: allauth's password reset key for `user`.

    It works once (setting a password changes what the key was made from) and
    for PASSWORD_RESET_TIMEOUT seconds.
    """
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def user_invitation_send(*, user: User, inviter: User) -> None:
    """Send the invitation email (run by the task queue once the invitation is saved)."""
    if not (user.is_active and user.invitation_pending):
        return
    context = {
        "user": user,
        "inviter": inviter,
        "organisation": user.organisation,
        "invitation_url": invitation_url(user=user),
        "expiry_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "service_name": settings.SERVICE_NAME,
        "sign_in_url": f"{settings.SITE_URL.rstrip('/')}{reverse('account_login')}",
    }
    get_adapter().render_mail("accounts/email/invitation", user.email, context).send()


def user_roles_set(*, actor: User, user: User, roles: Iterable[str]) -> User:
    """Give `user` exactly `roles`. An administrator cannot drop their own administrator role."""
    assert user.organisation is not None
    _require_administrator(actor, user.organisation)
    wanted = _clean_roles(user.organisation, roles)
    if user.pk == actor.pk and Role.ADMINISTRATOR not in wanted:
        raise DomainError(
            "You cannot remove your own administrator role. Ask another administrator to do it",
            code="own_administrator_role",
        )
    with transaction.atomic():
        current = _lock(actor, user)
        held = set(UserRole.objects.filter(user=current).values_list("role", flat=True))
        added, removed = wanted - held, held - wanted
        if not added and not removed:
            return current
        UserRole.objects.filter(user=current, role__in=removed).delete()
        UserRole.objects.bulk_create(UserRole(user=current, role=role) for role in added)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=current,
            fields=["roles"],
            detail={"added": sorted(added), "removed": sorted(removed)},
        )
    current.__dict__.pop("roles", None)
    return current


def _set_active(*, actor: User, user: User, active: bool) -> User:
    assert user.organisation is not None
    _require_administrator(actor, user.organisation)
    if user.pk == actor.pk:
        raise DomainError("You cannot disable or enable your own account.", code="own_account")
    with transaction.atomic():
        current = _lock(actor, user)
        if current.is_active == active:
            return current
        current.is_active = active
        current.save(update_fields=["is_active"])
        audit_record(actor=actor, action=AuditAction.CHANGE, record=current, fields=["is_active"])
    return current


def user_deactivate(*, actor: User, user: User) -> User:
    """Disable `user`'s account: they are signed out and cannot sign in; their records stay."""
    return _set_active(actor=actor, user=user, active=False)


def user_reactivate(*, actor: User, user: User) -> User:
    """Enable a disabled account again."""
    return _set_active(actor=actor, user=user, active=True)


def users_listed(*, actor: User, users: Iterable[User]) -> None:
    """Audit an administrator's look at the list of their organisation's people."""
    ids = [user.pk for user in users]
    if ids:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=User._meta.label_lower,
            detail={"ids": ids},
        )


def user_viewed(*, actor: User, user: User) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, record=user)
