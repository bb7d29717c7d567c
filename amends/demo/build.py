"""Builds the demo partnership idempotently, through the same services staff use."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone
from faker import Faker

from amends.accounts.models import Organisation, User, UserRole
from amends.accounts.models import Role as R
from amends.cases import services as case_services
from amends.cases.models import Case, ConsentGivenBy, ConsentHow
from amends.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET, ORGANISATIONS, USERS
from amends.events import selectors as event_selectors
from amends.events import services as event_services
from amends.events.models import (
    Event,
    EventKind,
    EventState,
    HoursActivity,
    RegistrantKind,
    Registration,
    YearGroup,
)
from amends.practitioners import application
from amends.practitioners import services as practitioner_services
from amends.practitioners.models import (
    AccreditationRole,
    DbsOutcome,
    Practitioner,
    PractitionerLevel,
    PractitionerState,
    RjcStatus,
    TrainingCourse,
)
from amends.referrals import services, victims_code
from amends.referrals.models import (
    ClosingReason,
    ContactChannel,
    ContactOutcome,
    OffenceType,
    PersonRole,
    Referral,
    ReferralSource,
    ReferralState,
    ToldHow,
    VictimAnswer,
    VictimsCodeRecord,
)
from amends.referrals.services import PersonInReferral

# How the demo referrals spread over the workflow: (final state, closing reason, weight).
STATE_MIX: list[tuple[str, str, int]] = [
    (ReferralState.NEW, "", 40),
    (ReferralState.CONTACTING, "", 45),
    (ReferralState.IN_TRIAGE, "", 45),
    (ReferralState.AWAITING_CONSENT, "", 35),
    (ReferralState.HANDED_OFF, "", 50),
    (ReferralState.CLOSED, ClosingReason.UNABLE_TO_CONTACT, 15),
    (ReferralState.CLOSED, ClosingReason.SUPPORT_ONLY, 15),
    (ReferralState.CLOSED, ClosingReason.SIGNPOSTED, 10),
    (ReferralState.CLOSED, ClosingReason.DECLINED_RJ, 15),
    (ReferralState.CLOSED, ClosingReason.NOT_SUITABLE, 10),
    (ReferralState.CLOSED, ClosingReason.DUPLICATE, 5),
    (ReferralState.CLOSED, ClosingReason.WITHDRAWN, 10),
    ("reopened", "", 5),
]


# A referral still in the hub's queue arrived a few days ago, more for a later stage:
# (fewest, most) days before today. Its clocks (referrals/clocks.py) then show the queue
# a realistic few due today or overdue, not months of breaches.
_RECENT_DAYS: dict[str, tuple[int, int]] = {
    ReferralState.NEW: (0, 3),
    ReferralState.CONTACTING: (0, 4),
    ReferralState.IN_TRIAGE: (3, 16),
    ReferralState.AWAITING_CONSENT: (8, 30),
}


def _interleaved_plan() -> list[tuple[str, str]]:
    """STATE_MIX in round-robin order, so that even a few referrals reach every state."""
    remaining = {(state, reason): weight for state, reason, weight in STATE_MIX}
    plan: list[tuple[str, str]] = []
    while remaining:
        for key in list(remaining):
            plan.append(key)
            remaining[key] -= 1
            if not remaining[key]:
                del remaining[key]
    return plan


def demo_organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                # A made-up team inbox, so that `make run` shows the hub's alerts.
                "notification_email": f"team@{spec.slug}.example",
            },
        )
        if spec.hands_off_to and org.hands_off_to_id is None:
            org.hands_off_to = orgs[spec.hands_off_to]
            org.save(update_fields=["hands_off_to"])
        orgs[spec.slug] = org
    return orgs


def demo_users(orgs: dict[str, Organisation]) -> dict[str, User]:
    users: dict[str, User] = {}
    for spec in USERS:
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User.objects.create_user(
                email=spec.email,
                password=DEMO_PASSWORD,
                full_name=spec.full_name,
                organisation=orgs[spec.organisation],
            )
        for role in spec.roles:
            UserRole.objects.get_or_create(user=user, role=role)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        users[spec.email] = user
    return users


def demo_referrals(
    *,
    orgs: dict[str, Organisation],
    users: dict[str, User],
    count: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create `count` referrals across both hubs and every state, unless the hubs have some."""
    hubs = [orgs["barnet-victim-care-hub"], orgs["enfield-victim-care-hub"]]
    demo_victims_code_records(orgs=orgs, users=users, count=max(4, count // 10), seed=seed)
    demo_practitioners(orgs=orgs, users=users, seed=seed)
    if Referral.objects.filter(hub__in=hubs).exists():
        return 0
    # Its own random stream, so that the Victims' Code dates leave the rest of the demo as it was.
    code_rng = random.Random(seed + 1)
    # And one for when referrals still in the hub's queue arrived (see _RECENT_DAYS).
    clock_rng = random.Random(seed + 2)
    # And one for what each person said is a safe way to contact them.
    contact_rng = random.Random(seed + 5)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    managers = {
        hub.slug: next(
            u for u in users.values() if u.organisation_id == hub.pk and u.has_role(R.HUB_MANAGER)
        )
        for hub in hubs
    }
    caseworkers = {
        hub.slug: [
            u
            for u in users.values()
            if u.organisation_id == hub.pk and u.has_role(R.HUB_CASEWORKER)
        ]
        for hub in hubs
    }
    provider_coordinator = users["coordinator@calm-mediation.example"]
    officer = users["officer@met-police.example"]
    yj_worker = users["yj.worker@barnet-youth-justice.example"]
    now = timezone.now()
    plan = _interleaved_plan()
    total = len(plan)
    for i in range(count):
        target, closing_reason = plan[i % total]
        hub = hubs[0] if rng.random() < 0.65 else hubs[1]
        source = rng.choice(
            [ReferralSource.POLICE] * 5
            + [ReferralSource.SELF] * 3
            + [ReferralSource.ON_BEHALF, ReferralSource.YOUTH_JUSTICE]
        )
        actor: User | None = None
        referring_org = None
        if source == ReferralSource.POLICE:
            actor, referring_org = officer, orgs["met-police"]
        elif source == ReferralSource.YOUTH_JUSTICE:
            actor, referring_org = yj_worker, orgs["barnet-youth-justice"]
        received = now - dt.timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 1440))
        if target in _RECENT_DAYS:
            low, high = _RECENT_DAYS[target]
            received = now - dt.timedelta(
                days=clock_rng.randint(low, high), minutes=clock_rng.randint(0, 600)
            )
        offence_date = (received - dt.timedelta(days=rng.randint(1, 60))).date()
        victim_dob = fake.date_of_birth(minimum_age=12, maximum_age=85)
        people = [
            PersonInReferral(
                role=PersonRole.VICTIM,
                given_name=fake.first_name(),
                family_name=fake.last_name(),
                date_of_birth=victim_dob,
                email=fake.free_email() if rng.random() < 0.7 else "",
                phone=fake.phone_number() if rng.random() < 0.9 else "",
                address_line_1=fake.street_address(),
                town=rng.choice(["Barnet", "Finchley", "Edgware"])
                if hub == hubs[0]
                else rng.choice(["Enfield", "Edmonton", "Southgate"]),
                postcode=fake.postcode(),
            )
        ]
        _safe_contact(people[0], contact_rng)
        if rng.random() < 0.6:
            people.append(
                PersonInReferral(
                    role=PersonRole.OFFENDER,
                    given_name=fake.first_name(),
                    family_name=fake.last_name(),
                    date_of_birth=fake.date_of_birth(minimum_age=12, maximum_age=70),
                )
            )
        age = (received.date() - victim_dob).days // 365
        if age < 18:
            people.append(
                PersonInReferral(
                    role=PersonRole.PARENT_GUARDIAN,
                    given_name=fake.first_name(),
                    family_name=people[0].family_name,
                    phone=fake.phone_number(),
                    relationship="Parent",
                )
            )
        if source == ReferralSource.ON_BEHALF:
            people.append(
                PersonInReferral(
                    role=PersonRole.REFERRER,
                    given_name=fake.first_name(),
                    family_name=fake.last_name(),
                    email=fake.free_email(),
                    relationship=rng.choice(["Friend", "Partner", "Support worker", "Sibling"]),
                )
            )
        date_told: dt.date | None = None
        date_reported: dt.date | None = None
        if actor is not None:
            # The officer told the victim about RJ shortly before referring them.
            date_told = timezone.localdate(received) - dt.timedelta(
                days=code_rng.choice([0, 0, 0, 1, 1, 2, 3, 6])
            )
            reported = date_told - dt.timedelta(days=code_rng.choice([0, 1, 1, 2, 4, 6, 9]))
            date_reported = min(date_told, max(offence_date, reported))
        with transaction.atomic():
            referral = services.referral_create(
                actor=actor,
                hub=hub,
                source=source,
                offence_type=rng.choice(OffenceType.values),
                offence_date=offence_date,
                offence_place=f"{fake.street_name()}, {people[0].town}",
                crime_reference=_crime_reference(rng, received)
                if source != ReferralSource.SELF or rng.random() < 0.5
                else "",
                enhanced_rights=age < 18 or rng.random() < 0.2,
                referring_organisation=referring_org,
                people=people,
                received_at=received,
                reported_to_police=True if actor is not None else None,
                date_reported=date_reported,
            )
            if actor is not None and date_told is not None:
                victims_code.victims_code_record_for_referral(
                    actor=actor,
                    referral=referral,
                    date_told=date_told,
                    told_by=actor.full_name,
                    told_how=code_rng.choice(ToldHow.values),
                    offender_under_18=source == ReferralSource.YOUTH_JUSTICE,
                )
            _walk(
                referral=referral,
                target=target,
                closing_reason=closing_reason,
                manager=managers[hub.slug],
                caseworker=rng.choice(caseworkers[hub.slug]),
                provider_coordinator=provider_coordinator,
                rng=rng,
                fake=fake,
            )
        if progress:
            progress(i + 1)
    return count


