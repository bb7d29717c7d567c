"""The same person twice, in scope: the banner, confirming, linking, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.errors import DomainError, StaleVersion
from amends.core.models import AuditAction, AuditEvent
from amends.people.models import Person
from amends.referrals import services
from amends.referrals.matching import MATCHES_SHOWN, referral_person_link, referral_possible_matches
from amends.referrals.models import (
    OffenceType,
    PersonRole,
    Referral,
    ReferralPerson,
    ReferralSource,
    ToldHow,
    VictimAnswer,
    VictimsCodeRecord,
)
from amends.referrals.services import PersonInReferral
from amends.referrals.tests.factories import (
    caseworker_factory,
    hub_factory,
    manager_factory,
    referral_factory,
)

pytestmark = pytest.mark.django_db

BORN = dt.date(1990, 5, 1)


@pytest.fixture
def hub():
    return hub_factory()


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


@pytest.fixture
def signed_in(client, caseworker):
    client.force_login(caseworker)
    return client


def someone(role=PersonRole.VICTIM, **fields) -> PersonInReferral:
    fields.setdefault("given_name", "Sam")
    fields.setdefault("family_name", "Taylor")
    return PersonInReferral(role=role, **fields)


def refer(hub, *people, **fields) -> Referral:
    fields.setdefault("source", ReferralSource.SELF)
    fields.setdefault("offence_type", OffenceType.THEFT)
    fields.setdefault("actor", None)
    return services.referral_create(hub=hub, people=list(people), **fields)


def role_in(referral, role=PersonRole.VICTIM) -> ReferralPerson:
    return ReferralPerson.objects.select_related("person").get(referral=referral, role=role)


def page_of(client, referral) -> str:
    response = client.get(f"/staff/referrals/{referral.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def link_url(referral) -> str:
    return f"/staff/referrals/{referral.reference}/link-person/"


def link_data(referral, person, *, confirmed=False, version=None) -> dict:
    data = {
        "version": referral.version if version is None else version,
        "referral_person": role_in(referral).pk,
        "person": person.pk,
    }
    if confirmed:
        data["confirmed"] = "True"
    return data


@pytest.fixture
def known_and_new(hub):
    """A person already known to the hub, and a new referral naming them again."""
    known = refer(
        hub,
        someone(
            date_of_birth=BORN,
            email="Sam.Taylor@example.org",
            phone="07700 900999",
            address_line_1="1 Old Road",
            postcode="N1 1AA",
        ),
    )
    new = refer(
        hub,
        someone(given_name="sam", family_name="TAYLOR ", email="sam.taylor@EXAMPLE.org"),
        someone(PersonRole.OFFENDER, given_name="Jamie", family_name="Reid"),
    )
    return known, new


# The banner --------------------------------------------------------------------------


def test_the_referral_page_shows_a_possible_match_with_the_minimum_about_it(
    signed_in, known_and_new
):
    known, new = known_and_new
    page = page_of(signed_in, new)
    assert "Person harmed: sam TAYLOR may already be known" in page
    assert "Possible match: Sam Taylor, born 1 May 1990, in referral <a" in page
    assert f">{known.reference}</a> (same email address)" in page
    assert "Link to this person" in page
    # Not the known record's contact details: only name, date of birth and reference.
    for detail in ("07700 900999", "1 Old Road", "N1 1AA"):
        assert detail not in page


def test_a_name_without_a_date_of_birth_gives_no_banner(signed_in, hub):
    refer(hub, someone(date_of_birth=BORN))
    new = refer(hub, someone())
    assert "Possible match" not in page_of(signed_in, new)


def test_people_in_the_same_referral_are_not_offered_as_matches(signed_in, hub, caseworker):
    shared_phone = "020 7946 0000"
    referral = refer(
        hub,
        someone(phone=shared_phone),
        someone(PersonRole.PARENT_GUARDIAN, given_name="Chris", phone=shared_phone),
    )
    assert referral_possible_matches(user=caseworker, referral=referral) == []
    assert "Possible match" not in page_of(signed_in, referral)


def test_a_person_known_only_to_another_hub_is_never_shown(signed_in, hub, caseworker):
    other_hub = hub_factory("other-hub")
    elsewhere = refer(other_hub, someone(date_of_birth=BORN, email="sam@example.org"))
    new = refer(hub, someone(date_of_birth=BORN, email="sam@example.org"))
    assert referral_possible_matches(user=caseworker, referral=new) == []
    page = page_of(signed_in, new)
    assert "Possible match" not in page
    assert elsewhere.reference not in page


def test_only_the_referrals_the_user_can_see_are_named(signed_in, hub, caseworker):
    other_hub = hub_factory("other-hub")
    mine = refer(hub, someone(email="sam@example.org"))
    # The same person record is also named by another hub: that must not show.
    theirs = refer(other_hub, someone(person=role_in(mine).person))
    new = refer(hub, someone(email="sam@example.org"))
    [entry] = referral_possible_matches(user=caseworker, referral=new)
    [match] = entry.matches
    assert [r.reference for r in match.referrals] == [mine.reference]
    page = page_of(signed_in, new)
    assert mine.reference in page
    assert theirs.reference not in page


def test_someone_who_cannot_link_sees_the_match_but_no_button(client, known_and_new, hub):
    _, new = known_and_new
    client.force_login(UserFactory(organisation=hub, roles=[Role.DATA_PROTECTION_OFFICER]))
    page = page_of(client, new)
    assert "Possible match: Sam Taylor" in page
    assert "Link to this person" not in page


def test_the_referral_page_makes_the_same_number_of_queries_for_one_or_many_matches(
    signed_in, hub, caseworker
):
    def queries_for(referral):
        url = f"/staff/referrals/{referral.reference}/"
        signed_in.get(url)  # warm up: the first request of a session also records the MFA check
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(url).status_code == 200
        return len(captured)

    refer(hub, someone(email="one@example.org"))
    few = refer(hub, someone(email="one@example.org"))
    for i in range(4):
        for _ in range(3):
            refer(
                hub,
                someone(
                    given_name=f"Person{i}",
                    date_of_birth=BORN,
                    email=f"p{i}@example.org",
                    phone=f"07700 90000{i}",
                ),
                someone(PersonRole.OFFENDER, given_name=f"Other{i}", email=f"p{i}@example.org"),
            )
    many = refer(
        hub,
        *[
            someone(
                PersonRole.VICTIM if i == 0 else PersonRole.SUPPORTER,
                given_name=f"Person{i}",
                date_of_birth=BORN,
                email=f"p{i}@example.org",
                phone=f"+44 7700 90000{i}",
            )
            for i in range(4)
        ],
    )
    found = referral_possible_matches(user=caseworker, referral=many)
    assert [len(entry.matches) for entry in found] == [6, 6, 6, 6]
    assert len(referral_possible_matches(user=caseworker, referral=few)[0].matches) == 1
    assert queries_for(few) == queries_for(many)


# Never automatic ---------------------------------------------------------------------


def test_a_new_referral_naming_a_known_person_links_nothing_by_itself(hub):
    known = refer(hub, someone(date_of_birth=BORN, email="sam@example.org"))
    people_before = Person.objects.count()
    new = refer(hub, someone(date_of_birth=BORN, email="sam@example.org"))
    assert Person.objects.count() == people_before + 1
    assert role_in(new).person_id != role_in(known).person_id
    assert not AuditEvent.objects.filter(
        record_type="referrals.referralperson", action=AuditAction.CHANGE
    ).exists()


# Confirming and linking --------------------------------------------------------------


def test_the_first_press_asks_are_you_sure_with_both_records_and_changes_nothing(
    signed_in, known_and_new, caseworker
):
    known, new = known_and_new
    known_person = role_in(known).person
    response = signed_in.post(link_url(new), link_data(new, known_person))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Are you sure these are the same person?" in page
    # Side by side: the record in this referral and the one already known.
    for text in ("sam TAYLOR", "Sam Taylor", "1 May 1990", "1 Old Road", "07700 900999"):
        assert text in page
    assert "Different" in page
    assert 'name="confirmed" value="True"' in page
    assert role_in(new).person_id != known_person.pk
    assert Referral.objects.get(pk=new.pk).version == new.version
    review = AuditEvent.objects.get(action=AuditAction.VIEW, record_type="referrals.referralperson")
    assert review.actor_id == caseworker.pk
    assert review.detail == {
        "referral": new.pk,
        "person": role_in(new).person_id,
        "compared_with_person": known_person.pk,
    }


def test_confirming_links_the_referral_to_the_known_person_and_audits_both_ids(
    signed_in, known_and_new, caseworker
):
    known, new = known_and_new
    known_person = role_in(known).person
    duplicate = role_in(new).person
    response = signed_in.post(link_url(new), link_data(new, known_person, confirmed=True))
    assert response.status_code == 302
    assert response["Location"] == f"/staff/referrals/{new.reference}/"
    assert role_in(new).person_id == known_person.pk
    # The duplicate record is kept, never deleted silently.
    assert Person.objects.filter(pk=duplicate.pk).exists()
    assert Referral.objects.get(pk=new.pk).version == new.version + 1
    event = AuditEvent.objects.get(
        action=AuditAction.CHANGE, record_type="referrals.referralperson"
    )
    assert (event.actor_id, event.record_id, event.fields) == (
        caseworker.pk,
        str(role_in(new).pk),
        ["person"],
    )
    assert event.detail == {
        "referral": new.pk,
        "from_person": duplicate.pk,
        "to_person": known_person.pk,
        "from_person_still_used": False,
        "victims_code_records_moved": [],
    }
    # No personal data values in the audit trail.
    assert "sam" not in str(event.detail).lower()
    page = page_of(signed_in, new)
    assert "Linked the person harmed in this referral" in page
    assert "Possible match" not in page
    assert "1 Old Road" in page  # the referral now shows the known record


def test_a_manager_can_link_too(client, known_and_new, hub):
    known, new = known_and_new
    manager = manager_factory(hub)
    client.force_login(manager)
    response = client.post(link_url(new), link_data(new, role_in(known).person, confirmed=True))
    assert response.status_code == 302
    assert role_in(new).person_id == role_in(known).person_id


def test_a_double_submitted_confirmation_links_once(signed_in, known_and_new):
    known, new = known_and_new
    data = link_data(new, role_in(known).person, confirmed=True)
    assert signed_in.post(link_url(new), data).status_code == 302
    second = signed_in.post(link_url(new), data, follow=True)
    assert "already names that person record" in second.content.decode()
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CHANGE, record_type="referrals.referralperson"
        ).count()
        == 1
    )


def test_a_stale_version_gets_a_conflict_page_and_links_nothing(
    signed_in, known_and_new, hub, caseworker
):
    known, new = known_and_new
    data = link_data(new, role_in(known).person, confirmed=True)
    # Someone else changes the referral after the page was loaded.
    services.referral_update(
        actor=manager_factory(hub),
        referral=new,
        expected_version=new.version,
        changes={"offence_place": "Market Square"},
    )
    response = signed_in.post(link_url(new), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone changed this referral while you were looking at it" in page
    assert f'name="version" value="{new.version + 1}"' in page
    assert role_in(new).person_id != role_in(known).person_id
    assert AuditEvent.objects.filter(action=AuditAction.CONFLICT, record_id=str(new.pk)).exists()


def test_the_service_refuses_a_stale_version(known_and_new, caseworker):
    known, new = known_and_new
    with pytest.raises(StaleVersion):
        referral_person_link(
            actor=caseworker,
            referral_person=role_in(new),
            person=role_in(known).person,
            expected_version=new.version - 1 if new.version > 1 else new.version + 5,
        )
    assert role_in(new).person_id != role_in(known).person_id


def test_the_service_refuses_a_person_already_in_the_referral(known_and_new, caseworker):
    _, new = known_and_new
    offender = role_in(new, PersonRole.OFFENDER).person
    with pytest.raises(DomainError, match="already named in this referral"):
        referral_person_link(
            actor=caseworker,
            referral_person=role_in(new),
            person=offender,
            expected_version=new.version,
        )


def test_the_victims_code_record_follows_the_victim_and_the_old_record_is_still_used(hub):
    police = OrganisationFactory(slug="police", kind=OrganisationKind.POLICE)
    officer = UserFactory(organisation=police, roles=[Role.POLICE_OFFICER])
    known = refer(hub, someone(email="sam@example.org"))
    new = refer(
        hub,
        someone(email="sam@example.org"),
        actor=officer,
        referring_organisation=police,
        source=ReferralSource.POLICE,
    )
    duplicate = role_in(new).person
    record = VictimsCodeRecord.objects.create(
        organisation=police,
        recorded_by=officer,
        victim=duplicate,
        offence_type=OffenceType.THEFT,
        date_reported=dt.date(2026, 3, 2),
        date_told=dt.date(2026, 3, 3),
        told_by="PC Example",
        told_how=ToldHow.IN_PERSON,
        answer=VictimAnswer.WANTS_REFERRAL,
        referral=new,
    )
    # The duplicate is also named by a third referral: it stays in use.
    refer(hub, someone(person=duplicate))
    referral_person_link(
        actor=caseworker_factory(hub),
        referral_person=role_in(new),
        person=role_in(known).person,
        expected_version=new.version,
    )
    record.refresh_from_db()
    assert record.victim_id == role_in(known).person_id
    event = AuditEvent.objects.get(
        action=AuditAction.CHANGE, record_type="referrals.referralperson"
    )
    assert event.detail["victims_code_records_moved"] == [record.pk]
    assert event.detail["from_person_still_used"] is True


# Refused: not visible (404) or not allowed (a message) ---------------------------------


def test_linking_to_a_person_the_user_cannot_see_is_a_404(signed_in, hub, caseworker):
    other_hub = hub_factory("other-hub")
    elsewhere = refer(other_hub, someone(email="sam@example.org"))
    new = refer(hub, someone(email="sam@example.org"))
    hidden = role_in(elsewhere).person
    for confirmed in (False, True):
        response = signed_in.post(link_url(new), link_data(new, hidden, confirmed=confirmed))
        assert response.status_code == 404
    with pytest.raises(Http404):
        referral_person_link(
            actor=caseworker,
            referral_person=role_in(new),
            person=hidden,
            expected_version=new.version,
        )
    assert role_in(new).person_id != hidden.pk


def test_another_hub_cannot_link_in_a_referral_it_cannot_see(client, known_and_new):
    known, new = known_and_new
    outsider = caseworker_factory(hub_factory("other-hub"))
    client.force_login(outsider)
    response = client.post(link_url(new), link_data(new, role_in(known).person, confirmed=True))
    assert response.status_code == 404
    with pytest.raises(Http404):
        referral_person_link(
            actor=outsider,
            referral_person=role_in(new),
            person=role_in(known).person,
            expected_version=new.version,
        )
    assert role_in(new).person_id != role_in(known).person_id


def test_a_role_that_can_see_but_not_link_is_refused_with_a_message(client, known_and_new, hub):
    known, new = known_and_new
    dpo = UserFactory(organisation=hub, roles=[Role.DATA_PROTECTION_OFFICER])
    client.force_login(dpo)
    for confirmed in (False, True):
        response = client.post(
            link_url(new), link_data(new, role_in(known).person, confirmed=confirmed), follow=True
        )
        assert response.status_code == 200
        assert "Only the hub&#x27;s caseworkers and managers can link" in response.content.decode()
    with pytest.raises(DomainError, match="Only the hub's caseworkers and managers"):
        referral_person_link(
            actor=dpo,
            referral_person=role_in(new),
            person=role_in(known).person,
            expected_version=new.version,
        )
    assert role_in(new).person_id != role_in(known).person_id
    assert not AuditEvent.objects.filter(
        action=AuditAction.CHANGE, record_type="referrals.referralperson"
    ).exists()


def test_an_officer_who_made_the_referral_cannot_link(client, hub):
    police = OrganisationFactory(slug="police", kind=OrganisationKind.POLICE)
    officer = UserFactory(organisation=police, roles=[Role.POLICE_OFFICER])
    made = {"actor": officer, "referring_organisation": police, "source": ReferralSource.POLICE}
    known = refer(hub, someone(email="sam@example.org"), **made)
    new = refer(hub, someone(email="sam@example.org"), **made)
    client.force_login(officer)
    assert "Possible match" in page_of(client, new)
    response = client.post(link_url(new), link_data(new, role_in(known).person, confirmed=True))
    assert response.status_code == 302
    assert role_in(new).person_id != role_in(known).person_id


def test_the_link_address_answers_only_a_post(signed_in, known_and_new):
    _, new = known_and_new
    assert signed_in.get(link_url(new)).status_code == 405


def test_tampered_hidden_fields_are_a_bad_request(signed_in, known_and_new):
    _, new = known_and_new
    response = signed_in.post(link_url(new), {"version": "x", "person": "", "referral_person": ""})
    assert response.status_code == 400


def test_a_referral_person_of_another_referral_is_a_404(signed_in, known_and_new):
    known, new = known_and_new
    data = link_data(new, role_in(known).person)
    data["referral_person"] = role_in(referral_factory(hub=new.hub)).pk
    assert signed_in.post(link_url(new), data).status_code == 404


# At once -----------------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_links_from_one_version_apply_once():
    import threading

    hub = hub_factory()
    caseworkers = [caseworker_factory(hub) for _ in range(6)]
    known = refer(hub, someone(email="sam@example.org"))
    new = refer(hub, someone(email="sam@example.org"))
    target, referral_person = role_in(known).person, role_in(new)
    barrier = threading.Barrier(len(caseworkers))
    outcomes: list[str] = []

    def link(actor):
        try:
            barrier.wait()
            referral_person_link(
                actor=actor,
                referral_person=referral_person,
                person=target,
                expected_version=new.version,
            )
            outcome = "ok"
        except DomainError as error:
            outcome = type(error).__name__
        finally:
            connection.close()
        outcomes.append(outcome)

    threads = [threading.Thread(target=link, args=(actor,)) for actor in caseworkers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["StaleVersion"] * 5 + ["ok"]
    assert role_in(new).person_id == target.pk
    assert Referral.objects.get(pk=new.pk).version == new.version + 1
    changes = AuditEvent.objects.filter(
        action=AuditAction.CHANGE, record_type="referrals.referralperson"
    )
    assert changes.count() == 1
    assert (
        AuditEvent.objects.filter(action=AuditAction.CONFLICT, record_id=str(new.pk)).count() == 5
    )


def test_a_shared_phone_number_shows_only_the_first_matches_and_says_so(signed_in, hub, caseworker):
    """A switchboard or a refuge's number can be everyone's: the page shows 25, not thousands."""
    for i in range(MATCHES_SHOWN + 5):
        refer(hub, someone(given_name=f"Caller{i:02d}", phone="020 7946 0000"))
    new = refer(hub, someone(given_name="Robin", phone="020 7946 0000"))
    [entry] = referral_possible_matches(user=caseworker, referral=new)
    assert len(entry.matches) == MATCHES_SHOWN
    assert entry.more
    page = page_of(signed_in, new)
    assert page.count("Possible match:") == MATCHES_SHOWN
    assert f"Only the first {MATCHES_SHOWN} possible matches are shown here" in page
    # Below the limit nothing is said.
    few = refer(hub, someone(given_name="Ash", phone="020 7946 1111"))
    refer(hub, someone(given_name="Bo", phone="020 7946 1111"))
    assert "Only the first" not in page_of(signed_in, few)
