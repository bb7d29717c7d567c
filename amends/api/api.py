"""The JSON API, /api/v1/: referrals from police and youth justice systems.

Handlers are thin: they parse (ninja and the schemas), call one service or
selector, and answer. Every error is application/problem+json (problems.py).
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Annotated, Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Header, NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema

from amends.api import selectors, services
from amends.api.auth import ApiKeyAuth, ApiKeyRateThrottle
from amends.api.idempotency import (
    IdempotencyInFlight,
    IdempotencyMismatch,
    Replay,
    idempotency_claim,
    idempotency_complete,
    idempotency_release,
    request_fingerprint,
)
from amends.api.models import ApiKey
from amends.api.problems import PROBLEM_CONTENT_TYPE, problem_response
from amends.api.schemas import (
    REFERRAL_EXAMPLE,
    PersonResponsibleIn,
    Problem,
    ReferralCreated,
    ReferralIn,
    ReferralLinks,
    ReferralStatus,
    VictimIn,
)
from amends.core.errors import DomainError
from amends.referrals.models import ClosingReason, PersonRole, Referral, ReferralState
from amends.referrals.services import PersonInReferral

logger = logging.getLogger(__name__)


class AmendsApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return _problem_content_types(schema)


api = AmendsApi(
    title="Amends API",
    version="1",
    description=(
        "Referrals from police and youth justice systems. Authenticate with "
        "`Authorization: Bearer <key>` (a key made by `amends create-api-key`). "
        "Send an `Idempotency-Key` with every POST so that a retry never makes a "
        "second referral. Errors are `application/problem+json` (RFC 9457)."
    ),
    urls_namespace="api-v1",
    auth=ApiKeyAuth(),
    throttle=[ApiKeyRateThrottle()],
    docs_url=None,
)

_ERROR_STATUSES = {
    400: "The body is not JSON.",
    401: "No API key, or one that is unknown or revoked.",
    413: "The body is too large.",
    429: "Too many requests with this key; wait for Retry-After seconds.",
    500: "Something went wrong on our side; nothing was saved.",
}
_DESCRIPTIONS = {
    **_ERROR_STATUSES,
    403: "Your organisation may not send referrals (only police and youth justice may).",
    404: "No such referral from your organisation.",
    409: "Already received (the same external_reference), or the Idempotency-Key is in flight.",
    422: "Invalid fields (each named in `errors`), or the Idempotency-Key was used "
    "with a different body.",
}
# DomainError.code → status and problem type.
_DOMAIN_PROBLEMS = {
    "forbidden": (403, "forbidden"),
    "conflict": (409, "already-received"),
    "in_flight": (409, "idempotency-key-in-flight"),
    "idempotency_mismatch": (422, "idempotency-key-reused"),
}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'payload', 'victim', 'email') → 'victim.email'; a header by its name."""
    parts = [str(p) for p in loc]
    source = parts[0] if parts else ""
    if source == "body":
        parts = parts[2:] if len(parts) > 1 else []
        return ".".join(parts) or "body"
    if source == "header":
        return "Idempotency-Key" if parts[1:] == ["idempotency_key"] else ".".join(parts[1:])
    return ".".join(parts[1:]) or source


