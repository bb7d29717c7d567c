"""Every write to cases: keyword-only, in one transaction, audited.

The hub's side: `hand_off_consent_record` (the person's consent to share with the
provider, which the hand-off needs) and `case_offer`, which the hand-off's own
transaction calls through the `referral_handed_off` signal (apps.py). The
provider's side: `case_accept` and `case_return`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from amends.accounts.models import Role, User
from amends.cases.data_set import agreed_data_set
from amends.cases.models import (
    Case,
    CaseClosingReason,
    CaseState,
    ConsentGivenBy,
    ConsentHow,
    HandOffConsent,
)
from amends.cases.selectors import cases_visible_to
from amends.cases.workflow import CASE_WORKFLOW
from amends.core.audit import audit_record
from amends.core.errors import DomainError, StaleVersion
from amends.core.messaging import message_queue
from amends.core.models import AuditAction, MessageChannel
from amends.core.workflow import transition_apply
from amends.core.workingdays import add_working_days
from amends.hub import selectors as hub_selectors
from amends.referrals import services as referral_services
from amends.referrals.models import Referral, ReferralPerson, ReferralState
from amends.referrals.notifications import ReferralStep, referrer_told

CASE_OFFERED_PROVIDER = "case_offered_provider"
CASE_CLOSED_PROVIDER = "case_closed_provider"
_NOT_YET_HANDED_OFF = frozenset(
    {
        ReferralState.NEW,
        ReferralState.CONTACTING,
        ReferralState.IN_TRIAGE,
        ReferralState.AWAITING_CONSENT,
    }
)


def decide_by(offered_on: dt.date) -> dt.date:
    """The date by which the provider accepts or returns a case offered on `offered_on`."""
    return add_working_days(offered_on, settings.CASE_DECISION_WORKING_DAYS)


# --- the hub: consent to share, and the case the hand-off makes --------------------------


def hand_off_consent_record(
    *,
    actor: User,
    referral: Referral,
    given_by: str,
    how: str,
    given_on: dt.date,
    given_by_name: str = "",
    expected_version: int | None = None,
) -> HandOffConsent:
    """Record (or correct, before the hand-off) the person's consent to share with the provider.

    `expected_version` is the consent's version the form showed (0: none yet). The
    same answers sent twice change nothing.
    """
    if not actor.has_role(Role.HUB_CASEWORKER):
        raise DomainError("Only the hub's caseworkers can record consent to share.")
    given_by_name = given_by_name.strip()
    if given_by not in ConsentGivenBy.values:
        raise DomainError("Choose who gave consent.")
    if how not in ConsentHow.values:
        raise DomainError("Choose how consent was given.")
    if given_by != ConsentGivenBy.PERSON and not given_by_name:
        raise DomainError("Enter the name of the person who gave consent for them.")
    if given_by == ConsentGivenBy.PERSON:
        given_by_name = ""
    if given_on > timezone.localdate():
        raise DomainError("The date consent was given must be today or in the past.")
    with transaction.atomic():
        current = referral_services.referral_record_consent_to_share(actor=actor, referral=referral)
        if current.state not in _NOT_YET_HANDED_OFF:
            raise DomainError(
                f"This referral is {current.get_state_display().lower()}: consent to share "
                "can be recorded only before the hand-off."
            )
        received = timezone.localdate(current.received_at)
        if given_on < received:
            raise DomainError(
                "The date consent was given cannot be before the referral was received "
                f"({received:%-d %B %Y})."
            )
        values: dict[str, Any] = {
            "given_by": given_by,
            "given_by_name": given_by_name,
            "how": how,
            "given_on": given_on,
        }
        consent = HandOffConsent.objects.select_for_update().filter(referral=current).first()
        if consent is None:
            if expected_version:
                raise StaleVersion()
            consent = HandOffConsent.objects.create(referral=current, recorded_by=actor, **values)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                record=consent,
                detail={"referral": current.pk},
            )
            return consent
        changed = [name for name, value in values.items() if getattr(consent, name) != value]
        if not changed:
            return consent
        if expected_version is not None and expected_version != consent.version:
            raise StaleVersion()
        for name in changed:
            setattr(consent, name, values[name])
        consent.recorded_by = actor
        consent.recorded_at = timezone.now()
        consent.version += 1
        consent.save(update_fields=[*changed, "recorded_by", "recorded_at", "version"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=consent,
            fields=changed,
            detail={"referral": current.pk},
        )
    return consent


def _case_url(case: Case) -> str:
    path = reverse("cases:detail", kwargs={"reference": case.reference})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _tell_provider(case: Case, template: str) -> None:
    """The provider's team inbox hears of a case by its reference and a link, never a name."""
    if case.provider.notification_email:
        message_queue(
            channel=MessageChannel.EMAIL,
            recipient=case.provider.notification_email,
            template=template,
            personalisation={
                "reference": case.reference,
                "link": _case_url(case),
                "service_name": settings.SERVICE_NAME,
            },
            record=case,
        )


