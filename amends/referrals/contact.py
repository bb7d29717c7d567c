"""Safe contact: whom the hub contacts about a referral and which ways they said are safe.

The person's own answers (ReferralPerson: safe channels, safe times, whether a
voicemail may be left, whether post is safe) decide. `contact_refusal` is the one
rule, used by the contact attempt service (which refuses) and by the page (which
shows the preferences next to the form).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from amends.referrals.models import (
    ContactChannel,
    ContactOutcome,
    PersonRole,
    ReferralPerson,
)

# Whom the hub contacts: the person harmed; for a referral of the person responsible
# alone (an officer's offender referral), that person.
_MAIN_ROLES = (PersonRole.VICTIM, PersonRole.OFFENDER)


def contact_party(people: Iterable[ReferralPerson]) -> ReferralPerson | None:
    """The person the hub contacts, from a referral's people (prefetched: no query).

    The first of the person harmed and the person responsible who told us how to
    contact them; failing that, the person harmed, then the person responsible.
    """
    entries = sorted((e for e in people if e.role in _MAIN_ROLES), key=lambda e: e.pk)
    for entry in sorted(entries, key=lambda e: _MAIN_ROLES.index(PersonRole(e.role))):
        if entry.safe_channels:
            return entry
    for role in _MAIN_ROLES:
        for entry in entries:
            if entry.role == role:
                return entry
    return None


@dataclass(frozen=True)
class ContactRefusal:
    """Why an attempt is not safe, and which answer of the form it is about."""

    field: str  # "channel" or "outcome"
    message: str


def _labels(channels: Iterable[str]) -> str:
    labels = dict(ContactChannel.choices)
    names = [labels.get(c, c).lower() for c in channels]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def contact_refusal(
    entry: ReferralPerson | None, *, channel: str, outcome: str
) -> ContactRefusal | None:
    """None if this attempt respects what the person said is safe; else why not.

    - phone, text and email only if they named it, when they named any;
    - a letter only if they said post is safe (or named letters, when they named any);
    - no voicemail if they said not to leave one.
    Contact in person is arranged with them, so it is never refused here. Someone
    who gave no answers at all may be contacted on any channel: ask them first.
    """
    if entry is None:
        return None
    name = entry.person.full_name or "this person"
    safe = [c for c in ContactChannel.values if c in set(entry.safe_channels or [])]
    label = dict(ContactChannel.choices).get(channel, channel)
    if channel == ContactChannel.LETTER:
        if entry.post_is_safe is False:
            return ContactRefusal("channel", f"Do not send a letter: {name} said post is not safe.")
        if entry.post_is_safe is None and safe and channel not in safe:
            return ContactRefusal(
                "channel",
                f"Do not send a letter: {name} did not say post is safe. "
                f"Contact them only by {_labels(safe)}.",
            )
    elif channel != ContactChannel.IN_PERSON and safe and channel not in safe:
        return ContactRefusal(
            "channel",
            f"{label} is not safe for {name}. Contact them only by {_labels(safe)}.",
        )
    if (
        channel == ContactChannel.PHONE
        and outcome == ContactOutcome.LEFT_MESSAGE
        and entry.may_leave_message is False
    ):
        return ContactRefusal("outcome", f"Do not leave a voicemail: {name} said it is not safe.")
    return None
