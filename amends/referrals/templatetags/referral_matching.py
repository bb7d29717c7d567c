"""`{% referral_possible_matches referral as people_to_check %}`, for the referral page's banner.

A tag rather than view context so that every page drawing `referral_detail.html`
(the page itself and its forms shown again with errors) shows the same banner.
"""

from __future__ import annotations

from typing import Any

from django import template

from amends.accounts.models import User
from amends.referrals import matching
from amends.referrals.models import Referral

register = template.Library()


@register.simple_tag(takes_context=True)
def referral_possible_matches(
    context: dict[str, Any], referral: Referral
) -> list[matching.PeopleToCheck]:
    user = context["request"].user
    if not isinstance(user, User):
        return []
    return matching.referral_possible_matches(user=user, referral=referral)


@register.filter
def can_link_people(user: object) -> bool:
    return isinstance(user, User) and matching.can_link_people(user)
