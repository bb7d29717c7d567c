"""The agreed data set: exactly what a hand-off tells the RJ provider, and nothing more.

The hub's caseworker sees it before handing off (the hand-off page shows it) and
the case keeps a copy taken at that moment (`Case` snapshot fields). Contact
details go only on the channels the person said are safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from amends.cases.models import HandOffConsent
from amends.core.errors import DomainError
from amends.hub.models import NeedLevel, NeedsAssessment
from amends.referrals.contact import contact_party
from amends.referrals.models import (
    ContactChannel,
    OffenceType,
    PersonRole,
    Referral,
    ReferralPerson,
)


@dataclass(frozen=True)
class AgreedDataSet:
    party_role: str
    party_name: str
    party_phone: str
    party_email: str
    party_address: str
    safe_channels: list[str] = field(default_factory=list)
    safe_times: str = ""
    may_leave_message: bool | None = None
    post_is_safe: bool | None = None
    other_party_name: str = ""
    offence_type: str = ""
    offence_date: dt.date | None = None
    needs_summary: str = ""
    language: str = ""
    needs_interpreter: bool = False
    uses_bsl: bool = False
    adjustments: str = ""
    consent_given_on: dt.date | None = None

    def fields(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def party_role_label(self) -> str:
        return PersonRole(self.party_role).label

    @property
    def other_party_role_label(self) -> str:
        other = PersonRole.VICTIM if self.party_role == PersonRole.OFFENDER else PersonRole.OFFENDER
        return other.label

    @property
    def offence_type_label(self) -> str:
        return OffenceType(self.offence_type).label

    @property
    def has_contact_details(self) -> bool:
        return bool(self.party_phone or self.party_email or self.party_address)


def _address(entry: ReferralPerson) -> str:
    person = entry.person
    lines = [person.address_line_1, person.address_line_2, person.town, person.postcode]
    return "\n".join(line for line in lines if line)


def needs_summary(referral: Referral, needs: NeedsAssessment | None) -> str:
    """The person harmed's needs, in a few lines the provider can act on.

    From the hub's current needs assessment: the overall risk, each area with a
    need, and the summary written to be shared (never the caseworker's notes).
    Without one, what the person said when they applied.
    """
    lines = []
    if needs is not None:
        lines.append(f"Overall risk: {needs.get_overall_risk_display()}.")
        with_need = [a for a in needs.areas if a["level"] != NeedLevel.NONE]
        if with_need:
            lines.append(". ".join(f"{a['label']}: {a['level_label']}" for a in with_need) + ".")
        if needs.summary.strip():
            lines.append(needs.summary.strip())
        return "\n".join(lines)
    if referral.feels_unsafe_at_home:
        lines.append("Said they do not feel safe at home.")
    if referral.support_wanted.strip():
        lines.append(f"Support wanted: {referral.support_wanted.strip()}")
    return "\n".join(lines)


def agreed_data_set(
    *,
    referral: Referral,
    people: Iterable[ReferralPerson],
    consent: HandOffConsent | None,
    needs: NeedsAssessment | None,
) -> AgreedDataSet:
    """The data set for `referral` now. `people` are its ReferralPerson rows with their person;
    `needs` the hub's current needs assessment of the person harmed, if any.
    """
    entries = list(people)
    party = contact_party(entries)
    if party is None:
        raise DomainError(
            "This referral names neither the person harmed nor the person responsible, "
            "so there is nobody to hand off."
        )
    other_role = PersonRole.VICTIM if party.role == PersonRole.OFFENDER else PersonRole.OFFENDER
    other = next((e for e in sorted(entries, key=lambda e: e.pk) if e.role == other_role), None)
    channels = [c for c in ContactChannel.values if c in set(party.safe_channels or [])]
    person = party.person
    phone_safe = bool({ContactChannel.PHONE, ContactChannel.SMS} & set(channels))
    post_safe = party.post_is_safe is True or ContactChannel.LETTER in channels
    if consent is not None:
        consent_on: dt.date | None = consent.given_on
    elif referral.consent_to_share_recorded_at is not None:
        consent_on = timezone.localdate(referral.consent_to_share_recorded_at)
    else:
        consent_on = None
    return AgreedDataSet(
        party_role=party.role,
        party_name=person.full_name,
        party_phone=person.phone if phone_safe else "",
        party_email=person.email if ContactChannel.EMAIL in channels else "",
        party_address=_address(party) if post_safe else "",
        safe_channels=channels,
        safe_times=party.safe_times,
        may_leave_message=party.may_leave_message,
        post_is_safe=party.post_is_safe,
        other_party_name=other.person.full_name if other is not None else "",
        offence_type=referral.offence_type,
        offence_date=referral.offence_date,
        # The hub assesses the needs of the person harmed: shared only when they are the party.
        needs_summary=needs_summary(referral, needs) if party.role == PersonRole.VICTIM else "",
        language=party.language,
        needs_interpreter=party.needs_interpreter,
        uses_bsl=party.uses_bsl,
        adjustments=party.adjustments,
        consent_given_on=consent_on,
    )
