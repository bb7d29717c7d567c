"""Messages about referrals: which to send, to whom, on which channel.

`referral_created_notify` is called by every creator of a referral, inside the
transaction that creates it. It only queues: each message becomes an
OutboundMessage row in that transaction, and a background task sends it after
the commit (`amends.core.messaging`), retrying until the provider answers. The
referral is saved whether or not any provider is up.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from amends.core.messaging import MessageToSend, message_not_sent, messages_queue
from amends.core.models import MessageChannel
from amends.referrals.models import (
    ContactChannel,
    PersonRole,
    Referral,
    ReferralPerson,
    ReferralSource,
)

# Our template names (amends/referrals/templates/messages/<template>.<channel>.txt;
# GOV.UK Notify template ids come from NOTIFY_TEMPLATE_IDS, keyed <template>_<channel>).
REFERRAL_ACK = "referral_ack"
REFERRAL_NEW_HUB = "referral_new_hub"

# Who hears that an application arrived: whoever applied on the person's behalf
# (the referrer), else the person harmed (who applied, or asked the officer for
# the referral). Nobody else: the person responsible hears from the hub.
_APPLICANT_ROLES = (PersonRole.REFERRER, PersonRole.VICTIM)


def referral_applicant(referral: Referral) -> ReferralPerson | None:
    """The person who should be told that the referral arrived, if any."""
    # referral_create leaves the people it made on the referral: no query then.
    made: QuerySet[ReferralPerson] | None = getattr(referral, "_prefetched_objects_cache", {}).get(
        "people"
    )
    if made is not None:
        entries = sorted((e for e in made if e.role in _APPLICANT_ROLES), key=lambda e: e.pk)
    else:
        entries = list(
            ReferralPerson.objects.filter(referral=referral, role__in=_APPLICANT_ROLES)
            .select_related("person")
            .order_by("id")
        )
    for role in _APPLICANT_ROLES:
        for entry in entries:
            if entry.role == role:
                return entry
    return None


def safe_channel(entry: ReferralPerson) -> tuple[str, str] | None:
    """(channel, recipient) on a channel the person said was safe, email first; else None."""
    channels = set(entry.safe_channels or [])
    if ContactChannel.EMAIL in channels and entry.person.email:
        return MessageChannel.EMAIL, entry.person.email
    if ContactChannel.SMS in channels and entry.person.phone:
        return MessageChannel.SMS, entry.person.phone
    return None


def referral_staff_url(referral: Referral) -> str:
    path = reverse("referrals:detail", kwargs={"reference": referral.reference})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def referral_created_notify(*, referral: Referral) -> None:
    """Queue the applicant's acknowledgement (safe channel only) and the hub's alert.

    Call inside the transaction that created the referral. The texts carry the
    reference and nothing about the harm; the hub alert names nobody.
    """
    applicant = referral_applicant(referral)
    channel = safe_channel(applicant) if applicant is not None else None
    messages: list[MessageToSend] = []
    if channel is None:
        message_not_sent(
            template=REFERRAL_ACK,
            record=referral,
            reason="no safe channel" if applicant is not None else "no applicant",
        )
    else:
        messages.append(
            MessageToSend(
                channel=channel[0],
                recipient=channel[1],
                template=REFERRAL_ACK,
                personalisation={
                    "reference": referral.reference,
                    "service_name": settings.SERVICE_NAME,
                },
                record=referral,
            )
        )

    hub = referral.hub
    if hub.notification_email:
        messages.append(
            MessageToSend(
                channel=MessageChannel.EMAIL,
                recipient=hub.notification_email,
                template=REFERRAL_NEW_HUB,
                personalisation={
                    "reference": referral.reference,
                    "link": referral_staff_url(referral),
                    "service_name": settings.SERVICE_NAME,
                },
                record=referral,
            )
        )
    messages_queue(messages)


# --- the referrer told at key steps, and the hub told of a return -------------------------

REFERRAL_STEP_STAFF = "referral_step_staff"
REFERRAL_STEP_APPLICANT = "referral_step_applicant"
REFERRAL_RETURNED_HUB = "referral_returned_hub"


class ReferralStep:
    """The steps the referrer hears about, as the words their message uses (no details)."""

    HANDED_OFF = "has been passed to the restorative justice provider"
    ACCEPTED = "has been accepted by the restorative justice provider"
    CLOSED = "has been closed by the victim care hub"


def referrer_told(*, referral: Referral, step: str) -> None:
    """Queue a short message to whoever made the referral: the reference and the step only.

    The officer or youth justice worker who made it (by email, with a link they
    can open), else the referring organisation's inbox (a police system's referral),
    else the person who applied online, on a channel they said is safe. Call it in
    the transaction that made the step.
    """
    template = REFERRAL_STEP_STAFF
    recipient: tuple[str, str] | None = None
    not_sent = "no referrer to tell"
    referrer = referral.referred_by
    organisation = referral.referring_organisation
    if referrer is not None and referrer.is_active and referrer.email:
        recipient = (MessageChannel.EMAIL, referrer.email)
    elif organisation is not None and organisation.notification_email:
        recipient = (MessageChannel.EMAIL, organisation.notification_email)
    elif referral.source in {ReferralSource.SELF, ReferralSource.ON_BEHALF}:
        template = REFERRAL_STEP_APPLICANT
        applicant = referral_applicant(referral)
        recipient = safe_channel(applicant) if applicant is not None else None
        not_sent = "no safe channel" if applicant is not None else "no applicant"
    if recipient is None:
        message_not_sent(template=template, record=referral, reason=not_sent)
        return
    personalisation = {
        "reference": referral.reference,
        "step": step,
        "service_name": settings.SERVICE_NAME,
    }
    if template == REFERRAL_STEP_STAFF:
        personalisation["link"] = referral_staff_url(referral)
    messages_queue(
        [
            MessageToSend(
                channel=recipient[0],
                recipient=recipient[1],
                template=template,
                personalisation=personalisation,
                record=referral,
            )
        ]
    )


def referral_returned_notify(*, referral: Referral) -> None:
    """Alert the hub's inbox and the allocated caseworker: the provider returned it.

    The reference and a link only; the reason is on the referral page.
    """
    recipients = dict.fromkeys(
        address
        for address in (
            referral.hub.notification_email,
            referral.allocated_to.email
            if referral.allocated_to is not None and referral.allocated_to.is_active
            else "",
        )
        if address
    )
    messages_queue(
        [
            MessageToSend(
                channel=MessageChannel.EMAIL,
                recipient=address,
                template=REFERRAL_RETURNED_HUB,
                personalisation={
                    "reference": referral.reference,
                    "link": referral_staff_url(referral),
                    "service_name": settings.SERVICE_NAME,
                },
                record=referral,
            )
            for address in recipients
        ]
    )
