"""The Victims' Code record (police or youth justice): services, selectors, clocks, figures.

A Victims' Code record is a fact with dates: this victim was told about RJ, when,
by whom, how, and what they answered (wants a referral, declined, not yet
decided). It exists whether or not a referral follows: it is what compliance
counts. The Code says who tells the victim: the police when the person
responsible is an adult (or not known), the youth justice service (YOT) when
they are under 18. That rule is enforced here, for both sides.

The clocks count working days (England and Wales bank holidays) with the
deadlines from settings: tell the victim within VICTIMS_CODE_INFORM_DAYS of
the crime being reported (VICTIMS_CODE_INFORM_DAYS_ENHANCED for victims
entitled to enhanced rights), and refer a victim who asks within
VICTIMS_CODE_REFER_DAYS of being told.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from amends.accounts.models import Organisation, OrganisationKind, Role, User
from amends.core.audit import audit_record
from amends.core.errors import DomainError, StaleVersion
from amends.core.models import AuditAction
from amends.core.scoping import get_or_404
from amends.core.workingdays import add_working_days
from amends.people.models import Person
from amends.referrals.models import (
    Answer,
    ContactChannel,
    PersonRole,
    Referral,
    ReferralSource,
    VictimAnswer,
    VictimsCodeRecord,
)
from amends.referrals.notifications import referral_created_notify
from amends.referrals.selectors import referrals_visible_to
from amends.referrals.services import PersonInReferral, referral_create

# Who records that a victim was told, by the kind of their organisation.
RECORDER_ROLE_BY_KIND: dict[str, str] = {
    OrganisationKind.POLICE: Role.POLICE_OFFICER,
    OrganisationKind.YOUTH_JUSTICE: Role.YOUTH_JUSTICE_WORKER,
}
SOURCE_BY_KIND: dict[str, str] = {
    OrganisationKind.POLICE: ReferralSource.POLICE,
    OrganisationKind.YOUTH_JUSTICE: ReferralSource.YOUTH_JUSTICE,
}
# Who sees every record (and the compliance figures) of their police force or YOT.
ORGANISATION_READER_ROLES = frozenset({Role.POLICE_RJ_COORDINATOR, Role.DATA_PROTECTION_OFFICER})
HUB_READER_ROLES = frozenset({Role.HUB_CASEWORKER, Role.HUB_MANAGER, Role.DATA_PROTECTION_OFFICER})
# The channels an officer can record as safe (in person is not a way for the hub to reach someone).
SAFE_CHANNEL_CHOICES = [c for c in ContactChannel.choices if c[0] != ContactChannel.IN_PERSON]

OFFENDER_UNDER_18_POLICE = (
    "When the person responsible is under 18, the youth justice service (YOT) tells the victim "
    "about restorative justice and records it. Pass the victim's details to your youth justice "
    "service."
)
OFFENDER_ADULT_YOUTH_JUSTICE = (
    "The youth justice service records this only when the person responsible is under 18. "
    "When they are an adult, or not known, the police tell the victim about restorative justice."
)
OFFENDER_UNDER_18_REFER = (
    "This person was under 18 at the time of the offence: the youth justice service (YOT) "
    "refers them. Ask your youth justice service to refer them."
)
OFFENDER_ADULT_REFER = (
    "The youth justice service refers people who were under 18 at the time of the offence. "
    "The police refer adults."
)

# A problem with what was entered: (the form field it is about, the message for people).
Problem = tuple[str, str]


# ---------------------------------------------------------------------------
# Scoping (who sees which records)
# ---------------------------------------------------------------------------


def victims_code_scope(user: User) -> Q:
    """Which Victims' Code records `user` may see, as one filter.

    - a police officer or youth justice worker: the records they made;
    - the police RJ coordinator and the DPO of a police force or youth justice
      service: every record their organisation made;
    - a hub's caseworkers, managers and DPO: the record attached to a referral
      their hub holds;
    - everyone else: none.
    """
    org = user.organisation
    roles = user.roles
    if org is None or not user.is_active:
        return Q(pk__in=[])
    scope = Q(pk__in=[])
    if org.kind in RECORDER_ROLE_BY_KIND:
        if roles & ORGANISATION_READER_ROLES:
            scope |= Q(organisation=org)
        elif RECORDER_ROLE_BY_KIND[org.kind] in roles:
            scope |= Q(organisation=org, recorded_by=user)
    if org.kind == OrganisationKind.VICTIM_CARE_HUB and roles & HUB_READER_ROLES:
        scope |= Q(referral__hub=org)
    return scope


def victims_code_records_visible_to(user: User) -> QuerySet[VictimsCodeRecord]:
    return VictimsCodeRecord.objects.filter(victims_code_scope(user))


def victims_code_record_get(*, user: User, pk: int) -> VictimsCodeRecord:
    """One record `user` may see, with its victim, referral and recorder, or 404."""
    queryset = victims_code_records_visible_to(user).select_related(
        "victim", "organisation", "recorded_by", "referral", "referral__hub"
    )
    return get_or_404(queryset, pk=pk)


def can_record(*, user: User) -> bool:
    """A police officer or youth justice worker: records that victims were told, and refers."""
    org = user.organisation
    return (
        org is not None
        and user.is_active
        and org.kind in RECORDER_ROLE_BY_KIND
        and RECORDER_ROLE_BY_KIND[org.kind] in user.roles
    )


def can_read_lists(*, user: User) -> bool:
    """Recorders (their own records) and their organisation's readers (all of them).

    Hub staff see a record only on the page of a referral their hub holds, not in lists.
    """
    org = user.organisation
    return (
        org is not None
        and user.is_active
        and org.kind in RECORDER_ROLE_BY_KIND
        and bool(user.roles & (ORGANISATION_READER_ROLES | {RECORDER_ROLE_BY_KIND[org.kind]}))
    )


def can_see_compliance(*, user: User) -> bool:
    """The police RJ coordinator, and the DPO of a police force or YOT."""
    org = user.organisation
    return (
        org is not None
        and user.is_active
        and org.kind in RECORDER_ROLE_BY_KIND
        and bool(user.roles & ORGANISATION_READER_ROLES)
    )


def _organisation_or_404(user: User, allowed: bool) -> Organisation:
    if not allowed or user.organisation is None:
        raise Http404("No page here.")
    return user.organisation


def recording_organisation(*, user: User) -> Organisation:
    """The police force or YOT `user` records for, or 404."""
    return _organisation_or_404(user, can_record(user=user))


def reading_organisation(*, user: User) -> Organisation:
    """The police force or YOT whose records `user` lists, or 404."""
    return _organisation_or_404(user, can_read_lists(user=user))


def compliance_organisation(*, user: User) -> Organisation:
    """The organisation whose compliance figures `user` may see, or 404."""
    return _organisation_or_404(user, can_see_compliance(user=user))


def sees_all_of_organisation(user: User) -> bool:
    return bool(user.roles & ORGANISATION_READER_ROLES)


def victim_care_hubs() -> QuerySet[Organisation]:
    """The hubs an officer can send a referral to."""
    return Organisation.objects.filter(kind=OrganisationKind.VICTIM_CARE_HUB).order_by("name")


def may_record_answers(*, user: User, record: VictimsCodeRecord) -> bool:
    """Whether `user` may record the answer of this record's victim, once they decide.

    The officer or youth justice worker who recorded it, and the police RJ coordinator.
    """
    if not user.is_active or record.organisation_id != user.organisation_id:
        return False
    if user.has_role(Role.POLICE_RJ_COORDINATOR):
        return True
    return record.recorded_by_id == user.pk and user.has_role(
        Role.POLICE_OFFICER, Role.YOUTH_JUSTICE_WORKER
    )


def may_change_answer(*, user: User, record: VictimsCodeRecord) -> bool:
    """Whether `user` may now record the answer: the victim had not yet decided."""
    return record.answer == VictimAnswer.UNDECIDED and may_record_answers(user=user, record=record)


def referral_visible(*, user: User, record: VictimsCodeRecord) -> bool:
    """Whether `user` may open the referral made from this record."""
    if record.referral_id is None:
        return False
    return referrals_visible_to(user).filter(pk=record.referral_id).exists()


# ---------------------------------------------------------------------------
# Clocks
# ---------------------------------------------------------------------------

STATUS_LABELS = {
    "met": "Met",
    "missed": "Missed",
    "due": "Due",
    "overdue": "Overdue",
}
STATUS_TAG_CLASSES = {
    "met": "govuk-tag--green",
    "missed": "govuk-tag--red",
    "due": "govuk-tag--yellow",
    "overdue": "govuk-tag--red",
}


@dataclass(frozen=True)
class Deadline:
    """One Victims' Code deadline: when it falls, when it was done (if it was), its status."""

    due: dt.date
    done_on: dt.date | None
    today: dt.date
    working_days: int

    @property
    def status(self) -> str:
        if self.done_on is not None:
            return "met" if self.done_on <= self.due else "missed"
        return "due" if self.today <= self.due else "overdue"

    @property
    def met(self) -> bool:
        return self.status == "met"

    @property
    def failed(self) -> bool:
        return self.status in {"missed", "overdue"}

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def tag_class(self) -> str:
        return STATUS_TAG_CLASSES[self.status]


