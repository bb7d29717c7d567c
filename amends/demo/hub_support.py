"""The demo hubs' support: agency directories, safety device inventories, needs, devices
issued and onward referrals (some answered by the demo agency's caseworker).

Made through the services staff use, once: nothing is created if a demo hub already
has a directory.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from amends.accounts.models import Organisation, User
from amends.accounts.models import Role as R
from amends.hub import services
from amends.hub.models import (
    Agency,
    DeviceIssueOutcome,
    DeviceState,
    DeviceType,
    NeedArea,
    NeedLevel,
    OnwardReferralState,
    RiskLevel,
    SafetyDevice,
    ServiceArea,
    SharedItem,
)
from amends.referrals.models import PersonRole, Referral, ReferralPerson, ReferralState

HUBS = ("barnet-victim-care-hub", "enfield-victim-care-hub")
AGENCY_ORGANISATION = "haven-advocacy"

# (name, services, what they offer, who they support, phone, email, website, how to refer)
_DIRECTORY: list[tuple[str, list[str], str, str, str, str, str, str]] = [
    (
        "Haven Advocacy Service",
        [ServiceArea.ADVOCACY, ServiceArea.DOMESTIC_ABUSE, ServiceArea.SEXUAL_VIOLENCE],
        "Independent domestic and sexual violence advisers (IDVA, ISVA).",
        "Anyone 16 or over harmed by domestic abuse or sexual violence in north London.",
        "020 7946 0101",
        "referrals@haven-advocacy.example",
        "https://haven-advocacy.example",
        "Refer in Amends. For a same-day risk, phone the duty adviser as well.",
    ),
    (
        "{borough} Money and Housing Advice",
        [ServiceArea.MONEY, ServiceArea.HOUSING, ServiceArea.LEGAL],
        "Debt, benefits and housing advice; help with emergency repairs after a burglary.",
        "Residents of {borough}.",
        "020 7946 0202",
        "advice@{slug}-advice.example",
        "https://{slug}-advice.example",
        "Email the referral form from their website, with the person's agreement.",
    ),
    (
        "{borough} Talking Therapies",
        [ServiceArea.MENTAL_HEALTH],
        "Free counselling and trauma-focused therapy, by phone or in person.",
        "Adults registered with a GP in {borough}.",
        "020 7946 0303",
        "",
        "https://{slug}-talking.example",
        "The person can refer themselves; we can send a letter of support.",
    ),
    (
        "Safer Homes Lock Service",
        [ServiceArea.HOUSING, ServiceArea.OLDER_PEOPLE],
        "Free lock changes and door chains for people harmed by burglary or abuse.",
        "Homeowners and tenants in north London, priority to people over 65.",
        "020 7946 0404",
        "jobs@saferhomes.example",
        "",
        "Phone with the address and a safe time to visit.",
    ),
    (
        "Young Voices {borough}",
        [ServiceArea.YOUNG_PEOPLE, ServiceArea.MENTAL_HEALTH],
        "Support workers for children and young people harmed by crime.",
        "Aged 8 to 18 in {borough}; a parent or guardian agrees for under-16s.",
        "020 7946 0505",
        "hello@youngvoices.example",
        "",
        "Call the duty worker; they ask for the parent's consent themselves.",
    ),
]

# How many devices of each type each hub holds.
_STOCK = {
    DeviceType.PERSONAL_ALARM: 8,
    DeviceType.VIDEO_DOORBELL: 5,
    DeviceType.DOOR_WINDOW_ALARM: 5,
    DeviceType.SMART_LOCK: 3,
    DeviceType.GPS_ALARM: 3,
    DeviceType.OTHER: 1,
}
_TYPE_CODES = {
    DeviceType.PERSONAL_ALARM: "PA",
    DeviceType.VIDEO_DOORBELL: "VD",
    DeviceType.DOOR_WINDOW_ALARM: "DW",
    DeviceType.SMART_LOCK: "SL",
    DeviceType.GPS_ALARM: "GPS",
    DeviceType.OTHER: "OT",
}
_MODELS = {
    DeviceType.PERSONAL_ALARM: "Pocket alarm with SOS button",
    DeviceType.VIDEO_DOORBELL: "Wi-fi video doorbell",
    DeviceType.DOOR_WINDOW_ALARM: "Magnetic contact alarm, set of 4",
    DeviceType.SMART_LOCK: "Keypad smart lock",
    DeviceType.GPS_ALARM: "GPS alarm with monitoring centre",
    DeviceType.OTHER: "Window film kit",
}
_NOTES = {
    NeedArea.SAFETY: "Worried the person responsible knows where they live.",
    NeedArea.EMOTIONAL: "Not sleeping well since the offence; anxious going out.",
    NeedArea.PRACTICAL: "Front door still damaged; needs help with the landlord.",
    NeedArea.HEALTH: "Bruising, seen by their GP.",
    NeedArea.FINANCIAL: "Lost a week's wages; worried about rent.",
    NeedArea.ACCESS: "Prefers calls in the afternoon; hard of hearing.",
}


def demo_hub_support(*, orgs: dict[str, Organisation], users: dict[str, User], seed: int) -> int:
    """Build the support records of both demo hubs; returns how many hubs were filled."""
    made = 0
    rng = random.Random(seed + 6)
    for slug in HUBS:
        hub = orgs[slug]
        if Agency.objects.filter(hub=hub).exists():
            continue
        staff = [u for u in users.values() if u.organisation_id == hub.pk]
        manager = next(u for u in staff if u.has_role(R.HUB_MANAGER))
        caseworkers = [u for u in staff if u.has_role(R.HUB_CASEWORKER)]
        with transaction.atomic():
            agencies = _directory(hub=hub, manager=manager, agency_org=orgs[AGENCY_ORGANISATION])
            devices = _inventory(hub=hub, manager=manager)
            _support(
                hub=hub,
                manager=manager,
                caseworkers=caseworkers,
                agencies=agencies,
                devices=devices,
                agency_user=next(
                    u
                    for u in users.values()
                    if u.organisation_id == orgs[AGENCY_ORGANISATION].pk
                    and u.has_role(R.AGENCY_CASEWORKER)
                ),
                rng=rng,
            )
        made += 1
    return made


def _directory(*, hub: Organisation, manager: User, agency_org: Organisation) -> list[Agency]:
    borough = hub.name.split(" ")[0]
    made = []
    for name, areas, offer, who, phone, email, website, how in _DIRECTORY:
        fill = {"borough": borough, "slug": borough.lower()}
        made.append(
            services.agency_create(
                actor=manager,
                name=name.format(**fill),
                services=list(areas),
                services_detail=offer,
                eligibility=who.format(**fill),
                phone=phone,
                email=email.format(**fill),
                website=website.format(**fill),
                referral_notes=how,
                organisation=agency_org if name.startswith("Haven") else None,
            )
        )
    return made


def _inventory(*, hub: Organisation, manager: User) -> list[SafetyDevice]:
    prefix = "".join(word[0] for word in hub.name.split()[:3]).upper()
    made = []
    for device_type, count in _STOCK.items():
        for n in range(1, count + 1):
            made.append(
                services.device_add(
                    actor=manager,
                    device_type=device_type,
                    serial_number=f"{prefix}-{_TYPE_CODES[device_type]}-{n:04d}",
                    description=_MODELS[device_type],
                )
            )
    # One worn out, as an inventory has.
    services.device_transition(
        actor=manager,
        device=made[-2],
        to_state=DeviceState.RETIRED,
        reason="No longer connects to the monitoring centre.",
    )
    return made


def _support(
    *,
    hub: Organisation,
    manager: User,
    caseworkers: list[User],
    agencies: list[Agency],
    devices: list[SafetyDevice],
    agency_user: User,
    rng: random.Random,
) -> None:
    open_referrals = list(
        Referral.objects.filter(
            hub=hub,
            state__in=[
                ReferralState.CONTACTING,
                ReferralState.IN_TRIAGE,
                ReferralState.AWAITING_CONSENT,
                ReferralState.HANDED_OFF,
            ],
        ).order_by("received_at", "id")[:24]
    )
    in_stock = [d for d in devices if d.state == DeviceState.IN_STOCK]
    haven, *others = agencies
    today = timezone.localdate()
    sent = 0
    for i, referral in enumerate(open_referrals):
        caseworker = rng.choice(caseworkers)
        victim = (
            ReferralPerson.objects.filter(referral=referral, role=PersonRole.VICTIM)
            .select_related("person")
            .first()
        )
        if victim is None:
            continue
        received = timezone.localdate(referral.received_at)
        if i % 4 != 3:
            levels = {area.value: rng.choice(NeedLevel.values) for area in NeedArea}
            services.needs_assessment_record(
                actor=caseworker,
                referral=referral,
                expected_number=0,
                levels=levels,
                notes={
                    area: _NOTES[NeedArea(area)]
                    for area, level in levels.items()
                    if level != NeedLevel.NONE
                },
                overall_risk=RiskLevel.HIGH
                if levels[NeedArea.SAFETY] == NeedLevel.HIGH
                else rng.choice([RiskLevel.STANDARD, RiskLevel.MEDIUM]),
                summary="Would like practical help and someone to talk to.",
            )
        if i % 3 == 0 and in_stock:
            device = in_stock.pop(0)
            issued = max(received, today - dt.timedelta(days=rng.randint(2, 40)))
            issue = services.device_issue(
                actor=caseworker,
                referral=referral,
                device=device,
                referral_person=victim,
                issued_on=issued,
                expected_return_on=issued + dt.timedelta(days=rng.choice([28, 56, 90])),
                note="Shown how to use it and tested with the monitoring centre.",
            )
            if i % 9 == 6:
                services.device_issue_end(
                    actor=caseworker,
                    issue=issue,
                    outcome=DeviceIssueOutcome.RETURNED,
                    ended_on=min(today, issued + dt.timedelta(days=14)),
                    note="Moved to a new address; no longer needed.",
                )
        if i % 3 == 1:
            # Alternately to the agency in Amends and to one outside it.
            _onward(
                referral=referral,
                victim=victim,
                caseworker=caseworker,
                agency=haven if sent % 2 == 0 else rng.choice(others),
                agency_user=agency_user,
                answer=sent % 4,
                received=received,
            )
            sent += 1


def _onward(
    *,
    referral: Referral,
    victim: ReferralPerson,
    caseworker: User,
    agency: Agency,
    agency_user: User,
    answer: int,
    received: dt.date,
) -> None:
    has_needs = referral.needs_assessments.exists()
    items = [SharedItem.NAME, SharedItem.OFFENCE]
    if victim.safe_channels:
        items.append(SharedItem.CONTACT)
    if has_needs:
        items.append(SharedItem.NEEDS)
    onward = services.onward_referral_send(
        actor=caseworker,
        referral=referral,
        agency=agency,
        referral_person=victim,
        shared_items=items,
        message="Please get in touch to offer support; they are expecting your call.",
        consent_confirmed=True,
        consent_given_on=max(received, timezone.localdate() - dt.timedelta(days=5)),
    )
    # Agencies in Amends answer for themselves; for the others the hub records it.
    answerer = agency_user if agency.in_amends else caseworker
    answers: list[list[tuple[str, str]]] = [
        [(OnwardReferralState.ACCEPTED, "Allocated to an adviser, first call booked.")],
        [(OnwardReferralState.DECLINED, "Already supported by another service.")],
        [
            (OnwardReferralState.ACCEPTED, "Allocated."),
            (OnwardReferralState.COMPLETED, "Safety plan in place; support ended."),
        ],
        [],  # not answered yet
    ]
    steps = answers[answer]
    for to_state, note in steps:
        kwargs: dict[str, Any] = {"note": note} if note else {}
        services.onward_referral_answer(actor=answerer, onward=onward, to_state=to_state, **kwargs)
