"""The hub's sections of the referral page: needs, safety devices and onward referrals.

Registered in HubConfig.ready() with core/sections.py, because the referrals app
may not import the hub. Shown to the hub's own staff only, fetched in three
queries and audited in one insert, whatever the number of records.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from amends.accounts.models import User
from amends.hub import selectors, services


def referral_support_section(request: HttpRequest, referral: Any) -> str:
    user = request.user
    if not isinstance(user, User):
        return ""
    hub = selectors.hub_of(user)
    if hub is None or referral.hub_id != hub.pk:
        return ""
    support = selectors.referral_support(referral=referral)
    services.support_viewed(actor=user, records=support.records)
    return render_to_string(
        "hub/includes/referral_support.html",
        {
            "referral": referral,
            "support": support,
            "can_support": selectors.can_support(user) and referral.is_open,
            "can_record_returns": selectors.can_support(user),
            "today": timezone.localdate(),
        },
        request=request,
    )
