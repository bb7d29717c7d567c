"""Messages about onward referrals, to team inboxes only and without a name in them.

Queued in the transaction that sends or answers the onward referral
(`amends.core.messaging`): the agency's inbox hears that one arrived, the hub's
inbox that an agency answered. Each carries the onward referral's own reference
and a link to sign in; nothing about the person.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from amends.core.messaging import message_queue
from amends.core.models import MessageChannel
from amends.hub.models import OnwardReferral

ONWARD_REFERRAL_NEW_AGENCY = "onward_referral_new_agency"
ONWARD_REFERRAL_ANSWERED_HUB = "onward_referral_answered_hub"


def _link(onward: OnwardReferral) -> str:
    path = reverse("hub:onward_detail", kwargs={"reference": onward.reference})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def onward_referral_sent_notify(*, onward: OnwardReferral) -> None:
    """Tell an agency that uses Amends that an onward referral arrived (its team inbox)."""
    organisation = onward.agency.organisation
    if organisation is None or not organisation.notification_email:
        return
    message_queue(
        channel=MessageChannel.EMAIL,
        recipient=organisation.notification_email,
        template=ONWARD_REFERRAL_NEW_AGENCY,
        personalisation={
            "reference": onward.reference,
            "hub": onward.hub.name,
            "link": _link(onward),
            "service_name": settings.SERVICE_NAME,
        },
        record=onward,
    )


def onward_referral_answered_notify(*, onward: OnwardReferral) -> None:
    """Tell the hub's team inbox that the agency accepted, declined or completed one."""
    hub = onward.hub
    if not hub.notification_email:
        return
    message_queue(
        channel=MessageChannel.EMAIL,
        recipient=hub.notification_email,
        template=ONWARD_REFERRAL_ANSWERED_HUB,
        personalisation={
            "reference": onward.reference,
            "agency": onward.agency.name,
            "status": onward.get_state_display().lower(),
            "link": _link(onward),
            "service_name": settings.SERVICE_NAME,
        },
        record=onward,
    )