def _walk(
    *,
    referral: Referral,
    target: str,
    closing_reason: str,
    manager: User,
    caseworker: User,
    provider_coordinator: User,
    rng: random.Random,
    fake: Faker,
) -> None:
    """Move a new referral along the workflow to `target`, as staff would."""
    S = ReferralState
    if target == S.NEW:
        if rng.random() < 0.5:
            services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
        return

    def move(to: str, actor: User = caseworker, closing: str = "", reason: str = "") -> None:
        services.referral_transition(
            actor=actor, referral=referral, to_state=to, closing_reason=closing, reason=reason
        )

    victim = referral.people.get(role=PersonRole.VICTIM)

    def attempt(outcome: str) -> None:
        channel = rng.choice(
            [
                ContactChannel.PHONE,
                ContactChannel.PHONE,
                ContactChannel.SMS,
                ContactChannel.EMAIL,
            ]
        )
        # Staff use only the ways the person said are safe (the service refuses others).
        if victim.safe_channels and channel not in victim.safe_channels:
            channel = victim.safe_channels[0]
        if (
            outcome == ContactOutcome.LEFT_MESSAGE
            and channel == ContactChannel.PHONE
            and victim.may_leave_message is False
        ):
            outcome = ContactOutcome.NO_ANSWER
        services.contact_attempt_record(
            actor=caseworker, referral=referral, channel=channel, outcome=outcome
        )

    services.referral_allocate(actor=manager, referral=referral, caseworker=caseworker)
    move(S.CONTACTING)
    if target == S.CONTACTING:
        for _ in range(rng.randint(0, 2)):
            attempt(rng.choice([ContactOutcome.NO_ANSWER, ContactOutcome.LEFT_MESSAGE]))
        return
    if closing_reason == ClosingReason.UNABLE_TO_CONTACT:
        for _ in range(3):
            attempt(
                rng.choice(
                    [
                        ContactOutcome.NO_ANSWER,
                        ContactOutcome.LEFT_MESSAGE,
                        ContactOutcome.WRONG_DETAILS,
                    ]
                )
            )
        move(S.CLOSED, closing=ClosingReason.UNABLE_TO_CONTACT)
        return
    if closing_reason == ClosingReason.WITHDRAWN and rng.random() < 0.5:
        move(S.CLOSED, closing=ClosingReason.WITHDRAWN, reason="The person asked us to stop.")
        return
    if rng.random() < 0.4:
        attempt(ContactOutcome.NO_ANSWER)
    attempt(ContactOutcome.SPOKE)
    move(S.IN_TRIAGE)
    if target == S.IN_TRIAGE:
        return
    if target == S.CLOSED and closing_reason in {
        ClosingReason.SUPPORT_ONLY,
        ClosingReason.SIGNPOSTED,
        ClosingReason.NOT_SUITABLE,
        ClosingReason.DUPLICATE,
    }:
        notes = {
            ClosingReason.SUPPORT_ONLY: "Wants practical and emotional support, not RJ.",
            ClosingReason.SIGNPOSTED: "Signposted to a local counselling service.",
            ClosingReason.NOT_SUITABLE: "Ongoing risk from the person responsible.",
            ClosingReason.DUPLICATE: "Same offence already referred by the police.",
        }
        move(S.CLOSED, closing=closing_reason, reason=notes[ClosingReason(closing_reason)])
        return
    if target == "reopened":
        move(S.CLOSED, closing=ClosingReason.DECLINED_RJ, reason="Not ready to think about RJ.")
        move(S.NEW, actor=manager, reason="The person called back and would like to talk about RJ.")
        return
    move(S.AWAITING_CONSENT)
    if target == S.AWAITING_CONSENT:
        return
    if closing_reason == ClosingReason.DECLINED_RJ:
        move(S.CLOSED, closing=ClosingReason.DECLINED_RJ)
        return
    if closing_reason == ClosingReason.WITHDRAWN:
        move(S.CLOSED, closing=ClosingReason.WITHDRAWN, reason="The person withdrew.")
        return
    case_services.hand_off_consent_record(
        actor=caseworker,
        referral=referral,
        given_by=ConsentGivenBy.PERSON,
        how=ConsentHow.values[referral.pk % len(ConsentHow.values)],
        given_on=min(
            timezone.localdate(), timezone.localdate(referral.received_at) + dt.timedelta(days=9)
        ),
    )
    move(S.HANDED_OFF)
    case = Case.objects.get(referral=referral)
    if rng.random() < 0.06:
        case_services.case_return(
            actor=provider_coordinator,
            case=case,
            reason="The person responsible has moved out of the area.",
        )
    elif Case.objects.count() % 3 != 1:
        # Most are accepted; every third (the first among them) waits in the intake queue.
        case_services.case_accept(actor=provider_coordinator, case=case)


