"""Referrals: one offence and the people in it, held by a victim care hub."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from amends.accounts.models import Organisation
from amends.people.models import Person

# Crockford's base32 without I, L, O, U: easy to read aloud over the phone.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """An unguessable reference that carries no personal data: RJ-XXXX-XXXX (40 bits)."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"RJ-{chars[:4]}-{chars[4:]}"


class ReferralState(models.TextChoices):
    NEW = "new", "New"
    CONTACTING = "contacting", "Contacting"
    IN_TRIAGE = "in_triage", "In triage"
    AWAITING_CONSENT = "awaiting_consent", "Awaiting the person's decision"
    HANDED_OFF = "handed_off", "Handed off to the RJ provider"
    CLOSED = "closed", "Closed"


class ClosingReason(models.TextChoices):
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    SUPPORT_ONLY = "support_only", "Support only"
    SIGNPOSTED = "signposted", "Signposted"
    DECLINED_RJ = "declined_rj", "Person declined RJ"
    NOT_SUITABLE = "not_suitable", "Not suitable"
    DUPLICATE = "duplicate", "Duplicate"
    WITHDRAWN = "withdrawn", "Person withdrew"


class ReferralSource(models.TextChoices):
    SELF = "self", "Person harmed, online"
    ON_BEHALF = "on_behalf", "Someone on their behalf, online"
    POLICE = "police", "Police officer"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    API = "api", "Police system (API)"
    CSV = "csv", "Police system (CSV import)"


class OffenceType(models.TextChoices):
    VIOLENCE = "violence", "Violence against the person"
    ROBBERY = "robbery", "Robbery"
    BURGLARY = "burglary", "Burglary"
    THEFT = "theft", "Theft"
    VEHICLE = "vehicle", "Vehicle crime"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage or arson"
    ANTI_SOCIAL = "anti_social", "Anti-social behaviour"
    PUBLIC_ORDER = "public_order", "Public order"
    FRAUD = "fraud", "Fraud"
    HATE_CRIME = "hate_crime", "Hate crime"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    SEXUAL = "sexual", "Sexual offence"
    STALKING = "stalking", "Stalking or harassment"
    OTHER = "other", "Other"


class Referral(models.Model):
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    hub = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_held")
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referring_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    state = models.CharField(
        max_length=20, choices=ReferralState.choices, default=ReferralState.NEW, db_index=True
    )
    closing_reason = models.CharField(max_length=20, choices=ClosingReason.choices, blank=True)
    offence_type = models.CharField(max_length=20, choices=OffenceType.choices)
    offence_date = models.DateField(null=True, blank=True)
    offence_place = models.CharField(max_length=200, blank=True)
    crime_reference = models.CharField(max_length=40, blank=True, db_index=True)
    enhanced_rights = models.BooleanField(
        default=False,
        help_text="Entitled to enhanced rights under the Victims' Code.",
    )
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_allocated",
    )
    consent_to_share_recorded_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["hub", "state", "-received_at"]),
            models.Index(fields=["referring_organisation", "-received_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state != ReferralState.CLOSED


class PersonRole(models.TextChoices):
    VICTIM = "victim", "Person harmed"
    OFFENDER = "offender", "Person responsible"
    SUPPORTER = "supporter", "Supporter"
    PARENT_GUARDIAN = "parent_guardian", "Parent or guardian"
    REFERRER = "referrer", "Referrer"


class ReferralPerson(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referral_roles")
    role = models.CharField(max_length=20, choices=PersonRole.choices)
    relationship = models.CharField(
        max_length=100, blank=True, help_text="For a supporter, parent or referrer: to whom, how."
    )

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "person", "role"], name="unique_referral_person_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} as {self.get_role_display()} in {self.referral}"


class ShareRoute(models.TextChoices):
    HAND_OFF = "hand_off", "Hand-off to the RJ provider"
    ONWARD_REFERRAL = "onward_referral", "Onward referral to a specialist agency"


class ReferralShare(models.Model):
    """An explicit step (hand-off, onward referral) that lets another organisation see it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referral_shares"
    )
    route = models.CharField(max_length=20, choices=ShareRoute.choices)
    consent_recorded_at = models.DateTimeField()
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "organisation"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_share_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral} shared with {self.organisation}"


class ContactChannel(models.TextChoices):
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"


class ContactOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke to the person"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"
    WRONG_DETAILS = "wrong_details", "Wrong number or address"
    NOT_A_GOOD_TIME = "not_a_good_time", "Not a good time; call back"


class ContactAttempt(models.Model):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="contact_attempts"
    )
    channel = models.CharField(max_length=20, choices=ContactChannel.choices)
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} — {self.get_outcome_display()}"

    @property
    def successful(self) -> bool:
        return self.outcome == ContactOutcome.SPOKE
