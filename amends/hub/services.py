"""Every write to the hub's support records: keyword-only, `actor=`, one transaction, audited.

Needs, devices and onward referrals can be recorded in any open state of a
referral and need no transition of it (workflows.md). Devices and onward
referrals change state only through their workflows (`hub/workflow.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind, User
from amends.core.audit import audit_record, audit_records
from amends.core.errors import DomainError, StaleVersion
from amends.core.models import AuditAction
from amends.core.workflow import transition_apply
from amends.hub import notifications
from amends.hub.models import (
    Agency,
    DeviceIssue,
    DeviceIssueOutcome,
    DeviceState,
    DeviceType,
    NeedArea,
    NeedLevel,
    NeedsAssessment,
    OnwardReferral,
    RiskLevel,
    SafetyDevice,
    ServiceArea,
    SharedItem,
)
from amends.hub.selectors import (
    agencies_visible_to,
    agency_in_use,
    can_manage_hub,
    can_support,
    devices_visible_to,
    hub_of,
    needs_current,
    onward_referrals_visible_to,
)
from amends.hub.workflow import DEVICE_WORKFLOW, ONWARD_REFERRAL_WORKFLOW
from amends.referrals.models import (
    ContactChannel,
    PersonRole,
    Referral,
    ReferralPerson,
    ReferralState,
)
from amends.referrals.selectors import referrals_visible_to


class SupportRefused(DomainError):
    """A rule refused what was asked; `field` names the form field the message is about."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# --- who may write, and the records under lock ----------------------------------------------


def _require_support(actor: User) -> Organisation:
    if not can_support(actor):
        raise DomainError("Only the hub's caseworkers and managers can record support.")
    hub = hub_of(actor)
    assert hub is not None
    return hub


def _require_manager(actor: User, what: str) -> Organisation:
    if not can_manage_hub(actor):
        raise DomainError(f"Only a hub manager can {what}.")
    hub = hub_of(actor)
    assert hub is not None
    return hub


def _lock_referral(actor: User, referral: Referral, *, open_only: bool = True) -> Referral:
    """The referral, locked for this transaction, if the actor's hub holds it; otherwise 404."""
    hub = hub_of(actor)
    try:
        current = (
            referrals_visible_to(actor).filter(hub=hub).select_for_update().get(pk=referral.pk)
        )
    except Referral.DoesNotExist:
        raise Http404("No referral here.") from None
    if open_only and current.state == ReferralState.CLOSED:
        raise DomainError("This referral is closed. Reopen it before recording support.")
    return current


def _person_in(referral: Referral, person: ReferralPerson) -> ReferralPerson:
    if person.referral_id != referral.pk:
        raise SupportRefused("Choose a person in this referral.", field="referral_person")
    if person.role == PersonRole.OFFENDER:
        raise SupportRefused(
            "Support is for the person harmed and those around them, not the person responsible.",
            field="referral_person",
        )
    return person


def _not_in_future(value: dt.date, message: str, field: str) -> None:
    if value > timezone.localdate():
        raise SupportRefused(message, field=field)


# --- audited reads ---------------------------------------------------------------------------


def support_viewed(*, actor: User, records: Iterable[Any]) -> None:
    """One audit event per support record shown (needs, device issues, onward referrals)."""
    shown = list(records)
    if shown:
        audit_records(actor=actor, action=AuditAction.VIEW, records=shown)


def record_viewed(*, actor: User, record: Any) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, record=record)


def records_listed(*, actor: User, model: type[Any], records: Sequence[Any]) -> None:
    if records:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=model._meta.label_lower,
            detail={"ids": [r.pk for r in records]},
        )


# --- needs -----------------------------------------------------------------------------------

NEED_AREAS = tuple(area.value for area in NeedArea)


