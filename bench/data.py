"""The benchmark's database side: generated referrals, prepared sessions, an API key.

Run as `python -m bench.data COMMAND` with AMENDS_ENV and DATABASE_URL set (bench/run.py
does it): it needs Django, the load generator does not.

Referrals are written with `bulk_create` in batches, not through `referral_create`: the
service makes one transaction, several inserts, an audit event and history rows per
referral, which is right for one referral and far too slow for 100,000. The rows have
the shape the service gives them (a victim, often a person responsible, a parent for
children, a referrer for applications made for someone else), over both demo hubs and
every state; they carry no audit events or history rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import random
import secrets
import sys
import time
from typing import Any

BATCH = 2000

GIVEN = [
    "Alex", "Sam", "Jordan", "Priya", "Tom", "Grace", "Aisha", "Daniel", "Helen", "Robin",
    "Chris", "Jamie", "Morgan", "Ola", "Femi", "Zara", "Liam", "Maya", "Noah", "Ruth",
]  # fmt: skip
FAMILY = [
    "Morgan", "Patel", "Shah", "Okafor", "Adeyemi", "Begum", "Evans", "Murray", "Reid",
    "Taylor", "Smith", "Jones", "Khan", "Nowak", "Brown", "Wilson", "Ali", "Hughes",
]  # fmt: skip
STREETS = ["High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Road"]
TOWNS = {
    "barnet-victim-care-hub": ["Barnet", "Finchley", "Edgware"],
    "enfield-victim-care-hub": ["Enfield", "Edmonton", "Southgate"],
}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")
    import django

    django.setup()


# ----- generated referrals -------------------------------------------------


# Referrals received within this window are spread over every state; older ones are
# closed or handed off (a hub works a few thousand open referrals, not a million).
OPEN_WINDOW = dt.timedelta(days=14)


def fill(count: int, seed: int = 2026) -> dict[str, Any]:
    """Add `count` referrals (with their people) to the demo hubs, in batches."""
    from django.db import transaction
    from django.utils import timezone

    from amends.accounts.models import Organisation, Role, User
    from amends.people.models import Person, normalise_phone
    from amends.referrals.clocks import clock_fields
    from amends.referrals.models import (
        ClosingReason,
        OffenceType,
        PersonRole,
        Referral,
        ReferralPerson,
        ReferralShare,
        ReferralSource,
        ReferralState,
        ShareRoute,
    )
    from amends.referrals.queue_fields import person_victim_fields

    rng = random.Random(seed)
    started = time.monotonic()

    @functools.cache
    def clocks_for(day: dt.date, enhanced: bool, state: str) -> dict[str, Any]:
        # In triage or later the person was reached; new and contacting: not yet.
        return clock_fields(started_on=day, enhanced_rights=enhanced, state=state)

    hubs = list(Organisation.objects.filter(slug__in=TOWNS).order_by("slug"))
    if len(hubs) != 2:
        raise SystemExit("the demo hubs are missing: run `amends demo --referrals 0` first")
    police = Organisation.objects.get(slug="met-police")
    youth_justice = Organisation.objects.get(slug="barnet-youth-justice")
    provider = Organisation.objects.get(slug="calm-mediation")
    officer = User.objects.get(email="officer@met-police.example")
    yj_worker = User.objects.get(email="yj.worker@barnet-youth-justice.example")
    staff = {hub.pk: list(User.objects.filter(organisation=hub)) for hub in hubs}
    caseworkers = {
        pk: [u for u in users if u.has_role(Role.HUB_CASEWORKER)] for pk, users in staff.items()
    }
    managers = {
        pk: next(u for u in users if u.has_role(Role.HUB_MANAGER)) for pk, users in staff.items()
    }
    states = (
        [ReferralState.NEW] * 3
        + [ReferralState.CONTACTING] * 2
        + [ReferralState.IN_TRIAGE, ReferralState.AWAITING_CONSENT, ReferralState.HANDED_OFF]
        + [ReferralState.CLOSED] * 4
    )
    sources = (
        [ReferralSource.POLICE] * 5
        + [ReferralSource.SELF] * 3
        + [ReferralSource.ON_BEHALF, ReferralSource.YOUTH_JUSTICE, ReferralSource.API]
    )
    references = set(Referral.objects.values_list("reference", flat=True))
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    now = timezone.now()

    def reference() -> str:
        while True:
            chars = "".join(rng.choice(alphabet) for _ in range(8))
            ref = f"RJ-{chars[:4]}-{chars[4:]}"
            if ref not in references:
                references.add(ref)
                return ref

    def person(town: str, adult: bool = True, contact: bool = True) -> Person:
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        phone = f"07700 9{rng.randint(0, 99999):05d}" if contact and rng.random() < 0.9 else ""
        age = rng.randint(18, 85) if adult else rng.randint(10, 17)
        return Person(
            given_name=given,
            family_name=family,
            date_of_birth=dt.date(now.year - age, rng.randint(1, 12), rng.randint(1, 28)),
            email=f"{given}.{family}{rng.randint(1, 999)}@example.org".lower()
            if contact and rng.random() < 0.7
            else "",
            phone=phone,
            phone_normalised=normalise_phone(phone),
            address_line_1=f"{rng.randint(1, 200)} {rng.choice(STREETS)}" if contact else "",
            town=town if contact else "",
            postcode=f"EN{rng.randint(1, 9)} {rng.randint(1, 9)}AA" if contact else "",
        )

    made = 0
    while made < count:
        size = min(BATCH, count - made)
        referrals: list[Referral] = []
        plans: list[list[tuple[Person, str, str]]] = []
        for _ in range(size):
            hub = hubs[0] if rng.random() < 0.65 else hubs[1]
            source = rng.choice(sources)
            received = now - dt.timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
            # As in a hub's life: what arrived in the last weeks is being worked on; older
            # referrals were handed off or closed long ago.
            if now - received <= OPEN_WINDOW:
                state = rng.choice(states)
            else:
                state = ReferralState.HANDED_OFF if rng.random() < 0.15 else ReferralState.CLOSED
            referring, referred_by = None, None
            if source in {ReferralSource.POLICE, ReferralSource.API}:
                referring = police
                referred_by = officer if source == ReferralSource.POLICE else None
            elif source == ReferralSource.YOUTH_JUSTICE:
                referring, referred_by = youth_justice, yj_worker
            child = rng.random() < 0.15
            referrals.append(
                Referral(
                    reference=reference(),
                    hub=hub,
                    source=source,
                    referring_organisation=referring,
                    referred_by=referred_by,
                    state=state,
                    closing_reason=rng.choice(ClosingReason.values)
                    if state == ReferralState.CLOSED
                    else "",
                    offence_type=rng.choice(OffenceType.values),
                    offence_date=(received - dt.timedelta(days=rng.randint(1, 60))).date(),
                    offence_place=f"{rng.choice(STREETS)}, {rng.choice(TOWNS[hub.slug])}",
                    crime_reference=""
                    if source == ReferralSource.SELF
                    else f"{rng.randint(1, 99):02d}/{rng.randint(1, 999999):06d}/{received:%y}",
                    enhanced_rights=child or rng.random() < 0.2,
                    allocated_to=rng.choice(caseworkers[hub.pk])
                    if state != ReferralState.NEW and rng.random() < 0.8
                    else None,
                    external_reference=f"BENCH-{made + len(referrals)}"
                    if source == ReferralSource.API
                    else "",
                    received_at=received,
                )
            )
            town = rng.choice(TOWNS[hub.slug])
            people: list[tuple[Person, str, str]] = [
                (person(town, adult=not child), PersonRole.VICTIM, "")
            ]
            if rng.random() < 0.6:
                people.append((person("", contact=False), PersonRole.OFFENDER, ""))
            if child:
                people.append((person(town), PersonRole.PARENT_GUARDIAN, "Parent"))
            if source == ReferralSource.ON_BEHALF:
                people.append((person(town), PersonRole.REFERRER, "Support worker"))
            plans.append(people)
        # The hub's clocks, as referral_create and the workflow set them (referrals/clocks.py),
        # and the copies of the person harmed's name and birth date (queue_fields.py).
        for referral, people in zip(referrals, plans, strict=True):
            fields = {
                **clocks_for(
                    timezone.localdate(referral.received_at),
                    referral.enhanced_rights,
                    referral.state,
                ),
                **person_victim_fields(people[0][0]),
            }
            for name, value in fields.items():
                setattr(referral, name, value)
        with transaction.atomic():
            Referral.objects.bulk_create(referrals, batch_size=500)
            persons = [p for people in plans for p, _, _ in people]
            Person.objects.bulk_create(persons, batch_size=500)
            ReferralPerson.objects.bulk_create(
                [
                    ReferralPerson(
                        referral=referral,
                        person=p,
                        role=role,
                        relationship=relationship,
                        safe_channels=["phone"] if p.phone else [],
                    )
                    for referral, people in zip(referrals, plans, strict=True)
                    for p, role, relationship in people
                ],
                batch_size=500,
            )
            ReferralShare.objects.bulk_create(
                [
                    ReferralShare(
                        referral=r,
                        organisation=provider,
                        route=ShareRoute.HAND_OFF,
                        consent_recorded_at=r.received_at,
                        shared_by=managers[r.hub_id],
                        shared_at=r.received_at,
                    )
                    for r in referrals
                    if r.state == ReferralState.HANDED_OFF
                ],
                batch_size=500,
            )
        made += size
        if made % 20000 == 0 or made == count:
            print(f"  {made:>9,} referrals ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    _analyse()
    return {"referrals": Referral.objects.count(), "seconds": round(time.monotonic() - started, 1)}


def _analyse() -> None:
    """Fresh planner statistics, as a database that grew slowly would have.

    On PostgreSQL a VACUUM too, as autovacuum would have run on such a database: it
    marks the pages visible, so that index-only scans (the hub queue's counts) are.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# ----- sessions ------------------------------------------------------------


def _session_rows(payloads: list[dict[str, Any]]) -> list[str]:
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    store = SessionStore()
    expires = timezone.now() + dt.timedelta(hours=2)
    rows = [
        Session(
            session_key=secrets.token_hex(16), session_data=store.encode(p), expire_date=expires
        )
        for p in payloads
    ]
    Session.objects.bulk_create(rows, batch_size=500)
    return [row.session_key for row in rows]


def completed_answers() -> dict[str, Any]:
    """The session data of a finished application (for themselves), built by its own forms."""
    from django.http import QueryDict
    from django.utils import timezone

    from amends.referrals import application as app

    when = timezone.localdate() - dt.timedelta(days=30)
    posted: dict[str, dict[str, Any]] = {
        "who": {"applying_for": "myself"},
        "reported": {"reported": "yes"},
        "crime-reference": {"crime_reference": "1234/26/00042"},
        "offence": {"offence_type": "burglary"},
        "when": {"day": str(when.day), "month": str(when.month), "year": str(when.year)},
        "where": {"place": "Acacia Avenue, Barnet"},
        "name": {"full_name": "Alex Jo Morgan"},
        "date-of-birth": {"day": "14", "month": "6", "year": "1980"},
        "contact": {
            "email": "alex.morgan@example.org",
            "phone": "07700 900123",
            "address_line_1": "12 Acacia Avenue",
            "town": "Barnet",
            "postcode": "EN5 1AA",
        },
        "area": {"area": "barnet-victim-care-hub"},
        "responsible": {"offender_known": "yes"},
        "safe-contact": {"channels": ["email", "phone"]},
        "safe-times": {"safe_times": "Weekday mornings"},
        "voicemail": {"may_leave_message": "no"},
        "interpreter": {"interpreter": "no"},
        "adjustments": {"adjustments": ""},
        "safety": {"feels_unsafe": "no"},
        "support": {"support_wanted": ""},
        "consent": {"agree": "on"},
    }
    session: dict[str, Any] = {}
    application = app.Application(submission_key="unused")
    while True:
        walk = app.application_walk(application)
        if walk.complete or walk.current is None:
            break
        step = walk.current
        data = QueryDict(mutable=True)
        for name, value in posted[step.name].items():
            data.setlist(name, value if isinstance(value, list) else [value])
        form = step.form_class(data=data, earlier=walk.earlier)
        if not form.is_valid():
            raise SystemExit(f"bench answers refused at {step.name}: {form.errors.as_json()}")
        app.application_answer_record(session, application, step, form)  # type: ignore[arg-type]
    app.application_answers(application)  # raises if incomplete
    return application.as_session_data()


def submit_sessions(count: int) -> list[str]:
    """`count` sessions, each a completed application with its own submission key."""
    from amends.referrals import application as app

    template = completed_answers()
    hubs = list(TOWNS)
    payloads = []
    for i in range(count):
        data = json.loads(json.dumps(template))
        data["key"] = secrets.token_urlsafe(32)
        data["last_activity"] = time.time()
        data["answers"]["area"] = {"area": hubs[i % 2]}
        payloads.append({app.SESSION_KEY: data})
    return _session_rows(payloads)


def staff_sessions(email: str, count: int) -> list[str]:
    """Signed-in sessions of a demo user who has passed the TOTP step, as sign-in leaves them."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from amends.accounts.middleware import MFA_SESSION_KEY
    from amends.accounts.models import User

    user = User.objects.get(email=email)
    payload = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "allauth.account.auth_backends.AuthenticationBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
        MFA_SESSION_KEY: True,
    }
    return _session_rows([dict(payload) for _ in range(count)])


def open_references(email: str, count: int) -> list[str]:
    """References of open referrals at `email`'s hub (the referral page scenario), spread out."""
    from amends.accounts.models import User
    from amends.referrals.models import Referral, ReferralState

    user = User.objects.get(email=email)
    open_ids = list(
        Referral.objects.filter(hub=user.organisation)
        .exclude(state__in=[ReferralState.CLOSED, ReferralState.HANDED_OFF])
        .order_by("pk")
        .values_list("reference", flat=True)
    )
    step = max(1, len(open_ids) // max(count, 1))
    return open_ids[::step][:count]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.data")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fill")
    p.add_argument("--count", type=int, required=True)
    p = sub.add_parser("submit-sessions")
    p.add_argument("--count", type=int, required=True)
    p = sub.add_parser("open-references")
    p.add_argument("--email", default="caseworker@barnet-victim-care-hub.example")
    p.add_argument("--count", type=int, default=200)
    p = sub.add_parser("staff-sessions")
    p.add_argument("--email", default="caseworker@barnet-victim-care-hub.example")
    p.add_argument("--count", type=int, default=1)
    args = parser.parse_args(argv)
    _setup()
    if args.command == "fill":
        result: Any = fill(args.count)
    elif args.command == "submit-sessions":
        result = submit_sessions(args.count)
    elif args.command == "open-references":
        result = open_references(args.email, args.count)
    else:
        result = staff_sessions(args.email, args.count)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
