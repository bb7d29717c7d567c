"""`make bench`: the application under gunicorn, on SQLite and PostgreSQL, under load.

For each database: a fresh database, migrations, the demo partnership, N generated
referrals (bench/data.py), then gunicorn with several workers; the load comes from a
second process (bench/load.py), one scenario at a time. Results go to
bench/results/<date>-<database>.json and .md and the table is printed. bench/README.md
explains the settings and what the numbers mean.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ALL_SCENARIOS = (
    "hello",
    "submit",
    "api_create",
    "api_replay",
    "staff_list",
    "hub_queue",
    "hub_filtered",
    "hub_search",
    "referral_page",
)
TITLES = {
    "hello": "Hello world (baseline)",
    "submit": "Public form: final submit",
    "api_create": "API: create",
    "api_replay": "API: create replayed, same key",
    "staff_list": "Staff: referral list",
    "hub_queue": "Hub queue: first page",
    "hub_filtered": "Hub queue: overdue burglaries",
    "hub_search": "Hub queue: search by name",
    "referral_page": "Referral page",
}
# The issues' targets: these reach at least this share of hello world's requests per second.
TARGETS = {
    "submit": 0.10,
    "api_create": 0.10,
    "hub_queue": 0.10,
    "hub_filtered": 0.10,
    "hub_search": 0.10,
    "referral_page": 0.10,
}
# What the hub scenarios ask for: a view with a filter, and the start of family names.
HUB_FILTERED = "/staff/hub/?view=overdue&offence_type=burglary"
HUB_SEARCHES = ["smi", "pat", "oka", "beg", "kha", "now", "hug", "ade"]
STAFF_USER = "caseworker@barnet-victim-care-hub.example"
API_ORGANISATION = "met-police"


@dataclass
class Config:
    referrals: int = 100_000
    duration: float = 10.0
    warmup: float = 2.0
    concurrency: int = 8
    workers: int = 4
    threads: int = 2
    databases: tuple[str, ...] = ("sqlite", "postgresql")
    scenarios: tuple[str, ...] = ALL_SCENARIOS
    postgres_url: str = "postgres://postgres@127.0.0.1:5432/amends_bench"
    results_dir: Path = ROOT / "bench" / "results"
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Config:
        e = os.environ
        default = cls()
        return cls(
            referrals=int(e.get("BENCH_REFERRALS", default.referrals)),
            duration=float(e.get("BENCH_DURATION", default.duration)),
            warmup=float(e.get("BENCH_WARMUP", default.warmup)),
            concurrency=int(e.get("BENCH_CONCURRENCY", default.concurrency)),
            workers=int(e.get("BENCH_WORKERS", default.workers)),
            threads=int(e.get("BENCH_THREADS", default.threads)),
            databases=_names(e.get("BENCH_DATABASES"), default.databases),
            scenarios=_names(e.get("BENCH_SCENARIOS"), default.scenarios),
            postgres_url=e.get("BENCH_POSTGRES_URL", default.postgres_url),
            results_dir=Path(e.get("BENCH_RESULTS_DIR", default.results_dir)),
        )


def _names(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        return default
    return tuple(name.strip() for name in value.split(",") if name.strip())


def say(message: str) -> None:
    print(message, flush=True)


# ----- the database and the application ------------------------------------


def server_env(database_url: str) -> dict[str, str]:
    """A production-like profile that runs over plain HTTP on the loopback address.

    AMENDS_ENV=development with DEBUG off and a real random SECRET_KEY: production
    itself insists on HTTPS (redirects, secure cookies) and a collected static
    manifest, which a loopback benchmark cannot give. The cache is the database (the
    default outside tests, shared by every worker); messages are queued as rows for a
    task worker, which is not running, as in production where it is a separate process.
    The brakes meant for people and bots are lifted: every request comes from one address.
    """
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AMENDS_"))}
    keep.pop("DATABASE_URL", None)
    keep.update(
        {
            "AMENDS_ENV": "development",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "BENCHMARK_VIEWS": "true",
            "PUBLIC_REFERRAL_SUBMISSIONS_PER_HOUR": "1000000000",
            "API_RATE_LIMIT": "1000000/s",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return keep


def run_checked(args: list[str], env: dict[str, str], timeout: float = 3600) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def amends(*args: str, env: dict[str, str]) -> str:
    return run_checked([str(BIN / "amends"), *args], env)


def data(*args: str, env: dict[str, str]) -> Any:
    return json.loads(run_checked([sys.executable, "-m", "bench.data", *args], env))


def postgres_reachable(url: str) -> str:
    """An empty string if we can reach the server, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return ""
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def count_referrals(database_url: str) -> int:
    if database_url.startswith("sqlite"):
        path = urlsplit(database_url).path
        with sqlite3.connect(path, timeout=30) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM referrals_referral").fetchone()[0])
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM referrals_referral").fetchone()
        return int(row[0]) if row else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], config: Config, log: Path) -> Iterator[str]:
    port = free_port()
    args = [
        str(BIN / "gunicorn"),
        "amends.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(config.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(config.threads),
        "--keep-alive",
        "5",
        "--log-level",
        "warning",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own server
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start within 60 s:\n{log.read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def staff_paths(scenario: str, env: dict[str, str]) -> list[str]:
    """The pages a hub scenario asks for, in turn."""
    if scenario == "hub_queue":
        return ["/staff/hub/"]
    if scenario == "hub_filtered":
        return [HUB_FILTERED]
    if scenario == "hub_search":
        return [f"/staff/hub/?q={prefix}" for prefix in HUB_SEARCHES]
    references = data("open-references", "--email", STAFF_USER, "--count", "200", env=env)
    if not references:
        raise RuntimeError("no open referral at the benchmark caseworker's hub")
    return [f"/staff/referrals/{reference}/" for reference in references]


def create_api_key(env: dict[str, str]) -> str:
    """A key for the demo police force, as `amends create-api-key` shows it (on stdout, alone)."""
    key = amends("create-api-key", API_ORGANISATION, "--name", "Benchmark", env=env).strip()
    if not key or len(key.split()) != 1:
        raise RuntimeError(f"no key in the output of create-api-key: {key!r}")
    return key


def drive(base: str, scenario: str, config: Config, work: Path, **extra: Any) -> dict[str, Any]:
    spec = {
        "base_url": base,
        "scenario": scenario,
        "duration": config.duration,
        "warmup": config.warmup,
        "concurrency": config.concurrency,
        **extra,
    }
    path = work / f"load-{scenario}.json"
    path.write_text(json.dumps(spec))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    timeout = config.warmup + config.duration + 120
    output = run_checked([sys.executable, "-m", "bench.load", str(path)], env, timeout)
    return dict(json.loads(output))


# ----- one database --------------------------------------------------------


def bench_database(vendor: str, config: Config, work: Path) -> dict[str, Any]:
    if vendor == "sqlite":
        database_url = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        database_url = config.postgres_url
        fresh_postgres(database_url)
    env = server_env(database_url)
    started = time.monotonic()
    say(f"[{vendor}] migrating a fresh database")
    amends("migrate", "--noinput", env=env)
    amends("createcachetable", env=env)
    amends("demo", "--referrals", "0", "--quiet-sign-ins", env=env)
    say(f"[{vendor}] generating {config.referrals:,} referrals (bulk inserts)")
    filled = data("fill", "--count", str(config.referrals), env=env)
    say(f"[{vendor}] {filled['referrals']:,} referrals in the database ({filled['seconds']} s)")
    api_key = ""
    if {"api_create", "api_replay"} & set(config.scenarios):
        api_key = create_api_key(env)
    staff = data(
        "staff-sessions", "--email", STAFF_USER, "--count", str(config.concurrency), env=env
    )

    results: dict[str, dict[str, Any]] = {}
    with gunicorn(env, config, work / f"gunicorn-{vendor}.log") as base:
        for scenario in ("hello", *[s for s in config.scenarios if s != "hello"]):
            extra: dict[str, Any] = {}
            if scenario == "submit":
                # One prepared session per request: as many as the baseline could serve, capped.
                ceiling = results["hello"]["rps"] * (config.warmup + config.duration)
                count = int(min(50_000, max(200, ceiling * 0.6)))
                extra["sessions"] = data("submit-sessions", "--count", str(count), env=env)
            elif scenario == "staff_list":
                extra["sessions"] = staff
            elif scenario in {"hub_queue", "hub_filtered", "hub_search", "referral_page"}:
                extra["sessions"] = staff
                extra["paths"] = staff_paths(scenario, env)
            elif scenario.startswith("api_"):
                extra["api_key"] = api_key
            before = count_referrals(database_url)
            timing = f"{config.warmup:g} s warm-up, {config.duration:g} s"
            say(f"[{vendor}] {TITLES[scenario]}: {timing}")
            result = drive(base, scenario, config, work, **extra)
            result["referrals_made"] = count_referrals(database_url) - before
            results[scenario] = result
    hello_rps = results["hello"]["rps"] or 1.0
    for result in results.values():
        result["ratio"] = round(result["rps"] / hello_rps, 3)
        target = TARGETS.get(result["scenario"])
        result["target"] = target
        result["meets_target"] = None if target is None else result["ratio"] >= target
    return {
        "database": vendor,
        "date": dt.date.today().isoformat(),
        "referrals_in_database": filled["referrals"],
        "fill_seconds": filled["seconds"],
        "total_seconds": round(time.monotonic() - started, 1),
        "settings": {
            "duration_s": config.duration,
            "warmup_s": config.warmup,
            "concurrency": config.concurrency,
            "server": f"gunicorn gthread, {config.workers} workers x {config.threads} threads",
            "profile": "AMENDS_ENV=development, DEBUG=false, database cache",
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "commit": _commit(),
        "scenarios": [results[name] for name in results],
    }


def _commit() -> str:
    git = shutil.which("git")
    if not git:
        return ""
    result = subprocess.run(  # noqa: S603
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


# ----- reporting -----------------------------------------------------------


def table(report: dict[str, Any]) -> str:
    lines = [
        f"### {report['database']}: {report['referrals_in_database']:,} referrals, "
        f"{report['settings']['server']}, concurrency {report['settings']['concurrency']}, "
        f"{report['settings']['duration_s']:g} s per scenario ({report['date']})",
        "",
        "| Scenario | Requests/s | p50 ms | p95 ms | Ratio to hello | Target | Errors |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in report["scenarios"]:
        if r["target"] is None:
            target = ""
        else:
            target = f"≥ {r['target']:.2f} {'met' if r['meets_target'] else 'MISSED'}"
        errors = str(r["errors"])
        if r["errors"]:
            errors += " (" + ", ".join(f"{k}: {v}" for k, v in r["error_kinds"].items()) + ")"
        lines.append(
            f"| {TITLES[r['scenario']]} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} "
            f"| {r['ratio']:.3f} | {target} | {errors} |"
        )
    notes = []
    for r in report["scenarios"]:
        if r["errors"]:
            notes.append(f"- {TITLES[r['scenario']]}: {r['errors']} requests failed.")
        if r["ran_out_of_prepared_items"]:
            notes.append(
                f"- {TITLES[r['scenario']]}: used every prepared session after {r['seconds']} s; "
                "the rate is over that time."
            )
    replay = next((r for r in report["scenarios"] if r["scenario"] == "api_replay"), None)
    if replay is not None:
        first = 1 if replay["primed_status"] == 201 else 0
        notes.append(
            f"- Replayed key: the first request made {first} referral; the replays made "
            f"{replay['referrals_made'] - first}."
        )
    return "\n".join(lines + (["", *notes] if notes else [])) + "\n"


def write(report: dict[str, Any], results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    stem = results_dir / f"{report['date']}-{report['database']}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(table(report))
    return stem


def main(config: Config | None = None) -> list[dict[str, Any]]:
    config = config or Config.from_env()
    unknown = set(config.scenarios) - set(ALL_SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    reports = []
    for vendor in config.databases:
        if vendor == "postgresql":
            why = postgres_reachable(config.postgres_url)
            if why:
                say(f"[postgresql] SKIPPED: cannot reach {config.postgres_url} ({why})")
                continue
        elif vendor != "sqlite":
            raise SystemExit(f"unknown database {vendor!r}: sqlite or postgresql")
        with tempfile.TemporaryDirectory(prefix=f"amends-bench-{vendor}-") as tmp:
            report = bench_database(vendor, config, Path(tmp))
        stem = write(report, config.results_dir)
        say("")
        say(table(report))
        say(f"Written to {stem}.json and {stem}.md ({report['total_seconds']} s)")
        say("")
        reports.append(report)
    if not reports:
        say("No database was benchmarked.")
    return reports


if __name__ == "__main__":
    main()
