"""Finding the same person twice: the three rules, what is not a match, and one query."""

from __future__ import annotations

import datetime as dt

import pytest

from amends.people.matching import MatchReason, match_reasons, people_matches, person_matches
from amends.people.models import Person

pytestmark = pytest.mark.django_db

BORN = dt.date(1990, 5, 1)


def person(**fields) -> Person:
    fields.setdefault("given_name", "Sam")
    fields.setdefault("family_name", "Taylor")
    return Person.objects.create(**fields)


def reasons_by_id(matches) -> dict[int, tuple[MatchReason, ...]]:
    return {match.person.pk: match.reasons for match in matches}


def test_same_name_and_date_of_birth_matches_ignoring_case_and_spaces():
    known = person(given_name="Sam", family_name="Taylor", date_of_birth=BORN)
    new = person(given_name="  sam ", family_name="TAYLOR ", date_of_birth=BORN)
    assert reasons_by_id(person_matches(person=new)) == {
        known.pk: (MatchReason.NAME_AND_DATE_OF_BIRTH,)
    }


def test_same_name_with_another_date_of_birth_is_not_a_match():
    person(date_of_birth=BORN)
    new = person(date_of_birth=dt.date(1991, 5, 1))
    assert person_matches(person=new) == []


def test_a_name_alone_without_a_date_of_birth_is_not_a_match():
    undated = person(date_of_birth=None)
    dated = person(date_of_birth=BORN)
    assert person_matches(person=person(date_of_birth=None)) == []
    # Nor does a known date of birth match a record that has none.
    found = reasons_by_id(person_matches(person=person(date_of_birth=BORN)))
    assert undated.pk not in found
    assert found == {dated.pk: (MatchReason.NAME_AND_DATE_OF_BIRTH,)}


def test_same_email_matches_whatever_its_case():
    known = person(given_name="Alex", family_name="Morgan", email="Alex.Morgan@Example.org")
    new = person(given_name="A", family_name="Morgan-Smith", email="alex.morgan@EXAMPLE.ORG ")
    assert known.email == "alex.morgan@example.org"
    assert reasons_by_id(person_matches(person=new)) == {known.pk: (MatchReason.EMAIL,)}


def test_same_phone_matches_however_it_was_written():
    known = person(given_name="Alex", phone="+44 7700 900123")
    new = person(given_name="Jo", phone="07700900123")
    assert reasons_by_id(person_matches(person=new)) == {known.pk: (MatchReason.PHONE,)}
    assert reasons_by_id(person_matches(person=known)) == {new.pk: (MatchReason.PHONE,)}


def test_blank_email_and_phone_never_match_each_other():
    person(given_name="Alex", email="", phone="")
    assert person_matches(person=person(given_name="Jo", email="", phone="")) == []


def test_a_person_never_matches_itself():
    only = person(date_of_birth=BORN, email="sam@example.org", phone="07700 900123")
    assert person_matches(person=only) == []
    assert match_reasons(only, only) == ()


def test_every_rule_that_holds_is_given_as_a_reason():
    known = person(date_of_birth=BORN, email="sam@example.org", phone="07700 900123")
    new = person(date_of_birth=BORN, email="SAM@example.org", phone="+447700900123")
    assert reasons_by_id(person_matches(person=new)) == {
        known.pk: (MatchReason.NAME_AND_DATE_OF_BIRTH, MatchReason.EMAIL, MatchReason.PHONE)
    }
    assert [m.reason_labels for m in person_matches(person=new)] == [
        ["same name and date of birth", "same email address", "same phone number"]
    ]


def test_only_the_candidates_given_are_searched():
    inside = person(email="sam@example.org")
    outside = person(email="sam@example.org")
    new = person(email="sam@example.org")
    found = person_matches(person=new, candidates=Person.objects.exclude(pk=outside.pk))
    assert reasons_by_id(found) == {inside.pk: (MatchReason.EMAIL,)}


def test_many_people_and_many_matches_take_one_query(django_assert_num_queries):
    people = [person(given_name=f"P{i}", email=f"p{i}@example.org") for i in range(10)]
    for i in range(10):
        for _ in range(3):
            person(given_name=f"Other{i}", email=f"p{i}@example.org")
    with django_assert_num_queries(1):
        found = people_matches(people=people)
    assert all(len(found[p.pk]) == 3 for p in people)


def test_people_who_cannot_match_anyone_cost_no_query(django_assert_num_queries):
    nameless = person(date_of_birth=None)
    with django_assert_num_queries(0):
        assert people_matches(people=[nameless]) == {nameless.pk: []}
