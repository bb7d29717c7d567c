"""What a volunteer applicant is told as they move through recruitment.

They hear at the steps that ask something of them or change what happens next:
invited to interview (shortlisted), references requested, the DBS check started, a
training place, accredited, and — kindly, without the reasons — not progressed. The
other steps (interview held, induction, active, paused, left) are arranged in person.
Staff added by the coordinator are not written to: they are colleagues.

Called inside the transaction that changed the state: each message is an
OutboundMessage row in that transaction, sent by a background task after the commit
(`amends.core.messaging`).
"""

from __future__ import annotations

from django.conf import settings

from amends.core.messaging import message_not_sent, message_queue
from amends.core.models import MessageChannel
from amends.practitioners.models import Practitioner, PractitionerKind, PractitionerState

S = PractitionerState
# Our template names: amends/practitioners/templates/messages/<template>.email.txt
# (GOV.UK Notify ids from NOTIFY_TEMPLATE_IDS, keyed <template>_email).
TEMPLATE_FOR_STATE: dict[str, str] = {
    S.SHORTLISTED: "volunteer_shortlisted",
    S.REFERENCES: "volunteer_references_requested",
    S.VETTING: "volunteer_dbs_started",
    S.TRAINING: "volunteer_training_place",
    S.ACCREDITED: "volunteer_accredited",
    S.NOT_PROGRESSED: "volunteer_not_progressed",
}


def practitioner_state_notify(*, practitioner: Practitioner, state: str) -> None:
    """Queue the applicant's message for reaching `state`, if that step has one."""
    template = TEMPLATE_FOR_STATE.get(state)
    if template is None or practitioner.kind != PractitionerKind.VOLUNTEER:
        return
    if not practitioner.email:
        message_not_sent(template=template, record=practitioner, reason="no email address")
        return
    message_queue(
        channel=MessageChannel.EMAIL,
        recipient=practitioner.email,
        template=template,
        personalisation={
            "first_name": practitioner.first_name,
            "reference": practitioner.reference,
            "provider_name": practitioner.provider.name,
            "accreditation_role": practitioner.get_accreditation_role_display().lower(),
            "service_name": settings.SERVICE_NAME,
        },
        record=practitioner,
    )
