"""The public online application (/refer/): its steps, where its answers live, and sending it.

Answers are kept on the server, in the visitor's session, and nowhere else: not in
the browser's storage, not in a URL. They are discarded when the application is
sent, when the visitor uses "Exit this page", and after 30 minutes without
activity. Each application gets a random submission key when it starts; the
referral it makes carries that key (unique), so however often the final step is
sent, one application makes one referral.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind
from amends.core.errors import DomainError
from amends.core.ratelimit import rate_count, rate_hit
from amends.people.models import Person
from amends.referrals import forms_application as f
from amends.referrals.models import (
    Answer,
    ContactChannel,
    PersonRole,
    Referral,
    ReferralSource,
)
from amends.referrals.notifications import referral_created_notify
from amends.referrals.services import PersonInReferral, referral_create

logger = logging.getLogger(__name__)

SESSION_KEY = "amends_application"
CONFIRMATION_KEY = "amends_application_sent"
TIMEOUT_SECONDS = 30 * 60
# The version of the privacy notice (/privacy/) the applicant agreed to.
PRIVACY_NOTICE_VERSION = "2026-11"
RATE_WINDOW_SECONDS = 60 * 60


# ----- the steps -----------------------------------------------------------

Condition = Callable[[f.Earlier], bool]


def _always(earlier: f.Earlier) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    name: str
    form_class: type[f.StepForm]
    section: str
    applies: Condition = _always


ABOUT_YOU = "about_you"
WHAT_HAPPENED = "what_happened"
PERSON_HARMED = "person_harmed"
CONTACT = "contact"
ACCESS = "access"
NEEDS = "needs"
CONSENT = "consent"

STEPS: tuple[Step, ...] = (
    Step(f.WHO, f.WhoForm, ABOUT_YOU),
    Step(f.APPLICANT_NAME, f.ApplicantNameForm, ABOUT_YOU, lambda e: e.on_behalf),
    Step(f.APPLICANT_CONTACT, f.ApplicantContactForm, ABOUT_YOU, lambda e: e.on_behalf),
    Step(f.RELATIONSHIP, f.RelationshipForm, ABOUT_YOU, lambda e: e.on_behalf),
    Step(f.UNDER_18, f.Under18Form, ABOUT_YOU, lambda e: e.on_behalf),
    Step(f.PARENT_OR_GUARDIAN, f.ParentOrGuardianForm, ABOUT_YOU, lambda e: e.under_18),
    Step(
        f.PARENT_DETAILS,
        f.ParentDetailsForm,
        ABOUT_YOU,
        lambda e: e.under_18 and not e.applicant_is_parent,
    ),
    Step(f.AGREEMENT, f.AgreementForm, ABOUT_YOU, lambda e: e.on_behalf),
    Step(f.REPORTED, f.ReportedForm, WHAT_HAPPENED),
    Step(
        f.CRIME_REFERENCE,
        f.CrimeReferenceForm,
        WHAT_HAPPENED,
        lambda e: e.value(f.REPORTED, "reported") == Answer.YES,
    ),
    Step(f.OFFENCE, f.OffenceForm, WHAT_HAPPENED),
    Step(f.WHEN, f.WhenForm, WHAT_HAPPENED),
    Step(f.WHERE, f.WhereForm, WHAT_HAPPENED),
    Step(f.VICTIM_NAME, f.VictimNameForm, PERSON_HARMED),
    Step(f.DATE_OF_BIRTH, f.DateOfBirthForm, PERSON_HARMED),
    Step(f.VICTIM_CONTACT, f.VictimContactForm, PERSON_HARMED),
    Step(f.AREA, f.AreaForm, PERSON_HARMED),
    Step(f.RESPONSIBLE, f.ResponsibleForm, WHAT_HAPPENED),
    Step(f.SAFE_CONTACT, f.SafeContactForm, CONTACT, lambda e: bool(e.victim_channels)),
    Step(
        f.SAFE_TIMES,
        f.SafeTimesForm,
        CONTACT,
        lambda e: bool({ContactChannel.PHONE, ContactChannel.SMS} & set(e.safe_channels)),
    ),
    Step(f.VOICEMAIL, f.VoicemailForm, CONTACT, lambda e: ContactChannel.PHONE in e.safe_channels),
    Step(f.INTERPRETER, f.InterpreterForm, ACCESS),
    Step(
        f.LANGUAGE,
        f.LanguageForm,
        ACCESS,
        lambda e: e.value(f.INTERPRETER, "interpreter") == f.SPOKEN,
    ),
    Step(f.ADJUSTMENTS, f.AdjustmentsForm, ACCESS),
    Step(f.SAFETY, f.SafetyForm, NEEDS),
    Step(f.SUPPORT, f.SupportForm, NEEDS),
    Step(f.CONSENT, f.ConsentForm, CONSENT),
)
STEPS_BY_NAME = {step.name: step for step in STEPS}
FIRST_STEP = STEPS[0]


def step_named(name: str) -> Step | None:
    return STEPS_BY_NAME.get(name)


# ----- the session store ---------------------------------------------------


class ApplicationExpired(Exception):
    """The application was left for more than 30 minutes; its answers are gone."""


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
    application = Application(submission_key=secrets.token_urlsafe(32))
    application_save(session, application)
    return application


def application_save(session: SessionBase, application: Application) -> None:
    """Keep the application in the session and note the visitor was active now."""
    application.last_activity = time.time()
    session[SESSION_KEY] = application.as_session_data()


def application_clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def application_exit(request: HttpRequest) -> None:
    """Exit this page: forget the application (and, for a visitor, the whole session)."""
    application_clear(request.session)
    request.session.pop(CONFIRMATION_KEY, None)
    if not request.user.is_authenticated:
        request.session.flush()


def confirmation_reference(session: SessionBase) -> str:
    return str(session.get(CONFIRMATION_KEY, ""))


def application_answer_record(
    session: SessionBase, application: Application, step: Step, form: f.StepForm
) -> None:
    """Keep a step's valid answer, as the fields were sent (strings and lists of strings)."""
    raw: dict[str, Any] = {}
    for name, bound in form.fields.items():
        widget = bound.widget
        value = widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        raw[name] = value if value is not None else ""
    application.answers[step.name] = raw
    if step.name == f.CONSENT:
        application.consent_given_at = timezone.now().isoformat()
    application_save(session, application)