def _safe_contact(victim: PersonInReferral, rng: random.Random) -> None:
    """What the person told the officer or the form about contacting them safely."""
    offered = []
    if victim.phone:
        offered += [ContactChannel.PHONE] * (rng.random() < 0.8)
        offered += [ContactChannel.SMS] * (rng.random() < 0.4)
    if victim.email:
        offered += [ContactChannel.EMAIL] * (rng.random() < 0.5)
    victim.post_is_safe = rng.random() < 0.3
    if victim.post_is_safe:
        offered.append(ContactChannel.LETTER)
    if not offered:
        offered = [ContactChannel.PHONE if victim.phone else ContactChannel.LETTER]
        victim.post_is_safe = victim.post_is_safe or not victim.phone
    victim.safe_channels = [c for c in ContactChannel.values if c in offered]
    victim.may_leave_message = (
        rng.random() < 0.5 if ContactChannel.PHONE in victim.safe_channels else None
    )
    victim.safe_times = rng.choice(
        ["", "", "Weekdays after 6pm", "Mornings before 10am", "Not at weekends"]
    )


def _crime_reference(rng: random.Random, received: dt.datetime) -> str:
    return f"{rng.randint(1000, 9999)}/{received:%y}/{rng.randint(1, 99999):05}"


def demo_victims_code_records(
    *, orgs: dict[str, Organisation], users: dict[str, User], count: int, seed: int
) -> int:
    """Victims told about RJ who declined or have not yet decided: no referral, still counted.

    Made through the officer's own service, unless the demo police and YOT have some already.
    """
    officer = users["officer@met-police.example"]
    yj_worker = users["yj.worker@barnet-youth-justice.example"]
    recorders = [orgs["met-police"], orgs["barnet-youth-justice"]]
    if VictimsCodeRecord.objects.filter(organisation__in=recorders, referral__isnull=True).exists():
        return 0
    fake = Faker("en_GB")
    fake.seed_instance(seed + 2)
    rng = random.Random(seed + 2)
    today = timezone.localdate()
    for i in range(count):
        actor = yj_worker if i % 4 == 3 else officer
        date_reported = today - dt.timedelta(days=rng.randint(3, 170))
        victim_dob = fake.date_of_birth(minimum_age=12, maximum_age=85)
        under_18 = victims_code.age_on(victim_dob, date_reported) < 18
        victims_code.victims_code_record_create(
            actor=actor,
            victim=victims_code.PersonDetails(
                given_name=fake.first_name(),
                family_name=fake.last_name(),
                date_of_birth=victim_dob,
                phone=fake.phone_number() if rng.random() < 0.8 else "",
                email=fake.free_email() if rng.random() < 0.5 else "",
            ),
            crime_reference=_crime_reference(
                rng, dt.datetime.combine(date_reported, dt.time(), dt.UTC)
            ),
            offence_type=rng.choice(OffenceType.values),
            date_reported=date_reported,
            # Most within the Code's deadline; a few late, for the compliance figures.
            date_told=min(
                today, date_reported + dt.timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5, 9]))
            ),
            told_by=actor.full_name,
            told_how=rng.choice(ToldHow.values),
            enhanced_rights=under_18 or rng.random() < 0.2,
            offender_under_18=actor == yj_worker,
            answer=VictimAnswer.DECLINED if i % 3 != 2 else VictimAnswer.UNDECIDED,
        )
    return count


