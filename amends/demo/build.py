"""Builds the demo partnership idempotently, through the same services staff use."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone
from faker import Faker

from amends.accounts.models import Organisation, User, UserRole
from amends.accounts.models import Role as R
from amends.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET, ORGANISATIONS, USERS
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
    if Referral.objects.filter(hub__in=hubs).exists():
        return 0
    # Its own random stream, so that the Victims' Code dates leave the rest of the demo as it was.
    code_rng = random.Random(seed + 1)
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

    def attempt(outcome: str) -> None:
        services.contact_attempt_record(
            actor=caseworker,
            referral=referral,
            channel=rng.choice(
                [
                    ContactChannel.PHONE,
                    ContactChannel.PHONE,
                    ContactChannel.SMS,
                    ContactChannel.EMAIL,
                ]
            ),
            outcome=outcome,
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
    services.referral_record_consent_to_share(actor=caseworker, referral=referral)
    move(S.HANDED_OFF)
    if rng.random() < 0.06:
        move(
            S.IN_TRIAGE,
            actor=provider_coordinator,
            reason="The person responsible has moved out of the area.",
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
