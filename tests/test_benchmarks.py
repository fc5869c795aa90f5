"""The benchmark suite runs end to end in its quick mode and prints every section (speed is not judged here)."""

import re
import subprocess
import sys

import pytest

from benchmarks.app_server import ROOT

pytestmark = pytest.mark.slow


def test_quick_suite_prints_every_section():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    sections = {row.split("|")[1].strip().split()[0] for row in rows}
    assert sections == {str(number) for number in range(1, 11)}, result.stdout
    assert not any("skipped" in row for row in rows), result.stdout
    unmeasured = [row for row in rows if row.split("|")[3].strip() == "–"]
    assert all("verdict (browser)" in row for row in unmeasured), unmeasured  # the full run only


def test_load_test_measures_every_session_and_reports_no_exception():
    """Two real browser sessions of one preset: both measured from the server's log, sharing one run."""
    result = load_test("--sessions", "2", "--seconds", "12")  # starved pages redraw rarely: a longer window
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "per session (2 of 2 measured)" in out, out
    slowest, fastest = (float(x) for x in re.search(r"slowest ([\d.]+)×, fastest ([\d.]+)×", out).groups())
    assert fastest - slowest < 0.15 * fastest, out  # one shared run: every viewer sees the same progress
    assert "exceptions: 0 on pages, 0 page errors, 0 tracebacks" in out, out
    assert re.search(r"health: median \d+ ms, p95 \d+ ms", out) and "server memory, peak PSS" in out, out


def test_protocol_load_test_measures_every_session():
    """Three simulated browsers speak the websocket protocol: each is measured and none meets an error."""
    result = load_test("--protocol", "--sessions", "3", "--mixed", "--seconds", "15")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    rows = [line.split("|") for line in out.splitlines() if line.startswith("  | ") and "sessions" not in line]
    assert len(rows) == 3, out  # one row per preset, three presets
    for row in rows:
        assert float(row[3]) > 0 and float(row[6]) > 0, out  # status updates and answered fragment reruns
    assert re.search(r"health: median \d+ ms, p95 \d+ ms", out) and "server memory, peak PSS" in out, out
    sent = re.search(r"sent to each page while its run trained: median (\d+) kB/s", out)
    assert sent and int(sent.group(1)) > 0, out  # the pages were sent their redraws, and it was counted
    assert "errors: 0 on pages, 0 tracebacks in the server log" in out, out


def test_protocol_load_test_compares_identical_sessions_with_lone_ones_round_by_round():
    """Identical sessions: each round a lone run then the crowd, each on seeds of its own, each measured."""
    result = load_test("--protocol", "--sessions", "2", "--rounds", "2", "--seconds", "14")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    line = re.search(r"2 rounds of a lone run then the crowd: median ([\d.]+)× \(([\d.]+)×, ([\d.]+)×\)", out)
    assert line and all(float(ratio) > 0 for ratio in line.groups()), out
    assert "errors: 0 on pages, 0 tracebacks in the server log" in out, out


def load_test(*arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "benchmarks.load", *arguments]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_the_protocol_crowd_takes_only_presets_that_exist():
    result = load_test("--protocol", "--mixed", "--presets", "vanishing,nonsense")
    assert result.returncode == 2
    assert "--presets needs --protocol --mixed and keys from: why_recurrence" in result.stderr