def case_offer(*, actor: User, referral: Referral) -> Case:
    """Put the referral's agreed data set in the provider's intake queue, as a case `offered`.

    Called in the hand-off's transaction, with the referral locked and the share to
    the provider made. A case returned earlier is offered again with a fresh copy.
    """
    provider = referral.hub.hands_off_to
    if provider is None:  # the hand-off's guard refuses this first
        raise DomainError(f"{referral.hub.name} has no RJ provider to hand off to.")
    people = ReferralPerson.objects.filter(referral=referral).select_related("person")
    consent = HandOffConsent.objects.filter(referral=referral).first()
    needs = hub_selectors.needs_current(referral=referral)
    data = agreed_data_set(referral=referral, people=people, consent=consent, needs=needs)
    if data.consent_given_on is None:  # the hand-off's guard refuses this first
        raise DomainError("Record the person's consent to share before the hand-off.")
    now = timezone.now()
    offer = {
        "provider": provider,
        "hub": referral.hub,
        "offered_at": now,
        "offered_by": actor,
        "decide_by": decide_by(timezone.localdate(now)),
        "decided_at": None,
        **data.fields(),
    }
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(referral=referral).first()
        if case is None:
            case = Case.objects.create(referral=referral, **offer)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                record=case,
                detail={"referral": referral.pk},
            )
        else:
            transition_apply(
                workflow=CASE_WORKFLOW, record=case, actor=actor, to_state=CaseState.OFFERED
            )
            for name, value in offer.items():
                setattr(case, name, value)
            case.version += 1
            case.save(update_fields=[*offer, "version", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                record=case,
                fields=list(offer),
                detail={"referral": referral.pk},
            )
        _tell_provider(case, CASE_OFFERED_PROVIDER)
    return case


def case_close_on_withdrawal(*, actor: User, referral: Referral) -> Case | None:
    """The person withdrew at the hub after the hand-off: the provider's case closes too."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .filter(referral=referral, state__in=[CaseState.OFFERED, CaseState.ACCEPTED])
            .select_related("provider")
            .first()
        )
        if case is None:
            return None
        transition_apply(
            workflow=CASE_WORKFLOW,
            record=case,
            actor=actor,
            to_state=CaseState.CLOSED,
            closing_reason=CaseClosingReason.PARTY_WITHDREW,
            reason="The person withdrew at the victim care hub.",
        )
        _tell_provider(case, CASE_CLOSED_PROVIDER)
    return case


# --- the provider: read, accept, return --------------------------------------------------


def case_viewed(*, actor: User, case: Case) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, record=case)


def cases_listed(*, actor: User, cases: list[Case]) -> None:
    if cases:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=Case._meta.label_lower,
            detail={"ids": [c.pk for c in cases]},
        )


def _lock_visible(actor: User, case: Case) -> Case:
    try:
        return cases_visible_to(actor).select_for_update().get(pk=case.pk)
    except Case.DoesNotExist:
        raise Http404("No case here.") from None


def case_accept(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    """The provider coordinator accepts an offered case; whoever referred it is told."""
    with transaction.atomic():
        current = _lock_visible(actor, case)
        transition_apply(
            workflow=CASE_WORKFLOW,
            record=current,
            actor=actor,
            to_state=CaseState.ACCEPTED,
            expected_version=expected_version,
        )
        current.decided_at = timezone.now()
        current.save(update_fields=["decided_at", "updated_at"])
        referral = Referral.objects.select_related("referred_by", "referring_organisation").get(
            pk=current.referral_id
        )
        referrer_told(referral=referral, step=ReferralStep.ACCEPTED)
    return current


def case_return(
    *, actor: User, case: Case, reason: str, expected_version: int | None = None
) -> Case:
    """The provider coordinator returns an offered case with a reason.

    The referral goes back to triage through the referral workflow's own row for
    this (which ends the hand-off and alerts the hub's inbox and caseworker).
    """
    with transaction.atomic():
        current = _lock_visible(actor, case)
        transition_apply(
            workflow=CASE_WORKFLOW,
            record=current,
            actor=actor,
            to_state=CaseState.RETURNED,
            reason=reason,
            expected_version=expected_version,
        )
        referral = Referral.objects.select_related("hub", "allocated_to").get(
            pk=current.referral_id
        )
        referral_services.referral_return_from_provider(
            actor=actor, referral=referral, reason=reason
        )
        current.decided_at = timezone.now()
        current.save(update_fields=["decided_at", "updated_at"])
    return current
