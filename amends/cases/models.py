"""Cases: what the RJ provider holds once a hub hands a referral off to it.

The provider never sees the referral. At hand-off a `Case` is made in the
provider's intake queue carrying only the agreed data set, copied from the
referral at that moment (the snapshot fields below, not read live): the person's
name and their safe contact details, the offence type and date, the other main
party's name if known, a needs summary, access needs, and when consent to share
was given. The provider coordinator accepts the case or returns it to the hub.
Issue 8 adds the rest of the case's life (assessment to closure).

`HandOffConsent` is the person's consent to that sharing, as the hub's
caseworker recorded it (who gave it, how, on which date): the hand-off needs it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from amends.accounts.models import Organisation
from amends.referrals.models import OffenceType, PersonRole, Referral

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_case_reference() -> str:
    """CS-XXXX-XXXX: the provider's own reference, which says nothing of the referral's."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"CS-{chars[:4]}-{chars[4:]}"


class CaseState(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned to the hub"
    CLOSED = "closed", "Closed"


class CaseClosingReason(models.TextChoices):
    PARTY_WITHDREW = "party_withdrew", "The person withdrew"


class Case(models.Model):
    reference = models.CharField(
        max_length=12, unique=True, default=new_case_reference, editable=False
    )
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="case")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    hub = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases_offered")
    state = models.CharField(max_length=20, choices=CaseState.choices, default=CaseState.OFFERED)
    closing_reason = models.CharField(max_length=20, choices=CaseClosingReason.choices, blank=True)
    offered_at = models.DateTimeField(default=timezone.now)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The provider's clock: accept or return by this date (working days, a setting).
    decide_by = models.DateField()
    decided_at = models.DateTimeField(null=True, blank=True)

    # The agreed data set, as it was at hand-off. The person the hub was in touch with
    # (usually the person harmed) and what the provider needs to contact them safely.
    party_role = models.CharField(max_length=20, choices=PersonRole.choices)
    party_name = models.CharField(max_length=201)
    party_phone = models.CharField(max_length=40, blank=True)
    party_email = models.EmailField(blank=True)
    party_address = models.TextField(blank=True)
    safe_channels = models.JSONField(default=list, blank=True)
    safe_times = models.CharField(max_length=200, blank=True)
    may_leave_message = models.BooleanField(null=True, blank=True)
    post_is_safe = models.BooleanField(null=True, blank=True)
    # The other main party (the person responsible, or the person harmed), if known.
    other_party_name = models.CharField(max_length=201, blank=True)
    offence_type = models.CharField(max_length=20, choices=OffenceType.choices)
    offence_date = models.DateField(null=True, blank=True)
    needs_summary = models.TextField(blank=True)
    language = models.CharField(max_length=60, blank=True)
    needs_interpreter = models.BooleanField(default=False)
    uses_bsl = models.BooleanField(default=False)
    adjustments = models.TextField(blank=True)
    consent_given_on = models.DateField()

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["decide_by", "id"]
        indexes = [
            # The intake queue: a provider's cases in one state, the most urgent first.
            models.Index(fields=["provider", "state", "decide_by", "id"], name="case_intake"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def party_role_label(self) -> str:
        return PersonRole(self.party_role).label

    @property
    def other_party_role_label(self) -> str:
        if self.party_role == PersonRole.OFFENDER:
            return PersonRole.VICTIM.label
        return PersonRole.OFFENDER.label

    @property
    def offence_type_label(self) -> str:
        return OffenceType(self.offence_type).label

    @property
    def has_contact_details(self) -> bool:
        return bool(self.party_phone or self.party_email or self.party_address)


class ConsentGivenBy(models.TextChoices):
    PERSON = "person", "The person themselves"
    PARENT_GUARDIAN = "parent_guardian", "Their parent or guardian"
    REPRESENTATIVE = "representative", "Someone with authority to act for them"


class ConsentHow(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    WRITING = "writing", "In writing (letter, email or form)"


class HandOffConsent(models.Model):
    """Consent to share the agreed data set with the hub's RJ provider."""

    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, related_name="hand_off_consent"
    )
    given_by = models.CharField(max_length=20, choices=ConsentGivenBy.choices)
    given_by_name = models.CharField(
        max_length=200, blank=True, help_text="Who gave it, when not the person themselves."
    )
    how = models.CharField(max_length=20, choices=ConsentHow.choices)
    given_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Consent to share {self.referral} with the RJ provider"
