"""POST /api/v1/referrals and GET /api/v1/referrals/{reference}: answers, refusals, problems."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from amends.accounts.models import OrganisationKind
from amends.accounts.tests.factories import OrganisationFactory
from amends.api.idempotency import idempotency_claim, idempotency_release, request_fingerprint
from amends.api.models import ApiKey, IdempotencyPhase, IdempotencyRecord
from amends.api.schemas import ReferralIn
from amends.api.services import api_key_create
from amends.api.tests.conftest import URL, bearer, body
from amends.core.models import AuditAction, AuditEvent, OutboundMessage
from amends.referrals.models import PersonRole, Referral, ReferralSource
from amends.referrals.tests.factories import hub_factory, referral_factory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    data = response.json()
    assert data["status"] == status
    assert {"type", "title", "status", "detail", "errors"} <= set(data)
    return data


class TestCreate:
    def test_creates_a_referral_from_the_keys_organisation(self, post, key, police, hub):
        hub.notification_email = "hub@example.org"
        hub.save()
        response = post(body(), key=key, idempotency_key="k-1")

        assert response.status_code == 201
        assert response["Content-Type"] == "application/json"
        data = response.json()
        assert set(data) == {"reference", "status", "received_at", "links"}
        referral = Referral.objects.get()
        assert data["reference"] == referral.reference
        assert data["status"] == "new"
        assert data["links"] == {"self": f"{URL}/{referral.reference}"}
        assert referral.source == ReferralSource.API
        assert referral.referring_organisation == police
        assert referral.referred_by is None
        assert referral.hub == hub
        assert referral.external_reference == "NICHE-2025-000123"
        assert referral.date_reported == dt.date(2025, 1, 11)
        victim = referral.people.get(role=PersonRole.VICTIM)
        assert victim.person.email == "sam.okafor@example.com"
        assert victim.safe_channels == ["email", "phone"]
        assert referral.people.get(role=PersonRole.OFFENDER).person.family_name == "Reid"
        # Notifications are queued with it: the victim on a safe channel, the hub's inbox.
        assert set(
            OutboundMessage.objects.filter(record_id=str(referral.pk)).values_list(
                "template", "recipient"
            )
        ) == {
            ("referral_ack", "sam.okafor@example.com"),
            ("referral_new_hub", "hub@example.org"),
        }

    def test_the_api_key_is_on_the_audit_trail_and_no_personal_data(self, post, key, police):
        prefix = ApiKey.objects.get().prefix
        response = post(body(), key=key)
        referral = Referral.objects.get(reference=response.json()["reference"])
        event = AuditEvent.objects.get(
            record_id=str(referral.pk), action=AuditAction.CREATE, detail__api_key=prefix
        )
        assert event.actor_id is None
        assert event.detail == {
            "source": "api",
            "people": 2,
            "api_key": prefix,
            "organisation": police.slug,
        }
        # One creation event, naming the key: not one from the service and one from the API.
        assert (
            AuditEvent.objects.filter(record_id=str(referral.pk), action=AuditAction.CREATE)
            .filter(record_type="referrals.referral")
            .count()
            == 1
        )
        assert "Okafor" not in json.dumps(list(AuditEvent.objects.values()), default=str)

    def test_works_without_a_person_responsible_or_idempotency_key(self, post, key):
        data = body(person_responsible=None)
        data["victim"] = {"given_name": "Sam", "family_name": "Okafor"}
        response = post(data, key=key)
        assert response.status_code == 201
        assert Referral.objects.get().people.count() == 1

    def test_a_youth_justice_service_may_send(self, post, hub):
        yot = OrganisationFactory(slug="yot", kind=OrganisationKind.YOUTH_JUSTICE)
        response = post(body(), key=api_key_create(actor=None, organisation=yot, name="x")[1])
        assert response.status_code == 201

    @pytest.mark.parametrize(
        "kind",
        [
            OrganisationKind.VICTIM_CARE_HUB,
            OrganisationKind.RJ_PROVIDER,
            OrganisationKind.SPECIALIST_AGENCY,
        ],
    )
    def test_other_organisations_are_forbidden(self, post, hub, kind):
        organisation = OrganisationFactory(slug="not-police", kind=kind)
        other = api_key_create(actor=None, organisation=organisation, name="x")[1]
        data = problem(post(body(), key=other, idempotency_key="k"), 403)
        assert data["type"].endswith("/forbidden")
        assert not Referral.objects.exists()

    def test_the_same_external_reference_is_refused_with_the_first_reference(self, post, key):
        first = post(body(), key=key).json()["reference"]
        data = problem(post(body(offence_type="theft"), key=key, idempotency_key="new"), 409)
        assert f"already received as {first}" in data["detail"]
        assert Referral.objects.count() == 1

    def test_another_organisation_may_use_the_same_external_reference(self, post, key, other_key):
        assert post(body(), key=key).status_code == 201
        assert post(body(), key=other_key).status_code == 201

    def test_an_unknown_hub_is_an_invalid_field(self, post, key, hub):
        data = problem(post(body(hub="nowhere"), key=key), 422)
        assert [e["field"] for e in data["errors"]] == ["hub"]

    def test_a_hub_slug_that_is_not_a_hub_is_an_invalid_field(self, post, key, police, hub):
        data = problem(post(body(hub=police.slug), key=key), 422)
        assert [e["field"] for e in data["errors"]] == ["hub"]


class TestIdempotency:
    def test_replay_returns_the_first_response_and_creates_nothing(self, post, key):
        first = post(body(), key=key, idempotency_key="same")
        again = post(body(), key=key, idempotency_key="same")
        assert again.status_code == first.status_code == 201
        assert again.content == first.content
        assert again["Idempotent-Replayed"] == "true"
        assert Referral.objects.count() == 1
        assert IdempotencyRecord.objects.get().phase == IdempotencyPhase.DONE

    def test_replay_ignores_json_spacing_and_key_order(self, client, post, key):
        first = post(body(), key=key, idempotency_key="same")
        reordered = json.dumps(dict(reversed(list(body().items()))), indent=4)
        again = client.post(
            URL,
            data=reordered,
            content_type="application/json",
            headers={**bearer(key), "Idempotency-Key": "same"},
        )
        assert (again.status_code, again.content) == (201, first.content)

    def test_a_refusal_is_replayed_too(self, post, key):
        post(body(), key=key)
        first = post(body(), key=key, idempotency_key="dup")
        again = post(body(), key=key, idempotency_key="dup")
        assert first.status_code == again.status_code == 409
        assert again.content == first.content

    def test_the_same_key_with_a_changed_body_is_422(self, post, key):
        post(body(), key=key, idempotency_key="same")
        data = problem(post(body(offence_place="Elsewhere"), key=key, idempotency_key="same"), 422)
        assert data["type"].endswith("/idempotency-key-reused")
        assert Referral.objects.count() == 1

    def test_keys_belong_to_one_api_key(self, post, key, other_key):
        assert post(body(), key=key, idempotency_key="same").status_code == 201
        assert post(body(), key=other_key, idempotency_key="same").status_code == 201
        assert Referral.objects.count() == 2

    def _claim(self, key_row, payload=None):
        fingerprint = request_fingerprint(
            method="POST",
            path=URL,
            payload=ReferralIn.model_validate(payload or body()).model_dump(mode="json"),
        )
        return idempotency_claim(api_key=key_row, key="busy", request_hash=fingerprint)

    def test_a_request_while_the_first_is_in_flight_is_409(self, post, key):
        self._claim(ApiKey.objects.get())
        data = problem(post(body(), key=key, idempotency_key="busy"), 409)
        assert data["type"].endswith("/idempotency-key-in-flight")
        assert not Referral.objects.exists()

    def test_a_released_key_can_be_used_again(self, post, key):
        # What the API does when the work fails with a server error.
        idempotency_release(record=self._claim(ApiKey.objects.get()))
        assert post(body(), key=key, idempotency_key="busy").status_code == 201

    def test_a_key_abandoned_in_flight_is_taken_over_after_a_while(self, post, key, settings):
        with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=5)):
            self._claim(ApiKey.objects.get())
        assert post(body(), key=key, idempotency_key="busy").status_code == 201

    def test_old_records_are_pruned(self, post, key):
        from django.core.management import call_command

        with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(hours=25)):
            post(body(), key=key, idempotency_key="old")
        post(body(external_reference="second"), key=key, idempotency_key="new")
        call_command("prune-idempotency-keys")
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


class TestAuthentication:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer amends_000000000000_" + "x" * 43},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": "Bearer not-a-key"},
        ],
    )
    def test_no_or_unknown_key_is_401(self, client, key, hub, headers):
        response = client.post(URL, data=body(), content_type="application/json", headers=headers)
        problem(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert client.get(f"{URL}/RJ-0000-0000", headers=headers).status_code == 401
        assert not Referral.objects.exists()

    def test_a_key_with_the_right_prefix_and_wrong_secret_is_401(self, post, key):
        forged = key[: -len("x" * 43)] + "A" * 43
        problem(post(body(), key=forged), 401)

    def test_a_revoked_key_is_401(self, post, key, police):
        ApiKey.objects.update(revoked_at=dt.datetime.now(tz=dt.UTC))
        problem(post(body(), key=key), 401)

    def test_use_is_noted_on_the_key(self, post, key):
        post(body(), key=key)
        assert ApiKey.objects.get().last_used_at is not None


class TestStatus:
    def test_own_referral(self, client, post, key):
        reference = post(body(), key=key).json()["reference"]
        response = client.get(f"{URL}/{reference}", headers=bearer(key))
        assert response.status_code == 200
        data = response.json()
        assert set(data) == {"reference", "status", "closing_reason", "received_at", "updated_at"}
        assert (data["reference"], data["status"], data["closing_reason"]) == (
            reference,
            "new",
            None,
        )
        referral = Referral.objects.get()
        assert AuditEvent.objects.filter(
            action=AuditAction.VIEW, record_id=str(referral.pk), detail__organisation="met-police"
        ).exists()

    def test_another_organisations_reference_is_404(self, client, post, key, other_key):
        reference = post(body(), key=key).json()["reference"]
        problem(client.get(f"{URL}/{reference}", headers=bearer(other_key)), 404)

    def test_a_referral_the_organisation_did_not_make_is_404(self, client, key, hub):
        referral = referral_factory(hub=hub)
        problem(client.get(f"{URL}/{referral.reference}", headers=bearer(key)), 404)

    def test_a_referral_made_by_the_organisations_officers_is_shown(self, client, key, police):
        referral = referral_factory(hub=hub_factory(), referring_organisation=police)
        assert client.get(f"{URL}/{referral.reference}", headers=bearer(key)).status_code == 200

    @pytest.mark.parametrize("reference", ["RJ-0000-0000", "nonsense", "RJ-%00", "x" * 200])
    def test_a_missing_reference_is_404(self, client, key, reference):
        problem(client.get(f"{URL}/{reference}", headers=bearer(key)), 404)

    def test_other_paths_under_the_api_are_problem_404s(self, client, key):
        problem(client.get("/api/v1/nothing", headers=bearer(key)), 404)
        problem(client.get("/api/v2/referrals"), 404)


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"hub": ""}, "hub"),
            ({"external_reference": ""}, "external_reference"),
            ({"external_reference": "x" * 101}, "external_reference"),
            ({"offence_type": "murder most foul"}, "offence_type"),
            ({"offence_date": "10/01/2025"}, "offence_date"),
            ({"offence_date": "2999-01-01"}, "offence_date"),
            ({"date_reported": None}, "date_reported"),
            ({"crime_reference": "x" * 41}, "crime_reference"),
            ({"offence_place": "nul\x00byte"}, "offence_place"),
            ({"enhanced_rights": "perhaps"}, "enhanced_rights"),
            ({"victim": None}, "victim.given_name"),
            ({"victim": {"family_name": "Okafor"}}, "victim.given_name"),
            ({"victim": {"given_name": "  ", "family_name": "Okafor"}}, "victim.given_name"),
            ({"victim": {"given_name": "S", "family_name": "O", "email": "x@"}}, "victim.email"),
            (
                {"victim": {"given_name": "S", "family_name": "O", "phone": "call me"}},
                "victim.phone",
            ),
            (
                {"victim": {"given_name": "S", "family_name": "O", "safe_channels": ["email"]}},
                "victim.safe_channels",
            ),
            (
                {"victim": {"given_name": "S", "family_name": "O", "safe_channels": ["pigeon"]}},
                "victim.safe_channels.0",
            ),
            ({"person_responsible": {"given_name": "J"}}, "person_responsible.family_name"),
        ],
    )
    def test_each_invalid_field_is_named(self, post, key, change, field):
        data = problem(post(body(**change), key=key), 422)
        assert data["type"].endswith("/validation-error")
        assert field in [e["field"] for e in data["errors"]], data["errors"]
        assert all(e["message"] for e in data["errors"])
        assert not Referral.objects.exists()

    def test_several_invalid_fields_are_all_named(self, post, key):
        data = problem(
            post(body(offence_type="x", victim={"given_name": "", "family_name": ""}), key=key),
            422,
        )
        assert {e["field"] for e in data["errors"]} == {
            "offence_type",
            "victim.given_name",
            "victim.family_name",
        }

    def test_a_bad_idempotency_key_is_named(self, post, key):
        data = problem(post(body(), key=key, idempotency_key="has space"), 422)
        assert [e["field"] for e in data["errors"]] == ["Idempotency-Key"]

    def test_a_body_that_is_not_json_is_400(self, client, key):
        response = client.post(
            URL, data="{not json", content_type="application/json", headers=bearer(key)
        )
        problem(response, 400)

    def test_no_body_names_every_required_field(self, client, key):
        response = client.post(URL, content_type="application/json", headers=bearer(key))
        data = problem(response, 422)
        assert {e["field"] for e in data["errors"]} == {
            "hub",
            "external_reference",
            "offence_type",
            "date_reported",
            "victim",
        }


class TestLimits:
    def test_an_oversized_body_is_413_before_it_is_read(self, client, key, settings):
        settings.API_MAX_BODY_BYTES = 1024
        data = body(offence_place="x" * 2000)
        response = client.post(URL, data=data, content_type="application/json", headers=bearer(key))
        assert problem(response, 413)["type"].endswith("/body-too-large")
        assert not Referral.objects.exists()

    def test_too_many_requests_with_one_key_is_429_with_retry_after(
        self, client, key, other_key, settings
    ):
        settings.API_RATE_LIMIT = "3/m"
        url = f"{URL}/RJ-0000-0000"
        assert [client.get(url, headers=bearer(key)).status_code for _ in range(3)] == [404] * 3
        response = client.get(url, headers=bearer(key))
        assert problem(response, 429)["type"].endswith("/rate-limited")
        assert 1 <= int(response["Retry-After"]) <= 60
        # Another key has its own allowance.
        assert client.get(url, headers=bearer(other_key)).status_code == 404


class TestOpenApi:
    def test_the_document_is_public_and_names_its_problems(self, client):
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200
        document = response.json()
        assert set(document["paths"]) == {URL, URL + "/{reference}"}
        assert document["components"]["securitySchemes"]
        for operations in document["paths"].values():
            for operation in operations.values():
                for status, answer in operation["responses"].items():
                    expected = "application/json" if int(status) < 400 else PROBLEM
                    assert list(answer["content"]) == [expected], (status, answer)
                assert "401" in operation["responses"]
                assert "429" in operation["responses"]

    def test_every_request_body_has_an_example_that_works_as_it_stands(self, client, key, hub):
        document = client.get("/api/v1/openapi.json").json()
        bodies = [
            (path, operation["requestBody"])
            for path, operations in document["paths"].items()
            for operation in operations.values()
            if "requestBody" in operation
        ]
        assert bodies
        for path, request_body in bodies:
            example = request_body["content"]["application/json"]["example"]
            schema_ref = request_body["content"]["application/json"]["schema"]["$ref"]
            component = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
            assert component["examples"] == [example]
            # Complete: every field of the body, nested ones too, has a value in the example.
            assert set(example) == set(component["properties"])
            response = client.post(
                path, data=example, content_type="application/json", headers=bearer(key)
            )
            assert response.status_code == 201, response.content
