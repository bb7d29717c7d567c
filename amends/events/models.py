"""Events and training: courses, officer training, school sessions, community events.

An `Event` is organised by one organisation, whose coordinators manage it. Named people
register for it (`Registration`: staff, practitioners, police officers and others by name
and email) and their attendance and completion are recorded; completing an event that
counts as training adds to a practitioner's training record. Pupils at a school session
are never named: `SchoolAttendance` keeps only a count per year group, and has no field
that could hold a name. Volunteers log their hours and expenses in `VolunteerHours`.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from amends.accounts.models import Organisation
from amends.practitioners.models import Practitioner, TrainingCourse, TrainingRecord

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_event_reference() -> str:
    """EVT-XXXX-XXXX: quoted on calendars and training records, carries no personal data."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"EVT-{chars[:4]}-{chars[4:]}"


class EventKind(models.TextChoices):
    RJ_FACILITATOR_TRAINING = "rj_facilitator_training", "RJ facilitator training"
    OFFICER_AWARENESS = "officer_awareness", "Police officer awareness training"
    SCHOOL_SESSION = "school_session", "School session"
    COMMUNITY_EVENT = "community_event", "Community event"
    RJ_WEEK = "rj_week", "RJ Week activity"
    OTHER = "other", "Other"


class EventState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Event(models.Model):
    reference = models.CharField(
        max_length=13, unique=True, default=new_event_reference, editable=False
    )
    organiser = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    venue_name = models.CharField(max_length=200)
    venue_address = models.TextField(blank=True)
    # None: no limit on the number of people who can register.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    trainer = models.CharField(max_length=200, blank=True)
    audience = models.CharField("who it is for", max_length=300, blank=True)
    public = models.BooleanField(
        "listed on the public events page",
        default=False,
        help_text="Public events appear at /events/ with their date, place and description.",
    )
    booking_details = models.TextField("how to book", blank=True)
    # The training it counts as for a practitioner who completes it (blank: none).
    training_course = models.CharField(max_length=20, choices=TrainingCourse.choices, blank=True)
    training_hours = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    state = models.CharField(
        max_length=20, choices=EventState.choices, default=EventState.SCHEDULED, db_index=True
    )
    version = models.PositiveIntegerField(default=1)
    # One "Create event" form makes at most one event, however often it is submitted.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["organiser", "starts_at"], name="event_organiser_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="event_capacity_at_least_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_school_session(self) -> bool:
        return self.kind == EventKind.SCHOOL_SESSION

    @property
    def counts_as_training(self) -> bool:
        return bool(self.training_course)


class RegistrantKind(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner or volunteer"
    STAFF = "staff", "Member of staff"
    POLICE_OFFICER = "police_officer", "Police officer"
    OTHER = "other", "Someone else"


class Registration(models.Model):
    """A named adult registered for an event. Never a pupil: see SchoolAttendance."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    kind = models.CharField(max_length=20, choices=RegistrantKind.choices)
    practitioner = models.ForeignKey(
        Practitioner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True)
    organisation_name = models.CharField("organisation", max_length=200, blank=True)
    # None until attendance is taken.
    attended = models.BooleanField(null=True, blank=True)
    completed = models.BooleanField(default=False)
    # The practitioner's training record this completion made (at most one).
    training_record = models.OneToOneField(
        TrainingRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registration",
    )
    version = models.PositiveIntegerField(default=1)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "practitioner"],
                condition=Q(practitioner__isnull=False),
                name="registration_once_per_practitioner",
            ),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False),
                name="registration_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(email=""),
                name="registration_once_per_email",
            ),
            models.CheckConstraint(
                condition=Q(completed=False) | Q(attended=True),
                name="registration_completed_needs_attended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.event.reference}"


class YearGroup(models.TextChoices):
    RECEPTION = "reception", "Reception"
    YEAR_1 = "year_1", "Year 1"
    YEAR_2 = "year_2", "Year 2"
    YEAR_3 = "year_3", "Year 3"
    YEAR_4 = "year_4", "Year 4"
    YEAR_5 = "year_5", "Year 5"
    YEAR_6 = "year_6", "Year 6"
    YEAR_7 = "year_7", "Year 7"
    YEAR_8 = "year_8", "Year 8"
    YEAR_9 = "year_9", "Year 9"
    YEAR_10 = "year_10", "Year 10"
    YEAR_11 = "year_11", "Year 11"
    YEAR_12 = "year_12", "Year 12"
    YEAR_13 = "year_13", "Year 13"


class SchoolAttendance(models.Model):
    """How many pupils of one year group attended a school session: a count, never a name.

    Deliberately holds nothing but the event, the year group and the number.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="school_attendance")
    year_group = models.CharField(max_length=10, choices=YearGroup.choices)
    pupils = models.PositiveIntegerField(validators=[MaxValueValidator(2000)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "year_group"], name="school_attendance_once_per_year_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_year_group_display()}: {self.pupils} pupils"


class HoursActivity(models.TextChoices):
    EVENT = "event", "An event"
    CASE = "case", "Casework"
    TRAINING = "training", "Training"
    OTHER = "other", "Something else"


class ExpensesStatus(models.TextChoices):
    NOT_CLAIMED = "not_claimed", "No expenses"
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"


class VolunteerHours(models.Model):
    """Time a practitioner gave on one day, and any expenses they claim for it."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="hours_logged"
    )
    date = models.DateField()
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
    )
    activity = models.CharField(max_length=20, choices=HoursActivity.choices)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="hours_logged"
    )
    # Casework comes in a later issue: until then the case is named by its reference.
    case_reference = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=300, blank=True)
    expenses_pence = models.PositiveIntegerField(default=0)
    expenses_for = models.CharField("what the expenses were for", max_length=300, blank=True)
    expenses_status = models.CharField(
        max_length=20, choices=ExpensesStatus.choices, default=ExpensesStatus.NOT_CLAIMED
    )
    version = models.PositiveIntegerField(default=1)
    # One submitted form makes at most one entry, however often it is submitted.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "volunteer hours"
        indexes = [models.Index(fields=["practitioner", "date"], name="hours_practitioner_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="hours_between_0_and_24"
            ),
            models.CheckConstraint(
                condition=Q(expenses_pence=0) | ~Q(expenses_for=""),
                name="hours_expenses_say_what_for",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner.full_name}: {self.hours} hours on {self.date}"

    @property
    def expenses_pounds(self) -> Decimal:
        return Decimal(self.expenses_pence) / 100
