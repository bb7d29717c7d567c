"""Practitioners: volunteers from application to accreditation, and everyone who facilitates.

One `Practitioner` row follows a person from a volunteer application (or from being
added as a member of staff) through vetting and training to active practice. The
records a registered RJ service must keep hang off it: DBS checks, training,
supervision, observed practice and CPD.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from amends.accounts.models import Organisation

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_practitioner_reference() -> str:
    """VOL-XXXX-XXXX: quoted by an applicant, carries no personal data."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"VOL-{chars[:4]}-{chars[4:]}"


class PractitionerState(models.TextChoices):
    APPLIED = "applied", "Applied"
    SHORTLISTED = "shortlisted", "Shortlisted"
    INTERVIEW = "interview", "Interview"
    REFERENCES = "references", "References requested"
    VETTING = "vetting", "DBS check"
    INDUCTION = "induction", "Induction"
    TRAINING = "training", "Training"
    ACCREDITED = "accredited", "Accredited"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    LEFT = "left", "Left"
    NOT_PROGRESSED = "not_progressed", "Not progressed"


class PractitionerKind(models.TextChoices):
    VOLUNTEER = "volunteer", "Volunteer"
    STAFF = "staff", "Staff"


class AccreditationRole(models.TextChoices):
    FACILITATOR = "facilitator", "Facilitator"
    CO_FACILITATOR = "co_facilitator", "Co-facilitator"
    ADVOCATE = "advocate", "Advocate"


class PractitionerLevel(models.TextChoices):
    """The CPD each level needs a year is the setting AMENDS_CPD_HOURS_BY_LEVEL."""

    FOUNDATION = "foundation", "Foundation"
    PRACTITIONER = "practitioner", "Practitioner"
    SENIOR = "senior", "Senior practitioner"


class RjcStatus(models.TextChoices):
    NOT_REGISTERED = "not_registered", "Not registered"
    APPLIED = "applied", "Applied"
    REGISTERED = "registered", "Registered practitioner"
    ACCREDITED = "accredited", "Accredited practitioner"


class Practitioner(models.Model):
    reference = models.CharField(
        max_length=13, unique=True, default=new_practitioner_reference, editable=False
    )
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="practitioners"
    )
    kind = models.CharField(
        max_length=10, choices=PractitionerKind.choices, default=PractitionerKind.VOLUNTEER
    )
    state = models.CharField(
        max_length=20,
        choices=PractitionerState.choices,
        default=PractitionerState.APPLIED,
        db_index=True,
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    # The staff sign-in of a practitioner who has one (every facilitator working cases).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practitioner",
    )
    accreditation_role = models.CharField(
        max_length=20, choices=AccreditationRole.choices, blank=True
    )
    level = models.CharField(max_length=20, choices=PractitionerLevel.choices, blank=True)
    rjc_status = models.CharField(
        max_length=20, choices=RjcStatus.choices, default=RjcStatus.NOT_REGISTERED
    )
    rjc_number = models.CharField("RJC registration number", max_length=40, blank=True)
    case_limit = models.PositiveSmallIntegerField(default=3)
    # Day parts the practitioner can work: "monday_morning", "saturday_evening", ...
    availability = models.JSONField(default=list, blank=True)
    languages = models.CharField(max_length=300, blank=True)
    areas = models.CharField("areas covered", max_length=300, blank=True)
    not_progressed_reason = models.TextField(blank=True)
    # One online application makes at most one record, however often it is submitted.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["provider", "state"], name="practitioner_provider_state")]

    def __str__(self) -> str:
        return f"{self.reference} {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class VolunteerApplication(models.Model):
    """What the applicant told us at /volunteer/ (equality monitoring is kept elsewhere)."""

    practitioner = models.OneToOneField(
        Practitioner, on_delete=models.CASCADE, related_name="application"
    )
    date_of_birth = models.DateField()
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10)
    roles_interested = models.JSONField(default=list, blank=True)  # AccreditationRole values
    hours_per_month = models.CharField(max_length=100, blank=True)
    experience = models.TextField(blank=True)
    motivation = models.TextField()
    access_needs = models.TextField(blank=True)
    privacy_notice_version = models.CharField(max_length=20, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Application of {self.practitioner_id}"


class Referee(models.Model):
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="referees"
    )
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    requested_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    # None until the reference is read; False: not satisfactory.
    satisfactory = models.BooleanField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Referee {self.name}"