# Calm Mediation's volunteers and staff: (final state, accreditation role, days since their
# last supervision). Three active facilitators are eligible for allocation; one more is
# active but last supervised 14 weeks ago, so the allocation page says why not.
PRACTITIONER_PLAN: list[tuple[str, str, int]] = [
    (PractitionerState.APPLIED, "", 0),
    (PractitionerState.SHORTLISTED, "", 0),
    (PractitionerState.INTERVIEW, "", 0),
    (PractitionerState.REFERENCES, "", 0),
    (PractitionerState.VETTING, "", 0),
    (PractitionerState.INDUCTION, "", 0),
    (PractitionerState.TRAINING, "", 0),
    (PractitionerState.ACCREDITED, AccreditationRole.ADVOCATE, 0),
    (PractitionerState.ACTIVE, AccreditationRole.FACILITATOR, 20),
    (PractitionerState.ACTIVE, AccreditationRole.FACILITATOR, 45),
    (PractitionerState.ACTIVE, AccreditationRole.FACILITATOR, 14 * 7),
    (PractitionerState.PAUSED, AccreditationRole.CO_FACILITATOR, 60),
    (PractitionerState.NOT_PROGRESSED, "", 0),
]
_RECRUITMENT = [
    PractitionerState.SHORTLISTED,
    PractitionerState.INTERVIEW,
    PractitionerState.REFERENCES,
    PractitionerState.VETTING,
    PractitionerState.INDUCTION,
    PractitionerState.TRAINING,
    PractitionerState.ACCREDITED,
    PractitionerState.ACTIVE,
]


