"""The daily digest of the hub's clocks: what is due and overdue, once a day per person.

Each working day (`amends hub-reminders`, or the task it enqueues) every hub
caseworker with referrals due that day or overdue gets one email listing them,
and every hub manager the clocks breached at their hub (referrals whose current
deadline has passed). A person who is both gets both in one email. The texts
carry references, stages and dates only, never the name of anyone in a
referral. Each digest is recorded (`ClockDigest`, unique per person and day) in
the transaction that queues its email, so a second run, a retry, or two
workers at once send nobody a second digest that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.dateformat import format as date_format

from amends.accounts.models import Organisation, OrganisationKind, Role, User, UserRole
from amends.core.messaging import message_queue
from amends.core.models import MessageChannel
from amends.core.workingdays import is_working_day, working_days_between
from amends.referrals.clocks import STAGE_LABELS, running_stage
from amends.referrals.models import ClockDigest, Referral

HUB_DIGEST = "hub_clock_digest"
# A digest lists at most this many referrals in each part and counts the rest: the
# queue has them all.
DIGEST_MAX_LINES = 50


def long_date(day: dt.date) -> str:
    """3 March 2026."""
    return date_format(day, "j F Y")


@dataclass(frozen=True)
class Digest:
    user: User
    hub: Organisation
    on: dt.date
    due_today: Sequence[Referral]
    overdue: Sequence[Referral]
    breaches: Sequence[Referral]

    @property
    def empty(self) -> bool:
        return not (self.due_today or self.overdue or self.breaches)


def _stage(referral: Referral) -> str:
    return STAGE_LABELS.get(running_stage(referral) or "", "Deadline").lower()


def _line(referral: Referral, on: dt.date, *, with_caseworker: bool = False) -> str:
    assert referral.due_on is not None
    text = f"- {referral.reference}: {_stage(referral)}"
    if referral.due_on < on:
        late = working_days_between(referral.due_on, on)
        text += (
            f", due {long_date(referral.due_on)} "
            f"({late} working day{'' if late == 1 else 's'} overdue)"
        )
    if with_caseworker:
        holder = referral.allocated_to
        text += f", {holder.full_name or holder.email}" if holder else ", not allocated"
    return text


def _part(title: str, referrals: Sequence[Referral], lines: list[str]) -> str:
    shown = lines[:DIGEST_MAX_LINES]
    more = len(lines) - len(shown)
    text = "\n".join([f"{title} ({len(referrals)}):", *shown])
    if more:
        text += f"\n- and {more} more: see the queue"
    return text


def digest_text(digest: Digest) -> str:
    """The body of a digest: its parts, each a list of references."""
    on = digest.on
    parts = []
    if digest.due_today:
        parts.append(
            _part(
                "Your referrals due today",
                digest.due_today,
                [_line(r, on) for r in digest.due_today],
            )
        )
    if digest.overdue:
        parts.append(
            _part("Your overdue referrals", digest.overdue, [_line(r, on) for r in digest.overdue])
        )
    if digest.breaches:
        parts.append(
            _part(
                f"Clock breaches at {digest.hub.name}",
                digest.breaches,
                [_line(r, on, with_caseworker=True) for r in digest.breaches],
            )
        )
    return "\n\n".join(parts)


def hub_digests(*, hub: Organisation, on: dt.date) -> list[Digest]:
    """The digests due at `hub` on `on`: two queries, whatever the numbers."""
    due = list(
        Referral.objects.filter(hub=hub, due_on__isnull=False, due_on__lte=on)
        .select_related("allocated_to")
        .order_by("due_on", "id")
    )
    staff = (
        User.objects.filter(
            organisation=hub,
            is_active=True,
            role_grants__role__in=[Role.HUB_CASEWORKER, Role.HUB_MANAGER],
        )
        .distinct()
        .select_related("organisation")
        .prefetch_related(Prefetch("role_grants", queryset=UserRole.objects.all()))
        .order_by("full_name", "email")
    )
    digests = []
    for user in staff:
        mine = (
            [r for r in due if r.allocated_to_id == user.pk]
            if user.has_role(Role.HUB_CASEWORKER)
            else []
        )
        digest = Digest(
            user=user,
            hub=hub,
            on=on,
            due_today=[r for r in mine if r.due_on == on],
            overdue=[r for r in mine if r.due_on is not None and r.due_on < on],
            breaches=[r for r in due if r.due_on is not None and r.due_on < on]
            if user.has_role(Role.HUB_MANAGER)
            else [],
        )
        if not digest.empty:
            digests.append(digest)
    return digests


def _digest_record(digest: Digest) -> bool:
    """Record and queue one digest; False if this person had one today already."""
    record, created = ClockDigest.objects.get_or_create(
        user=digest.user,
        sent_on=digest.on,
        defaults={
            "due_today": len(digest.due_today),
            "overdue": len(digest.overdue),
            "breaches": len(digest.breaches),
        },
    )
    if not created:
        return False
    counts = []
    if digest.due_today:
        counts.append(f"{len(digest.due_today)} due today")
    if digest.overdue:
        counts.append(f"{len(digest.overdue)} overdue")
    if digest.breaches:
        counts.append(
            f"{len(digest.breaches)} clock breach{'' if len(digest.breaches) == 1 else 'es'}"
        )
    message_queue(
        channel=MessageChannel.EMAIL,
        recipient=digest.user.email,
        template=HUB_DIGEST,
        personalisation={
            "date": long_date(digest.on),
            "summary": ", ".join(counts),
            "hub_name": digest.hub.name,
            "items": digest_text(digest),
            "link": f"{settings.SITE_URL.rstrip('/')}{reverse('hub:queue')}",
            "service_name": settings.SERVICE_NAME,
        },
        record=record,
    )
    return True


def hub_reminders_send(*, on: dt.date) -> int:
    """Produce the day's digests at every hub; return how many were queued.

    Nothing on a weekend or bank holiday: no deadline falls on one, and what is
    overdue is still overdue on the next working day.
    """
    if not is_working_day(on):
        return 0
    produced = 0
    for hub in Organisation.objects.filter(kind=OrganisationKind.VICTIM_CARE_HUB).order_by("pk"):
        for digest in hub_digests(hub=hub, on=on):
            with transaction.atomic():
                produced += _digest_record(digest)
    return produced
