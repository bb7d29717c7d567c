"""Twenty POSTs at once with one Idempotency-Key, over real HTTP to several server processes."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from django.db import connection

from amends.api.tests.conftest import URL, body
from amends.referrals.models import Referral
from tests.server import base_env, running_server

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    # The test database itself: the test's rows are committed, so the server sees them.
    s = connection.settings_dict
    user = quote(s["USER"] or "")
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _post(base: str, key: str, idempotency_key: str) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{base}{URL}",
        data=json.dumps(body()).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {key}",
            "Idempotency-Key": idempotency_key,
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_twenty_concurrent_posts_with_one_key_make_one_referral(key, hub):
    env = base_env(AMENDS_ENV="test", DATABASE_URL=_database_url(), API_RATE_LIMIT="1000/m")
    with running_server(env, workers=4) as base:
        barrier = threading.Barrier(20)
        answers: list[tuple[int, bytes]] = []
        lock = threading.Lock()

        def send() -> None:
            barrier.wait()
            answer = _post(base, key, "one-key-for-all")
            with lock:
                answers.append(answer)

        threads = [threading.Thread(target=send) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        # Once the first has finished, a retry gets its answer.
        replay = _post(base, key, "one-key-for-all")

    assert len(answers) == 20
    assert Referral.objects.count() == 1
    firsts = [answer for answer in answers if answer[0] != 409]
    assert firsts, "no request got through"
    first = firsts[0]
    assert first[0] == 201
    assert json.loads(first[1])["reference"] == Referral.objects.get().reference
    assert all(answer == first for answer in firsts), "a replay differs from the first response"
    for status, content in answers:
        if status == 409:
            assert json.loads(content)["type"].endswith("/idempotency-key-in-flight")
    assert replay == first