# ----- walking the steps ---------------------------------------------------


@dataclass
class Walk:
    """The steps that apply to these answers, in order, as far as the first unanswered one."""

    answered: list[tuple[Step, f.StepForm]]
    earlier: f.Earlier
    current: Step | None = None
    current_form: f.StepForm | None = None
    blocked_by: Step | None = None

    @property
    def complete(self) -> bool:
        return self.current is None and self.blocked_by is None

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


def application_walk(application: Application) -> Walk:
    """Check every answer in order against the ones before it; stop at the first gap."""
    cleaned: dict[str, dict[str, Any]] = {}
    earlier = f.Earlier(cleaned)
    walk = Walk(answered=[], earlier=earlier)
    for step in STEPS:
        if not step.applies(earlier):
            continue
        data = application.answers.get(step.name)
        form = step.form_class(data=data, earlier=earlier) if data is not None else None
        if form is None or not form.is_valid():
            walk.current = step
            walk.current_form = form
            return walk
        cleaned[step.name] = form.cleaned_data
        walk.answered.append((step, form))
        if isinstance(form, f.AgreementForm) and form.blocks():
            walk.blocked_by = step
            return walk
    return walk


# ----- the answers, as the service takes them -----------------------------


def split_name(full_name: str) -> tuple[str, str]:
    """A full name as given and family names: the last word is taken as the family name."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip(), ""
    return " ".join(words[:-1]), words[-1]


@dataclass(frozen=True)
class ContactDetails:
    email: str = ""
    phone: str = ""
    address_line_1: str = ""
    town: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class ApplicationAnswers:
    """Everything an application says, checked, in the shape `application_submit` takes."""

    on_behalf: bool
    offence_type: str
    offence_date: dt.date
    offence_place: str
    victim_name: str
    victim_date_of_birth: dt.date
    victim_contact: ContactDetails
    area: str
    offender_known: str
    consent_given_at: dt.datetime
    reported_to_police: bool | None = None
    crime_reference: str = ""
    applicant_name: str = ""
    applicant_contact: ContactDetails = ContactDetails()
    relationship: str = ""
    under_18: bool = False
    applicant_is_parent: bool = False
    parent_name: str = ""
    parent_contact: ContactDetails = ContactDetails()
    knows_and_agrees: bool | None = None
    safe_channels: tuple[str, ...] = ()
    safe_times: str = ""
    may_leave_message: bool | None = None
    needs_interpreter: bool = False
    uses_bsl: bool = False
    language: str = ""
    adjustments: str = ""
    feels_unsafe_at_home: bool | None = None
    support_wanted: str = ""
    privacy_notice_version: str = PRIVACY_NOTICE_VERSION


_YES_NO_NOT_SURE = {Answer.YES: True, Answer.NO: False, Answer.NOT_SURE: None}


def application_answers(application: Application, walk: Walk | None = None) -> ApplicationAnswers:
    """The checked answers of a complete application; DomainError if it is not complete."""
    walk = walk or application_walk(application)
    if not walk.complete or not application.consent_given_at:
        raise DomainError("The application is not complete.")
    e = walk.earlier

    def contact(step: str) -> ContactDetails:
        return ContactDetails(
            email=e.value(step, "email", ""),
            phone=e.value(step, "phone", ""),
            address_line_1=e.value(step, "address_line_1", ""),
            town=e.value(step, "town", ""),
            postcode=e.value(step, "postcode", ""),
        )

    interpreter = e.value(f.INTERPRETER, "interpreter")
    return ApplicationAnswers(
        on_behalf=e.on_behalf,
        applicant_name=e.value(f.APPLICANT_NAME, "full_name", ""),
        applicant_contact=contact(f.APPLICANT_CONTACT),
        relationship=e.value(f.RELATIONSHIP, "relationship", ""),
        under_18=e.under_18,
        applicant_is_parent=e.applicant_is_parent,
        parent_name=e.value(f.PARENT_DETAILS, "full_name", ""),
        parent_contact=contact(f.PARENT_DETAILS),
        knows_and_agrees=(e.value(f.AGREEMENT, "knows_and_agrees") == Answer.YES)
        if e.on_behalf
        else None,
        reported_to_police=_YES_NO_NOT_SURE[e.value(f.REPORTED, "reported")],
        crime_reference=e.value(f.CRIME_REFERENCE, "crime_reference", ""),
        offence_type=e.value(f.OFFENCE, "offence_type"),
        offence_date=e.value(f.WHEN, "date"),
        offence_place=e.value(f.WHERE, "place"),
        victim_name=e.value(f.VICTIM_NAME, "full_name"),
        victim_date_of_birth=e.value(f.DATE_OF_BIRTH, "date"),
        victim_contact=contact(f.VICTIM_CONTACT),
        area=e.value(f.AREA, "area"),
        offender_known=e.value(f.RESPONSIBLE, "offender_known"),
        safe_channels=tuple(e.safe_channels),
        safe_times=e.value(f.SAFE_TIMES, "safe_times", ""),
        may_leave_message=(e.value(f.VOICEMAIL, "may_leave_message") == Answer.YES)
        if ContactChannel.PHONE in e.safe_channels
        else None,
        needs_interpreter=interpreter in {f.SPOKEN, f.BSL},
        uses_bsl=interpreter == f.BSL,
        language=e.value(f.LANGUAGE, "language", "") if interpreter == f.SPOKEN else "",
        adjustments=e.value(f.ADJUSTMENTS, "adjustments", ""),
        feels_unsafe_at_home=e.feels_unsafe,
        support_wanted=e.value(f.SUPPORT, "support_wanted", ""),
        consent_given_at=dt.datetime.fromisoformat(application.consent_given_at),
    )


# ----- submitting ----------------------------------------------------------


def _hub_for(area: str) -> Organisation:
    """The hub for the area chosen; "I'm not sure" (or a hub since removed) goes to the default."""
    hubs = Organisation.objects.filter(kind=OrganisationKind.VICTIM_CARE_HUB)
    if area != f.NOT_SURE_AREA:
        chosen = hubs.filter(slug=area).first()
        if chosen is not None:
            return chosen
    default = hubs.filter(slug=settings.PUBLIC_REFERRAL_DEFAULT_HUB).first()
    if default is not None:
        return default
    fallback = hubs.order_by("name").first()
    if fallback is None:
        raise DomainError("There is no victim care hub to send applications to.")
    logger.warning(
        "PUBLIC_REFERRAL_DEFAULT_HUB %r is not a victim care hub; sending to %s",
        settings.PUBLIC_REFERRAL_DEFAULT_HUB,
        fallback.slug,
    )
    return fallback


def _person(role: str, full_name: str, contact: ContactDetails, **extra: Any) -> PersonInReferral:
    given_name, family_name = split_name(full_name)
    return PersonInReferral(
        role=role,
        given_name=given_name,
        family_name=family_name,
        email=contact.email,
        phone=contact.phone,
        address_line_1=contact.address_line_1,
        town=contact.town,
        postcode=contact.postcode,
        **extra,
    )


def _people(answers: ApplicationAnswers) -> list[PersonInReferral]:
    victim_contact = answers.victim_contact
    victim = _person(
        PersonRole.VICTIM,
        answers.victim_name,
        victim_contact,
        date_of_birth=answers.victim_date_of_birth,
        knows_and_agrees=answers.knows_and_agrees,
        safe_channels=list(answers.safe_channels),
        safe_times=answers.safe_times,
        may_leave_message=answers.may_leave_message,
        post_is_safe=(ContactChannel.LETTER in answers.safe_channels)
        if victim_contact.address_line_1
        else None,
        language=answers.language,
        needs_interpreter=answers.needs_interpreter,
        uses_bsl=answers.uses_bsl,
        adjustments=answers.adjustments,
    )
    people = [victim]
    if not answers.on_behalf:
        return people
    # Whoever applies for someone else gave their own details to be contacted on: those
    # are their safe ways (the safe-contact questions protect the person harmed).
    applicant = answers.applicant_contact
    applicant_channels = ([ContactChannel.EMAIL.value] if applicant.email else []) + (
        [ContactChannel.PHONE.value, ContactChannel.SMS.value] if applicant.phone else []
    )
    referrer = _person(
        PersonRole.REFERRER,
        answers.applicant_name,
        applicant,
        relationship=answers.relationship,
        safe_channels=applicant_channels,
    )
    people.append(referrer)
    if answers.applicant_is_parent:
        # One person, two roles: the same record as referrer and as parent or guardian.
        given_name, family_name = split_name(answers.applicant_name)
        referrer.person = Person.objects.create(
            given_name=given_name,
            family_name=family_name,
            email=applicant.email,
            phone=applicant.phone,
        )
        people.append(
            PersonInReferral(
                role=PersonRole.PARENT_GUARDIAN,
                given_name=given_name,
                family_name=family_name,
                relationship=answers.relationship,
                safe_channels=applicant_channels,
                person=referrer.person,
            )
        )
    elif answers.parent_name:
        people.append(
            _person(
                PersonRole.PARENT_GUARDIAN,
                answers.parent_name,
                answers.parent_contact,
                relationship="Parent or guardian",
            )
        )
    return people


def application_submit(
    *, answers: ApplicationAnswers, submission_key: str, counted_as: str = ""
) -> Referral:
    """Make the referral an online application asks for, once per submission key.

    The referral, its people, its audit event and its notifications are written in
    one transaction. A second submit with the same key (a double click, a resubmitted
    page, a race between two requests) gets the referral the first one made. A new
    referral counts once against the rate counter `counted_as`, after the commit.
    """
    # No look first: the unique submission key refuses a second referral, and the
    # IntegrityError below returns the first (a repeat is rare; a look costs every submit).
    hub = _hub_for(answers.area)
    try:
        with transaction.atomic():
            referral = referral_create(
                actor=None,
                hub=hub,
                source=ReferralSource.ON_BEHALF if answers.on_behalf else ReferralSource.SELF,
                offence_type=answers.offence_type,
                offence_date=answers.offence_date,
                offence_place=answers.offence_place,
                crime_reference=answers.crime_reference,
                # Every child harmed by crime is entitled to enhanced rights (Victims' Code).
                enhanced_rights=f.is_under_18(answers.victim_date_of_birth),
                reported_to_police=answers.reported_to_police,
                offender_known=answers.offender_known,
                feels_unsafe_at_home=answers.feels_unsafe_at_home,
                support_wanted=answers.support_wanted,
                consent_given_at=answers.consent_given_at,
                privacy_notice_version=answers.privacy_notice_version,
                submission_key=submission_key,
                people=_people(answers),
            )
            referral_created_notify(referral=referral)
    except IntegrityError:
        # Another request with this key committed first: its referral is this application's.
        existing = Referral.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing
    if counted_as:
        rate_hit(key=counted_as, window_seconds=RATE_WINDOW_SECONDS)
    return referral


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
    return f"apply:{address}"


def submission_allowed(request: HttpRequest, submission_key: str) -> bool:
    """At most N different applications an hour from one address; resending one is free.

    Only applications that made a referral are counted (`application_submit` counts
    them), so a double click, a retry or 20 copies of one submit count once, and an
    application already sent is never refused. The hour is a fixed window
    (core/ratelimit.py): a brake on bots, not an exact quota.
    """
    sent = rate_count(key=submission_rate_key(request), window_seconds=RATE_WINDOW_SECONDS)
    if sent < settings.PUBLIC_REFERRAL_SUBMISSIONS_PER_HOUR:
        return True
    return Referral.objects.filter(submission_key=submission_key).exists()


def application_sent(session: SessionBase, referral: Referral) -> None:
    """Forget the answers; keep only the reference (no personal data) for the confirmation."""
    application_clear(session)
    session[CONFIRMATION_KEY] = referral.reference