def _needs_values(
    levels: dict[str, str], notes: dict[str, str], overall_risk: str, summary: str
) -> dict[str, str]:
    values: dict[str, str] = {}
    for area in NEED_AREAS:
        level = levels.get(area, "")
        if level not in NeedLevel.values:
            label = NeedArea(area).label.lower()
            raise SupportRefused(f"Choose the level of {label} need.", field=f"{area}_level")
        values[f"{area}_level"] = level
        values[f"{area}_note"] = notes.get(area, "").strip()
    if overall_risk not in RiskLevel.values:
        raise SupportRefused("Choose the overall level of risk.", field="overall_risk")
    values["overall_risk"] = overall_risk
    values["summary"] = summary.strip()
    return values


def needs_assessment_record(
    *,
    actor: User,
    referral: Referral,
    expected_number: int,
    levels: dict[str, str],
    notes: dict[str, str],
    overall_risk: str,
    summary: str = "",
) -> NeedsAssessment:
    """Record a new needs assessment, which becomes the current one.

    `expected_number` is the number of the assessment the form was loaded with
    (0 if none): if someone recorded another meanwhile, StaleVersion. The same
    form sent twice by the same person makes one assessment.
    """
    _require_support(actor)
    values = _needs_values(levels, notes, overall_risk, summary)
    with transaction.atomic():
        current = _lock_referral(actor, referral)
        latest = needs_current(referral=current)
        latest_number = latest.number if latest is not None else 0
        stale = latest_number != expected_number
        if (
            stale
            and latest is not None
            and latest.assessed_by_id == actor.pk
            and all(getattr(latest, name) == value for name, value in values.items())
        ):
            return latest  # the same form, sent twice
        if not stale:
            assessment = NeedsAssessment.objects.create(
                referral=current, number=latest_number + 1, assessed_by=actor, **values
            )
            changed = (
                [name for name, value in values.items() if getattr(latest, name) != value]
                if latest is not None
                else list(values)
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                record=assessment,
                fields=changed,
                detail={"referral": current.pk, "number": assessment.number},
            )
    if stale:
        audit_record(actor=actor, action=AuditAction.CONFLICT, record=referral)
        raise StaleVersion(
            "Someone else recorded a needs assessment for this referral while you were "
            "writing yours."
        )
    return assessment


# --- safety devices --------------------------------------------------------------------------


def normalise_serial_number(value: str) -> str:
    """Serial numbers compare without case or extra spaces: ' ab 12 ' is 'AB 12'."""
    return " ".join(value.split()).upper()


def device_add(
    *,
    actor: User,
    device_type: str,
    serial_number: str,
    description: str = "",
    note: str = "",
    submission_key: str | None = None,
) -> SafetyDevice:
    """Add a device to the actor's hub's inventory, in stock. One per submission key."""
    hub = _require_manager(actor, "add devices to the inventory")
    if device_type not in DeviceType.values:
        raise SupportRefused("Choose the type of device.", field="device_type")
    serial = normalise_serial_number(serial_number)
    if not serial:
        raise SupportRefused("Enter the device's serial number.", field="serial_number")
    if submission_key:
        existing = SafetyDevice.objects.filter(hub=hub, submission_key=submission_key).first()
        if existing is not None:
            return existing
    duplicate = SupportRefused(
        f"A device with serial number {serial} is already in the inventory.",
        field="serial_number",
    )
    if SafetyDevice.objects.filter(hub=hub, serial_number=serial).exists():
        raise duplicate
    try:
        with transaction.atomic():
            device = SafetyDevice.objects.create(
                hub=hub,
                device_type=device_type,
                serial_number=serial,
                description=description.strip(),
                note=note.strip(),
                submission_key=submission_key or None,
            )
            audit_record(actor=actor, action=AuditAction.CREATE, record=device)
    except IntegrityError:
        # Another request committed first: the same form again, or the same serial number.
        if submission_key:
            existing = SafetyDevice.objects.filter(hub=hub, submission_key=submission_key).first()
            if existing is not None:
                return existing
        raise duplicate from None
    return device


def _lock_device(actor: User, device: SafetyDevice) -> SafetyDevice:
    try:
        return devices_visible_to(actor).select_for_update().get(pk=device.pk)
    except SafetyDevice.DoesNotExist:
        raise Http404("No device here.") from None


