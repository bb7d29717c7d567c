"""CSV import of referrals: the sample file, every kind of bad row, re-import, scope, upload."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amends.accounts.models import OrganisationKind, Role
from amends.accounts.tests.factories import OrganisationFactory, UserFactory
from amends.core.errors import DomainError
from amends.core.models import AuditEvent
from amends.referrals import csv_import
from amends.referrals.csv_import import CsvFileRefused, parse_date, referrals_import_csv
from amends.referrals.models import OffenceType, PersonRole, Referral, ReferralSource
from amends.referrals.selectors import referral_list
from amends.referrals.tests.factories import caseworker_factory, hub_factory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "referrals-sample.csv"
HEADER = ",".join(csv_import.COLUMN_NAMES)
# The bad rows of the sample file, as (row, column): the README lists them too.
SAMPLE_PROBLEMS = {
    (4, "offence_date"),
    (5, "offence_type"),
    (6, "victim_family_name"),
    (7, "hub"),
    (9, "external_reference"),
    (11, "date_reported"),
}


@pytest.fixture
def police():
    return OrganisationFactory(slug="met-police", name="Met", kind=OrganisationKind.POLICE)


@pytest.fixture
def hubs():
    return hub_factory("barnet-victim-care-hub"), hub_factory("enfield-victim-care-hub")


@pytest.fixture
def coordinator(police):
    return UserFactory(organisation=police, roles=[Role.POLICE_RJ_COORDINATOR])


def row(**values: str) -> str:
    defaults = {
        "external_reference": "X-1",
        "hub": "barnet-victim-care-hub",
        "offence_type": "burglary",
        "victim_family_name": "Hughes",
    }
    defaults.update(values)
    return ",".join(defaults.get(name, "") for name in csv_import.COLUMN_NAMES)


def csv_bytes(*rows: str, header: str = HEADER, newline: str = "\n") -> io.BytesIO:
    return io.BytesIO(newline.join([header, *rows, ""]).encode())


def run(police, data: io.BytesIO, actor=None):
    found: list = []
    summary = referrals_import_csv(actor=actor, organisation=police, file=data, report=found.append)
    return summary, found


def problems_of(summary) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in summary.problems}


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("import-referrals", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# The Done-when test: the sample file, then the same file again.


def test_the_sample_file_reports_each_bad_row_imports_the_rest_and_a_second_import_adds_nothing(
    police, hubs
):
    first = command(str(SAMPLE), "--organisation", "met-police")
    reported = {
        (int(line.split(",")[0].removeprefix("row ")), line.split("column ")[1].split(":")[0])
        for line in first.splitlines()
        if ", column " in line
    }
    assert reported == SAMPLE_PROBLEMS
    assert "11 row(s) read: 5 imported, 0 already imported before, 6 with problems" in first
    imported = Referral.objects.filter(referring_organisation=police)
    assert imported.count() == 5
    assert set(imported.values_list("external_reference", flat=True)) == {
        "MPS-RJ-000101",
        "MPS-RJ-000102",
        "MPS-RJ-000107",
        "MPS-RJ-000108",
        "MPS-RJ-000110",
    }
    assert set(imported.values_list("source", flat=True)) == {ReferralSource.CSV}

    second = command(str(SAMPLE), "--organisation", "met-police")
    assert imported.count() == 5
    assert "11 row(s) read: 0 imported, 6 already imported before, 5 with problems" in second
    first_ref = imported.get(external_reference="MPS-RJ-000101").reference
    assert f"row 2: already imported as {first_ref}" in second
    assert f"row 9: already imported as {first_ref}" in second


def test_the_sample_rows_are_imported_with_their_details(police, hubs):
    command(str(SAMPLE), "--organisation", "met-police")
    referral = Referral.objects.get(external_reference="MPS-RJ-000102")
    assert referral.hub == hubs[0]
    assert referral.offence_type == OffenceType.CRIMINAL_DAMAGE  # by its label
    assert str(referral.offence_date) == "2025-11-12"  # DD/MM/YYYY
    assert referral.enhanced_rights is True
    assert referral.referred_by is None
    victim = referral.people.get(role=PersonRole.VICTIM)
    assert (victim.person.family_name, victim.safe_channels) == ("Khan", ["sms"])
    assert referral.people.get(role=PersonRole.OFFENDER).person.family_name == "Fletcher"
    theft = Referral.objects.get(external_reference="MPS-RJ-000107")
    assert theft.offence_type == OffenceType.THEFT  # "THEFT": any case
    assert not theft.people.filter(role=PersonRole.OFFENDER).exists()
    place = Referral.objects.get(external_reference="MPS-RJ-000110").offence_place
    assert place == "Flat 2, Station Road"  # a quoted comma


def test_problems_never_repeat_a_value_from_the_file(police, hubs):
    output = command(str(SAMPLE), "--organisation", "met-police")
    for value in ("jaywalking", "narnia", "31/02/2025", "2099", "Isla", "Amelia", "Sophie"):
        assert value not in output


def test_the_import_is_audited_once_with_counts_and_no_personal_data(police, hubs, coordinator):
    with SAMPLE.open("rb") as file:
        referrals_import_csv(actor=coordinator, organisation=police, file=file)
    event = AuditEvent.objects.get(record_type=csv_import.IMPORT_RECORD_TYPE)
    assert event.actor_id == coordinator.pk
    assert event.detail == {
        "organisation": "met-police",
        "rows": 11,
        "imported": 5,
        "already_imported": 0,
        "invalid": 6,
        "stopped": False,
    }


# The command's exit code: only a file it cannot use fails it.


def test_the_command_fails_only_when_the_file_itself_cannot_be_used(police, hubs, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        command(str(tmp_path / "missing.csv"), "--organisation", "met-police")
    with pytest.raises(CommandError, match="no organisation"):
        command(str(SAMPLE), "--organisation", "nobody")
    with pytest.raises(CommandError, match="not a police force"):
        command(str(SAMPLE), "--organisation", "barnet-victim-care-hub")
    no_hub = tmp_path / "no-hub.csv"
    no_hub.write_text("external_reference,offence_type,victim_family_name\nA,theft,Hughes\n")
    with pytest.raises(CommandError, match="required columns are missing: hub"):
        command(str(no_hub), "--organisation", "met-police")
    assert not Referral.objects.exists()
    bad_rows = tmp_path / "bad-rows.csv"
    bad_rows.write_text(f"{HEADER}\n{row(offence_type='nonsense')}\n")
    assert "row 2, column offence_type:" in command(str(bad_rows), "--organisation", "met-police")


# The file as a whole.


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfeh\x00u\x00b\x00", "not UTF-8"),
        (b"hub,hub,external_reference,offence_type,victim_family_name\n", "more than once: hub"),
        (b"name,address\nA,B\n", "required columns are missing"),
    ],
)
def test_a_file_whose_header_cannot_be_used_is_refused_and_nothing_imported(
    police, hubs, content, message
):
    with pytest.raises(CsvFileRefused, match=message):
        run(police, io.BytesIO(content))
    assert not Referral.objects.exists()


def test_bom_windows_line_endings_and_header_case_are_accepted(police, hubs):
    data = ("\ufeff" + HEADER.upper() + "\r\n" + row() + "\r\n").encode()
    summary, _ = run(police, io.BytesIO(data))
    assert (summary.imported, summary.problems) == (1, [])


def test_unknown_columns_are_a_single_warning_and_ignored(police, hubs):
    summary, _ = run(
        police,
        csv_bytes(
            row() + ",x,y",
            row(external_reference="X-2") + ",x,y",
            header=HEADER + ",force_notes,extra",
        ),
    )
    assert summary.imported == 2
    assert summary.warnings == ["These columns are not used and were ignored: force_notes, extra."]


def test_row_numbers_count_the_header_and_blank_lines_as_rows(police, hubs):
    summary, _ = run(police, csv_bytes(row(), "", row(external_reference="X-2", hub="nowhere")))
    assert problems_of(summary) == {(4, "hub")}
    assert (summary.rows, summary.imported, summary.invalid) == (2, 1, 1)


def test_a_row_with_more_values_than_columns_is_a_problem(police, hubs):
    summary, _ = run(police, csv_bytes(row() + ",surplus"))
    assert problems_of(summary) == {(2, "(row)")}


def test_a_file_that_stops_being_utf8_part_way_keeps_the_rows_before(police, hubs):
    rows = [row(external_reference=f"X-{i}", offence_place="A" * 150) for i in range(120)]
    data = ("\n".join([HEADER, *rows]) + "\n").encode() + b"Bad \xff row\n"
    summary, _ = run(police, io.BytesIO(data))
    assert summary.stopped.startswith(
        f"The file is not valid UTF-8 text after row {summary.rows + 1}, so the import stopped"
    )
    assert summary.imported == summary.rows == Referral.objects.count() > 100


# Each column's rules.


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-11-03", "2025-11-03"), ("3/11/2025", "2025-11-03"), ("29/02/2024", "2024-02-29")],
)
def test_dates_are_read_as_iso_or_day_month_year(text, expected):
    assert str(parse_date(text)) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2025", "is not a real date"),
        ("2025-13-01", "is not a real date"),
        ("11/03/25", "is not a date"),
        ("03-11-2025", "is not a date"),
        ("yesterday", "is not a date"),
    ],
)
def test_bad_dates_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"external_reference": ""}, "external_reference"),
        ({"external_reference": "X" * 101}, "external_reference"),
        ({"hub": ""}, "hub"),
        ({"hub": "met-police"}, "hub"),  # not a hub
        ({"offence_type": "jaywalking"}, "offence_type"),
        ({"victim_family_name": ""}, "victim_family_name"),
        ({"offence_date": "2999-01-01"}, "offence_date"),
        ({"date_reported": "01/01/2999"}, "date_reported"),
        ({"offence_date": "2025-05-02", "date_reported": "2025-05-01"}, "date_reported"),
        ({"victim_date_of_birth": "2999-01-01"}, "victim_date_of_birth"),
        ({"enhanced_rights": "maybe"}, "enhanced_rights"),
        ({"victim_email": "not-an-email"}, "victim_email"),
        ({"victim_phone": "call me"}, "victim_phone"),
        ({"victim_safe_channels": "pigeon"}, "victim_safe_channels"),
        ({"victim_safe_channels": "email"}, "victim_safe_channels"),  # no email given
        ({"victim_safe_channels": "sms"}, "victim_safe_channels"),  # no phone given
        ({"offender_given_name": "Ryan"}, "offender_family_name"),
    ],
)
def test_each_bad_value_is_reported_by_its_column(police, hubs, values, column):
    summary, _ = run(police, csv_bytes(row(**values)))
    assert problems_of(summary) == {(2, column)}
    assert (summary.imported, summary.invalid) == (0, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("burglary", "burglary"),
        ("Hate crime", "hate_crime"),
        ("STALKING OR HARASSMENT", "stalking"),
    ],
)
def test_offence_types_by_code_or_by_name_in_any_case(police, hubs, text, expected):
    run(police, csv_bytes(row(offence_type=text)))
    assert Referral.objects.get().offence_type == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("TRUE", True),
        ("1", True),
        ("no", False),
        ("false", False),
        ("0", False),
        ("", False),
    ],
)
def test_enhanced_rights(police, hubs, text, expected):
    run(police, csv_bytes(row(enhanced_rights=text)))
    assert Referral.objects.get().enhanced_rights is expected


def test_only_safe_channels_given_are_recorded(police, hubs):
    run(
        police,
        csv_bytes(
            row(
                victim_email="a@example.org",
                victim_phone="07700 900123",
                victim_safe_channels="email; SMS",
            )
        ),
    )
    victim = Referral.objects.get().people.get(role=PersonRole.VICTIM)
    assert victim.safe_channels == ["email", "sms"]


def test_the_same_external_reference_from_another_organisation_is_another_referral(police, hubs):
    other = OrganisationFactory(slug="kent-police", kind=OrganisationKind.POLICE)
    run(police, csv_bytes(row()))
    summary, _ = run(other, csv_bytes(row()))
    assert summary.imported == 1
    assert Referral.objects.filter(external_reference="X-1").count() == 2


# Speed: the hubs are looked up once, not per row; queries per row stay constant.


def test_queries_per_row_are_constant_and_hubs_are_looked_up_once(police, hubs):
    def queries(n: int, prefix: str):
        rows = [row(external_reference=f"{prefix}{i}", hub=hubs[i % 2].slug) for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            summary, _ = run(police, csv_bytes(*rows))
        assert summary.imported == n
        org_queries = [q for q in captured if 'FROM "accounts_organisation"' in q["sql"]]
        return len(captured), len(org_queries)

    few, few_org = queries(5, "A")
    many, many_org = queries(25, "B")
    per_row = (many - few) / 20
    assert per_row == int(per_row)
    assert per_row <= 25
    assert few_org == many_org == 1


# Who may import, and who sees what was imported.


def test_only_the_coordinator_of_the_organisation_may_import(police, hubs, coordinator):
    officer = UserFactory(organisation=police, roles=[Role.POLICE_OFFICER])
    other_force = OrganisationFactory(slug="kent-police", kind=OrganisationKind.POLICE)
    for actor, organisation in ((officer, police), (coordinator, other_force)):
        with pytest.raises(DomainError):
            run(organisation, csv_bytes(row()), actor=actor)
    summary, _ = run(police, csv_bytes(row()), actor=coordinator)
    assert summary.imported == 1
    assert Referral.objects.get().referred_by == coordinator


def test_imported_referrals_are_seen_by_the_force_coordinator_and_the_hub_only(
    police, hubs, coordinator
):
    run(police, csv_bytes(row(), row(external_reference="X-2", hub=hubs[1].slug)))
    barnet, enfield = hubs
    assert referral_list(user=coordinator).count() == 2
    assert referral_list(user=caseworker_factory(barnet)).count() == 1
    assert referral_list(user=caseworker_factory(enfield)).count() == 1
    other_force = OrganisationFactory(slug="kent-police", kind=OrganisationKind.POLICE)
    other = UserFactory(organisation=other_force, roles=[Role.POLICE_RJ_COORDINATOR])
    assert referral_list(user=other).count() == 0
    officer = UserFactory(organisation=police, roles=[Role.POLICE_OFFICER])
    assert referral_list(user=officer).count() == 0


# The upload page.

URL = "/staff/import/"


def upload(client, content: bytes, name: str = "referrals.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_the_upload_page_is_a_404_to_everyone_but_the_coordinator(client, police, hubs):
    youth = OrganisationFactory(slug="yot", kind=OrganisationKind.YOUTH_JUSTICE)
    others = [
        UserFactory(organisation=police, roles=[Role.POLICE_OFFICER]),
        UserFactory(organisation=police, roles=[Role.DATA_PROTECTION_OFFICER]),
        UserFactory(organisation=police, roles=[Role.ADMINISTRATOR]),
        UserFactory(organisation=youth, roles=[Role.YOUTH_JUSTICE_WORKER]),
        caseworker_factory(hubs[0]),
        UserFactory(organisation=hubs[0], roles=[Role.HUB_MANAGER]),
    ]
    for user in others:
        client.force_login(user)
        assert client.get(URL).status_code == 404
        assert upload(client, SAMPLE.read_bytes()).status_code == 404
    assert not Referral.objects.exists()


def test_the_coordinator_uploads_the_sample_and_sees_counts_and_bad_rows(
    client, police, hubs, coordinator
):
    client.force_login(coordinator)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="govuk-file-upload' in body
    assert "external_reference" in body
    assert "Import referrals" in body

    response = upload(client, SAMPLE.read_bytes())
    assert response.status_code == 200
    body = response.content.decode()
    assert '<dd class="govuk-summary-list__value" id="count-imported">5</dd>' in body
    assert '<dd class="govuk-summary-list__value" id="count-invalid">6</dd>' in body
    for number, column in SAMPLE_PROBLEMS:
        assert f'govuk-table__cell--numeric">{number}</td>' in body
        assert f"<code>{column}</code>" in body
    for name in ("Hughes", "Khan", "Isla", "Roberts", "jaywalking", "narnia"):
        assert name not in body
    assert (
        Referral.objects.filter(referring_organisation=police, referred_by=coordinator).count() == 5
    )

    again = upload(client, SAMPLE.read_bytes()).content.decode()
    assert '<dd class="govuk-summary-list__value" id="count-already">6</dd>' in again
    assert Referral.objects.count() == 5
    assert AuditEvent.objects.filter(record_type=csv_import.IMPORT_RECORD_TYPE).count() == 2


def test_the_nav_offers_the_import_to_the_coordinator_only(client, police, coordinator):
    client.force_login(coordinator)
    assert URL in client.get("/staff/").content.decode()
    client.force_login(UserFactory(organisation=police, roles=[Role.POLICE_OFFICER]))
    assert URL not in client.get("/staff/").content.decode()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "referrals.csv", "The selected file is empty"),
        (b"a,b\n", "referrals.xlsx", "The selected file must be a CSV"),
        (b"x" * 200, "referrals.csv", "The selected file must be smaller than 100"),
        (b"name,address\nA,B\n", "referrals.csv", "required columns are missing"),
    ],
)
def test_the_upload_form_refuses_what_it_cannot_import(
    client, police, coordinator, settings, content, name, message
):
    settings.CSV_IMPORT_MAX_BYTES = 100
    client.force_login(coordinator)
    response = upload(client, content, name)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert message in body
    assert not Referral.objects.exists()


def test_the_upload_form_asks_for_a_file(client, coordinator):
    client.force_login(coordinator)
    assert "Select a CSV file" in client.post(URL, {}).content.decode()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_make_each_referral_once():
    import threading

    police = OrganisationFactory(slug="met-police", kind=OrganisationKind.POLICE)
    hub_factory("barnet-victim-care-hub")
    hub_factory("enfield-victim-care-hub")
    barrier = threading.Barrier(2)
    summaries: list = []

    def worker():
        try:
            barrier.wait()
            with SAMPLE.open("rb") as file:
                summaries.append(referrals_import_csv(actor=None, organisation=police, file=file))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(summaries) == 2
    assert Referral.objects.count() == 5
    assert sum(summary.imported for summary in summaries) == 5
