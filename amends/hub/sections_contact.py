"""The hub's contact section of the referral page: the person's safe contact and a link.

Registered in HubConfig.ready() (core/sections.py). Built from what referral_get
prefetched, so it adds no query.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from amends.accounts.models import Role, User
from amends.referrals.contact import contact_party
from amends.referrals.models import ContactChannel, Referral


def safe_contact_context(referral: Referral) -> dict[str, Any]:
    """The person the hub contacts and their answers, from referral_get's prefetch (no query)."""
    party = contact_party(referral.people.all())
    labels = dict(ContactChannel.choices)
    channels = [labels[c] for c in ContactChannel.values if party and c in party.safe_channels]
    return {"party": party, "safe_channel_labels": channels}


def referral_contact_section(request: HttpRequest, referral: Any) -> str:
    user = request.user
    if not isinstance(user, User) or user.organisation_id != referral.hub_id:
        return ""
    if not user.has_role(Role.HUB_CASEWORKER, Role.HUB_MANAGER):
        return ""
    return render_to_string(
        "hub/contact/includes/section.html",
        {"referral": referral, "can_record": referral.is_open, **safe_contact_context(referral)},
        request=request,
    )
