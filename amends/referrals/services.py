"""Every write to referrals: keyword-only, in one transaction, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.core.audit import audit_record
from amends.core.errors import DomainError, StaleVersion
from amends.core.models import AuditAction
from amends.core.workflow import transition_apply
from amends.people.models import Person
from amends.referrals.clocks import clock_fields, referral_clocks_refresh
from amends.referrals.contact import contact_party, contact_refusal
from amends.referrals.models import (
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    PersonRole,
    Referral,
    ReferralPerson,
    ReferralShare,
    ReferralState,
    ShareRoute,
)
from amends.referrals.queue_fields import person_victim_fields, victim_fields
from amends.referrals.selectors import referrals_visible_to
from amends.referrals.workflow import REFERRAL_WORKFLOW

EDITABLE_FIELDS = (
    "offence_type",
    "offence_date",
    "offence_place",
    "crime_reference",
    "enhanced_rights",
)


@dataclass
class PersonInReferral:
    role: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None
    email: str = ""
    phone: str = ""
    address_line_1: str = ""
    town: str = ""
    postcode: str = ""
    relationship: str = ""
    knows_and_agrees: bool | None = None
    safe_channels: list[str] = field(default_factory=list)
    safe_times: str = ""
    may_leave_message: bool | None = None
    post_is_safe: bool | None = None
    language: str = ""
    needs_interpreter: bool = False
    uses_bsl: bool = False
    adjustments: str = ""
    # An existing person record to link instead of creating a new one.
    person: Person | None = None


def referral_create(
    *,
    actor: User | None,
    hub: Organisation,
    source: str,
    offence_type: str,
    people: list[PersonInReferral],
    offence_date: dt.date | None = None,
    offence_place: str = "",
    crime_reference: str = "",
    enhanced_rights: bool = False,
    referring_organisation: Organisation | None = None,
    received_at: dt.datetime | None = None,
    reported_to_police: bool | None = None,
    date_reported: dt.date | None = None,
    offender_known: str = "",
    feels_unsafe_at_home: bool | None = None,
    support_wanted: str = "",
    consent_given_at: dt.datetime | None = None,
    privacy_notice_version: str = "",
    submission_key: str | None = None,
    external_reference: str = "",
    audit_detail: dict[str, Any] | None = None,
) -> Referral:
    """Create a referral and its people, audited. Callers enqueue notifications themselves.

    `audit_detail` adds to the creation's audit event (e.g. the API key that sent it).
    """
    if hub.kind != OrganisationKind.VICTIM_CARE_HUB:
        raise DomainError(f"{hub.name} is not a victim care hub; referrals are held by a hub.")
    received_at = received_at or timezone.now()
    clocks = clock_fields(
        started_on=timezone.localdate(received_at),
        enhanced_rights=enhanced_rights,
        state=ReferralState.NEW,
    )
    # The first person harmed, as the hub's queue searches and filters by them.
    victim = next((entry for entry in people if entry.role == PersonRole.VICTIM), None)
    if victim is not None and victim.person is not None:
        victim_keys = person_victim_fields(victim.person)
    elif victim is not None:
        victim_keys = victim_fields(
            given_name=victim.given_name,
            family_name=victim.family_name,
            date_of_birth=victim.date_of_birth,
        )
    else:
        victim_keys = victim_fields()
    with transaction.atomic():
        referral = Referral.objects.create(
            hub=hub,
            source=source,
            offence_type=offence_type,
            offence_date=offence_date,
            offence_place=offence_place,
            crime_reference=crime_reference,
            enhanced_rights=enhanced_rights,
            referring_organisation=referring_organisation,
            referred_by=actor,
            received_at=received_at,
            **clocks,
            **victim_keys,
            reported_to_police=reported_to_police,
            date_reported=date_reported,
            offender_known=offender_known,
            feels_unsafe_at_home=feels_unsafe_at_home,
            support_wanted=support_wanted,
            consent_given_at=consent_given_at,
            privacy_notice_version=privacy_notice_version,
            submission_key=submission_key,
            external_reference=external_reference,
        )
        made: list[ReferralPerson] = []
        for entry in people:
            person = entry.person or Person.objects.create(
                given_name=entry.given_name,
                family_name=entry.family_name,
                date_of_birth=entry.date_of_birth,
                email=entry.email,
                phone=entry.phone,
                address_line_1=entry.address_line_1,
                town=entry.town,
                postcode=entry.postcode,
            )
            made_entry = ReferralPerson.objects.create(
                referral=referral,
                person=person,
                role=entry.role,
                relationship=entry.relationship,
                knows_and_agrees=entry.knows_and_agrees,
                safe_channels=entry.safe_channels,
                safe_times=entry.safe_times,
                may_leave_message=entry.may_leave_message,
                post_is_safe=entry.post_is_safe,
                language=entry.language,
                needs_interpreter=entry.needs_interpreter,
                uses_bsl=entry.uses_bsl,
                adjustments=entry.adjustments,
            )
            made.append(made_entry)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            record=referral,
            detail={"source": source, "people": len(people), **(audit_detail or {})},
        )
    # As if prefetched (as Django's prefetch_related leaves it): `referral.people.all()`
    # and the notifications need no query.
    prefetched = ReferralPerson.objects.filter(referral=referral)
    prefetched._result_cache = made
    prefetched._prefetch_done = True  # type: ignore[attr-defined]
    referral._prefetched_objects_cache = {"people": prefetched}  # type: ignore[attr-defined]
    return referral


def _lock_visible(actor: User, referral: Referral) -> Referral:
    """The row, locked for this transaction, if `actor` may still see it; otherwise 404."""
    try:
        return referrals_visible_to(actor).select_for_update().get(pk=referral.pk)
    except Referral.DoesNotExist:
        raise Http404("No referral here.") from None


def referral_viewed(*, actor: User, referral: Referral) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, record=referral)


def referrals_listed(*, actor: User, referrals: list[Referral]) -> None:
    if referrals:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=Referral._meta.label_lower,
            detail={"ids": [r.pk for r in referrals]},
        )


def referral_update(
    *, actor: User, referral: Referral, expected_version: int, changes: dict[str, Any]
) -> Referral:
    """Change the offence details, refusing with StaleVersion if the record changed meanwhile."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if not actor.has_role(Role.HUB_CASEWORKER, Role.HUB_MANAGER):
        raise DomainError("Only the hub's caseworkers and managers can change a referral.")
    with transaction.atomic():
        current = _lock_visible(actor, referral)
        stale = current.version != expected_version
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not stale and changed:
            for name in changed:
                setattr(current, name, changes[name])
            current.version += 1
            current.save(update_fields=[*changed, "version", "updated_at"])
            audit_record(actor=actor, action=AuditAction.CHANGE, record=current, fields=changed)
            if "enhanced_rights" in changed:
                referral_clocks_refresh(referral=current)
    if stale:
        # Outside the transaction, so that the refused save is on the record too.
        audit_record(actor=actor, action=AuditAction.CONFLICT, record=current)
        raise StaleVersion()
    return current


