"""The Victims' Code clock on the referral page, without the referral view knowing about it."""

from __future__ import annotations

from django import template

from amends.accounts.models import User
from amends.referrals.models import Referral
from amends.referrals.victims_code import ReferralVictimsCode, referral_victims_code

register = template.Library()


@register.simple_tag
def victims_code_for_referral(referral: Referral, user: User) -> ReferralVictimsCode | None:
    """`{% victims_code_for_referral referral request.user as vc %}` (one query)."""
    if not isinstance(user, User):
        return None
    return referral_victims_code(user=user, referral=referral)
