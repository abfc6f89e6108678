"""The test-day benchmark (bench/testday/) end to end on a tiny school, with modules short enough that
saves race their deadlines: it runs, and every acknowledged save is in the database exactly once with the
value last acknowledged."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.servers
def test_testday_benchmark_runs_end_to_end_and_loses_no_acknowledged_save(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREPNEXUS_TEST_SETTINGS"}
    result = subprocess.run(
        [
            *(sys.executable, "-m", "bench.testday.run", "--steps", "10,20", "--step-seconds", "15"),
            *("--ramp-seconds", "10", "--time-scale", "100", "--server-time-scale", "0.01"),
            *("--teachers", "1", "--seed", "3"),
            *("--baseline-seconds", "3", "--save-clients", "2", "--save-seconds", "3"),
            *("--results", str(tmp_path)),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert re.search(r"a test-taker sends [\d.]+ req/s", result.stdout)
    (out,) = tmp_path.glob("testday-*.json")
    figures = json.loads(out.read_text())
    check = figures["exactly_once"]
    assert check["ok"] and check["lost"] == check["doubled"] == check["stale"] == 0
    assert check["acknowledged_items"] > 0
    assert figures["ratios"]["save_cpu_vs_bare"] > 0
    steady = [w for w in figures["windows"] if w["window"].endswith("steady")]
    assert [w["users"] for w in steady] == [10, 20]
    routes = {route for w in figures["windows"] for route in w["routes"]}
    # "dashboard": the learners start the test their class was assigned, from the dashboard.
    assert {"login", "dashboard", "start", "question", "save", "teacher"} <= routes
    assert all(s["errors"] == 0 for w in figures["windows"] for s in w["routes"].values())
    assert all(w["cpu_ms_per_request"] for w in steady)
    # The background worker recorded every closed module for the learning engine, once.
    learning = figures["learning"]
    assert learning["ok"] and learning["drained"] and learning["modules_closed"] > 0
    assert learning["modules_recorded"] == learning["modules_closed"] and learning["answers_doubled"] == 0
