"""The hub's support for a person, whether or not RJ goes ahead (issue 6, item 4).

- `NeedsAssessment`: each assessment of a referral's needs is a new row; the
  newest is the current one and the earlier ones are its history.
- `SafetyDevice` and `DeviceIssue`: the hub's inventory and who holds what.
- `Agency`: the hub's directory of specialist agencies.
- `OnwardReferral`: a referral on to an agency, with the person's consent and a
  snapshot of the minimal data set sent, which is all the agency ever sees.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind
from amends.referrals.models import Referral, ReferralPerson

# Crockford's base32 without I, L, O, U, as referral references: easy to read aloud.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_onward_reference() -> str:
    """An unguessable reference for an onward referral, unrelated to the referral's own."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"OR-{chars[:4]}-{chars[4:]}"


# --- needs ---------------------------------------------------------------------------------


class NeedArea(models.TextChoices):
    SAFETY = "safety", "Safety"
    EMOTIONAL = "emotional", "Emotional wellbeing"
    PRACTICAL = "practical", "Practical help"
    HEALTH = "health", "Health"
    FINANCIAL = "financial", "Money"
    ACCESS = "access", "Access needs"


class NeedLevel(models.TextChoices):
    NONE = "none", "No need"
    SOME = "some", "Some need"
    HIGH = "high", "High need"


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class NeedsAssessment(models.Model):
    """One assessment of the needs of the person harmed in a referral.

    Never changed once written: a new assessment is a new row with the next
    `number`, so the newest row is the current assessment and the others are
    its history. The number doubles as the version a form was loaded with.
    """

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="needs_assessments"
    )
    number = models.PositiveIntegerField()
    safety_level = models.CharField(max_length=10, choices=NeedLevel.choices)
    safety_note = models.TextField(blank=True)
    emotional_level = models.CharField(max_length=10, choices=NeedLevel.choices)
    emotional_note = models.TextField(blank=True)
    practical_level = models.CharField(max_length=10, choices=NeedLevel.choices)
    practical_note = models.TextField(blank=True)
    health_level = models.CharField(max_length=10, choices=NeedLevel.choices)
    health_note = models.TextField(blank=True)
    financial_level = models.CharField(max_length=10, choices=NeedLevel.choices)
    financial_note = models.TextField(blank=True)
    access_level = models.CharField(max_length=10, choices=NeedLevel.choices)
    access_note = models.TextField(blank=True)
    overall_risk = models.CharField(max_length=10, choices=RiskLevel.choices)
    summary = models.TextField(
        blank=True, help_text="A short summary that could be shared with an agency, with consent."
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "number"], name="one_needs_assessment_number_per_referral"
            )
        ]

    def __str__(self) -> str:
        return f"Needs assessment {self.number} of {self.referral_id}"

    def level(self, area: str) -> str:
        return str(getattr(self, f"{area}_level"))

    def note(self, area: str) -> str:
        return str(getattr(self, f"{area}_note"))

    @property
    def areas(self) -> list[dict[str, str]]:
        """Each area with its level and note, in the order of NeedArea."""
        levels = dict(NeedLevel.choices)
        return [
            {
                "area": area.value,
                "label": str(area.label),
                "level": self.level(area.value),
                "level_label": str(levels.get(self.level(area.value), "")),
                "note": self.note(area.value),
            }
            for area in NeedArea
        ]


# --- safety devices ------------------------------------------------------------------------


class DeviceType(models.TextChoices):
    PERSONAL_ALARM = "personal_alarm", "Personal alarm"
    VIDEO_DOORBELL = "video_doorbell", "Video doorbell"
    DOOR_WINDOW_ALARM = "door_window_alarm", "Door or window alarm"
    SMART_LOCK = "smart_lock", "Smart lock"
    GPS_ALARM = "gps_alarm", "GPS alarm"
    OTHER = "other", "Other device"


class DeviceState(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    ISSUED = "issued", "Issued"
    RETURNED = "returned", "Returned, to be checked"
    LOST = "lost", "Lost"
    RETIRED = "retired", "Retired"


class SafetyDevice(models.Model):
    hub = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="safety_devices")
    device_type = models.CharField(max_length=20, choices=DeviceType.choices)
    serial_number = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True, help_text="Make and model.")
    state = models.CharField(
        max_length=20, choices=DeviceState.choices, default=DeviceState.IN_STOCK
    )
    note = models.TextField(blank=True)
    # One add-device form makes at most one device, however often it is submitted.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["device_type", "serial_number"]
        indexes = [models.Index(fields=["hub", "state", "device_type"])]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "serial_number"], name="one_serial_number_per_hub"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_device_type_display()} {self.serial_number}"


