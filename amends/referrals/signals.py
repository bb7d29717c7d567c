"""Signals the referral workflow sends, so that later apps act without referrals knowing them.

Referrals must not import the apps further along the pipeline (cases): the
hand-off effect sends `referral_handed_off` and the cases app's receiver makes
the case, in the same transaction (a receiver that raises undoes the hand-off).

Both are sent with `sender=Referral` and the keyword arguments `referral` (the
row, locked for the transaction) and `actor` (who made the transition).
"""

from __future__ import annotations

from django.dispatch import Signal

# A caseworker handed the referral off to the hub's RJ provider.
referral_handed_off = Signal()
# A caseworker closed a referral that had been handed off because the person withdrew.
referral_withdrawn_after_hand_off = Signal()