def demo_practitioners(*, orgs: dict[str, Organisation], users: dict[str, User], seed: int) -> int:
    """Volunteers at every step of recruitment and practising facilitators, unless any exist.

    Volunteers apply through the public application's service and the volunteer
    coordinator moves them on through the practitioners' services, recording the
    references, DBS checks, training, supervision, observed practice and CPD each
    step needs. The demo facilitator's sign-in is linked to a staff practitioner
    who is eligible for allocation.
    """
    provider = orgs["calm-mediation"]
    if Practitioner.objects.filter(provider=provider).exists():
        return 0
    coordinator = users["volunteers@calm-mediation.example"]
    fake = Faker("en_GB")
    fake.seed_instance(seed + 3)
    rng = random.Random(seed + 3)
    today = timezone.localdate()
    made = 0
    for i, (target, role, supervised_days_ago) in enumerate(PRACTITIONER_PLAN):
        first_name, last_name = fake.first_name(), fake.last_name()
        practitioner = application.volunteer_application_submit(
            answers=application.VolunteerAnswers(
                first_name=first_name,
                last_name=last_name,
                date_of_birth=fake.date_of_birth(minimum_age=20, maximum_age=72),
                email=f"{first_name}.{last_name}.{i}@example.org".lower().replace("'", ""),
                phone=fake.phone_number(),
                address_line_1=fake.street_address().replace("\n", ", "),
                town=fake.city(),
                postcode=fake.postcode(),
                roles=(role or AccreditationRole.FACILITATOR,),
                availability=tuple(
                    rng.sample(["weekday_morning", "weekday_evening", "weekend"], k=2)
                ),
                hours_per_month=rng.choice([6, 8, 12, 16]),
                languages=rng.choice(["English", "English, Polish", "English, Urdu", "English"]),
                experience=fake.paragraph(nb_sentences=2),
                motivation=fake.paragraph(nb_sentences=3),
                referees=(
                    application.RefereeAnswers(
                        full_name=fake.name(),
                        relationship="Former manager",
                        email=f"referee.{i}.a@example.org",
                    ),
                    application.RefereeAnswers(
                        full_name=fake.name(),
                        relationship="Volunteer supervisor",
                        phone=fake.phone_number(),
                    ),
                ),
                consent_given_at=timezone.now() - dt.timedelta(days=rng.randint(20, 400)),
            ),
            submission_key=f"demo-{seed}-practitioner-{i}",
        )
        if target == PractitionerState.NOT_PROGRESSED:
            practitioner_services.practitioner_transition(
                actor=coordinator,
                practitioner=practitioner,
                to_state=PractitionerState.NOT_PROGRESSED,
                reason="Withdrew after the interview: moving out of the area.",
            )
        else:
            last = PractitionerState.ACTIVE if target == PractitionerState.PAUSED else target
            _practitioner_walk(
                practitioner=practitioner,
                coordinator=coordinator,
                target=last,
                role=role,
                rng=rng,
                fake=fake,
            )
            if target in {PractitionerState.ACTIVE, PractitionerState.PAUSED}:
                _practice_records(
                    practitioner=practitioner,
                    coordinator=coordinator,
                    supervised_on=today - dt.timedelta(days=supervised_days_ago),
                    rng=rng,
                    fake=fake,
                )
            if target == PractitionerState.PAUSED:
                practitioner_services.practitioner_transition(
                    actor=coordinator,
                    practitioner=practitioner,
                    to_state=PractitionerState.PAUSED,
                    reason="Taking a break for family reasons until the spring.",
                )
        made += 1
    made += _demo_staff_facilitator(
        coordinator=coordinator,
        facilitator=users["facilitator@calm-mediation.example"],
        rng=rng,
        fake=fake,
    )
    return made