@dataclass(frozen=True)
class VictimsCodeClock:
    date_reported: dt.date
    date_told: dt.date
    date_referred: dt.date | None
    enhanced_rights: bool
    answer: str
    inform: Deadline
    # Only when the victim asked for a referral: the refer clock starts then.
    refer: Deadline | None

    @property
    def deadlines(self) -> list[Deadline]:
        return [self.inform] + ([self.refer] if self.refer else [])

    @property
    def all_met(self) -> bool:
        return all(d.met for d in self.deadlines)

    @property
    def any_failed(self) -> bool:
        return any(d.failed for d in self.deadlines)


def inform_deadline(*, date_reported: dt.date, enhanced_rights: bool) -> dt.date:
    days = (
        settings.VICTIMS_CODE_INFORM_DAYS_ENHANCED
        if enhanced_rights
        else settings.VICTIMS_CODE_INFORM_DAYS
    )
    return add_working_days(date_reported, days)


def refer_deadline(*, date_told: dt.date) -> dt.date:
    return add_working_days(date_told, settings.VICTIMS_CODE_REFER_DAYS)


def victims_code_clock(
    *,
    date_reported: dt.date,
    date_told: dt.date,
    enhanced_rights: bool,
    answer: str,
    referred_at: dt.datetime | None,
    date_asked: dt.date | None = None,
    today: dt.date | None = None,
) -> VictimsCodeClock:
    """The Code's two clocks for one victim, counted in working days.

    The refer clock starts on the day the victim asked for a referral: the day
    they were told, unless they decided later.
    """
    today = today or timezone.localdate()
    inform_days = (
        settings.VICTIMS_CODE_INFORM_DAYS_ENHANCED
        if enhanced_rights
        else settings.VICTIMS_CODE_INFORM_DAYS
    )
    date_referred = timezone.localdate(referred_at) if referred_at is not None else None
    refer = None
    if answer == VictimAnswer.WANTS_REFERRAL:
        refer = Deadline(
            due=refer_deadline(date_told=date_asked or date_told),
            done_on=date_referred,
            today=today,
            working_days=settings.VICTIMS_CODE_REFER_DAYS,
        )
    return VictimsCodeClock(
        date_reported=date_reported,
        date_told=date_told,
        date_referred=date_referred,
        enhanced_rights=enhanced_rights,
        answer=answer,
        inform=Deadline(
            due=inform_deadline(date_reported=date_reported, enhanced_rights=enhanced_rights),
            done_on=date_told,
            today=today,
            working_days=inform_days,
        ),
        refer=refer,
    )