def device_transition(
    *,
    actor: User,
    device: SafetyDevice,
    to_state: str,
    reason: str = "",
    expected_version: int | None = None,
) -> SafetyDevice:
    """Back in stock, found, or retired. Issuing and returns go through the issue services."""
    with transaction.atomic():
        current = _lock_device(actor, device)
        if DeviceState.ISSUED in {current.state, to_state}:
            raise DomainError(
                "Issue a device, or record its return or loss, from the referral it is issued on."
            )
        transition_apply(
            workflow=DEVICE_WORKFLOW,
            record=current,
            actor=actor,
            to_state=to_state,
            reason=reason,
            expected_version=expected_version,
        )
    for attr in ("state", "version", "updated_at"):
        setattr(device, attr, getattr(current, attr))
    return device


def device_issue(
    *,
    actor: User,
    referral: Referral,
    device: SafetyDevice,
    referral_person: ReferralPerson,
    issued_on: dt.date,
    expected_return_on: dt.date | None = None,
    note: str = "",
) -> DeviceIssue:
    """Lend a device in stock to a person in the referral. A device is with one person at once.

    Sending the same form twice returns the first issue rather than refusing it.
    """
    _require_support(actor)
    _not_in_future(issued_on, "The date it was issued must be today or in the past.", "issued_on")
    if expected_return_on is not None and expected_return_on < issued_on:
        raise SupportRefused(
            "The date it is due back must be on or after the date it was issued.",
            field="expected_return_on",
        )
    with transaction.atomic():
        current = _lock_referral(actor, referral)
        person = _person_in(current, referral_person)
        locked = _lock_device(actor, device)
        holding = DeviceIssue.objects.filter(device=locked, ended_on__isnull=True).first()
        if holding is not None:
            if (
                holding.referral_id == current.pk
                and holding.referral_person_id == person.pk
                and holding.issued_on == issued_on
            ):
                return holding
            raise SupportRefused(
                f"{locked} is already issued"
                f"{' on this referral' if holding.referral_id == current.pk else ''}. "
                "Record its return before issuing it again.",
                field="device",
            )
        if locked.state != DeviceState.IN_STOCK:
            raise SupportRefused(
                f"{locked} is {locked.get_state_display().lower()}: "
                "only a device in stock can be issued.",
                field="device",
            )
        transition_apply(
            workflow=DEVICE_WORKFLOW,
            record=locked,
            actor=actor,
            to_state=DeviceState.ISSUED,
            reason=f"Issued on referral {current.reference}.",
        )
        try:
            with transaction.atomic():
                issue = DeviceIssue.objects.create(
                    device=locked,
                    referral=current,
                    referral_person=person,
                    issued_on=issued_on,
                    expected_return_on=expected_return_on,
                    note=note.strip(),
                    issued_by=actor,
                )
        except IntegrityError:  # pragma: no cover - the device row lock above serialises issues
            raise SupportRefused(f"{locked} is already issued.", field="device") from None
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            record=issue,
            detail={"referral": current.pk, "device": locked.pk},
        )
    return issue


def device_issue_end(
    *,
    actor: User,
    issue: DeviceIssue,
    outcome: str,
    ended_on: dt.date,
    note: str = "",
) -> DeviceIssue:
    """Record that an issued device came back, or was lost. Allowed after the referral closed."""
    _require_support(actor)
    if outcome not in DeviceIssueOutcome.values:
        raise SupportRefused("Choose whether the device came back or was lost.", field="outcome")
    _not_in_future(ended_on, "The date must be today or in the past.", "ended_on")
    hub = hub_of(actor)
    with transaction.atomic():
        try:
            current = (
                DeviceIssue.objects.filter(device__hub=hub).select_for_update().get(pk=issue.pk)
            )
        except DeviceIssue.DoesNotExist:
            raise Http404("No device issue here.") from None
        if current.ended_on is not None:
            if current.outcome == outcome and current.ended_on == ended_on:
                return current
            raise SupportRefused(
                f"This device was already recorded as {current.get_outcome_display().lower()} "
                f"on {current.ended_on:%-d %B %Y}.",
                field="outcome",
            )
        if ended_on < current.issued_on:
            raise SupportRefused(
                f"The date must be on or after the date it was issued "
                f"({current.issued_on:%-d %B %Y}).",
                field="ended_on",
            )
        current.outcome = outcome
        current.ended_on = ended_on
        current.ended_note = note.strip()
        current.ended_by = actor
        current.save(update_fields=["outcome", "ended_on", "ended_note", "ended_by"])
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=current,
            fields=["outcome", "ended_on", "ended_note"],
            detail={"referral": current.referral_id, "device": current.device_id},
        )
        transition_apply(
            workflow=DEVICE_WORKFLOW,
            record=current.device,
            actor=actor,
            to_state=DeviceState.RETURNED
            if outcome == DeviceIssueOutcome.RETURNED
            else DeviceState.LOST,
            reason=note.strip(),
        )
    return current


