"""The public volunteer application (/volunteer/): its steps, its answers, and sending it.

Answers are kept on the server, in the visitor's session, and nowhere else: not in
the browser's storage, not in a URL. They are discarded when the application is
sent and after 60 minutes without activity. Each application gets a random
submission key when it starts; the practitioner record it makes carries that key
(unique), so however often the final step is sent, one application makes one
record.

Sending writes, in one transaction: the practitioner (a volunteer, `applied`), the
application, its two referees, an audit event, the applicant's acknowledgement and
the volunteer coordinators' alert. Equality monitoring answers, if any were given,
become one `EqualityMonitoringResponse` holding only the provider and the month:
nothing links it to the person, the application or the request that made it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.core.audit import audit_record
from amends.core.errors import DomainError
from amends.core.messaging import MessageToSend, message_not_sent, messages_queue
from amends.core.models import AuditAction, MessageChannel
from amends.core.ratelimit import rate_count, rate_hit
from amends.practitioners import forms_volunteer as f
from amends.practitioners.models import (
    EqualityMonitoringResponse,
    Practitioner,
    PractitionerKind,
    Referee,
    VolunteerApplication,
)

logger = logging.getLogger(__name__)

SESSION_KEY = "amends_volunteer_application"
CONFIRMATION_KEY = "amends_volunteer_application_sent"
TIMEOUT_SECONDS = 60 * 60
# The version of the privacy notice (/privacy/) the applicant agreed to.
PRIVACY_NOTICE_VERSION = "2026-11"
RATE_WINDOW_SECONDS = 60 * 60

# Our message templates (amends/practitioners/templates/messages/<template>.<channel>.txt).
VOLUNTEER_ACK = "volunteer_application_ack"
VOLUNTEER_NEW_COORDINATOR = "volunteer_application_new"


# ----- the steps -----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    form_class: type[f.StepForm]
    section: str


ABOUT_YOU = "about_you"
VOLUNTEERING = "volunteering"
EXPERIENCE = "experience"
REFERENCES = "references"
EQUALITY = "equality"
PRIVACY = "privacy"

STEPS: tuple[Step, ...] = (
    Step(f.NAME, f.NameForm, ABOUT_YOU),
    Step(f.DATE_OF_BIRTH, f.DateOfBirthForm, ABOUT_YOU),
    Step(f.CONTACT, f.ContactForm, ABOUT_YOU),
    Step(f.ADDRESS, f.AddressForm, ABOUT_YOU),
    Step(f.ROLES, f.RolesForm, VOLUNTEERING),
    Step(f.AVAILABILITY, f.AvailabilityForm, VOLUNTEERING),
    Step(f.HOURS, f.HoursForm, VOLUNTEERING),
    Step(f.LANGUAGES, f.LanguagesForm, VOLUNTEERING),
    Step(f.EXPERIENCE, f.ExperienceForm, EXPERIENCE),
    Step(f.MOTIVATION, f.MotivationForm, EXPERIENCE),
    Step(f.ACCESS_NEEDS, f.AccessNeedsForm, EXPERIENCE),
    Step(f.FIRST_REFEREE, f.FirstRefereeForm, REFERENCES),
    Step(f.SECOND_REFEREE, f.SecondRefereeForm, REFERENCES),
    Step(f.EQUALITY, f.EqualityForm, EQUALITY),
    Step(f.PRIVACY, f.PrivacyForm, PRIVACY),
)
STEPS_BY_NAME = {step.name: step for step in STEPS}
FIRST_STEP = STEPS[0]


def step_named(name: str) -> Step | None:
    return STEPS_BY_NAME.get(name)


# ----- the session store ---------------------------------------------------


class ApplicationExpired(Exception):
    """The application was left for too long; its answers are gone."""


@dataclass
class Application:
    """One visitor's application in progress, as kept in their session."""

    submission_key: str
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_activity: float = 0.0
    consent_given_at: str = ""
    # Once the visitor has seen "check your answers", every answer returns there.
    reached_check: bool = False

    def as_session_data(self) -> dict[str, Any]:
        return {
            "key": self.submission_key,
            "answers": self.answers,
            "last_activity": self.last_activity,
            "consent_given_at": self.consent_given_at,
            "reached_check": self.reached_check,
        }

    @classmethod
    def from_session_data(cls, data: Mapping[str, Any]) -> Application:
        return cls(
            submission_key=str(data["key"]),
            answers=dict(data.get("answers", {})),
            last_activity=float(data.get("last_activity", 0.0)),
            consent_given_at=str(data.get("consent_given_at", "")),
            reached_check=bool(data.get("reached_check", False)),
        )