def _practitioner_walk(
    *,
    practitioner: Practitioner,
    coordinator: User,
    target: str,
    role: str,
    rng: random.Random,
    fake: Faker,
) -> None:
    """Move a volunteer who applied along recruitment to `target`, as the coordinator would."""
    S = PractitionerState
    today = timezone.localdate()
    for step in _RECRUITMENT:
        if practitioner.state == target:
            return
        if step == S.VETTING:
            for referee in practitioner.referees.all():
                practitioner_services.referee_record(
                    actor=coordinator,
                    referee=referee,
                    received_on=today,
                    satisfactory=True,
                    notes="Warm and specific about their listening skills.",
                )
        if step == S.INDUCTION:
            practitioner_services.dbs_check_record(
                actor=coordinator,
                practitioner=practitioner,
                certificate_number=f"{rng.randint(1, 999_999_999_999):012d}",
                issue_date=today - dt.timedelta(days=rng.randint(30, 500)),
                outcome=DbsOutcome.CLEAR,
                update_service=rng.random() < 0.5,
            )
        if step == S.ACCREDITED:
            practitioner_services.training_record_add(
                actor=coordinator,
                practitioner=practitioner,
                course=TrainingCourse.ADVOCATE
                if role == AccreditationRole.ADVOCATE
                else TrainingCourse.FACILITATOR,
                completed_on=today - dt.timedelta(days=rng.randint(60, 300)),
                hours=Decimal("28"),
                title="Restorative justice facilitator skills (4 days)",
                trainer=fake.name(),
            )
        practitioner_services.practitioner_transition(
            actor=coordinator,
            practitioner=practitioner,
            to_state=step,
            accreditation_role=role if step == S.ACCREDITED else "",
            level=rng.choice(list(PractitionerLevel.values)) if step == S.ACCREDITED else "",
        )
        if step == S.REFERENCES and target == S.REFERENCES:
            first = practitioner.referees.order_by("id").first()
            assert first is not None
            practitioner_services.referee_record(
                actor=coordinator, referee=first, received_on=today, satisfactory=True
            )


def _practice_records(
    *,
    practitioner: Practitioner,
    coordinator: User,
    supervised_on: dt.date,
    rng: random.Random,
    fake: Faker,
) -> None:
    """Supervision (the latest on `supervised_on`), observed practice and CPD."""
    today = timezone.localdate()
    supervisor = fake.name()
    for weeks_before in (0, 10):
        practitioner_services.supervision_record(
            actor=coordinator,
            practitioner=practitioner,
            held_on=supervised_on - dt.timedelta(weeks=weeks_before),
            supervisor=supervisor,
            notes="Caseload, wellbeing and reflective practice discussed.",
        )
    practitioner_services.observation_record(
        actor=coordinator,
        practitioner=practitioner,
        observed_on=today - dt.timedelta(days=rng.randint(30, 200)),
        observer="Owen Hughes",
        notes="Observed a preparation meeting; clear and calm.",
    )
    for activity in ("Webinar: trauma-informed practice", "Reading: RJC practice guidance"):
        practitioner_services.cpd_entry_add(
            actor=coordinator,
            practitioner=practitioner,
            completed_on=today - dt.timedelta(days=rng.randint(10, 300)),
            activity=activity,
            hours=Decimal(rng.choice(["1.5", "2", "3"])),
            evidence="Certificate of attendance",
        )


