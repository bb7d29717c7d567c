"""factory-boy factories for events, and the people who run and attend them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
import factory.django
from django.utils import timezone
from factory import Faker, LazyAttribute, LazyFunction, SubFactory

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.events.models import Event, EventKind, RegistrantKind, Registration, VolunteerHours
from amends.practitioners.tests.factories import ProviderFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A scheduled event a fortnight ahead (pass starts_at for another time)."""

    class Meta:
        model = Event

    organiser = SubFactory(ProviderFactory)
    kind = EventKind.OFFICER_AWARENESS
    title = "Restorative justice awareness for officers"
    description = Faker("paragraph", locale="en_GB")
    starts_at = LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=14)).replace(microsecond=0)
    )
    ends_at = LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    venue_name = "Colindale Police Station"
    venue_address = Faker("address", locale="en_GB")
    capacity = 20
    trainer = Faker("name", locale="en_GB")
    audience = "Response officers"


def past_event(**kwargs: Any) -> Event:
    """An event that started yesterday (attendance can be taken)."""
    start = (timezone.now() - dt.timedelta(days=1)).replace(microsecond=0)
    fields: dict[str, Any] = {"starts_at": start, "ends_at": start + dt.timedelta(hours=3)}
    fields.update(kwargs)
    event: Event = EventFactory(**fields)
    return event


def training_event(**kwargs: Any) -> Event:
    """RJ facilitator training, held yesterday, that counts as 21 hours of training."""
    fields: dict[str, Any] = {
        "kind": EventKind.RJ_FACILITATOR_TRAINING,
        "title": "RJ facilitator training, 3 days",
        "training_course": "facilitator",
        "training_hours": Decimal("21.0"),
    }
    fields.update(kwargs)
    return past_event(**fields)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = SubFactory(EventFactory)
    kind = RegistrantKind.POLICE_OFFICER
    name = Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"officer{n}@police.example.org")
    organisation_name = "Metropolitan Police, North West BCU"


class VolunteerHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerHours

    date = LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    hours = Decimal("2.5")
    activity = "other"
    description = "Outreach stall"


def police_force_factory(slug: str = "met-police") -> Organisation:
    force: Organisation = OrganisationFactory(
        slug=slug, name="Metropolitan Police", kind=OrganisationKind.POLICE
    )
    return force


def police_rj_coordinator_factory(force: Organisation, **kwargs: Any) -> User:
    user: User = UserFactory(organisation=force, roles=[Role.POLICE_RJ_COORDINATOR], **kwargs)
    return user