def application_load(session: SessionBase) -> Application | None:
    """The application in progress, if any; raises ApplicationExpired (and forgets it) if stale."""
    data = session.get(SESSION_KEY)
    if not data:
        return None
    try:
        application = Application.from_session_data(data)
    except (KeyError, TypeError, ValueError):
        application_clear(session)
        return None
    if time.time() - application.last_activity > TIMEOUT_SECONDS:
        application_clear(session)
        raise ApplicationExpired()
    return application


def application_start(session: SessionBase) -> Application:
    session.pop(CONFIRMATION_KEY, None)
    application = Application(submission_key=secrets.token_urlsafe(32))
    application_save(session, application)
    return application


def application_save(session: SessionBase, application: Application) -> None:
    """Keep the application in the session and note the visitor was active now."""
    application.last_activity = time.time()
    session[SESSION_KEY] = application.as_session_data()


def application_clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def confirmation_reference(session: SessionBase) -> str:
    return str(session.get(CONFIRMATION_KEY, ""))


def application_answer_record(
    session: SessionBase, application: Application, step: Step, form: f.StepForm
) -> None:
    """Keep a step's valid answer, as the fields were sent (strings and lists of strings)."""
    raw: dict[str, Any] = {}
    for name, bound in form.fields.items():
        value = bound.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        raw[name] = value if value is not None else ""
    application.answers[step.name] = raw
    if step.name == f.PRIVACY:
        application.consent_given_at = timezone.now().isoformat()
    application_save(session, application)


# ----- walking the steps ---------------------------------------------------


@dataclass
class Walk:
    """The steps answered, in order, as far as the first unanswered (or no longer valid) one."""

    answered: list[tuple[Step, f.StepForm]]
    earlier: f.Earlier
    current: Step | None = None
    current_form: f.StepForm | None = None

    @property
    def complete(self) -> bool:
        return self.current is None

    @property
    def reachable(self) -> list[Step]:
        steps = [step for step, _ in self.answered]
        if self.current is not None:
            steps.append(self.current)
        return steps

    def previous(self, step: Step) -> Step | None:
        steps = self.reachable
        index = steps.index(step) if step in steps else len(steps)
        return steps[index - 1] if index > 0 else None

    def following(self, step: Step) -> Step | None:
        steps = self.reachable
        if step in steps and steps.index(step) + 1 < len(steps):
            return steps[steps.index(step) + 1]
        return None

    def form_for(self, name: str) -> f.StepForm:
        for step, form in self.answered:
            if step.name == name:
                return form
        raise DomainError("The application is not complete.")


def application_walk(application: Application) -> Walk:
    """Check every answer in order against the ones before it; stop at the first gap."""
    cleaned: dict[str, dict[str, Any]] = {}
    earlier = f.Earlier(cleaned)
    walk = Walk(answered=[], earlier=earlier)
    for step in STEPS:
        data = application.answers.get(step.name)
        form = step.form_class(data=data, earlier=earlier) if data is not None else None
        if form is None or not form.is_valid():
            walk.current = step
            walk.current_form = form
            return walk
        cleaned[step.name] = form.cleaned_data
        walk.answered.append((step, form))
    return walk


# ----- the answers, as the service takes them -----------------------------


@dataclass(frozen=True)
class RefereeAnswers:
    full_name: str
    relationship: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class EqualityAnswers:
    """Codes from the equality questions; "" where a question was not answered."""

    age_band: str = ""
    sex: str = ""
    gender_same_as_birth: str = ""
    ethnicity: str = ""
    disability: str = ""
    religion: str = ""
    sexual_orientation: str = ""

    @property
    def any_given(self) -> bool:
        return any(getattr(self, name) for name in f.EQUALITY_FIELDS)