def _demo_staff_facilitator(
    *, coordinator: User, facilitator: User, rng: random.Random, fake: Faker
) -> int:
    """The demo facilitator as a member of staff: accredited, active, eligible."""
    today = timezone.localdate()
    practitioner = practitioner_services.practitioner_add_staff(
        actor=coordinator,
        user=facilitator,
        phone="020 7946 0123",
        course=TrainingCourse.FACILITATOR,
        completed_on=today - dt.timedelta(days=700),
        hours=Decimal("28"),
        trainer=fake.name(),
        accreditation_role=AccreditationRole.FACILITATOR,
        level=PractitionerLevel.SENIOR,
    )
    practitioner = practitioner_services.practitioner_update(
        actor=coordinator,
        practitioner=practitioner,
        expected_version=practitioner.version,
        changes={
            "availability": ["weekday_morning", "weekday_afternoon"],
            "languages": "English, Welsh",
            "areas": "Barnet, Enfield",
            "case_limit": 5,
            "rjc_status": RjcStatus.ACCREDITED,
            "rjc_number": "RJC-004217",
        },
    )
    practitioner_services.dbs_check_record(
        actor=coordinator,
        practitioner=practitioner,
        certificate_number=f"{rng.randint(1, 999_999_999_999):012d}",
        issue_date=today - dt.timedelta(days=400),
        outcome=DbsOutcome.CLEAR,
        update_service=True,
    )
    _practice_records(
        practitioner=practitioner,
        coordinator=coordinator,
        supervised_on=today - dt.timedelta(days=30),
        rng=rng,
        fake=fake,
    )
    practitioner_services.practitioner_transition(
        actor=coordinator, practitioner=practitioner, to_state=PractitionerState.ACTIVE
    )
    return 1


def _demo_when(
    days: int, hour: int, minute: int = 0, hours: float = 2
) -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localdate() + dt.timedelta(days=days)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return starts, starts + dt.timedelta(minutes=int(hours * 60))