class DeviceIssueOutcome(models.TextChoices):
    RETURNED = "returned", "Returned"
    LOST = "lost", "Lost"


class DeviceIssue(models.Model):
    """A device lent to a person in a referral: from when, until when, and how it ended."""

    device = models.ForeignKey(SafetyDevice, on_delete=models.PROTECT, related_name="issues")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="device_issues")
    referral_person = models.ForeignKey(
        ReferralPerson, on_delete=models.CASCADE, related_name="device_issues"
    )
    issued_on = models.DateField()
    expected_return_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=DeviceIssueOutcome.choices, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    ended_note = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            # A device is with one person at a time.
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_issue_per_device",
            ),
            models.CheckConstraint(
                condition=models.Q(expected_return_on__isnull=True)
                | models.Q(expected_return_on__gte=models.F("issued_on")),
                name="device_expected_back_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("issued_on")),
                name="device_ended_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device} issued on {self.issued_on:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


# --- agency directory ----------------------------------------------------------------------


class ServiceArea(models.TextChoices):
    ADVOCACY = "advocacy", "Independent advocacy (IDVA, ISVA)"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    SEXUAL_VIOLENCE = "sexual_violence", "Sexual violence"
    HATE_CRIME = "hate_crime", "Hate crime"
    MENTAL_HEALTH = "mental_health", "Mental health and counselling"
    HOUSING = "housing", "Housing and safe accommodation"
    MONEY = "money", "Money and debt"
    SUBSTANCE_USE = "substance_use", "Drugs and alcohol"
    YOUNG_PEOPLE = "young_people", "Children and young people"
    OLDER_PEOPLE = "older_people", "Older people"
    LEGAL = "legal", "Legal advice"
    OTHER = "other", "Other support"


class Agency(models.Model):
    """A specialist agency in the hub's directory: what it offers and how to refer to it."""

    hub = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=200)
    services = models.JSONField(default=list, blank=True)
    services_detail = models.TextField(blank=True)
    eligibility = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    referral_notes = models.TextField(blank=True, help_text="How to refer.")
    # An agency whose staff use Amends: they receive onward referrals here.
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directory_entries",
        limit_choices_to={"kind": OrganisationKind.SPECIALIST_AGENCY},
    )
    is_active = models.BooleanField(default=True)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(Lower("name"), "hub", name="one_agency_name_per_hub")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_amends(self) -> bool:
        return self.organisation_id is not None

    @property
    def service_labels(self) -> list[str]:
        labels = dict(ServiceArea.choices)
        return [str(labels.get(code, code)) for code in self.services]


# --- onward referrals ----------------------------------------------------------------------


class OnwardReferralState(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn by the hub"


class SharedItem(models.TextChoices):
    """The minimal data set: what may go to an agency, each item ticked one by one."""

    NAME = "name", "Name"
    CONTACT = "contact", "Contact details, on the channels the person said are safe"
    NEEDS = "needs", "Summary of needs"
    OFFENCE = "offence", "Type of offence"


class OnwardReferral(models.Model):
    """A referral of one person on to an agency, carrying only what was ticked, as sent.

    `snapshot` is written once, when it is sent: the agency sees exactly that,
    and nothing of the referral itself, however the referral changes later.
    """

    reference = models.CharField(
        max_length=12, unique=True, default=new_onward_reference, editable=False
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="onward_referrals"
    )
    referral_person = models.ForeignKey(
        ReferralPerson, on_delete=models.CASCADE, related_name="onward_referrals"
    )
    hub = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="onward_referrals_sent"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="onward_referrals")
    # The agency's organisation in Amends when it was sent: its staff see this one.
    agency_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="onward_referrals_received",
    )
    state = models.CharField(
        max_length=20, choices=OnwardReferralState.choices, default=OnwardReferralState.SENT
    )
    shared_items = models.JSONField(default=list)
    snapshot = models.JSONField(default=dict)
    consent_given_on = models.DateField(help_text="When the person agreed to this sharing.")
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consent_recorded_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    outcome_note = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(
                fields=["agency_organisation", "-sent_at", "-id"], name="onward_received_newest"
            ),
            models.Index(fields=["hub", "-sent_at", "-id"], name="onward_sent_newest"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def recorded_by_agency(self) -> bool:
        """An agency in Amends records its own answer; for any other the hub records it."""
        return self.agency_organisation_id is not None
