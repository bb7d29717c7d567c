"""The same person twice, within what a user may see, and linking a referral to a known person.

`people.matching` finds records that may be the same person; this module limits
the search to the people the user can already see (people named in a referral in
`referrals_visible_to(user)`), so that a hub never learns of a person known only
to another hub, and shows of each match only what the user can already read: the
name, the date of birth and the references of the referrals they can open.

Linking is always a person's decision, one referral person at a time
(`referral_person_link`); nothing here links or merges by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from amends.accounts.models import Role, User
from amends.core.audit import audit_record
from amends.core.errors import DomainError, StaleVersion
from amends.core.models import AuditAction
from amends.core.scoping import get_or_404
from amends.people.matching import MatchReason, match_reasons, people_matches
from amends.people.models import Person
from amends.referrals.models import Referral, ReferralPerson, VictimsCodeRecord
from amends.referrals.queue_fields import referral_victim_fields_refresh
from amends.referrals.selectors import (
    people_visible_to,
    referrals_visible_to,
    visible_referral,
)

LINK_ROLES = (Role.HUB_CASEWORKER, Role.HUB_MANAGER)
LINK_NOT_ALLOWED = "Only the hub's caseworkers and managers can link person records."


@dataclass(frozen=True)
class PossibleMatch:
    """A person the user can see who may be the same as someone in this referral."""

    person: Person
    reasons: tuple[MatchReason, ...]
    # The other referrals the user can see that name this person, newest first.
    referrals: list[Referral]

    @property
    def reason_labels(self) -> list[str]:
        return [reason.label for reason in self.reasons]


@dataclass(frozen=True)
class PeopleToCheck:
    """Someone named in this referral, and the people they may be."""

    referral_person: ReferralPerson
    matches: list[PossibleMatch]
    # The page showed as many as it shows (MATCHES_SHOWN): there may be more.
    more: bool = False


def can_link_people(user: User) -> bool:
    return user.has_role(*LINK_ROLES)


def _candidates(*, user: User, referral: Referral) -> QuerySet[Person]:
    """People the user can see, outside this referral, with the other referrals they can see."""
    roles_elsewhere = (
        ReferralPerson.objects.filter(visible_referral(user))
        .exclude(referral=referral)
        .select_related("referral")
        .order_by("-referral__received_at", "-referral_id")
    )
    return (
        people_visible_to(user)
        .exclude(referral_roles__referral=referral)
        .prefetch_related(
            Prefetch("referral_roles", queryset=roles_elsewhere, to_attr="visible_roles")
        )
    )


def _referrals_of(person: Person) -> list[Referral]:
    seen: dict[int, Referral] = {}
    for role in getattr(person, "visible_roles", []):
        seen.setdefault(role.referral_id, role.referral)
    return list(seen.values())


# At most this many possible matches on a referral page (the first by name).
MATCHES_SHOWN = 25


def referral_possible_matches(*, user: User, referral: Referral) -> list[PeopleToCheck]:
    """For each person in `referral` (fetched through `referral_get`), who they may be.

    Only people with at least one match are returned. At most two queries whatever
    the number of people or matches: the matching records, and the referrals the
    user can see them in.
    """
    named = list(referral.people.all())
    found = people_matches(
        people=[role.person for role in named],
        candidates=_candidates(user=user, referral=referral),
        limit=MATCHES_SHOWN,
    )
    fetched = {match.person.pk for matches in found.values() for match in matches}
    more = len(fetched) >= MATCHES_SHOWN
    result = []
    for role in named:
        matches = [
            PossibleMatch(
                person=match.person,
                reasons=match.reasons,
                referrals=_referrals_of(match.person),
            )
            for match in found.get(role.person_id, [])
        ]
        if matches:
            result.append(PeopleToCheck(referral_person=role, matches=matches, more=more))
    return result


def referral_person_get(*, referral: Referral, referral_person_id: int) -> ReferralPerson:
    """One person named in `referral` (fetched through `referral_get`), or 404."""
    for role in referral.people.all():
        if role.pk == referral_person_id:
            return role
    raise Http404("No such person in this referral.")


def person_to_link_get(*, user: User, referral: Referral, person_id: int) -> Person:
    """A person the user can see, not already in `referral`, with where they appear; or 404."""
    return get_or_404(_candidates(user=user, referral=referral), pk=person_id)


def link_comparison(*, referral_person: ReferralPerson, person: Person) -> PossibleMatch:
    """What the confirmation page shows about `person` (fetched by `person_to_link_get`)."""
    return PossibleMatch(
        person=person,
        reasons=match_reasons(referral_person.person, person),
        referrals=_referrals_of(person),
    )


def person_link_reviewed(*, actor: User, referral_person: ReferralPerson, person: Person) -> None:
    """The user opened the page comparing both person records: a view of both."""
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        record=referral_person,
        detail={
            "referral": referral_person.referral_id,
            "person": referral_person.person_id,
            "compared_with_person": person.pk,
        },
    )


def referral_person_link(
    *,
    actor: User,
    referral_person: ReferralPerson,
    person: Person,
    expected_version: int,
) -> ReferralPerson:
    """Make `referral_person` name the existing record `person` instead of its own.

    For the hub's caseworkers and managers, on a referral and a person they can
    both see (otherwise 404). The referral's version moves on: a form loaded
    before is stale. The person record no longer named here is kept, whether or
    not anything else uses it: personal data is never deleted silently. If the
    referral's Victims' Code record named that record as the victim, it follows.
    """
    with transaction.atomic():
        try:
            referral = (
                referrals_visible_to(actor).select_for_update().get(pk=referral_person.referral_id)
            )
        except Referral.DoesNotExist:
            raise Http404("No referral here.") from None
        if not people_visible_to(actor).filter(pk=person.pk).exists():
            raise Http404("No person here.")
        if not can_link_people(actor):
            raise DomainError(LINK_NOT_ALLOWED)
        if referral.version == expected_version:
            return _link(
                actor=actor, referral=referral, referral_person=referral_person, person=person
            )
    # Nothing changed. Recorded after the transaction has ended, so that the refusal is kept.
    audit_record(actor=actor, action=AuditAction.CONFLICT, record=referral)
    raise StaleVersion()


def _link(
    *, actor: User, referral: Referral, referral_person: ReferralPerson, person: Person
) -> ReferralPerson:
    """The change itself, inside `referral_person_link`'s transaction and checks."""
    current = ReferralPerson.objects.select_for_update().get(pk=referral_person.pk)
    previous_id = current.person_id
    if previous_id == person.pk:
        raise DomainError("This referral already names that person record.")
    if ReferralPerson.objects.filter(referral=referral, person=person).exists():
        raise DomainError("That person is already named in this referral.")
    current.person = person
    current.save(update_fields=["person"])
    # The hub's queue searches by the person harmed's name: keep its copy in step.
    referral_victim_fields_refresh(referral=referral)
    # Saved one by one, not updated in bulk, so that its field history records the change.
    moved = list(
        VictimsCodeRecord.objects.select_for_update().filter(
            referral=referral, victim_id=previous_id
        )
    )
    for record in moved:
        record.victim = person
        record.version += 1
        record.save(update_fields=["victim", "version", "updated_at"])
    referral.version += 1
    referral.save(update_fields=["version", "updated_at"])
    still_used = (
        ReferralPerson.objects.filter(person_id=previous_id).exists()
        or VictimsCodeRecord.objects.filter(victim_id=previous_id).exists()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        record=current,
        fields=["person"],
        detail={
            "referral": referral.pk,
            "from_person": previous_id,
            "to_person": person.pk,
            "from_person_still_used": still_used,
            "victims_code_records_moved": [record.pk for record in moved],
        },
    )
    return current
