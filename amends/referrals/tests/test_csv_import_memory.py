"""The CSV import's memory stays flat however long the file is.

Each measurement imports a generated file through `amends import-referrals` in a
child process, on a fresh database, and reads the child's peak RSS with
`resource.getrusage(RUSAGE_CHILDREN)` in a small wrapper process of its own (so
that no other child, such as `amends migrate`, is counted).

The normal suite compares 1,000 with 6,000 rows (under a minute on SQLite); the
100,000-row comparison takes several minutes and runs with `make bench-import`,
which prints the figures (they are in the README).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.server import BIN, ROOT, amends, base_env

HEADER = (
    "external_reference,hub,crime_reference,offence_type,offence_date,offence_place,"
    "date_reported,enhanced_rights,victim_given_name,victim_family_name,victim_date_of_birth,"
    "victim_email,victim_phone,victim_safe_channels,offender_given_name,offender_family_name,"
    "offender_date_of_birth"
)
OFFENCES = ("burglary", "theft", "violence", "Criminal damage or arson", "fraud", "robbery")
# Runs the command given after the output path and prints its exit code and peak RSS (KiB).
WRAPPER = """
import json, resource, subprocess, sys
with open(sys.argv[1], "w") as out:
    code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"returncode": code, "peak_rss_kib": peak}))
"""


def generate_csv(path: Path, rows: int, *, prefix: str) -> Path:
    """A deterministic file of valid rows (one in 50 with a bad date), Windows line endings."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\ufeff" + HEADER + "\r\n")
        for i in range(rows):
            day = 1 + i % 28
            offence_date = "2025-02-30" if i % 50 == 49 else f"2025-03-{day:02d}"
            email = f"person{i}@example.org" if i % 3 == 0 else ""
            out.write(
                f"{prefix}-{i:07d},csv-memory-hub,01/{i:06d}/25,{OFFENCES[i % len(OFFENCES)]},"
                f"{offence_date},High Street,{day:02d}/04/2025,{'yes' if i % 7 == 0 else 'no'},"
                f"Alex,Morgan{i},1980-01-{day:02d},{email},07700 900{i % 1000:03d},"
                f"{'email;sms' if email else 'sms'},Jamie,Reid{i},2007-05-{day:02d}\r\n"
            )
    return path


def _fresh_database(tmp_path: Path) -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'csv-memory.sqlite3'}"
    import psycopg

    parts = urlsplit(configured)
    name = f"{parts.path.lstrip('/') or 'amends'}_csvmem"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


SETUP = """
from amends.accounts.models import Organisation
Organisation.objects.create(slug="csv-memory-police", name="Police", kind="police")
Organisation.objects.create(slug="csv-memory-hub", name="Hub", kind="victim_care_hub",
                            notification_email="hub@example.org")
"""


def measure(env: dict[str, str], csv_path: Path, out_path: Path) -> dict[str, int]:
    command = [str(BIN / "amends"), "import-referrals", str(csv_path)]
    command += ["--organisation", "csv-memory-police"]
    result = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-c", WRAPPER, str(out_path), *command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    )
    return json.loads(result.stdout)


def peak_rss(tmp_path: Path, small: int, large: int) -> tuple[dict[str, int], dict[str, int]]:
    env = base_env(
        AMENDS_ENV="test",
        DATABASE_URL=_fresh_database(tmp_path),
        # As in production: messages become task rows for the worker, not sends in-process.
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LOG_LEVEL="WARNING",
    )
    amends("migrate", "--noinput", env=env)
    amends("shell", "-c", SETUP, env=env)
    figures = []
    for rows, prefix in ((small, "S"), (large, "L")):
        csv_path = generate_csv(tmp_path / f"{rows}.csv", rows, prefix=prefix)
        out_path = tmp_path / f"{rows}.out"
        started = time.monotonic()
        figure = measure(env, csv_path, out_path)
        seconds = time.monotonic() - started
        output = out_path.read_text()
        assert figure["returncode"] == 0, output
        bad = rows // 50
        assert f"{rows} row(s) read: {rows - bad} imported" in output, output[-2000:]
        assert output.count("column offence_date: is not a real date") == bad
        figures.append(figure)
        print(
            f"\nCSV import of {rows:,} rows: peak RSS {figure['peak_rss_kib'] / 1024:.1f} MiB, "
            f"{seconds:.0f} s ({seconds / rows * 1000:.1f} ms a row, with start-up)"
        )
    return figures[0], figures[1]


def test_memory_does_not_grow_with_the_file(tmp_path):
    small, large = peak_rss(tmp_path, 1_000, 6_000)
    growth = large["peak_rss_kib"] - small["peak_rss_kib"]
    assert growth < 15 * 1024, f"peak RSS grew by {growth} KiB from 1,000 to 6,000 rows"


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("AMENDS_BENCH_IMPORT"),
    reason="takes minutes: `make bench-import` runs it",
)
def test_memory_is_flat_from_10_000_to_100_000_rows(tmp_path):
    small, large = peak_rss(tmp_path, 10_000, 100_000)
    growth = large["peak_rss_kib"] - small["peak_rss_kib"]
    assert growth < 30 * 1024, f"peak RSS grew by {growth} KiB from 10,000 to 100,000 rows"