def record_clock(record: VictimsCodeRecord, *, today: dt.date | None = None) -> VictimsCodeClock:
    """The clock of a record (its referral, if any, already fetched with it)."""
    referral = record.referral
    return victims_code_clock(
        date_reported=record.date_reported,
        date_told=record.date_told,
        enhanced_rights=record.enhanced_rights,
        answer=record.answer,
        referred_at=referral.received_at if referral is not None else None,
        date_asked=record.date_asked,
        today=today,
    )


@dataclass(frozen=True)
class ReferralVictimsCode:
    """What the referral page shows about the Victims' Code: the record's clock, if there is one."""

    date_reported: dt.date | None
    date_referred: dt.date
    clock: VictimsCodeClock | None
    # The record's id when the viewer may open the record's own page.
    record_pk: int | None


def referral_victims_code(*, user: User, referral: Referral) -> ReferralVictimsCode | None:
    """The Victims' Code clock of a referral `user` already fetched through the referral selectors.

    One query. Only dates and met/missed are shown; the record's page, with the
    victim's details as the officer recorded them, follows its own scoping.
    """
    record = (
        VictimsCodeRecord.objects.filter(referral=referral)
        .annotate(visible=Exists(victims_code_records_visible_to(user).filter(pk=OuterRef("pk"))))
        .only(
            "pk",
            "date_reported",
            "date_told",
            "date_asked",
            "enhanced_rights",
            "answer",
            "referral_id",
        )
        .first()
    )
    if record is None:
        if referral.date_reported is None:
            return None
        return ReferralVictimsCode(
            date_reported=referral.date_reported,
            date_referred=timezone.localdate(referral.received_at),
            clock=None,
            record_pk=None,
        )
    clock = victims_code_clock(
        date_reported=record.date_reported,
        date_told=record.date_told,
        enhanced_rights=record.enhanced_rights,
        answer=record.answer,
        referred_at=referral.received_at,
        date_asked=record.date_asked,
    )
    return ReferralVictimsCode(
        date_reported=record.date_reported,
        date_referred=timezone.localdate(referral.received_at),
        clock=clock,
        record_pk=record.pk if getattr(record, "visible", False) else None,
    )


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------


CLOCK_FILTERS = {"met": "Every deadline met", "missed": "A deadline missed or overdue"}


def _list_queryset(user: User, answer: str) -> QuerySet[VictimsCodeRecord]:
    queryset = victims_code_records_visible_to(user)
    if answer in VictimAnswer.values:
        queryset = queryset.filter(answer=answer)
    return queryset


class RecordPageSource(Sequence[VictimsCodeRecord]):
    """Records whose clock matched a filter, as a sequence a Paginator can slice.

    The working-day clock is not something the database can compute, so the
    filter runs over the few columns it needs (one query), and only the rows of
    the page shown are fetched in full (one more query).
    """

    def __init__(self, queryset: QuerySet[VictimsCodeRecord], pks: list[int]) -> None:
        self._queryset = queryset
        self._pks = pks

    def __len__(self) -> int:
        return len(self._pks)

    def count(self) -> int:  # type: ignore[override]
        return len(self._pks)

    @overload
    def __getitem__(self, index: int) -> VictimsCodeRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[VictimsCodeRecord]: ...
    def __getitem__(self, index: int | slice) -> VictimsCodeRecord | list[VictimsCodeRecord]:
        if isinstance(index, int):
            pk = self._pks[index]
            return self._queryset.get(pk=pk)
        pks = self._pks[index]
        found = self._queryset.in_bulk(pks)
        return [found[pk] for pk in pks if pk in found]

    def __iter__(self) -> Iterator[VictimsCodeRecord]:
        return iter(self[:])