@dataclass(frozen=True)
class VolunteerAnswers:
    """Everything a volunteer application says, checked: what the submit service takes."""

    first_name: str
    last_name: str
    date_of_birth: dt.date
    email: str
    address_line_1: str
    town: str
    postcode: str
    roles: tuple[str, ...]
    availability: tuple[str, ...]
    hours_per_month: int
    languages: str
    motivation: str
    referees: tuple[RefereeAnswers, RefereeAnswers]
    consent_given_at: dt.datetime
    phone: str = ""
    address_line_2: str = ""
    experience: str = ""
    access_needs: str = ""
    equality: EqualityAnswers = EqualityAnswers()
    privacy_notice_version: str = PRIVACY_NOTICE_VERSION


def application_answers(application: Application, walk: Walk | None = None) -> VolunteerAnswers:
    """The checked answers of a complete application; DomainError if it is not complete."""
    walk = walk or application_walk(application)
    if not walk.complete or not application.consent_given_at:
        raise DomainError("The application is not complete.")
    e = walk.earlier

    def referee(step: str) -> RefereeAnswers:
        return RefereeAnswers(
            full_name=e.value(step, "full_name"),
            relationship=e.value(step, "relationship"),
            email=e.value(step, "email", ""),
            phone=e.value(step, "phone", ""),
        )

    return VolunteerAnswers(
        first_name=e.value(f.NAME, "first_name"),
        last_name=e.value(f.NAME, "last_name"),
        date_of_birth=e.value(f.DATE_OF_BIRTH, "date"),
        email=e.value(f.CONTACT, "email"),
        phone=e.value(f.CONTACT, "phone", ""),
        address_line_1=e.value(f.ADDRESS, "address_line_1"),
        address_line_2=e.value(f.ADDRESS, "address_line_2", ""),
        town=e.value(f.ADDRESS, "town"),
        postcode=e.value(f.ADDRESS, "postcode"),
        roles=tuple(e.value(f.ROLES, "roles")),
        availability=tuple(e.value(f.AVAILABILITY, "availability")),
        hours_per_month=e.value(f.HOURS, "hours"),
        languages=e.value(f.LANGUAGES, "languages"),
        experience=e.value(f.EXPERIENCE, "experience", ""),
        motivation=e.value(f.MOTIVATION, "motivation"),
        access_needs=e.value(f.ACCESS_NEEDS, "access_needs", ""),
        referees=(referee(f.FIRST_REFEREE), referee(f.SECOND_REFEREE)),
        equality=EqualityAnswers(
            **{name: e.value(f.EQUALITY, name, "") or "" for name in f.EQUALITY_FIELDS}
        ),
        consent_given_at=dt.datetime.fromisoformat(application.consent_given_at),
    )


# ----- submitting ----------------------------------------------------------


def volunteer_provider() -> Organisation:
    """The RJ provider that recruits volunteers: VOLUNTEER_PROVIDER, else the first provider."""
    providers = Organisation.objects.filter(kind=OrganisationKind.RJ_PROVIDER)
    if settings.VOLUNTEER_PROVIDER:
        chosen = providers.filter(slug=settings.VOLUNTEER_PROVIDER).first()
        if chosen is not None:
            return chosen
        logger.warning(
            "VOLUNTEER_PROVIDER %r is not a restorative justice provider; using the first one",
            settings.VOLUNTEER_PROVIDER,
        )
    provider = providers.order_by("name", "pk").first()
    if provider is None:
        raise DomainError("There is no restorative justice provider to send applications to.")
    return provider


