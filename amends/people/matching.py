"""Finding the same person twice: which other person records may be the same person.

A match is a suggestion for staff, never an action: nothing here links or merges
records. Three rules, each on an indexed column:

- the same given and family name (ignoring case and surrounding spaces) and the
  same date of birth; a name alone is not enough, so no date of birth, no match;
- the same email address (`Person.email` is lower-cased on save);
- the same phone number once normalised (`Person.phone_normalised`).

This module knows nothing of who may see what: the caller passes the records it
may search (`candidates`), and the referrals app passes only the people the user
can already see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower, Trim

from amends.people.models import Person


class MatchReason(models.TextChoices):
    NAME_AND_DATE_OF_BIRTH = "name_and_date_of_birth", "same name and date of birth"
    EMAIL = "email", "same email address"
    PHONE = "phone", "same phone number"


@dataclass(frozen=True)
class PersonMatch:
    """Another person record that may be the same person, and why."""

    person: Person
    reasons: tuple[MatchReason, ...]

    @property
    def reason_labels(self) -> list[str]:
        return [reason.label for reason in self.reasons]


# The expressions the index `people_person_match_name_dob` is built on (see models.py).
MATCH_FAMILY_NAME = Lower(Trim("family_name"))
MATCH_GIVEN_NAME = Lower(Trim("given_name"))


def _name_key(person: Person) -> tuple[str, str]:
    return (person.given_name.strip().lower(), person.family_name.strip().lower())


def match_reasons(person: Person, other: Person) -> tuple[MatchReason, ...]:
    """Why `other` may be the same person as `person` (empty when it may not be)."""
    if person.pk is not None and person.pk == other.pk:
        return ()
    reasons = []
    if (
        person.date_of_birth is not None
        and person.date_of_birth == other.date_of_birth
        and _name_key(person) == _name_key(other)
    ):
        reasons.append(MatchReason.NAME_AND_DATE_OF_BIRTH)
    if person.email and person.email.strip().lower() == other.email.strip().lower():
        reasons.append(MatchReason.EMAIL)
    if person.phone_normalised and person.phone_normalised == other.phone_normalised:
        reasons.append(MatchReason.PHONE)
    return tuple(reasons)


def _match_filter(person: Person) -> Q:
    """The records that may be `person`, as one filter (empty Q when nothing can match)."""
    rules = Q()
    if (
        person.date_of_birth is not None
        and person.given_name.strip()
        and person.family_name.strip()
    ):
        # Both sides go through the same database functions, so that the database's
        # idea of case (SQLite's lower() is ASCII-only) is the one that decides.
        rules |= Q(
            _match_family=Lower(Trim(Value(person.family_name))),
            _match_given=Lower(Trim(Value(person.given_name))),
            date_of_birth=person.date_of_birth,
        )
    email = person.email.strip().lower()
    if email:
        rules |= Q(email=email)
    if person.phone_normalised:
        rules |= Q(phone_normalised=person.phone_normalised)
    return rules


def people_matches(
    *,
    people: Sequence[Person],
    candidates: QuerySet[Person] | None = None,
    limit: int | None = None,
) -> dict[int, list[PersonMatch]]:
    """For each of `people` (by pk), the other records among `candidates` that may be them.

    One query whatever the number of people, however many records match: pass a
    `candidates` queryset with its own `prefetch_related` and the prefetch runs once.
    No person matches itself. People with no match have an empty list. With `limit`,
    at most that many records are fetched: a shared number (a switchboard, a refuge's
    phone) can match thousands, and a page cannot show them all.
    """
    found: dict[int, list[PersonMatch]] = {p.pk: [] for p in people}
    rules = Q()
    for person in people:
        filter_for_person = _match_filter(person)
        if filter_for_person:
            rules |= filter_for_person
    if not rules:
        return found
    queryset = Person.objects.all() if candidates is None else candidates
    ordered = (
        queryset.alias(_match_family=MATCH_FAMILY_NAME, _match_given=MATCH_GIVEN_NAME)
        .filter(rules)
        .order_by("family_name", "given_name", "pk")
    )
    matched = list(ordered if limit is None else ordered[:limit])
    for person in people:
        for other in matched:
            reasons = match_reasons(person, other)
            if reasons:
                found[person.pk].append(PersonMatch(person=other, reasons=reasons))
    return found


def person_matches(
    *, person: Person, candidates: QuerySet[Person] | None = None
) -> list[PersonMatch]:
    """The other person records among `candidates` (default: all) that may be `person`."""
    return people_matches(people=[person], candidates=candidates)[person.pk]
