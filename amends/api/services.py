"""Every write the API makes: keys made and revoked, referrals received. Audited."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind, User
from amends.accounts.selectors import administered_organisation
from amends.api import selectors
from amends.api.keys import key_generate, key_hash
from amends.api.models import ApiKey
from amends.core.audit import audit_record
from amends.core.errors import DomainError
from amends.core.models import AuditAction
from amends.referrals.models import Referral, ReferralSource
from amends.referrals.notifications import referral_created_notify
from amends.referrals.services import PersonInReferral, referral_create

# Organisations whose systems may send referrals.
REFERRING_KINDS = frozenset({OrganisationKind.POLICE, OrganisationKind.YOUTH_JUSTICE})
# last_used_at is written at most this often per key, not on every request.
_TOUCH_EVERY = dt.timedelta(minutes=1)


class FieldInvalid(DomainError):
    """One field of a request names something that does not exist or may not be used."""

    def __init__(self, *, field: str, message: str) -> None:
        super().__init__(message, code="invalid")
        self.field = field


class AlreadyReceived(DomainError):
    def __init__(self, referral: Referral) -> None:
        super().__init__(
            f"This referral was already received as {referral.reference}.", code="conflict"
        )
        self.referral = referral


def _audit_detail(api_key: ApiKey) -> dict[str, str]:
    return {"api_key": api_key.prefix, "organisation": api_key.organisation.slug}


def api_key_create(
    *, actor: User | None, organisation: Organisation, name: str
) -> tuple[ApiKey, str]:
    """A new key for `organisation` and the key itself, which is shown once and never kept."""
    key, prefix = key_generate()
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            organisation=organisation,
            name=name,
            prefix=prefix,
            hashed_key=key_hash(key),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            record=api_key,
            detail={"prefix": prefix, "organisation": organisation.slug},
        )
    return api_key, key


def api_key_revoke(*, actor: User, api_key: ApiKey) -> ApiKey:
    """Revoke a key of the organisation `actor` administers; a revoked key is refused at once."""
    organisation = administered_organisation(actor=actor)
    with transaction.atomic():
        current = ApiKey.objects.select_for_update().get(pk=api_key.pk, organisation=organisation)
        if current.revoked_at is None:
            current.revoked_at = timezone.now()
            current.revoked_by = actor
            current.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                record=current,
                fields=["revoked_at", "revoked_by"],
                detail={"prefix": current.prefix},
            )
    return current


def api_keys_listed(*, actor: User, api_keys: list[ApiKey]) -> None:
    if api_keys:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=ApiKey._meta.label_lower,
            detail={"ids": [k.pk for k in api_keys]},
        )


def api_key_touch(*, api_key: ApiKey) -> None:
    """Note that the key was used: at most once a minute, so a busy key costs few writes."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= _TOUCH_EVERY:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


def api_referral_create(
    *,
    api_key: ApiKey,
    hub_slug: str,
    external_reference: str,
    offence_type: str,
    offence_date: dt.date | None,
    offence_place: str,
    crime_reference: str,
    date_reported: dt.date,
    enhanced_rights: bool,
    people: list[PersonInReferral],
) -> Referral:
    """A referral from a police or youth justice system; the same external reference never twice.

    The referring organisation is the key's. Notifications are queued in the same
    transaction; the key (not a person) is on the audit trail.
    """
    organisation = api_key.organisation
    if organisation.kind not in REFERRING_KINDS:
        raise DomainError(
            "Only police forces and youth justice services can send referrals.", code="forbidden"
        )
    hub = selectors.hub_for_slug(slug=hub_slug)
    if hub is None:
        raise FieldInvalid(field="hub", message=f"There is no victim care hub {hub_slug!r}.")
    # No look first: the unique (organisation, external reference) refuses a second
    # referral, and the IntegrityError below names the first.
    try:
        with transaction.atomic():
            referral = referral_create(
                actor=None,
                hub=hub,
                source=ReferralSource.API,
                offence_type=offence_type,
                offence_date=offence_date,
                offence_place=offence_place,
                crime_reference=crime_reference,
                enhanced_rights=enhanced_rights,
                referring_organisation=organisation,
                reported_to_police=True,
                date_reported=date_reported,
                external_reference=external_reference,
                people=people,
                audit_detail=_audit_detail(api_key),
            )
            referral_created_notify(referral=referral)
    except IntegrityError:
        # Sent before, or twice at once under different Idempotency-Keys.
        existing = selectors.referral_by_external_reference(
            organisation=organisation, external_reference=external_reference
        )
        if existing is None:
            raise
        raise AlreadyReceived(existing) from None
    return referral


def api_referral_viewed(*, api_key: ApiKey, referral: Referral) -> None:
    audit_record(
        actor=None, action=AuditAction.VIEW, record=referral, detail=_audit_detail(api_key)
    )
