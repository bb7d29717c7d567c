"""The hub's clocks on a referral: first contact, triage decision, hand-off.

Each is a date, counted in working days (England and Wales bank holidays, see
core/workingdays.py) from the day the clocks started: the day the referral was
received, or the day it came back into the hub's queue (reopened after closing,
or returned by the RJ provider), which starts them again. The day counts are
settings: HUB_FIRST_CONTACT_WORKING_DAYS (HUB_FIRST_CONTACT_WORKING_DAYS_ENHANCED
for a victim entitled to enhanced rights), HUB_TRIAGE_WORKING_DAYS and
HUB_HANDOFF_WORKING_DAYS.

`due_on` is the deadline of the stage the referral is at: first contact until
someone has spoken to the person, then the triage decision, then (while the
person decides) the hand-off. It is empty once the referral is handed off or
closed, so "in the hub's queue" is `due_on IS NOT NULL`, which the queue's
partial indexes hold (referrals/models.py). Due today and overdue are plain
date comparisons with today.

The dates are stored, not computed when read, so that a queue of thousands
sorts and filters by them in the database. They are set when a referral is
created (`referral_create`), by every transition (an effect added to each row
of the workflow table, referrals/workflow.py), when a contact attempt reaches
the person (`contact_attempt_record`), and when the enhanced-rights answer
changes (`referral_update`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from amends.core.workingdays import add_working_days
from amends.referrals.models import ContactAttempt, ContactOutcome, Referral, ReferralState

S = ReferralState
# The states in which the hub still has work to do: the queue's states. A handed-off
# referral is with the RJ provider; a closed one needs nothing more.
QUEUE_STATES = (S.NEW, S.CONTACTING, S.IN_TRIAGE, S.AWAITING_CONSENT)
CLOCK_FIELDS = ("clocks_started_on", "first_contact_due", "triage_due", "handoff_due", "due_on")


class Stage:
    FIRST_CONTACT = "first_contact"
    TRIAGE = "triage"
    HANDOFF = "handoff"


STAGE_LABELS = {
    Stage.FIRST_CONTACT: "First contact",
    Stage.TRIAGE: "Triage decision",
    Stage.HANDOFF: "Hand-off to the RJ provider",
}
_STAGE_ORDER = (Stage.FIRST_CONTACT, Stage.TRIAGE, Stage.HANDOFF)


@dataclass(frozen=True)
class Clocks:
    started_on: dt.date
    first_contact_due: dt.date
    triage_due: dt.date
    handoff_due: dt.date

    def due(self, stage: str | None) -> dt.date | None:
        return {
            Stage.FIRST_CONTACT: self.first_contact_due,
            Stage.TRIAGE: self.triage_due,
            Stage.HANDOFF: self.handoff_due,
        }.get(stage or "")


def clocks_from(*, started_on: dt.date, enhanced_rights: bool) -> Clocks:
    """The three deadlines of clocks started on `started_on`."""
    first_contact_days = (
        settings.HUB_FIRST_CONTACT_WORKING_DAYS_ENHANCED
        if enhanced_rights
        else settings.HUB_FIRST_CONTACT_WORKING_DAYS
    )
    return Clocks(
        started_on=started_on,
        first_contact_due=add_working_days(started_on, first_contact_days),
        triage_due=add_working_days(started_on, settings.HUB_TRIAGE_WORKING_DAYS),
        handoff_due=add_working_days(started_on, settings.HUB_HANDOFF_WORKING_DAYS),
    )


def current_stage(*, state: str, contacted: bool) -> str | None:
    """The clock that runs in `state`; `contacted`: someone spoke to the person since it started."""
    if state in {S.NEW, S.CONTACTING}:
        return Stage.TRIAGE if contacted else Stage.FIRST_CONTACT
    if state == S.IN_TRIAGE:
        return Stage.TRIAGE
    if state == S.AWAITING_CONSENT:
        return Stage.HANDOFF
    return None


def clock_fields(
    *, started_on: dt.date, enhanced_rights: bool, state: str, contacted: bool = False
) -> dict[str, dt.date | None]:
    """The five clock fields of a referral, for creating one (no query)."""
    clocks = clocks_from(started_on=started_on, enhanced_rights=enhanced_rights)
    return {
        "clocks_started_on": clocks.started_on,
        "first_contact_due": clocks.first_contact_due,
        "triage_due": clocks.triage_due,
        "handoff_due": clocks.handoff_due,
        "due_on": clocks.due(current_stage(state=state, contacted=contacted)),
    }


def _contacted_since(referral: Referral, started_on: dt.date) -> bool:
    start = timezone.make_aware(dt.datetime.combine(started_on, dt.time.min))
    return ContactAttempt.objects.filter(
        referral_id=referral.pk, outcome=ContactOutcome.SPOKE, at__gte=start
    ).exists()


def referral_clocks_refresh(*, referral: Referral, restart_on: dt.date | None = None) -> None:
    """Recompute the stored clocks of `referral` (in the caller's transaction).

    `restart_on` starts them again on that day (a reopened or returned referral).
    Writes only the clock fields, with one UPDATE, and sets them on `referral`.
    It is no change of the record a person made, so the version stays as it is.
    """
    started_on = restart_on or referral.clocks_started_on
    if started_on is None:
        started_on = timezone.localdate(referral.received_at)
    contacted = referral.state in {S.NEW, S.CONTACTING} and _contacted_since(referral, started_on)
    fields = clock_fields(
        started_on=started_on,
        enhanced_rights=referral.enhanced_rights,
        state=referral.state,
        contacted=contacted,
    )
    changed = {name: value for name, value in fields.items() if getattr(referral, name) != value}
    if changed:
        Referral.objects.filter(pk=referral.pk).update(**changed)
        for name, value in changed.items():
            setattr(referral, name, value)


def restarts_clocks(*, sources: frozenset[str], target: str) -> bool:
    """Whether a transition brings a referral back into the queue: closed or handed off → open."""
    stopped = {S.CLOSED, S.HANDED_OFF}
    return target in QUEUE_STATES and bool(sources) and set(sources) <= stopped


# ----- what a page shows ------------------------------------------------------


@dataclass(frozen=True)
class ClockRow:
    stage: str
    label: str
    due_on: dt.date | None
    # The running clock: "due", "due_today" or "overdue"; the others: "met" (an earlier
    # stage, done), "later" (a stage still to come) or "stopped" (the referral closed).
    status: str

    @property
    def tag(self) -> str:
        return {"due_today": "Due today", "overdue": "Overdue"}.get(self.status, "")


def due_status(due_on: dt.date | None, today: dt.date) -> str:
    """ "overdue", "due_today", "due" or "" (no deadline): a date comparison with today."""
    if due_on is None:
        return ""
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "due_today"
    return "due"


def running_stage(referral: Referral) -> str | None:
    """The stage whose clock runs now, from the stored fields (no query); None if none runs."""
    if referral.due_on is None:
        return None
    if referral.state in {S.NEW, S.CONTACTING}:
        # The first-contact clock runs until someone has spoken to the person.
        if referral.due_on == referral.first_contact_due:
            return Stage.FIRST_CONTACT
        return Stage.TRIAGE
    return current_stage(state=referral.state, contacted=True)


def referral_clock_rows(referral: Referral, today: dt.date | None = None) -> list[ClockRow]:
    """The three clocks of a referral for its page, from its stored fields (no query)."""
    if referral.clocks_started_on is None:
        return []
    today = today or timezone.localdate()
    dates: dict[str, Any] = {
        Stage.FIRST_CONTACT: referral.first_contact_due,
        Stage.TRIAGE: referral.triage_due,
        Stage.HANDOFF: referral.handoff_due,
    }
    running = running_stage(referral)
    if referral.state == S.HANDED_OFF:
        current = len(_STAGE_ORDER)
    elif running is None:
        current = -1  # closed: no clock runs
    else:
        current = _STAGE_ORDER.index(running)
    rows = []
    for index, stage in enumerate(_STAGE_ORDER):
        if current == -1:
            status = "stopped"
        elif index < current:
            status = "met"
        elif index == current:
            status = due_status(dates[stage], today)
        else:
            status = "later"
        rows.append(ClockRow(stage, STAGE_LABELS[stage], dates[stage], status))
    return rows