# --- the agency directory --------------------------------------------------------------------

AGENCY_FIELDS = (
    "name",
    "services",
    "services_detail",
    "eligibility",
    "phone",
    "email",
    "website",
    "referral_notes",
    "organisation",
)


def _clean_agency(hub: Organisation, values: dict[str, Any], *, exclude_pk: int | None) -> None:
    unknown = set(values) - set(AGENCY_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if "name" in values:
        values["name"] = " ".join(str(values["name"]).split())
        if not values["name"]:
            raise SupportRefused("Enter the agency's name.", field="name")
        same = Agency.objects.filter(hub=hub, name__iexact=values["name"])
        if exclude_pk is not None:
            same = same.exclude(pk=exclude_pk)
        if same.exists():
            raise SupportRefused(f"{values['name']} is already in your directory.", field="name")
    if "services" in values:
        services = list(dict.fromkeys(values["services"]))
        if any(code not in ServiceArea.values for code in services):
            raise SupportRefused("Choose services from the list.", field="services")
        values["services"] = services
    organisation = values.get("organisation")
    if organisation is not None and organisation.kind != OrganisationKind.SPECIALIST_AGENCY:
        raise SupportRefused(
            f"{organisation} is not a specialist agency in Amends.", field="organisation"
        )
    for name in ("services_detail", "eligibility", "phone", "email", "website", "referral_notes"):
        if name in values:
            values[name] = str(values[name] or "").strip()


def agency_create(*, actor: User, submission_key: str | None = None, **values: Any) -> Agency:
    """Add an agency to the actor's hub's directory. One per submission key."""
    hub = _require_manager(actor, "change the agency directory")
    if submission_key:
        existing = Agency.objects.filter(hub=hub, submission_key=submission_key).first()
        if existing is not None:
            return existing
    _clean_agency(hub, values, exclude_pk=None)
    if "name" not in values:
        raise SupportRefused("Enter the agency's name.", field="name")
    try:
        with transaction.atomic():
            agency = Agency.objects.create(hub=hub, submission_key=submission_key or None, **values)
            audit_record(actor=actor, action=AuditAction.CREATE, record=agency)
    except IntegrityError:
        if submission_key:
            existing = Agency.objects.filter(hub=hub, submission_key=submission_key).first()
            if existing is not None:
                return existing
        raise SupportRefused(
            f"{values['name']} is already in your directory.", field="name"
        ) from None
    return agency


def _lock_agency(actor: User, agency: Agency) -> Agency:
    try:
        return agencies_visible_to(actor).select_for_update().get(pk=agency.pk)
    except Agency.DoesNotExist:
        raise Http404("No agency here.") from None


def agency_update(
    *, actor: User, agency: Agency, expected_version: int, changes: dict[str, Any]
) -> Agency:
    """Change a directory entry, refusing with StaleVersion if it changed meanwhile."""
    hub = _require_manager(actor, "change the agency directory")
    changes = dict(changes)
    _clean_agency(hub, changes, exclude_pk=agency.pk)
    with transaction.atomic():
        current = _lock_agency(actor, agency)
        stale = current.version != expected_version
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        if not stale and changed:
            for name in changed:
                setattr(current, name, changes[name])
            current.version += 1
            current.save(update_fields=[*changed, "version", "updated_at"])
            audit_record(actor=actor, action=AuditAction.CHANGE, record=current, fields=changed)
    if stale:
        audit_record(actor=actor, action=AuditAction.CONFLICT, record=current)
        raise StaleVersion()
    return current


def agency_set_active(
    *, actor: User, agency: Agency, active: bool, expected_version: int
) -> Agency:
    """Archive an entry (no new onward referrals to it; the old ones stay) or restore it."""
    _require_manager(actor, "change the agency directory")
    with transaction.atomic():
        current = _lock_agency(actor, agency)
        if current.is_active == active:
            return current
        if current.version != expected_version:
            raise StaleVersion()
        current.is_active = active
        current.version += 1
        current.save(update_fields=["is_active", "version", "updated_at"])
        audit_record(actor=actor, action=AuditAction.CHANGE, record=current, fields=["is_active"])
    return current


def agency_delete(*, actor: User, agency: Agency) -> None:
    """Remove an entry nobody was ever referred to; one that was used can only be archived."""
    _require_manager(actor, "change the agency directory")
    with transaction.atomic():
        current = _lock_agency(actor, agency)
        if agency_in_use(agency=current):
            raise DomainError(
                f"People have been referred to {current.name}, so it stays on record. "
                "Archive it instead."
            )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            record=current,
            fields=["deleted"],
            detail={"deleted": True},
        )
        current.delete()