def victims_code_record_list(
    *, user: User, answer: str = "", clock: str = ""
) -> QuerySet[VictimsCodeRecord] | RecordPageSource:
    """The records `user` may see, newest first, with what a list row shows (no N+1).

    `answer` filters by the victim's answer; `clock` by "met" (every deadline met)
    or "missed" (a deadline missed or overdue).
    """
    queryset = (
        _list_queryset(user, answer)
        .select_related("victim", "referral", "recorded_by")
        .order_by("-date_told", "-id")
    )
    if clock not in CLOCK_FILTERS:
        return queryset
    today = timezone.localdate()
    rows = (
        _list_queryset(user, answer)
        .order_by("-date_told", "-id")
        .values_list(
            "pk",
            "date_reported",
            "date_told",
            "enhanced_rights",
            "answer",
            "referral__received_at",
            "date_asked",
        )
    )
    pks = []
    for pk, reported, told, enhanced, row_answer, referred_at, asked in rows:
        row_clock = victims_code_clock(
            date_reported=reported,
            date_told=told,
            enhanced_rights=enhanced,
            answer=row_answer,
            referred_at=referred_at,
            date_asked=asked,
            today=today,
        )
        if (clock == "met" and row_clock.all_met) or (clock == "missed" and row_clock.any_failed):
            pks.append(pk)
    return RecordPageSource(queryset, pks)


def victims_code_records_listed(*, actor: User, records: Sequence[VictimsCodeRecord]) -> None:
    if records:
        audit_record(
            actor=actor,
            action=AuditAction.LIST,
            record_type=VictimsCodeRecord._meta.label_lower,
            detail={"ids": [r.pk for r in records]},
        )


def victims_code_record_viewed(*, actor: User, record: VictimsCodeRecord) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, record=record)


# ---------------------------------------------------------------------------
# Compliance figures
# ---------------------------------------------------------------------------


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class InformFigures:
    told: int = 0
    told_in_time: int = 0

    @property
    def told_in_time_percent(self) -> int | None:
        return _percent(self.told_in_time, self.told)


@dataclass(frozen=True)
class ComplianceFigures:
    """Aggregate numbers only: nothing here names or identifies a person."""

    organisation: Organisation
    date_from: dt.date
    date_to: dt.date
    told: int
    told_in_time: int
    wants_referral: int
    declined: int
    undecided: int
    referred_in_time: int
    enhanced: InformFigures
    standard: InformFigures
    inform_days: int = field(default_factory=lambda: settings.VICTIMS_CODE_INFORM_DAYS)
    inform_days_enhanced: int = field(
        default_factory=lambda: settings.VICTIMS_CODE_INFORM_DAYS_ENHANCED
    )
    refer_days: int = field(default_factory=lambda: settings.VICTIMS_CODE_REFER_DAYS)

    @property
    def told_in_time_percent(self) -> int | None:
        return _percent(self.told_in_time, self.told)

    @property
    def referred_in_time_percent(self) -> int | None:
        return _percent(self.referred_in_time, self.wants_referral)


def victims_code_compliance(
    *,
    organisation: Organisation,
    date_from: dt.date,
    date_to: dt.date,
    today: dt.date | None = None,
) -> ComplianceFigures:
    """The Code figures of one police force or YOT, for victims told from `date_from` to `date_to`.

    One query, over the columns the clocks need; no names leave this function.
    """
    today = today or timezone.localdate()
    rows = VictimsCodeRecord.objects.filter(
        organisation=organisation, date_told__gte=date_from, date_told__lte=date_to
    ).values_list(
        "date_reported",
        "date_told",
        "enhanced_rights",
        "answer",
        "referral__received_at",
        "date_asked",
    )
    told = told_in_time = referred_in_time = 0
    by_answer = dict.fromkeys(VictimAnswer.values, 0)
    groups = {True: [0, 0], False: [0, 0]}
    for reported, told_on, enhanced, answer, referred_at, asked in rows:
        clock = victims_code_clock(
            date_reported=reported,
            date_told=told_on,
            enhanced_rights=enhanced,
            answer=answer,
            referred_at=referred_at,
            date_asked=asked,
            today=today,
        )
        told += 1
        by_answer[answer] = by_answer.get(answer, 0) + 1
        groups[enhanced][0] += 1
        if clock.inform.met:
            told_in_time += 1
            groups[enhanced][1] += 1
        if clock.refer is not None and clock.refer.met:
            referred_in_time += 1
    return ComplianceFigures(
        organisation=organisation,
        date_from=date_from,
        date_to=date_to,
        told=told,
        told_in_time=told_in_time,
        wants_referral=by_answer[VictimAnswer.WANTS_REFERRAL],
        declined=by_answer[VictimAnswer.DECLINED],
        undecided=by_answer[VictimAnswer.UNDECIDED],
        referred_in_time=referred_in_time,
        enhanced=InformFigures(told=groups[True][0], told_in_time=groups[True][1]),
        standard=InformFigures(told=groups[False][0], told_in_time=groups[False][1]),
    )


