"""The made-up partnership that `amends demo` creates. Nothing here is real."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from amends.accounts.models import OrganisationKind as K
from amends.accounts.models import Role as R

DEMO_PASSWORD = "Amends-demo-2026"  # noqa: S105 - documented demo password, refused in production
# One fixed TOTP secret for every demo user, so `amends demo-code` can print their code.
DEMO_TOTP_SECRET = base64.b32encode(b"amends-demo-totp-key").decode()


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    kind: str
    hands_off_to: str = ""


ORGANISATIONS = [
    DemoOrganisation("calm-mediation", "Calm Mediation", K.RJ_PROVIDER),
    DemoOrganisation("met-police", "Metropolitan Police", K.POLICE),
    DemoOrganisation("barnet-youth-justice", "Barnet Youth Justice Service", K.YOUTH_JUSTICE),
    DemoOrganisation(
        "barnet-victim-care-hub", "Barnet Victim Care Hub", K.VICTIM_CARE_HUB, "calm-mediation"
    ),
    DemoOrganisation(
        "enfield-victim-care-hub", "Enfield Victim Care Hub", K.VICTIM_CARE_HUB, "calm-mediation"
    ),
    DemoOrganisation("haven-advocacy", "Haven Advocacy Service", K.SPECIALIST_AGENCY),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    organisation: str
    roles: tuple[str, ...]


USERS = [
    DemoUser("officer@met-police.example", "Priya Shah", "met-police", (R.POLICE_OFFICER,)),
    DemoUser(
        "rj.coordinator@met-police.example",
        "Tom Okafor",
        "met-police",
        (R.POLICE_RJ_COORDINATOR,),
    ),
    DemoUser(
        "yj.worker@barnet-youth-justice.example",
        "Grace Adeyemi",
        "barnet-youth-justice",
        (R.YOUTH_JUSTICE_WORKER,),
    ),
    DemoUser(
        "caseworker@barnet-victim-care-hub.example",
        "Sam Patel",
        "barnet-victim-care-hub",
        (R.HUB_CASEWORKER,),
    ),
    DemoUser(
        "caseworker2@barnet-victim-care-hub.example",
        "Aisha Begum",
        "barnet-victim-care-hub",
        (R.HUB_CASEWORKER,),
    ),
    DemoUser(
        "manager@barnet-victim-care-hub.example",
        "Helen Murray",
        "barnet-victim-care-hub",
        (R.HUB_MANAGER,),
    ),
    DemoUser(
        "caseworker@enfield-victim-care-hub.example",
        "Daniel Evans",
        "enfield-victim-care-hub",
        (R.HUB_CASEWORKER,),
    ),
    DemoUser(
        "manager@enfield-victim-care-hub.example",
        "Fatima Ali",
        "enfield-victim-care-hub",
        (R.HUB_MANAGER,),
    ),
    DemoUser(
        "coordinator@calm-mediation.example",
        "Owen Hughes",
        "calm-mediation",
        (R.PROVIDER_COORDINATOR,),
    ),
    DemoUser(
        "facilitator@calm-mediation.example", "Ruth Campbell", "calm-mediation", (R.FACILITATOR,)
    ),
    DemoUser(
        "volunteers@calm-mediation.example",
        "Mark Robinson",
        "calm-mediation",
        (R.VOLUNTEER_COORDINATOR,),
    ),
    DemoUser(
        "caseworker@haven-advocacy.example",
        "Chloe Wright",
        "haven-advocacy",
        (R.AGENCY_CASEWORKER,),
    ),
    DemoUser(
        "analyst@barnet-victim-care-hub.example",
        "Ben Clarke",
        "barnet-victim-care-hub",
        (R.ANALYST,),
    ),
    DemoUser(
        "dpo@barnet-victim-care-hub.example",
        "Nadia Hussain",
        "barnet-victim-care-hub",
        (R.DATA_PROTECTION_OFFICER,),
    ),
    DemoUser(
        "admin@barnet-victim-care-hub.example",
        "Lewis Taylor",
        "barnet-victim-care-hub",
        (R.ADMINISTRATOR,),
    ),
]

DEMO_EMAILS = frozenset(u.email for u in USERS)
