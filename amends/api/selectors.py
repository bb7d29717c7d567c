"""Every read the API makes: keys by their prefix, referrals by the organisation that made them."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import Http404

from amends.accounts.models import Organisation, OrganisationKind, User
from amends.accounts.selectors import administered_organisation
from amends.api.keys import key_matches, key_prefix
from amends.api.models import ApiKey, IdempotencyRecord
from amends.core.scoping import get_or_404
from amends.referrals import selectors as referrals_selectors
from amends.referrals.models import Referral

_REFERENCE = re.compile(r"^RJ-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def api_key_for_token(*, token: str) -> ApiKey | None:
    """The active key `token` proves, or None: unknown, wrong secret and revoked look alike."""
    prefix = key_prefix(token)
    if prefix is None:
        return None
    api_key = ApiKey.objects.select_related("organisation").filter(prefix=prefix).first()
    if api_key is None or not key_matches(token, api_key.hashed_key):
        return None
    if api_key.revoked_at is not None:
        return None
    return api_key


def organisation_api_keys(*, organisation: Organisation) -> QuerySet[ApiKey]:
    return (
        ApiKey.objects.filter(organisation=organisation)
        .select_related("created_by", "revoked_by")
        .order_by("revoked_at", "-created_at")
    )


def administered_api_key_get(*, actor: User, pk: int) -> ApiKey:
    """One key of the organisation `actor` administers; 404 for anyone else's."""
    organisation = administered_organisation(actor=actor)
    return get_or_404(organisation_api_keys(organisation=organisation), pk=pk)


def hub_for_slug(*, slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug, kind=OrganisationKind.VICTIM_CARE_HUB).first()


def api_referrals_visible_to(*, api_key: ApiKey) -> QuerySet[Referral]:
    """What a key may see: the referrals its organisation made, nothing else."""
    return Referral.objects.filter(referring_organisation_id=api_key.organisation_id)


def api_referral_get(*, api_key: ApiKey, reference: str) -> Referral:
    if not _REFERENCE.match(reference):
        raise Http404("No referral here.")
    return get_or_404(api_referrals_visible_to(api_key=api_key), reference=reference)


def referral_by_external_reference(
    *, organisation: Organisation, external_reference: str
) -> Referral | None:
    return referrals_selectors.referral_by_external_reference(
        organisation=organisation, external_reference=external_reference
    )


def idempotency_record_get(*, api_key: ApiKey, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
