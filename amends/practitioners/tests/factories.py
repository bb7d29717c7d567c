"""factory-boy factories for every practitioners model (also used by the events tests).

`PractitionerFactory(state=...)` creates a record already in a state, as a fixture; a test
that is about a state change moves it with `services.practitioner_transition`. The
helpers at the end build the usual people: a provider with its volunteer coordinator, and
a practitioner who is active and eligible for allocation (DBS in date, supervised and
observed recently, facilitator training done).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
import factory.django
from django.utils import timezone
from factory import Faker, LazyFunction, Sequence, SubFactory

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.practitioners.models import (
    AccreditationRole,
    CpdEntry,
    DbsCheck,
    DbsOutcome,
    EqualityMonitoringResponse,
    ObservedPractice,
    Practitioner,
    PractitionerKind,
    PractitionerLevel,
    PractitionerState,
    Referee,
    SupervisionSession,
    TrainingCourse,
    TrainingRecord,
    VolunteerApplication,
)


def _today() -> dt.date:
    return timezone.localdate()


def _days_ago(days: int) -> Any:
    return LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=days))


class ProviderFactory(OrganisationFactory):
    """An RJ provider (the organisation practitioners belong to)."""

    name = Faker("company", locale="en_GB")
    slug = Sequence(lambda n: f"provider-{n}")
    kind = OrganisationKind.RJ_PROVIDER


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    provider = SubFactory(ProviderFactory)
    kind = PractitionerKind.VOLUNTEER
    state = PractitionerState.APPLIED
    first_name = Faker("first_name", locale="en_GB")
    last_name = Faker("last_name", locale="en_GB")
    email = Sequence(lambda n: f"volunteer{n}@example.org")
    phone = Faker("phone_number", locale="en_GB")
    case_limit = 3
    availability = factory.LazyFunction(lambda: ["tuesday_evening", "saturday_morning"])
    languages = "English"
    areas = "Barnet"


class VolunteerApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerApplication

    practitioner = SubFactory(PractitionerFactory)
    date_of_birth = Faker("date_of_birth", minimum_age=21, maximum_age=70)
    address_line_1 = Faker("street_address", locale="en_GB")
    town = Faker("city", locale="en_GB")
    postcode = Faker("postcode", locale="en_GB")
    roles_interested = factory.LazyFunction(lambda: [AccreditationRole.FACILITATOR.value])
    hours_per_month = "8 hours"
    experience = Faker("paragraph", locale="en_GB")
    motivation = Faker("paragraph", locale="en_GB")
    privacy_notice_version = "2026-01"


class RefereeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referee

    practitioner = SubFactory(PractitionerFactory)
    name = Faker("name", locale="en_GB")
    relationship = "Former manager"
    email = Sequence(lambda n: f"referee{n}@example.org")
    phone = Faker("phone_number", locale="en_GB")


class EqualityMonitoringResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EqualityMonitoringResponse

    provider = SubFactory(ProviderFactory)
    month = LazyFunction(lambda: timezone.localdate().replace(day=1))
    age_band = "35 to 44"
    sex = "Female"
    gender_same_as_birth = "Yes"
    ethnicity = "White: English, Welsh, Scottish, Northern Irish or British"
    disability = "No"
    religion = "No religion"
    sexual_orientation = "Prefer not to say"


class DbsCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DbsCheck

    practitioner = SubFactory(PractitionerFactory)
    certificate_number = Sequence(lambda n: f"{1000_0000_0000 + n:012d}")
    issue_date = _days_ago(60)
    outcome = DbsOutcome.CLEAR


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    practitioner = SubFactory(PractitionerFactory)
    course = TrainingCourse.FACILITATOR
    title = "RJ facilitator training (4 days)"
    completed_on = _days_ago(120)
    hours = Decimal("28.0")
    trainer = Faker("name", locale="en_GB")


class SupervisionSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionSession

    practitioner = SubFactory(PractitionerFactory)
    held_on = _days_ago(14)
    supervisor = Faker("name", locale="en_GB")
    notes = "Caseload and wellbeing discussed."


class ObservedPracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObservedPractice

    practitioner = SubFactory(PractitionerFactory)
    observed_on = _days_ago(90)
    observer = Faker("name", locale="en_GB")
    satisfactory = True
    notes = "Preparation meeting observed."


class CpdEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CpdEntry

    practitioner = SubFactory(PractitionerFactory)
    completed_on = _days_ago(30)
    activity = "Webinar: trauma-informed practice"
    hours = Decimal("2.0")
    evidence = "Certificate of attendance"


# --- people ---------------------------------------------------------------------------


def volunteer_coordinator_factory(provider: Organisation, **kwargs: Any) -> User:
    user: User = UserFactory(organisation=provider, roles=[Role.VOLUNTEER_COORDINATOR], **kwargs)
    return user


def provider_coordinator_factory(provider: Organisation, **kwargs: Any) -> User:
    user: User = UserFactory(organisation=provider, roles=[Role.PROVIDER_COORDINATOR], **kwargs)
    return user


def facilitator_user_factory(provider: Organisation, **kwargs: Any) -> User:
    user: User = UserFactory(organisation=provider, roles=[Role.FACILITATOR], **kwargs)
    return user


def eligible_practitioner_factory(
    *,
    provider: Organisation | None = None,
    user: User | None = None,
    supervised_days_ago: int = 14,
    observed_days_ago: int = 90,
    dbs_issued_days_ago: int = 60,
    **kwargs: Any,
) -> Practitioner:
    """An active, accredited facilitator with every record in date (eligible for allocation).

    Change one of the `*_days_ago` to make them fall out of eligibility.
    """
    fields: dict[str, Any] = {
        "state": PractitionerState.ACTIVE,
        "accreditation_role": AccreditationRole.FACILITATOR,
        "level": PractitionerLevel.PRACTITIONER,
        "user": user,
    }
    if provider is not None:
        fields["provider"] = provider
    fields.update(kwargs)
    practitioner: Practitioner = PractitionerFactory(**fields)
    today = _today()
    DbsCheckFactory(
        practitioner=practitioner, issue_date=today - dt.timedelta(days=dbs_issued_days_ago)
    )
    TrainingRecordFactory(practitioner=practitioner, course=TrainingCourse.FACILITATOR)
    SupervisionSessionFactory(
        practitioner=practitioner, held_on=today - dt.timedelta(days=supervised_days_ago)
    )
    ObservedPracticeFactory(
        practitioner=practitioner, observed_on=today - dt.timedelta(days=observed_days_ago)
    )
    return practitioner


def applicant_factory(*, provider: Organisation | None = None, **kwargs: Any) -> Practitioner:
    """A volunteer who applied online: the record, their answers and two referees."""
    fields: dict[str, Any] = dict(kwargs)
    if provider is not None:
        fields["provider"] = provider
    practitioner: Practitioner = PractitionerFactory(**fields)
    VolunteerApplicationFactory(practitioner=practitioner)
    RefereeFactory(practitioner=practitioner, relationship="Former manager")
    RefereeFactory(practitioner=practitioner, relationship="Friend of five years")
    return practitioner


# The records each step of recruitment needs, made on the way by `walk_to`.
PIPELINE: tuple[str, ...] = (
    PractitionerState.SHORTLISTED,
    PractitionerState.INTERVIEW,
    PractitionerState.REFERENCES,
    PractitionerState.VETTING,
    PractitionerState.INDUCTION,
    PractitionerState.TRAINING,
    PractitionerState.ACCREDITED,
    PractitionerState.ACTIVE,
)


def walk_to(practitioner: Practitioner, state: str, *, actor: User) -> Practitioner:
    """Move an applicant along the pipeline to `state` through the services, as a coordinator.

    Records what each guard asks for on the way (references, a DBS check, training).
    """
    from amends.practitioners import services

    today = _today()
    for step in PIPELINE:
        if practitioner.state == state:
            break
        if step == PractitionerState.VETTING:
            referees = list(practitioner.referees.all())
            while len(referees) < 2:
                referees.append(RefereeFactory(practitioner=practitioner))
            for referee in referees:
                services.referee_record(
                    actor=actor, referee=referee, received_on=today, satisfactory=True
                )
        if step == PractitionerState.INDUCTION:
            services.dbs_check_record(
                actor=actor,
                practitioner=practitioner,
                certificate_number=f"{practitioner.pk:012d}",
                issue_date=today - dt.timedelta(days=30),
                outcome=DbsOutcome.CLEAR,
            )
        if step == PractitionerState.ACCREDITED:
            services.training_record_add(
                actor=actor,
                practitioner=practitioner,
                course=TrainingCourse.FACILITATOR,
                completed_on=today,
                hours=Decimal("28"),
            )
        practitioner = services.practitioner_transition(
            actor=actor,
            practitioner=practitioner,
            to_state=step,
            accreditation_role=AccreditationRole.FACILITATOR
            if step == PractitionerState.ACCREDITED
            else "",
            level=PractitionerLevel.FOUNDATION if step == PractitionerState.ACCREDITED else "",
        )
    assert practitioner.state == state, f"cannot walk to {state}"
    return practitioner