# --- onward referrals ------------------------------------------------------------------------


def _contact_snapshot(person: ReferralPerson) -> dict[str, Any] | None:
    """The person's contact details on the channels they said are safe, and nothing else."""
    who = person.person
    channels: list[dict[str, str]] = []
    labels = dict(ContactChannel.choices)
    for channel in person.safe_channels or []:
        value = ""
        if channel in {ContactChannel.PHONE, ContactChannel.SMS}:
            value = who.phone
        elif channel == ContactChannel.EMAIL:
            value = who.email
        elif channel == ContactChannel.LETTER and person.post_is_safe is not False:
            value = ", ".join(
                part
                for part in (who.address_line_1, who.address_line_2, who.town, who.postcode)
                if part
            )
        elif channel == ContactChannel.IN_PERSON:
            value = "Arrange through the hub"
        if value:
            channels.append({"channel": channel, "label": str(labels[channel]), "value": value})
    if not channels:
        return None
    return {
        "channels": channels,
        "safe_times": person.safe_times,
        "may_leave_message": "Not asked"
        if person.may_leave_message is None
        else ("Yes" if person.may_leave_message else "No"),
    }


def _needs_snapshot(needs: NeedsAssessment) -> dict[str, Any]:
    """Levels of the areas with a need, the overall risk and the shareable summary: no notes."""
    return {
        "assessed_on": timezone.localdate(needs.assessed_at).isoformat(),
        "overall_risk": needs.get_overall_risk_display(),
        "areas": [
            {"label": area["label"], "level": area["level_label"]}
            for area in needs.areas
            if area["level"] != NeedLevel.NONE
        ],
        "summary": needs.summary,
    }