def _domain_problem(error: DomainError) -> HttpResponse:
    if isinstance(error, services.FieldInvalid):
        return problem_response(
            status=422,
            kind="validation-error",
            title="The request has invalid fields",
            detail=error.message,
            errors=[(error.field, error.message)],
        )
    status, kind = _DOMAIN_PROBLEMS.get(error.code, (422, "invalid"))
    return problem_response(status=status, kind=kind, detail=error.message)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        (_field_name(e.get("loc", ())), str(e.get("msg", "")).removeprefix("Value error, "))
        for e in exc.errors
    ]
    return problem_response(
        status=422,
        kind="validation-error",
        title="The request has invalid fields",
        detail="; ".join(f"{field}: {message}" for field, message in errors),
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        status=401,
        kind="unauthorised",
        detail="Send a valid API key as 'Authorization: Bearer <key>'.",
        headers={"WWW-Authenticate": 'Bearer realm="amends"'},
    )


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = max(1, int(exc.wait or 1))
    return problem_response(
        status=429,
        kind="rate-limited",
        detail=f"Too many requests with this API key. Try again in {wait} seconds.",
        headers={"Retry-After": str(wait)},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    return problem_response(
        status=status, kind=HTTPStatus(status).phrase.lower().replace(" ", "-"), detail=str(exc)
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(status=404, kind="not-found", detail="There is nothing here.")


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _domain_problem(exc)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request failed", exc_info=exc)
    return problem_response(
        status=500,
        kind="server-error",
        detail="Something went wrong on our side; nothing was saved. Try again later.",
    )


def _responses(ok: dict[int, Any], *statuses: int) -> dict[int, Any]:
    return {**ok, **dict.fromkeys((*_ERROR_STATUSES, *statuses), Problem)}


def _person(role: str, person: VictimIn | PersonResponsibleIn) -> PersonInReferral:
    entry = PersonInReferral(
        role=role,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
    )
    if isinstance(person, VictimIn):
        entry.email = person.email
        entry.phone = person.phone
        entry.safe_channels = [str(channel) for channel in person.safe_channels]
        entry.safe_times = person.safe_times
    return entry


def _created(referral: Referral) -> HttpResponse:
    body = ReferralCreated(
        reference=referral.reference,
        status=ReferralState(referral.state),
        received_at=referral.received_at,
        links=ReferralLinks(
            self=reverse("api-v1:referral_status", kwargs={"reference": referral.reference})
        ),
    )
    return HttpResponse(
        json.dumps(body.model_dump(mode="json")), status=201, content_type="application/json"
    )


def _create(api_key: ApiKey, payload: ReferralIn) -> HttpResponse:
    people = [_person(PersonRole.VICTIM, payload.victim)]
    if payload.person_responsible is not None:
        people.append(_person(PersonRole.OFFENDER, payload.person_responsible))
    referral = services.api_referral_create(
        api_key=api_key,
        hub_slug=payload.hub,
        external_reference=payload.external_reference,
        offence_type=payload.offence_type,
        offence_date=payload.offence_date,
        offence_place=payload.offence_place,
        crime_reference=payload.crime_reference,
        date_reported=payload.date_reported,
        enhanced_rights=payload.enhanced_rights,
        people=people,
    )
    return _created(referral)


@api.post(
    "/referrals",
    response=_responses({201: ReferralCreated}, 403, 409, 422),
    summary="Send a referral",
    description=(
        "Creates a referral held by the named victim care hub, referred by your "
        "organisation (a police force or youth justice service). Send an "
        "`Idempotency-Key`: the same key with the same body returns the first "
        "response and creates nothing; with a different body, 422; while the first "
        "request with it is still being processed, 409. A second referral with the "
        "same `external_reference` is refused with 409."
    ),
    openapi_extra={"requestBody": {"content": {"application/json": {"example": REFERRAL_EXAMPLE}}}},
)
def referral_create(
    request: HttpRequest,
    payload: ReferralIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="Any unique value per referral, e.g. a UUID (printable ASCII, "
            "at most 255 characters). Kept for 24 hours.",
        ),
    ] = None,
) -> HttpResponse:
    api_key = getattr(request, "auth", None)
    assert isinstance(api_key, ApiKey)
    if idempotency_key is None:
        try:
            return _create(api_key, payload)
        except DomainError as error:
            return _domain_problem(error)
    fingerprint = request_fingerprint(
        method="POST", path=request.path, payload=payload.model_dump(mode="json")
    )
    try:
        claimed = idempotency_claim(api_key=api_key, key=idempotency_key, request_hash=fingerprint)
    except (IdempotencyInFlight, IdempotencyMismatch) as error:
        return _domain_problem(error)
    if isinstance(claimed, Replay):
        return claimed.response()
    try:
        with transaction.atomic():
            response = _create(api_key, payload)
            idempotency_complete(record=claimed, response=response)
    except DomainError as error:
        # A refusal is the answer to this request too: replay it for the same key.
        response = _domain_problem(error)
        idempotency_complete(record=claimed, response=response)
    except BaseException:
        idempotency_release(record=claimed)
        raise
    return response


@api.get(
    "/referrals/{reference}",
    response=_responses({200: ReferralStatus}, 404),
    url_name="referral_status",
    summary="A referral's status",
    description="The status of a referral your organisation sent; any other reference is 404.",
)
def referral_status(request: HttpRequest, reference: str) -> ReferralStatus:
    api_key = getattr(request, "auth", None)
    assert isinstance(api_key, ApiKey)
    referral = selectors.api_referral_get(api_key=api_key, reference=reference)
    services.api_referral_viewed(api_key=api_key, referral=referral)
    return ReferralStatus(
        reference=referral.reference,
        status=ReferralState(referral.state),
        closing_reason=ClosingReason(referral.closing_reason) if referral.closing_reason else None,
        received_at=referral.received_at,
        updated_at=referral.updated_at,
    )


def _problem_content_types(schema: OpenAPISchema) -> OpenAPISchema:
    """Errors are application/problem+json; say so, with the headers they carry."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if int(status) < 400:
                    continue
                content = response.get("content", {})
                if "application/json" in content:
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
                response["description"] = _DESCRIPTIONS[int(status)]
                if int(status) == 401:
                    response["headers"] = {
                        "WWW-Authenticate": {"schema": {"type": "string"}, "required": True}
                    }
                if int(status) == 429:
                    response["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "required": True}
                    }
    return schema


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under /api/: a problem, not the staff pages' HTML 404."""
    return problem_response(status=404, kind="not-found", detail="There is nothing here.")
