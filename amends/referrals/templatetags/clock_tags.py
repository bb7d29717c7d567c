"""The hub's clocks on the referral page, from the referral's stored dates (no query)."""

from __future__ import annotations

from django import template

from amends.referrals.clocks import ClockRow, referral_clock_rows
from amends.referrals.models import Referral

register = template.Library()


@register.simple_tag
def hub_clocks(referral: Referral) -> list[ClockRow]:
    """`{% hub_clocks referral as clocks %}`: first contact, triage decision, hand-off."""
    return referral_clock_rows(referral)
