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


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


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
    # What the application or the officer told us about the harm.
    reported_to_police = models.BooleanField(null=True, blank=True)
    date_reported = models.DateField(
        null=True, blank=True, help_text="When the crime was reported to the police."
    )
    offender_known = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    # Needs now, from the application: safety at home and any other support wanted.
    feels_unsafe_at_home = models.BooleanField(null=True, blank=True)
    support_wanted = models.TextField(blank=True)
    # Consent to the privacy notice at application (version shown, when).
    consent_given_at = models.DateTimeField(null=True, blank=True)
    privacy_notice_version = models.CharField(max_length=20, blank=True)
    # One online application makes at most one referral, however often it is submitted.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The referring system's own id for this referral (API or CSV): the same id from the
    # same organisation never makes a second referral.
    external_reference = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    # The hub's clocks (referrals/clocks.py), in working days from clocks_started_on: the
    # day received, or the day the referral came back (reopened, returned by the provider).
    clocks_started_on = models.DateField(null=True, blank=True)
    first_contact_due = models.DateField(null=True, blank=True)
    triage_due = models.DateField(null=True, blank=True)
    handoff_due = models.DateField(null=True, blank=True)
    # The deadline of the current stage; empty once handed off or closed (out of the queue).
    due_on = models.DateField(null=True, blank=True)
    # The person harmed's names (lower case, spaces tidied) and date of birth, copied here
    # so that the hub's queue searches and filters its open referrals without a join
    # (referrals/queue_fields.py: set when the referral is made and when another person
    # record is linked in the victim's place).
    victim_family_key = models.CharField(max_length=100, blank=True)
    victim_given_key = models.CharField(max_length=100, blank=True)
    victim_born_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The clocks and the victim's keys are copies worked out from other records, so their
    # changes are no history of their own.
    history = HistoricalRecords(
        excluded_fields=[
            "version",
            "updated_at",
            "clocks_started_on",
            "first_contact_due",
            "triage_due",
            "handoff_due",
            "due_on",
            "victim_family_key",
            "victim_given_key",
            "victim_born_on",
        ]
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["hub", "state", "-received_at"]),
            # The hub's list, newest first, without sorting every row it holds.
            models.Index(fields=["hub", "-received_at", "-id"], name="referral_hub_newest"),
            models.Index(fields=["referring_organisation", "-received_at"]),
            # The hub's queue (hub/queue.py): only open referrals have a due date, so these
            # partial indexes hold a hub's few thousand open referrals, not its million.
            models.Index(
                fields=["hub", "state", "due_on"],
                name="referral_hub_state_due",
                condition=models.Q(due_on__isnull=False),
            ),
            # With every column the queue filters and counts by, so that the views'
            # counts and the filters read this index (a hub's open referrals) alone.
            models.Index(
                fields=[
                    "hub",
                    "due_on",
                    "id",
                    "state",
                    "allocated_to",
                    "offence_type",
                    "enhanced_rights",
                    "victim_born_on",
                    "victim_family_key",
                    "victim_given_key",
                ],
                name="referral_hub_open_due",
                condition=models.Q(due_on__isnull=False),
            ),
            models.Index(
                fields=["allocated_to", "due_on"],
                name="referral_allocated_open_due",
                condition=models.Q(due_on__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referring_organisation", "external_reference"],
                condition=~models.Q(external_reference=""),
                name="one_referral_per_external_reference",
            )
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
    # For someone applied for by another: do they know about it and agree?
    knows_and_agrees = models.BooleanField(null=True, blank=True)
    # Safe contact: only these channels, at these times, as the person said.
    safe_channels = models.JSONField(default=list, blank=True)
    safe_times = models.CharField(max_length=200, blank=True)
    may_leave_message = models.BooleanField(null=True, blank=True)
    post_is_safe = models.BooleanField(null=True, blank=True)
    # Access needs.
    language = models.CharField(max_length=60, blank=True)
    needs_interpreter = models.BooleanField(default=False)
    uses_bsl = models.BooleanField(default=False)
    adjustments = models.TextField(blank=True)

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


class ToldHow(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    LETTER = "letter", "By letter"
    EMAIL = "email", "By email"
    OTHER = "other", "Another way"


class VictimAnswer(models.TextChoices):
    WANTS_REFERRAL = "wants_referral", "Wants a referral"
    DECLINED = "declined", "Declined"
    UNDECIDED = "undecided", "Not yet decided"


class VictimsCodeRecord(models.Model):
    """The Victims' Code fact: this victim was told about RJ, when, how, and what they said.

    It exists whether or not a referral follows: it is what compliance counts.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="victims_code_records"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="victims_code_records"
    )
    victim = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="victims_code_records"
    )
    crime_reference = models.CharField(max_length=40, blank=True, db_index=True)
    offence_type = models.CharField(max_length=20, choices=OffenceType.choices)
    date_reported = models.DateField()
    date_told = models.DateField()
    told_by = models.CharField(max_length=200, help_text="Who told the victim about RJ.")
    told_how = models.CharField(max_length=20, choices=ToldHow.choices)
    enhanced_rights = models.BooleanField(default=False)
    offender_under_18 = models.BooleanField(default=False)
    answer = models.CharField(max_length=20, choices=VictimAnswer.choices)
    # When the victim asked for a referral: the Code's 2-day referral clock starts here
    # (the day they were told, or later if they were undecided at first).
    date_asked = models.DateField(null=True, blank=True)
    referral = models.OneToOneField(
        Referral,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="victims_code_record",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        ordering = ["-date_told", "-id"]
        indexes = [models.Index(fields=["organisation", "-date_told"])]

    def __str__(self) -> str:
        return f"Told about RJ on {self.date_told:%d %b %Y} ({self.get_answer_display()})"


class ClockDigest(models.Model):
    """The daily digest of referral clocks one person was sent (hub/digest.py).

    A caseworker hears what of theirs is due today or overdue, a hub manager the
    clocks breached at their hub. The unique constraint makes it once a day per
    person however often the daily task runs, or however many workers run it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clock_digests"
    )
    sent_on = models.DateField(help_text="The working day the digest was produced for.")
    due_today = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    breaches = models.PositiveIntegerField(
        default=0, help_text="Overdue referrals at the hub, for a hub manager."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_clock_digest_a_day")
        ]

    def __str__(self) -> str:
        return f"Clock digest for {self.user_id} on {self.sent_on}"