def _coordinator_emails(provider: Organisation) -> list[str]:
    return list(
        User.objects.filter(
            organisation=provider,
            is_active=True,
            role_grants__role=Role.VOLUNTEER_COORDINATOR,
        )
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def volunteer_application_notify(*, practitioner: Practitioner) -> None:
    """Queue the applicant's acknowledgement and the volunteer coordinators' alert.

    Call inside the transaction that made the record. Neither text carries anything
    about the applicant but the reference; the alert names nobody.
    """
    provider = practitioner.provider
    personalisation = {
        "reference": practitioner.reference,
        "provider_name": provider.name,
        "service_name": settings.SERVICE_NAME,
    }
    messages = [
        MessageToSend(
            channel=MessageChannel.EMAIL,
            recipient=practitioner.email,
            template=VOLUNTEER_ACK,
            personalisation=personalisation,
            record=practitioner,
        )
    ]
    # Every volunteer coordinator of the provider; the team inbox if it has none yet.
    recipients = _coordinator_emails(provider) or (
        [provider.notification_email] if provider.notification_email else []
    )
    if not recipients:
        message_not_sent(
            template=VOLUNTEER_NEW_COORDINATOR, record=practitioner, reason="no coordinator"
        )
    path = reverse("practitioners:detail", kwargs={"reference": practitioner.reference})
    link = f"{settings.SITE_URL.rstrip('/')}{path}"
    messages += [
        MessageToSend(
            channel=MessageChannel.EMAIL,
            recipient=recipient,
            template=VOLUNTEER_NEW_COORDINATOR,
            personalisation={**personalisation, "link": link},
            record=practitioner,
        )
        for recipient in recipients
    ]
    messages_queue(messages)


def _first_of_month(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def volunteer_application_submit(
    *, answers: VolunteerAnswers, submission_key: str, counted_as: str = ""
) -> Practitioner:
    """Make the practitioner record a volunteer application asks for, once per submission key.

    Everything is written in one transaction. A second submit with the same key (a
    double click, a resubmitted page, a race between two requests) gets the record
    the first one made, and nothing else is written. A new record counts once against
    the rate counter `counted_as`, after the commit.
    """
    existing = Practitioner.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    provider = volunteer_provider()
    now = timezone.now()
    try:
        with transaction.atomic():
            practitioner = Practitioner.objects.create(
                provider=provider,
                kind=PractitionerKind.VOLUNTEER,
                first_name=answers.first_name,
                last_name=answers.last_name,
                email=answers.email,
                phone=answers.phone,
                availability=list(answers.availability),
                languages=answers.languages,
                submission_key=submission_key,
                created_at=now,
            )
            VolunteerApplication.objects.create(
                practitioner=practitioner,
                date_of_birth=answers.date_of_birth,
                address_line_1=answers.address_line_1,
                address_line_2=answers.address_line_2,
                town=answers.town,
                postcode=answers.postcode,
                roles_interested=list(answers.roles),
                hours_per_month=str(answers.hours_per_month),
                experience=answers.experience,
                motivation=answers.motivation,
                access_needs=answers.access_needs,
                privacy_notice_version=answers.privacy_notice_version,
                submitted_at=now,
            )
            Referee.objects.bulk_create(
                Referee(
                    practitioner=practitioner,
                    name=referee.full_name,
                    relationship=referee.relationship,
                    email=referee.email,
                    phone=referee.phone,
                )
                for referee in answers.referees
            )
            audit_record(
                actor=None,
                action=AuditAction.CREATE,
                record=practitioner,
                detail={"source": "volunteer_application", "referees": len(answers.referees)},
            )
            if answers.equality.any_given:
                # Deliberately unaudited and unlinked: an audit row would tie it to this
                # request, and so to the person.
                EqualityMonitoringResponse.objects.create(
                    provider=provider,
                    month=_first_of_month(now),
                    **{name: getattr(answers.equality, name) for name in f.EQUALITY_FIELDS},
                )
            volunteer_application_notify(practitioner=practitioner)
    except IntegrityError:
        # Another request with this key committed first: its record is this application's.
        existing = Practitioner.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing
    if counted_as:
        rate_hit(key=counted_as, window_seconds=RATE_WINDOW_SECONDS)
    return practitioner


# ----- a brake on bots -----------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's IP address, trusting as many X-Forwarded-For hops as proxies we run."""
    proxies: int = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    return str(request.META.get("REMOTE_ADDR", ""))


def submission_rate_key(request: HttpRequest) -> str:
    """The counter of applications sent from the request's address (hashed: no IP is kept)."""
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"volunteer:{address}"


def submission_allowed(request: HttpRequest, submission_key: str) -> bool:
    """At most N different applications an hour from one address; resending one is free.

    Only applications that made a record are counted (`volunteer_application_submit`
    counts them), so a double click, a retry or 20 copies of one submit count once,
    and an application already sent is never refused. The hour is a fixed window
    (core/ratelimit.py): a brake on bots, not an exact quota.
    """
    sent = rate_count(key=submission_rate_key(request), window_seconds=RATE_WINDOW_SECONDS)
    if sent < settings.VOLUNTEER_SUBMISSIONS_PER_HOUR:
        return True
    return Practitioner.objects.filter(submission_key=submission_key).exists()


def application_sent(session: SessionBase, practitioner: Practitioner) -> None:
    """Forget the answers; keep only the reference (no personal data) for the confirmation."""
    application_clear(session)
    session[CONFIRMATION_KEY] = practitioner.reference