def victims_code_compliance_viewed(
    *, actor: User, organisation: Organisation, date_from: dt.date, date_to: dt.date
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        record_type=VictimsCodeRecord._meta.label_lower,
        detail={
            "report": "victims_code_compliance",
            "organisation": organisation.slug,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
        },
    )


# ---------------------------------------------------------------------------
# The rules of what may be recorded (shared by the forms and the services)
# ---------------------------------------------------------------------------


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    return (
        day.year
        - date_of_birth.year
        - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
    )


def recorder_problems(*, actor: User, offender_under_18: bool | None) -> list[Problem]:
    """The Code's rule: police tell victims of adults, the YOT victims of under-18s."""
    org = actor.organisation
    if org is None or org.kind not in RECORDER_ROLE_BY_KIND:
        return [("", "Only a police officer or youth justice worker can record this.")]
    if offender_under_18 is None:
        return []
    if org.kind == OrganisationKind.POLICE and offender_under_18:
        return [("offender_under_18", OFFENDER_UNDER_18_POLICE)]
    if org.kind == OrganisationKind.YOUTH_JUSTICE and not offender_under_18:
        return [("offender_under_18", OFFENDER_ADULT_YOUTH_JUSTICE)]
    return []


def contact_problems(
    *,
    who: str,
    channels: Sequence[str],
    phone: str,
    email: str,
    address_line_1: str,
    postcode: str,
) -> list[Problem]:
    """Every channel said to be safe has the details it needs."""
    problems: list[Problem] = []
    if not channels:
        problems.append(("safe_channels", f"Select at least one way it is safe to contact {who}"))
    if {ContactChannel.PHONE, ContactChannel.SMS} & set(channels) and not phone:
        problems.append(
            ("phone", f"Enter a phone number for {who}, or untick phone call and text message")
        )
    if ContactChannel.EMAIL in channels and not email:
        problems.append(("email", f"Enter an email address for {who}, or untick email"))
    if ContactChannel.LETTER in channels and not (address_line_1 and postcode):
        problems.append(
            ("address_line_1", f"Enter an address and postcode for {who}, or untick letter")
        )
    return problems


def hub_problems(*, hub: Organisation | None) -> list[Problem]:
    if hub is None:
        return [("hub", "Select the victim care hub that should receive the referral")]
    if hub.kind != OrganisationKind.VICTIM_CARE_HUB:
        return [("hub", f"{hub.name} is not a victim care hub")]
    return []


def date_problems(
    *, date_reported: dt.date | None, date_told: dt.date | None, today: dt.date
) -> list[Problem]:
    problems: list[Problem] = []
    if date_reported is not None and date_reported > today:
        problems.append(
            ("date_reported", "The date the crime was reported must be today or in the past")
        )
    if date_told is not None:
        if date_told > today:
            problems.append(
                ("date_told", "The date the victim was told about RJ must be today or in the past")
            )
        elif date_reported is not None and date_told < date_reported:
            problems.append(
                (
                    "date_told",
                    "The date the victim was told about RJ must be the same as or after "
                    "the date the crime was reported",
                )
            )
    return problems


def record_problems(
    *,
    actor: User,
    date_reported: dt.date | None,
    date_told: dt.date | None,
    victim_date_of_birth: dt.date | None,
    enhanced_rights: bool | None,
    offender_under_18: bool | None,
    answer: str,
    hub: Organisation | None,
    safe_channels: Sequence[str],
    phone: str,
    email: str,
    address_line_1: str,
    postcode: str,
    today: dt.date | None = None,
) -> list[Problem]:
    """Everything wrong with a new Victims' Code record, each tied to the field it is about."""
    today = today or timezone.localdate()
    problems = recorder_problems(actor=actor, offender_under_18=offender_under_18)
    problems += date_problems(date_reported=date_reported, date_told=date_told, today=today)
    if victim_date_of_birth is not None:
        if victim_date_of_birth > today:
            problems.append(("date_of_birth", "The victim's date of birth must be in the past"))
        elif (
            date_reported is not None
            and enhanced_rights is False
            and victim_date_of_birth <= date_reported
            and age_on(victim_date_of_birth, date_reported) < 18
        ):
            problems.append(
                (
                    "enhanced_rights",
                    "Victims under 18 are entitled to enhanced rights: select yes, "
                    "or check the victim's date of birth",
                )
            )
    if answer == VictimAnswer.WANTS_REFERRAL:
        problems += hub_problems(hub=hub)
        problems += contact_problems(
            who="the victim",
            channels=safe_channels,
            phone=phone,
            email=email,
            address_line_1=address_line_1,
            postcode=postcode,
        )
    return problems