def demo_events(*, orgs: dict[str, Organisation], users: dict[str, User], seed: int) -> int:
    """Training, officer awareness, a school session, public events and volunteer hours.

    Made through the coordinators' own services, unless the demo provider has events already.
    Practitioners registered are whichever the demo provider has when this runs.
    """
    provider = orgs["calm-mediation"]
    if Event.objects.filter(organiser=provider).exists():
        return 0
    coordinator = users["coordinator@calm-mediation.example"]
    volunteer_coordinator = users["volunteers@calm-mediation.example"]
    police_coordinator = users["rj.coordinator@met-police.example"]
    fake = Faker("en_GB")
    fake.seed_instance(seed + 3)
    office = "12 Station Road\nLondon\nN3 2SA"
    made: list[Event] = []

    def event(actor: User, days: int, hour: int, hours: float, **fields: Any) -> Event:
        starts, ends = _demo_when(days, hour, hours=hours)
        created = event_services.event_create(actor=actor, starts_at=starts, ends_at=ends, **fields)
        made.append(created)
        return created

    def officers(on: Event, count: int) -> list[Registration]:
        return [
            event_services.registration_add(
                actor=coordinator,
                event=on,
                kind=RegistrantKind.POLICE_OFFICER,
                name=f"PC {fake.first_name()} {fake.last_name()}",
                email=f"officer{i}.{on.reference.lower()}@met-police.example",
                organisation_name="Metropolitan Police, North West BCU",
            )[0]
            for i in range(count)
        ]

    # Past: officer awareness with attendance taken, and a school session counted by year group.
    held = event(
        coordinator,
        -21,
        9,
        3,
        kind=EventKind.OFFICER_AWARENESS,
        title="Restorative justice awareness for response officers",
        description=(
            "What RJ is, the Victims' Code duty to tell victims about it, and how to refer."
        ),
        venue_name="Colindale Police Station",
        venue_address="Grahame Park Way\nLondon\nNW9 5TW",
        capacity=20,
        trainer="Owen Hughes",
        audience="Response officers, North West BCU",
    )
    registered = officers(held, 9)
    event_services.attendance_record(
        actor=coordinator,
        event=held,
        marks=[
            event_services.AttendanceMark(
                registration_id=r.pk,
                attended=i % 5 != 4,
                completed=i % 5 != 4,
                expected_version=r.version,
            )
            for i, r in enumerate(registered)
        ],
    )
    event_services.event_transition(actor=coordinator, event=held, to_state=EventState.HELD)
    school = event(
        coordinator,
        -10,
        10,
        1,
        kind=EventKind.SCHOOL_SESSION,
        title="Assembly: harm, responsibility and putting things right",
        venue_name="Hendon Park Academy",
        venue_address="Park Road\nLondon\nNW4 3TE",
        capacity=240,
        trainer="Ruth Campbell",
        audience="Years 8 and 9",
    )
    event_services.school_attendance_record(
        actor=coordinator,
        event=school,
        counts={YearGroup.YEAR_8: 112, YearGroup.YEAR_9: 104},
        expected_version=school.version,
    )
    event_services.event_transition(actor=coordinator, event=school, to_state=EventState.HELD)

    # Coming up: facilitator training for the volunteers in training, and public events.
    training = event(
        coordinator,
        18,
        9,
        7,
        kind=EventKind.RJ_FACILITATOR_TRAINING,
        title="RJ facilitator training, day 1 of 3",
        description="Restorative Justice Council accredited facilitator training.",
        venue_name="Calm Mediation training room",
        venue_address=office,
        capacity=12,
        trainer="Restorative Solutions trainers",
        audience="Volunteers in training",
        training_course=TrainingCourse.FACILITATOR,
        training_hours=Decimal("21"),
    )
    trainees = Practitioner.objects.filter(
        provider=provider, state__in=[PractitionerState.INDUCTION, PractitionerState.TRAINING]
    )[:8]
    for trainee in trainees:
        event_services.registration_add(
            actor=coordinator,
            event=training,
            kind=RegistrantKind.PRACTITIONER,
            practitioner=trainee,
        )
    officers(
        event(
            coordinator,
            30,
            13,
            2.5,
            kind=EventKind.OFFICER_AWARENESS,
            title="Restorative justice for neighbourhood officers",
            venue_name="Barnet Police Station",
            venue_address="26 High Street\nBarnet\nEN5 5RU",
            capacity=25,
            trainer="Owen Hughes",
            audience="Safer Neighbourhood teams",
        ),
        6,
    )
    event(
        coordinator,
        12,
        18,
        2,
        kind=EventKind.RJ_WEEK,
        title="RJ Week open evening: what happens in a restorative meeting",
        description=(
            "Hear from a facilitator and someone who took part, see how a meeting is prepared, "
            "and ask your questions. Free, with tea and biscuits."
        ),
        venue_name="Hendon Library",
        venue_address="The Burroughs\nLondon\nNW4 4BQ",
        capacity=40,
        audience="Anyone interested in restorative justice",
        public=True,
        booking_details="Email events@calm-mediation.example or call 020 7946 0123.",
    )
    event(
        coordinator,
        40,
        11,
        3,
        kind=EventKind.COMMUNITY_EVENT,
        title="Volunteer information morning",
        description="Find out about volunteering as a restorative justice facilitator.",
        venue_name="Calm Mediation",
        venue_address=office,
        public=True,
        booking_details="No need to book: just come along.",
    )
    event(
        police_coordinator,
        25,
        10,
        1.5,
        kind=EventKind.OFFICER_AWARENESS,
        title="Victims' Code briefing: offering restorative justice",
        venue_name="Colindale Police Station",
        venue_address="Grahame Park Way\nLondon\nNW9 5TW",
        capacity=30,
        audience="Sergeants and inspectors",
    )

    # The demo facilitator's hours, if their sign-in is linked to a practitioner record.
    facilitator = users["facilitator@calm-mediation.example"]
    if event_selectors.own_practitioner(user=facilitator) is not None:
        today = timezone.localdate()
        logged: list[tuple[int, str, str, dict[str, Any], bool]] = [
            (9, "1.5", HoursActivity.EVENT, {"event": school}, False),
            (
                5,
                "3",
                HoursActivity.OTHER,
                {
                    "description": "Outreach stall at the library",
                    "expenses_pence": 480,
                    "expenses_for": "Parking",
                },
                True,
            ),
            (
                3,
                "4",
                HoursActivity.TRAINING,
                {
                    "description": "Trauma-informed practice webinar",
                    "expenses_pence": 640,
                    "expenses_for": "Bus fares",
                },
                False,
            ),
        ]
        for days, hours, activity, extra, approve in logged:
            entry = event_services.hours_log(
                actor=facilitator,
                date=today - dt.timedelta(days=days),
                hours=Decimal(hours),
                activity=activity,
                **extra,
            )
            if approve:
                event_services.expense_claim_decide(
                    actor=volunteer_coordinator, entry=entry, approve=True
                )
    return len(made)