def referral_allocate(
    *, actor: User, referral: Referral, caseworker: User, expected_version: int | None = None
) -> Referral:
    if not actor.has_role(Role.HUB_MANAGER):
        raise DomainError("Only a hub manager can allocate referrals.")
    with transaction.atomic():
        current = _lock_visible(actor, referral)
        if expected_version is not None and current.version != expected_version:
            raise StaleVersion()
        if caseworker.organisation_id != current.hub_id or not caseworker.has_role(
            Role.HUB_CASEWORKER
        ):
            raise DomainError(f"{caseworker} is not a caseworker at {current.hub}.")
        if not caseworker.is_active:
            raise DomainError(f"{caseworker} cannot be allocated work: their account is disabled.")
        current.allocated_to = caseworker
        current.version += 1
        current.save(update_fields=["allocated_to", "version", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=current,
            fields=["allocated_to"],
            detail={"allocated_to": caseworker.pk},
        )
    return current


def referral_transition(
    *,
    actor: User,
    referral: Referral,
    to_state: str,
    reason: str = "",
    closing_reason: str = "",
    expected_version: int | None = None,
) -> Referral:
    with transaction.atomic():
        _lock_visible(actor, referral)
        return transition_apply(
            workflow=REFERRAL_WORKFLOW,
            record=referral,
            actor=actor,
            to_state=to_state,
            reason=reason,
            closing_reason=closing_reason,
            expected_version=expected_version,
        )


def contact_attempt_record(
    *,
    actor: User,
    referral: Referral,
    channel: str,
    outcome: str,
    note: str = "",
    at: dt.datetime | None = None,
    expected_attempts: int | None = None,
) -> ContactAttempt:
    """Record one attempt to contact the person; refused if it used a way they said is unsafe.

    `expected_attempts` is how many attempts the form showed: if another was recorded
    since (a colleague, or the same form sent twice), StaleVersion and nothing saved.
    """
    if not actor.has_role(Role.HUB_CASEWORKER, Role.HUB_MANAGER):
        raise DomainError("Only the hub's caseworkers can record contact attempts.")
    if channel not in ContactChannel.values or outcome not in ContactOutcome.values:
        raise DomainError("Choose how you tried to contact the person and what happened.")
    if at is not None and at > timezone.now():
        raise DomainError("The time of a contact attempt cannot be in the future.")
    with transaction.atomic():
        current = _lock_visible(actor, referral)
        if current.state == ReferralState.CLOSED:
            raise DomainError("This referral is closed. Reopen it before recording contact.")
        people = current.people.select_related("person")
        refusal = contact_refusal(contact_party(people), channel=channel, outcome=outcome)
        if refusal is not None:
            raise DomainError(refusal.message, code="unsafe_contact")
        if (
            expected_attempts is not None
            and ContactAttempt.objects.filter(referral=current).count() != expected_attempts
        ):
            raise StaleVersion(
                "Another contact attempt was recorded on this referral since you opened the "
                "page. Check the attempts below before you record yours."
            )
        attempt = ContactAttempt.objects.create(
            referral=current,
            channel=channel,
            outcome=outcome,
            note=note,
            at=at or timezone.now(),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            record=attempt,
            detail={"referral": current.pk},
        )
        if outcome == ContactOutcome.SPOKE:
            # First contact made: the triage clock is the one that runs now.
            referral_clocks_refresh(referral=current)
    return attempt


def referral_record_consent_to_share(*, actor: User, referral: Referral) -> Referral:
    """The person agreed that the hub may share their details with the RJ provider."""
    if not actor.has_role(Role.HUB_CASEWORKER):
        raise DomainError("Only the hub's caseworkers can record consent to share.")
    with transaction.atomic():
        current = _lock_visible(actor, referral)
        if current.consent_to_share_recorded_at is None:
            current.consent_to_share_recorded_at = timezone.now()
            current.version += 1
            current.save(update_fields=["consent_to_share_recorded_at", "version", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                record=current,
                fields=["consent_to_share_recorded_at"],
            )
    return current


def referral_return_from_provider(
    *, actor: User, referral: Referral, reason: str, expected_version: int | None = None
) -> Referral:
    """The RJ provider's coordinator sends a referral handed off to them back to triage.

    The provider never sees the referral itself (its case carries the agreed data
    set), so this is its one way to move it, allowed while the hand-off to the
    actor's organisation stands; the workflow checks the role and the reason, ends
    the share and alerts the hub.
    """
    if actor.organisation_id is None or not actor.is_active:
        raise Http404("No referral here.")
    with transaction.atomic():
        handed_off_to_actor = ReferralShare.objects.filter(
            referral_id=referral.pk,
            organisation_id=actor.organisation_id,
            route=ShareRoute.HAND_OFF,
            ended_at__isnull=True,
        ).exists()
        if not handed_off_to_actor:
            raise Http404("No referral here.")
        return transition_apply(
            workflow=REFERRAL_WORKFLOW,
            record=referral,
            actor=actor,
            to_state=ReferralState.IN_TRIAGE,
            reason=reason,
            expected_version=expected_version,
        )