def offender_referral_problems(
    *,
    actor: User,
    date_of_birth: dt.date | None,
    offence_date: dt.date | None,
    date_reported: dt.date | None,
    agrees: bool | None,
    hub: Organisation | None,
    safe_channels: Sequence[str],
    phone: str,
    email: str,
    address_line_1: str,
    postcode: str,
    today: dt.date | None = None,
) -> list[Problem]:
    """Everything wrong with a referral of the person responsible."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    if offence_date is not None and offence_date > today:
        problems.append(("offence_date", "The date of the offence must be today or in the past"))
    problems += date_problems(date_reported=date_reported, date_told=None, today=today)
    if offence_date and date_reported and date_reported < offence_date:
        problems.append(
            (
                "date_reported",
                "The date the crime was reported must be the same as or after the date of the "
                "offence",
            )
        )
    if date_of_birth is not None:
        if date_of_birth > today:
            problems.append(("date_of_birth", "The date of birth must be in the past"))
        else:
            # Who refers follows the person's age when the offence happened (or was reported).
            under_18 = age_on(date_of_birth, offence_date or date_reported or today) < 18
            if recorder_problems(actor=actor, offender_under_18=under_18):
                problems.append(
                    ("date_of_birth", OFFENDER_UNDER_18_REFER if under_18 else OFFENDER_ADULT_REFER)
                )
    if agrees is not True:
        problems.append(
            (
                "agrees",
                "Refer the person responsible only once they have agreed to be contacted "
                "about restorative justice",
            )
        )
    problems += hub_problems(hub=hub)
    problems += contact_problems(
        who="the person responsible",
        channels=safe_channels,
        phone=phone,
        email=email,
        address_line_1=address_line_1,
        postcode=postcode,
    )
    return problems


def _refuse(problems: list[Problem]) -> None:
    if problems:
        field_name, message = problems[0]
        raise DomainError(message, code=field_name or "invalid")


# ---------------------------------------------------------------------------
# Double submission: a one-time form token
# ---------------------------------------------------------------------------

# A session cannot stop a double-click: both requests read the session before
# either writes it back. `cache.add` is atomic in every cache backend Amends
# runs with (database, Redis, Memcached), and every process shares that cache.
FORM_TOKEN_TIMEOUT = 24 * 60 * 60
_PENDING = 0


class AlreadySubmitted(DomainError):
    """This form was already sent: it saved once, and will not save again.

    `saved` is what the first sending made (a record's id, a referral's reference),
    or None while that is still being saved.
    """

    def __init__(self, saved: int | str | None) -> None:
        super().__init__("You already sent this form. It was saved once.", code="already_submitted")
        self.saved = saved


def form_token_new() -> str:
    return secrets.token_urlsafe(24)


def _token_key(actor: User, kind: str, token: str) -> str:
    return f"amends:form-token:{kind}:{actor.pk}:{token}"


class _FormToken:
    """Claims a one-time form token for the length of a `with` block."""

    def __init__(self, actor: User, kind: str, token: str | None) -> None:
        self.key = _token_key(actor, kind, token) if token else None

    def __enter__(self) -> _FormToken:
        if self.key is not None and not cache.add(self.key, _PENDING, FORM_TOKEN_TIMEOUT):
            raise AlreadySubmitted(cache.get(self.key) or None)
        return self

    def done(self, saved: int | str) -> None:
        if self.key is not None:
            cache.set(self.key, saved, FORM_TOKEN_TIMEOUT)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        # A refused or failed save gives the token back, so the corrected form can be sent.
        if exc_type is not None and self.key is not None:
            cache.delete(self.key)


# ---------------------------------------------------------------------------
# Services (writes)
# ---------------------------------------------------------------------------


@dataclass
class PersonDetails:
    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None
    phone: str = ""
    email: str = ""
    address_line_1: str = ""
    town: str = ""
    postcode: str = ""


@dataclass
class SafeContact:
    channels: list[str] = field(default_factory=list)
    times: str = ""
    may_leave_message: bool | None = None


def _person_in_referral(
    *, role: str, person: Person, safe_contact: SafeContact | None, knows_and_agrees: bool | None
) -> PersonInReferral:
    contact = safe_contact or SafeContact()
    return PersonInReferral(
        role=role,
        given_name=person.given_name,
        family_name=person.family_name,
        person=person,
        knows_and_agrees=knows_and_agrees,
        safe_channels=list(contact.channels),
        safe_times=contact.times,
        may_leave_message=contact.may_leave_message,
        post_is_safe=ContactChannel.LETTER in contact.channels if contact.channels else None,
    )


def _new_person(details: PersonDetails) -> Person:
    return Person.objects.create(
        given_name=details.given_name,
        family_name=details.family_name,
        date_of_birth=details.date_of_birth,
        phone=details.phone,
        email=details.email,
        address_line_1=details.address_line_1,
        town=details.town,
        postcode=details.postcode,
    )


def _refer_victim(
    *,
    actor: User,
    record: VictimsCodeRecord,
    hub: Organisation,
    safe_contact: SafeContact | None,
    submission_key: str | None,
) -> Referral:
    """The referral a victim asked for, from their record; the hub is alerted on commit."""
    organisation = record.organisation
    referral = referral_create(
        actor=actor,
        hub=hub,
        source=SOURCE_BY_KIND[organisation.kind],
        offence_type=record.offence_type,
        crime_reference=record.crime_reference,
        enhanced_rights=record.enhanced_rights,
        referring_organisation=organisation,
        reported_to_police=True,
        date_reported=record.date_reported,
        offender_known=Answer.YES if record.offender_under_18 else "",
        submission_key=submission_key,
        people=[
            _person_in_referral(
                role=PersonRole.VICTIM,
                person=record.victim,
                safe_contact=safe_contact,
                knows_and_agrees=True,
            )
        ],
    )
    referral_created_notify(referral=referral)
    return referral


def _submission_key(kind: str, token: str | None) -> str | None:
    return f"staff-{kind}:{token}" if token else None


def victims_code_record_create(
    *,
    actor: User,
    victim: PersonDetails,
    crime_reference: str,
    offence_type: str,
    date_reported: dt.date,
    date_told: dt.date,
    told_by: str,
    told_how: str,
    enhanced_rights: bool,
    offender_under_18: bool,
    answer: str,
    hub: Organisation | None = None,
    safe_contact: SafeContact | None = None,
    form_token: str | None = None,
) -> VictimsCodeRecord:
    """Record that a victim was told about RJ; if they want a referral, make it and alert the hub.

    A form token makes a double-clicked or resent form save once (AlreadySubmitted).
    """
    organisation = recording_organisation(user=actor)
    contact = safe_contact or SafeContact()
    _refuse(
        record_problems(
            actor=actor,
            date_reported=date_reported,
            date_told=date_told,
            victim_date_of_birth=victim.date_of_birth,
            enhanced_rights=enhanced_rights,
            offender_under_18=offender_under_18,
            answer=answer,
            hub=hub,
            safe_channels=contact.channels,
            phone=victim.phone,
            email=victim.email,
            address_line_1=victim.address_line_1,
            postcode=victim.postcode,
        )
    )
    if answer not in VictimAnswer.values:
        raise DomainError("Select the victim's answer", code="answer")
    submission_key = _submission_key("victims-code", form_token)
    with _FormToken(actor, "victims-code", form_token) as token:
        try:
            with transaction.atomic():
                record = VictimsCodeRecord.objects.create(
                    organisation=organisation,
                    recorded_by=actor,
                    victim=_new_person(victim),
                    crime_reference=crime_reference,
                    offence_type=offence_type,
                    date_reported=date_reported,
                    date_told=date_told,
                    told_by=told_by,
                    told_how=told_how,
                    enhanced_rights=enhanced_rights,
                    offender_under_18=offender_under_18,
                    answer=answer,
                    date_asked=date_told if answer == VictimAnswer.WANTS_REFERRAL else None,
                )
                if answer == VictimAnswer.WANTS_REFERRAL:
                    assert hub is not None
                    record.referral = _refer_victim(
                        actor=actor,
                        record=record,
                        hub=hub,
                        safe_contact=contact,
                        submission_key=submission_key,
                    )
                    record.save(update_fields=["referral", "updated_at"])
                audit_record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    record=record,
                    detail={"answer": answer, "referral": record.referral_id},
                )
        except IntegrityError:
            # The same form made its referral in another process (a cache not shared).
            existing = VictimsCodeRecord.objects.filter(
                referral__submission_key=submission_key
            ).first()
            if submission_key is None or existing is None:
                raise
            raise AlreadySubmitted(existing.pk) from None
        token.done(record.pk)
    return record


def victims_code_record_for_referral(
    *,
    actor: User,
    referral: Referral,
    date_told: dt.date,
    told_by: str,
    told_how: str,
    offender_under_18: bool,
) -> VictimsCodeRecord:
    """Record that the victim of a referral the police or YOT already made was told about RJ.

    For referrals that reached the hub before the record (a police system's
    export, the demo): the record's answer is "wants a referral", linked to it.
    """
    organisation = recording_organisation(user=actor)
    if referral.referring_organisation_id != organisation.pk:
        raise DomainError("Only the organisation that made a referral can record this for it.")
    if referral.date_reported is None:
        raise DomainError("The referral does not say when the crime was reported.")
    _refuse(recorder_problems(actor=actor, offender_under_18=offender_under_18))
    _refuse(
        date_problems(
            date_reported=referral.date_reported, date_told=date_told, today=timezone.localdate()
        )
    )
    victim_role = referral.people.filter(role=PersonRole.VICTIM).select_related("person").first()
    if victim_role is None:
        raise DomainError("The referral names no person harmed.")
    with transaction.atomic():
        record = VictimsCodeRecord.objects.create(
            organisation=organisation,
            recorded_by=actor,
            victim=victim_role.person,
            crime_reference=referral.crime_reference,
            offence_type=referral.offence_type,
            date_reported=referral.date_reported,
            date_told=date_told,
            told_by=told_by,
            told_how=told_how,
            enhanced_rights=referral.enhanced_rights,
            offender_under_18=offender_under_18,
            answer=VictimAnswer.WANTS_REFERRAL,
            date_asked=date_told,
            referral=referral,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            record=record,
            detail={"answer": record.answer, "referral": referral.pk},
        )
    return record


def victims_code_record_answer(
    *,
    actor: User,
    record: VictimsCodeRecord,
    expected_version: int,
    answer: str,
    hub: Organisation | None = None,
    phone: str | None = None,
    email: str | None = None,
    safe_contact: SafeContact | None = None,
) -> VictimsCodeRecord:
    """A victim who had not decided now wants a referral (made here) or declines.

    Refused with StaleVersion if the record changed since the form was loaded.
    A changed phone number or email address is saved on the victim's person record.
    """
    if answer not in {VictimAnswer.WANTS_REFERRAL, VictimAnswer.DECLINED}:
        raise DomainError("Select whether the victim wants a referral or declined", code="answer")
    try:
        with transaction.atomic():
            return _answer_locked(
                actor=actor,
                record=record,
                expected_version=expected_version,
                answer=answer,
                hub=hub,
                person_changes={
                    name: value
                    for name, value in (("phone", phone), ("email", email))
                    if value is not None
                },
                contact=safe_contact or SafeContact(),
            )
    except StaleVersion:
        # Written after the rollback, so that the refused save itself stays on the record.
        audit_record(actor=actor, action=AuditAction.CONFLICT, record=record)
        raise


def _answer_locked(
    *,
    actor: User,
    record: VictimsCodeRecord,
    expected_version: int,
    answer: str,
    hub: Organisation | None,
    person_changes: dict[str, str],
    contact: SafeContact,
) -> VictimsCodeRecord:
    try:
        current = (
            victims_code_records_visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("victim", "organisation")
            .get(pk=record.pk)
        )
    except VictimsCodeRecord.DoesNotExist:
        raise Http404("No record here.") from None
    if current.version != expected_version:
        raise StaleVersion()
    if not may_change_answer(user=actor, record=current):
        raise DomainError(
            "The victim's answer is already recorded; it cannot be changed here.", code="answer"
        )
    victim = current.victim
    changes = {k: v for k, v in person_changes.items() if getattr(victim, k) != v}
    if answer == VictimAnswer.WANTS_REFERRAL:
        _refuse(
            hub_problems(hub=hub)
            + contact_problems(
                who="the victim",
                channels=contact.channels,
                phone=changes.get("phone", victim.phone),
                email=changes.get("email", victim.email),
                address_line_1=victim.address_line_1,
                postcode=victim.postcode,
            )
        )
    if changes:
        for name, value in changes.items():
            setattr(victim, name, value)
        victim.version += 1
        victim.save(update_fields=[*changes, "version", "updated_at"])
        audit_record(actor=actor, action=AuditAction.CHANGE, record=victim, fields=list(changes))
    current.answer = answer
    changed = ["answer"]
    if answer == VictimAnswer.WANTS_REFERRAL:
        assert hub is not None
        current.date_asked = timezone.localdate()
        changed.append("date_asked")
        current.referral = _refer_victim(
            actor=actor, record=current, hub=hub, safe_contact=contact, submission_key=None
        )
        changed.append("referral")
    current.version += 1
    current.save(update_fields=[*changed, "version", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        record=current,
        fields=changed,
        detail={"answer": answer, "referral": current.referral_id},
    )
    return current


def offender_referral_create(
    *,
    actor: User,
    hub: Organisation | None,
    person: PersonDetails,
    agrees: bool,
    safe_contact: SafeContact,
    offence_type: str,
    crime_reference: str,
    date_reported: dt.date | None = None,
    offence_date: dt.date | None = None,
    victim_given_name: str = "",
    victim_family_name: str = "",
    form_token: str | None = None,
) -> Referral:
    """An officer or youth justice worker refers the person who caused harm; the hub is alerted.

    The person harmed may be unknown to the officer: named only if given.
    """
    organisation = recording_organisation(user=actor)
    _refuse(
        offender_referral_problems(
            actor=actor,
            date_of_birth=person.date_of_birth,
            offence_date=offence_date,
            date_reported=date_reported,
            agrees=agrees,
            hub=hub,
            safe_channels=safe_contact.channels,
            phone=person.phone,
            email=person.email,
            address_line_1=person.address_line_1,
            postcode=person.postcode,
        )
    )
    assert hub is not None
    submission_key = _submission_key("offender", form_token)
    with _FormToken(actor, "offender", form_token) as token:
        try:
            with transaction.atomic():
                people = [
                    _person_in_referral(
                        role=PersonRole.OFFENDER,
                        person=_new_person(person),
                        safe_contact=safe_contact,
                        knows_and_agrees=True,
                    )
                ]
                if victim_given_name or victim_family_name:
                    people.append(
                        PersonInReferral(
                            role=PersonRole.VICTIM,
                            given_name=victim_given_name,
                            family_name=victim_family_name,
                        )
                    )
                referral = referral_create(
                    actor=actor,
                    hub=hub,
                    source=SOURCE_BY_KIND[organisation.kind],
                    offence_type=offence_type,
                    offence_date=offence_date,
                    crime_reference=crime_reference,
                    referring_organisation=organisation,
                    reported_to_police=True,
                    date_reported=date_reported,
                    offender_known=Answer.YES,
                    submission_key=submission_key,
                    people=people,
                )
                referral_created_notify(referral=referral)
        except IntegrityError:
            existing = Referral.objects.filter(submission_key=submission_key).first()
            if submission_key is None or existing is None:
                raise
            raise AlreadySubmitted(existing.reference) from None
        token.done(referral.reference)
    return referral
