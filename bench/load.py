"""The load generator: a second process of threads, each with its own keep-alive connection.

`python -m bench.load CONFIG.json` drives one scenario against a running server for a
warm-up and then a measured window, and prints one JSON object: requests per second,
latency percentiles and errors. It needs only the standard library (no Django): the
server and the load share the machine's cores, and this process should cost as little
as it can.

A request counts as an error when the answer is not the one the scenario expects
(a status, and for the final submit the confirmation page it redirects to), or when
the connection fails.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass
class Outcome:
    ok: bool
    reason: str = ""


Check = Callable[[http.client.HTTPResponse], Outcome]


class OutOfWork(Exception):
    """A scenario that uses each prepared item once has used them all."""


def expect_status(*statuses: int) -> Check:
    def check(response: http.client.HTTPResponse) -> Outcome:
        if response.status in statuses:
            return Outcome(True)
        return Outcome(False, f"HTTP {response.status}")

    return check


def expect_redirect_to(path: str) -> Check:
    def check(response: http.client.HTTPResponse) -> Outcome:
        location = response.getheader("Location", "")
        if response.status in {302, 303} and urlsplit(location).path == path:
            return Outcome(True)
        if response.status in {302, 303}:
            return Outcome(False, f"HTTP {response.status} to {urlsplit(location).path}")
        return Outcome(False, f"HTTP {response.status}")

    return check


@dataclass
class Scenario:
    make: Callable[[], Request]
    check: Check
    # Sent once before the run (e.g. the first request of a replayed key).
    prime: Request | None = None


class _Pool:
    """Items used once each (prepared sessions), handed out under a lock."""

    def __init__(self, items: list[str]) -> None:
        self._items = list(reversed(items))
        self._lock = threading.Lock()

    def take(self) -> str:
        with self._lock:
            if not self._items:
                raise OutOfWork()
            return self._items.pop()


def api_body(external_reference: str) -> bytes:
    """A referral as a police system sends it to POST /api/v1/referrals."""
    return json.dumps(
        {
            "hub": "barnet-victim-care-hub",
            "external_reference": external_reference,
            "offence_type": "burglary",
            "offence_date": "2026-10-01",
            "offence_place": "High Street, Barnet",
            "crime_reference": "01/123456/26",
            "date_reported": "2026-10-02",
            "enhanced_rights": False,
            "victim": {
                "given_name": "Sam",
                "family_name": "Okafor",
                "date_of_birth": "1986-04-12",
                "email": "sam.okafor@example.com",
                "phone": "07700 900123",
                "safe_channels": ["email", "phone"],
                "safe_times": "Weekdays after 6pm",
            },
            "person_responsible": {
                "given_name": "Jordan",
                "family_name": "Reid",
                "date_of_birth": "2001-09-30",
            },
        }
    ).encode()


# Scenarios that GET staff pages as a signed-in caseworker (their paths come in the config).
STAFF_PAGES = {"staff_list", "hub_queue", "hub_filtered", "hub_search", "referral_page"}


def build(name: str, config: dict[str, Any]) -> Scenario:
    csrf = "b" * 32  # any 32 characters: the cookie and the form field must agree
    if name == "hello":
        return Scenario(lambda: Request("GET", "/bench/hello", {}), expect_status(200))
    if name in STAFF_PAGES:
        # A signed-in caseworker's pages: each request the next session and the next path.
        sessions = config["sessions"]
        paths = config.get("paths") or ["/staff/"]
        counter = iter(range(10**12))

        def staff() -> Request:
            n = next(counter)
            cookie = {"Cookie": f"sessionid={sessions[n % len(sessions)]}"}
            return Request("GET", paths[n % len(paths)], cookie)

        return Scenario(staff, expect_status(200))
    if name == "submit":
        pool = _Pool(config["sessions"])

        def submit() -> Request:
            return Request(
                "POST",
                "/refer/check-answers/",
                {
                    "Cookie": f"sessionid={pool.take()}; csrftoken={csrf}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                f"csrfmiddlewaretoken={csrf}&website=".encode(),
            )

        return Scenario(submit, expect_redirect_to("/refer/confirmation/"))
    auth = {"Authorization": f"Bearer {config.get('api_key', '')}"}
    if name == "api_create":

        def create() -> Request:
            key = uuid.uuid4().hex
            return Request(
                "POST",
                "/api/v1/referrals",
                {**auth, "Content-Type": "application/json", "Idempotency-Key": key},
                api_body(f"BENCH-NEW-{key}"),
            )

        return Scenario(create, expect_status(201))
    if name == "api_replay":
        key = uuid.uuid4().hex
        replay = Request(
            "POST",
            "/api/v1/referrals",
            {**auth, "Content-Type": "application/json", "Idempotency-Key": key},
            api_body(f"BENCH-REPLAY-{key}"),
        )
        return Scenario(lambda: replay, expect_status(201), prime=replay)
    raise SystemExit(f"unknown scenario {name!r}")


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    out_of_work_at: float | None = None


def _send(conn: http.client.HTTPConnection, request: Request) -> http.client.HTTPResponse:
    conn.request(request.method, request.path, body=request.body, headers=request.headers)
    return conn.getresponse()


def _worker(
    host: str,
    port: int,
    scenario: Scenario,
    measure_from: float,
    end: float,
    tally: _Tally,
    lock: threading.Lock,
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    try:
        while True:
            started = time.perf_counter()
            if started >= end:
                break
            try:
                request = scenario.make()
            except OutOfWork:
                with lock:
                    tally.out_of_work_at = min(tally.out_of_work_at or started, started)
                break
            reused = conn.sock is not None
            try:
                try:
                    response = _send(conn, request)
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    if not reused:
                        raise
                    # The server closed an idle keep-alive connection: send again on a new one.
                    conn.close()
                    response = _send(conn, request)
                outcome = scenario.check(response)
                response.read()
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                outcome = Outcome(False, type(error).__name__)
            finished = time.perf_counter()
            if started < measure_from or finished > end:
                continue
            latencies.append(finished - started)
            if not outcome.ok:
                errors[outcome.reason] += 1
    finally:
        conn.close()
        with lock:
            tally.latencies.extend(latencies)
            tally.errors.update(errors)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run(config: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(config["base_url"])
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    scenario = build(config["scenario"], config)
    duration, warmup = float(config["duration"]), float(config["warmup"])
    concurrency = int(config["concurrency"])
    primed: int | None = None
    if scenario.prime is not None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        response = _send(conn, scenario.prime)
        response.read()
        primed = response.status
        conn.close()
    tally, lock = _Tally(), threading.Lock()
    start = time.perf_counter()
    measure_from, end = start + warmup, start + warmup + duration
    threads = [
        threading.Thread(
            target=_worker, args=(host, port, scenario, measure_from, end, tally, lock)
        )
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    window = duration
    if tally.out_of_work_at is not None:
        window = max(0.001, tally.out_of_work_at - measure_from)
    count = len(tally.latencies)
    errors = sum(tally.errors.values())
    return {
        "scenario": config["scenario"],
        "requests": count,
        "errors": errors,
        "error_kinds": dict(tally.errors),
        "rps": round(count / window, 1) if window > 0 else 0.0,
        "p50_ms": round(percentile(tally.latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(tally.latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(tally.latencies, 0.99) * 1000, 1),
        "seconds": round(window, 2),
        "ran_out_of_prepared_items": tally.out_of_work_at is not None,
        "primed_status": primed,
    }


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    with open(args[0], encoding="utf-8") as handle:
        config = json.load(handle)
    json.dump(run(config), sys.stdout)


if __name__ == "__main__":
    main()