class EqualityMonitoringResponse(models.Model):
    """Optional equality answers, deliberately NOT linked to the application or the person.

    Only the provider and the month are kept with them, so they can be reported in
    aggregate and can never appear on a named person's record or export.
    """

    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="equality_responses"
    )
    month = models.DateField(help_text="The first day of the month of the application.")
    age_band = models.CharField(max_length=30, blank=True)
    sex = models.CharField(max_length=30, blank=True)
    gender_same_as_birth = models.CharField(max_length=30, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    disability = models.CharField(max_length=30, blank=True)
    religion = models.CharField(max_length=60, blank=True)
    sexual_orientation = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return f"Equality answers, {self.month:%B %Y}"


class DbsOutcome(models.TextChoices):
    CLEAR = "clear", "Clear"
    ACCEPTED = "accepted", "Information disclosed, risk assessed and accepted"
    NOT_ACCEPTED = "not_accepted", "Information disclosed, not accepted"


class DbsCheck(models.Model):
    """An enhanced DBS certificate. Renewal is due AMENDS_DBS_RENEWAL_MONTHS after issue."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="dbs_checks"
    )
    certificate_number = models.CharField(max_length=12)
    issue_date = models.DateField()
    outcome = models.CharField(max_length=20, choices=DbsOutcome.choices)
    update_service = models.BooleanField("on the DBS update service", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issue_date", "-id"]

    def __str__(self) -> str:
        return f"DBS {self.issue_date}: {self.get_outcome_display()}"


class TrainingCourse(models.TextChoices):
    FACILITATOR = "facilitator", "RJ facilitator training"
    ADVANCED = "advanced", "Advanced facilitator training (sensitive and complex cases)"
    ADVOCATE = "advocate", "Victim advocate training"
    INDUCTION = "induction", "Induction"
    REFRESHER = "refresher", "Refresher"
    OTHER = "other", "Other"


class TrainingRecord(models.Model):
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="training_records"
    )
    course = models.CharField(max_length=20, choices=TrainingCourse.choices)
    title = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    trainer = models.CharField(max_length=200, blank=True)
    # Set when the record came from attendance at an event (the events app).
    event_reference = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_course_display()}, {self.completed_on}"


class SupervisionSession(models.Model):
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="supervision_sessions"
    )
    held_on = models.DateField()
    supervisor = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Supervision {self.held_on}"


class ObservedPractice(models.Model):
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="observations"
    )
    observed_on = models.DateField()
    observer = models.CharField(max_length=200)
    satisfactory = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-observed_on", "-id"]

    def __str__(self) -> str:
        return f"Observed practice {self.observed_on}"


class CpdEntry(models.Model):
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="cpd_entries"
    )
    completed_on = models.DateField()
    activity = models.CharField(max_length=300)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    evidence = models.TextField(
        blank=True, help_text="What shows it was done: a certificate, notes, a reflective log."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-id"]
        verbose_name_plural = "CPD entries"

    def __str__(self) -> str:
        return f"CPD {self.completed_on}: {self.hours} h"


class ReminderKind(models.TextChoices):
    DBS = "dbs", "DBS renewal"
    SUPERVISION = "supervision", "Supervision"
    OBSERVATION = "observation", "Observed practice"
    CPD = "cpd", "CPD hours"


class PractitionerReminder(models.Model):
    """A reminder sent before a practitioner's record falls due: one per item and due date.

    The unique constraint makes sending idempotent: a daily run repeated, or two
    workers at once, never remind anyone twice of the same thing.
    """

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    due_on = models.DateField()
    sent_on = models.DateField(help_text="The working day the reminder was produced for.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "kind", "due_on"], name="unique_practitioner_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on} ({self.practitioner_id})"
