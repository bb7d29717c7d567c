"""Thin receivers of the referral workflow's signals: each calls one cases service."""

from __future__ import annotations

from typing import Any

from amends.accounts.models import User
from amends.cases import services
from amends.referrals.models import Referral


def offer_case(sender: type[Referral], *, referral: Referral, actor: Any, **kwargs: Any) -> None:
    assert isinstance(actor, User)
    services.case_offer(actor=actor, referral=referral)


def close_case(sender: type[Referral], *, referral: Referral, actor: Any, **kwargs: Any) -> None:
    assert isinstance(actor, User)
    services.case_close_on_withdrawal(actor=actor, referral=referral)
