"""The person harmed's name and date of birth, copied onto the referral for the hub's queue.

The queue (hub/queue.py) searches by the start of the person harmed's name and
filters by their age among a hub's open referrals. Reading those from the
people of each referral would cost a join per open referral on every page; so
the referral keeps copies: `victim_family_key` and `victim_given_key` (lower
case, spaces tidied: what a search is compared with) and `victim_born_on`. They
describe the first person harmed named on the referral, and are set by
`referral_create` and when a caseworker links another person record in their
place (referrals/matching.py). A service that changes a person's name or date
of birth must call `referral_victim_fields_refresh` for their referrals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from amends.people.models import Person
from amends.referrals.models import PersonRole, Referral, ReferralPerson

VICTIM_FIELDS = ("victim_family_key", "victim_given_key", "victim_born_on")


def name_key(name: str) -> str:
    """A name as the queue compares it: lower case, single spaces, none at either end."""
    return " ".join(name.lower().split())


def victim_fields(
    *, given_name: str = "", family_name: str = "", date_of_birth: dt.date | None = None
) -> dict[str, str | dt.date | None]:
    """The referral's copies of its person harmed's name and date of birth."""
    return {
        "victim_family_key": name_key(family_name)[:100],
        "victim_given_key": name_key(given_name)[:100],
        "victim_born_on": date_of_birth,
    }


def person_victim_fields(person: Person | None) -> dict[str, str | dt.date | None]:
    if person is None:
        return victim_fields()
    return victim_fields(
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
    )


def first_victim(entries: Iterable[ReferralPerson]) -> Person | None:
    """The person harmed named first (lowest id) among a referral's people."""
    victims = sorted((e for e in entries if e.role == PersonRole.VICTIM), key=lambda e: e.pk)
    return victims[0].person if victims else None


def referral_victim_fields_refresh(*, referral: Referral) -> None:
    """Copy the first person harmed's keys onto `referral` again (in the caller's transaction)."""
    entries = ReferralPerson.objects.filter(referral_id=referral.pk, role=PersonRole.VICTIM)
    fields = person_victim_fields(first_victim(entries.select_related("person")))
    changed = {name: value for name, value in fields.items() if getattr(referral, name) != value}
    if changed:
        Referral.objects.filter(pk=referral.pk).update(**changed)
        for name, value in changed.items():
            setattr(referral, name, value)
