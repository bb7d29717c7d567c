"""The agency directory: hub managers keep it; bad input, conflicts, archive and delete."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from amends.core.errors import DomainError, StaleVersion
from amends.hub import services
from amends.hub.models import Agency, ServiceArea
from amends.hub.tests.factories_support import (
    agency_make,
    agency_organisation,
    onward_send,
    supported_referral,
)
from amends.referrals.tests.factories import caseworker_factory, hub_factory, manager_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return hub_factory("directory-hub")


@pytest.fixture
def manager(hub):
    return manager_factory(hub)


@pytest.fixture
def caseworker(hub):
    return caseworker_factory(hub)


def data(**overrides):
    values = {
        "name": "Barnet Women's Aid",
        "services": [ServiceArea.DOMESTIC_ABUSE, ServiceArea.ADVOCACY],
        "services_detail": "IDVA service and refuge places.",
        "eligibility": "Women in Barnet, 16 and over.",
        "phone": "020 8000 0000",
        "email": "referrals@womensaid.example",
        "website": "https://womensaid.example",
        "referral_notes": "Call the duty worker first.",
        "organisation": "",
        "submission_key": "key-1",
    }
    values.update(overrides)
    return values


def test_a_manager_adds_changes_and_reads_an_agency(client, manager):
    client.force_login(manager)
    assert client.get("/staff/hub/agencies/new/").status_code == 200
    response = client.post("/staff/hub/agencies/new/", data())
    assert response.status_code == 302
    agency = Agency.objects.get()
    assert agency.services == ["domestic_abuse", "advocacy"]
    assert agency.hub == manager.organisation
    page = client.get(f"/staff/hub/agencies/{agency.pk}/").content.decode()
    assert "Call the duty worker first." in page
    assert "Independent advocacy" in page
    response = client.post(
        f"/staff/hub/agencies/{agency.pk}/edit/",
        data(version=agency.version, phone="020 8111 1111", submission_key=""),
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.phone, agency.version) == ("020 8111 1111", 2)
    assert "020 8111 1111" in client.get("/staff/hub/agencies/").content.decode()


def test_adding_the_same_form_twice_makes_one_agency(client, manager):
    client.force_login(manager)
    assert client.post("/staff/hub/agencies/new/", data()).status_code == 302
    assert client.post("/staff/hub/agencies/new/", data()).status_code == 302
    assert Agency.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the agency"),
        ({"name": "x" * 201}, "name", "200 characters or fewer"),
        ({"services": ["astrology"]}, "services", "Choose services from the list"),
        ({"email": "not an email"}, "email", "Enter an email address like"),
        ({"website": "not a website"}, "website", "Enter a web address like"),
        ({"organisation": "999999"}, "organisation", "Choose an agency from the list"),
        ({"phone": "0" * 41}, "phone", "40 characters or fewer"),
    ],
)
def test_each_bad_input_gets_its_own_message(client, manager, change, field, message):
    client.force_login(manager)
    response = client.post("/staff/hub/agencies/new/", data(**change))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_{field}"' in html
    assert message in html
    assert not Agency.objects.exists()


def test_a_name_already_in_the_directory_is_refused_on_its_field(client, manager):
    agency_make(manager=manager, name="Victim Support")
    client.force_login(manager)
    response = client.post(
        "/staff/hub/agencies/new/", data(name="victim  support", submission_key="other")
    )
    assert response.status_code == 400
    assert 'href="#id_name"' in response.content.decode()
    assert "victim support is already in your directory" in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(hub=manager.organisation, name="VICTIM SUPPORT")


def test_only_a_specialist_agency_can_be_linked(manager, hub):
    with pytest.raises(DomainError, match="is not a specialist agency"):
        agency_make(manager=manager, organisation=hub)
    linked = agency_make(manager=manager, organisation=agency_organisation())
    assert linked.in_amends


def test_caseworkers_read_the_directory_but_do_not_change_it(client, manager, caseworker):
    agency = agency_make(manager=manager, name="Citizens Advice Barnet")
    client.force_login(caseworker)
    assert "Citizens Advice Barnet" in client.get("/staff/hub/agencies/").content.decode()
    assert client.get(f"/staff/hub/agencies/{agency.pk}/").status_code == 200
    for url in ("/staff/hub/agencies/new/", f"/staff/hub/agencies/{agency.pk}/edit/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/staff/hub/agencies/{agency.pk}/delete/").status_code == 403
    with pytest.raises(DomainError, match="Only a hub manager"):
        agency_make(manager=caseworker)


def test_a_stale_edit_is_refused_with_both_versions(client, manager):
    agency = agency_make(manager=manager, name="Mind in Barnet")
    services.agency_update(
        actor=manager, agency=agency, expected_version=1, changes={"phone": "020 1"}
    )
    with pytest.raises(StaleVersion):
        services.agency_update(
            actor=manager, agency=agency, expected_version=1, changes={"phone": "020 2"}
        )
    client.force_login(manager)
    response = client.post(
        f"/staff/hub/agencies/{agency.pk}/edit/",
        data(name="Mind in Barnet", version=1, phone="020 3", submission_key=""),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this agency" in html
    assert "Domestic abuse, Independent advocacy (IDVA, ISVA)" in html  # labels, not codes
    agency.refresh_from_db()
    assert agency.phone == "020 1"


def test_an_archived_agency_leaves_the_onward_referral_form_and_can_come_back(
    client, manager, caseworker, hub
):
    agency = agency_make(manager=manager, name="Shelter")
    referral = supported_referral(hub=hub)
    client.force_login(manager)
    response = client.post(
        f"/staff/hub/agencies/{agency.pk}/archive/", {"version": agency.version, "active": "0"}
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert not agency.is_active
    link = f'href="/staff/hub/agencies/{agency.pk}/"'
    assert link not in client.get("/staff/hub/agencies/").content.decode()
    assert link in client.get("/staff/hub/agencies/?archived=1").content.decode()
    client.force_login(caseworker)
    form = client.get(f"/staff/hub/referrals/{referral.reference}/onward/new/")
    assert "Shelter" not in form.content.decode()
    with pytest.raises(DomainError, match="Choose an agency from your directory"):
        onward_send(actor=caseworker, referral=referral, agency=agency)
    services.agency_set_active(actor=manager, agency=agency, active=True, expected_version=2)
    assert onward_send(actor=caseworker, referral=referral, agency=agency).agency == agency


def test_only_an_agency_nobody_was_referred_to_can_be_deleted(client, manager, caseworker, hub):
    unused = agency_make(manager=manager, name="Unused")
    used = agency_make(manager=manager, name="Used")
    onward_send(actor=caseworker, referral=supported_referral(hub=hub), agency=used)
    client.force_login(manager)
    assert "Delete" not in client.get(f"/staff/hub/agencies/{used.pk}/").content.decode()
    refused = client.post(f"/staff/hub/agencies/{used.pk}/delete/")
    assert refused.status_code == 400
    assert "Archive it instead" in refused.content.decode()
    assert client.get(f"/staff/hub/agencies/{unused.pk}/delete/").status_code == 200
    assert client.post(f"/staff/hub/agencies/{unused.pk}/delete/").status_code == 302
    assert list(Agency.objects.values_list("name", flat=True)) == ["Used"]


def test_another_hub_gets_404(client, manager):
    agency = agency_make(manager=manager, name="Local Only")
    outsider = manager_factory(hub_factory("another-directory-hub"))
    client.force_login(outsider)
    for url in (
        f"/staff/hub/agencies/{agency.pk}/",
        f"/staff/hub/agencies/{agency.pk}/edit/",
        f"/staff/hub/agencies/{agency.pk}/delete/",
    ):
        assert client.get(url).status_code == 404
    assert "Local Only" not in client.get("/staff/hub/agencies/").content.decode()
    with pytest.raises(Exception, match="No agency"):
        services.agency_update(actor=outsider, agency=agency, expected_version=1, changes={})
