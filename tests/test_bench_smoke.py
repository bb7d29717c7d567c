"""`make bench` works: its harness, run very small, and the hello-world view it measures against."""

from __future__ import annotations

import json

from bench import run as bench


def test_the_hello_world_view_is_there_only_for_the_benchmark(client, settings):
    settings.BENCHMARK_VIEWS = False
    assert client.get("/bench/hello").status_code == 404
    settings.BENCHMARK_VIEWS = True
    response = client.get("/bench/hello")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert client.post("/bench/hello").status_code == 405


def test_the_harness_runs_a_tiny_benchmark_and_writes_its_results(tmp_path):
    config = bench.Config(
        referrals=200,
        duration=1.0,
        warmup=0.3,
        concurrency=2,
        workers=2,
        threads=1,
        databases=("sqlite",),
        scenarios=("hello", "staff_list", "hub_queue", "referral_page"),
        results_dir=tmp_path,
    )
    [report] = bench.main(config)

    assert report["database"] == "sqlite"
    assert report["referrals_in_database"] == 200
    scenarios = {r["scenario"]: r for r in report["scenarios"]}
    assert set(scenarios) == {"hello", "staff_list", "hub_queue", "referral_page"}
    for result in scenarios.values():
        assert result["requests"] > 0
        assert result["errors"] == 0, result["error_kinds"]
        assert result["p95_ms"] >= result["p50_ms"] > 0
    assert scenarios["hello"]["ratio"] == 1.0
    assert scenarios["staff_list"]["ratio"] > 0
    assert scenarios["staff_list"]["referrals_made"] == 0

    stem = tmp_path / f"{report['date']}-sqlite"
    assert json.loads(stem.with_suffix(".json").read_text())["scenarios"] == report["scenarios"]
    table = stem.with_suffix(".md").read_text()
    assert "| Staff: referral list |" in table
    assert "Ratio to hello" in table
