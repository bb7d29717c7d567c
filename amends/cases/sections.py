"""The cases app's section of the referral page: consent to share and the hand-off.

Registered in CasesConfig.ready() (core/sections.py): the referrals app may not
import cases. Shown to the hub's own staff, in two queries whatever the referral.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from amends.accounts.models import Role, User
from amends.cases import selectors
from amends.referrals.models import ReferralState


def referral_hand_off_section(request: HttpRequest, referral: Any) -> str:
    user = request.user
    if not isinstance(user, User) or user.organisation_id != referral.hub_id:
        return ""
    if not user.has_role(Role.HUB_CASEWORKER, Role.HUB_MANAGER):
        return ""
    return render_to_string(
        "cases/includes/referral_section.html",
        {
            "referral": referral,
            "consent": selectors.hand_off_consent(referral=referral),
            "case": selectors.case_for_referral(referral=referral),
            "provider": referral.hub.hands_off_to,
            "before_hand_off": referral.state
            in {ReferralState.CONTACTING, ReferralState.IN_TRIAGE, ReferralState.AWAITING_CONSENT},
        },
        request=request,
    )