def onward_referral_send(
    *,
    actor: User,
    referral: Referral,
    agency: Agency,
    referral_person: ReferralPerson,
    shared_items: Sequence[str],
    message: str,
    consent_confirmed: bool,
    consent_given_on: dt.date,
    submission_key: str | None = None,
) -> OnwardReferral:
    """Refer a person on to an agency with their consent, sending only the ticked details.

    What is sent is written into the onward referral now (its snapshot) and
    never read live from the referral again. One per submission key.
    """
    hub = _require_support(actor)
    if submission_key:
        existing = OnwardReferral.objects.filter(hub=hub, submission_key=submission_key).first()
        if existing is not None:
            return existing
    if not consent_confirmed:
        raise SupportRefused(
            f"Confirm that the person agreed to share these details with {agency.name}.",
            field="consent_confirmed",
        )
    _not_in_future(
        consent_given_on, "The date they agreed must be today or in the past.", "consent_given_on"
    )
    items = list(dict.fromkeys(shared_items))
    if not items:
        raise SupportRefused("Choose at least one detail to send.", field="shared_items")
    if any(item not in SharedItem.values for item in items):
        raise SupportRefused("Choose details from the list.", field="shared_items")
    message = message.strip()
    if not message:
        raise SupportRefused("Tell the agency what you are asking them to do.", field="message")
    try:
        with transaction.atomic():
            current = _lock_referral(actor, referral)
            if consent_given_on < timezone.localdate(current.received_at):
                raise SupportRefused(
                    "The date they agreed cannot be before the referral was received "
                    f"({timezone.localdate(current.received_at):%-d %B %Y}).",
                    field="consent_given_on",
                )
            # As it is now: it may have been archived or relinked since the form was shown.
            to = (
                Agency.objects.filter(pk=agency.pk, hub=hub, is_active=True)
                .select_related("organisation")
                .first()
            )
            if to is None:
                raise SupportRefused("Choose an agency from your directory.", field="agency")
            person = _person_in(current, referral_person)
            snapshot: dict[str, Any] = {"message": message}
            if SharedItem.NAME in items:
                snapshot["name"] = person.person.full_name
            if SharedItem.CONTACT in items:
                contact = _contact_snapshot(person)
                if contact is None:
                    raise SupportRefused(
                        f"{person.person.full_name} has no contact details on a channel they "
                        "said is safe. Untick contact details, or record their safe channels "
                        "first.",
                        field="shared_items",
                    )
                snapshot["contact"] = contact
            if SharedItem.NEEDS in items:
                needs = needs_current(referral=current)
                if needs is None:
                    raise SupportRefused(
                        "There is no needs assessment to summarise. Record one first, or "
                        "untick the summary of needs.",
                        field="shared_items",
                    )
                snapshot["needs"] = _needs_snapshot(needs)
            if SharedItem.OFFENCE in items:
                snapshot["offence_type"] = current.get_offence_type_display()
            now = timezone.now()
            onward = OnwardReferral.objects.create(
                referral=current,
                referral_person=person,
                hub=hub,
                agency=to,
                agency_organisation=to.organisation,
                shared_items=items,
                snapshot=snapshot,
                consent_given_on=consent_given_on,
                consent_recorded_by=actor,
                consent_recorded_at=now,
                sent_by=actor,
                sent_at=now,
                submission_key=submission_key or None,
            )
            audit_record(
                actor=actor,
                action=AuditAction.SHARE,
                record=onward,
                fields=items,
                detail={
                    "referral": current.pk,
                    "agency": to.pk,
                    "organisation": to.organisation_id,
                },
            )
            notifications.onward_referral_sent_notify(onward=onward)
    except IntegrityError:
        if submission_key:
            existing = OnwardReferral.objects.filter(hub=hub, submission_key=submission_key).first()
            if existing is not None:
                return existing
        raise
    return onward


def onward_referral_answer(
    *,
    actor: User,
    onward: OnwardReferral,
    to_state: str,
    note: str = "",
    expected_version: int | None = None,
) -> OnwardReferral:
    """Accepted, declined (with a reason), completed, or withdrawn by the hub."""
    with transaction.atomic():
        try:
            current = onward_referrals_visible_to(actor).select_for_update().get(pk=onward.pk)
        except OnwardReferral.DoesNotExist:
            raise Http404("No onward referral here.") from None
        transition_apply(
            workflow=ONWARD_REFERRAL_WORKFLOW,
            record=current,
            actor=actor,
            to_state=to_state,
            reason=note,
            expected_version=expected_version,
        )
        current.refresh_from_db()
        if current.recorded_by_agency and hub_of(actor) is None:
            notifications.onward_referral_answered_notify(onward=current)
    for attr in ("state", "version", "outcome_note", "responded_at", "completed_at"):
        setattr(onward, attr, getattr(current, attr))
    return onward
