"""The benchmark suite runs end to end in its quick mode and prints every section (speed is not judged here)."""

import math
import re
import statistics
import subprocess
import sys

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks import crowd
from benchmarks.app_server import ROOT
from benchmarks.protocol import Session

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
    """Three simulated browsers speak the websocket protocol, after the instructor's page: each is measured and
    none meets an error."""
    result = load_test("--protocol", "--sessions", "3", "--mixed", "--seconds", "15", "--instructor", "1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "one page opened first: the crowd came 1 s after it drew" in out, out
    rows = [line.split("|") for line in out.splitlines() if line.startswith("  | ") and "sessions" not in line]
    assert len(rows) == 3, out  # one row per preset, three presets
    for row in rows:
        assert float(row[3]) > 0 and float(row[6]) > 0, out  # status updates and answered fragment reruns
    assert re.search(r"health: median \d+ ms, p95 \d+ ms", out) and "server memory, peak PSS" in out, out
    sent = re.search(r"sent to each page while its run trained: median (\d+) kB/s", out)
    assert sent and int(sent.group(1)) > 0, out  # the pages were sent their redraws, and it was counted
    assert "errors: 0 on pages, 0 tracebacks in the server log" in out, out


def test_protocol_load_test_compares_identical_sessions_with_lone_ones_round_by_round():
    """Identical sessions: a lone run and the crowd, in turn (the lone one first, then last), each on seeds of its
    own, each measured; the step rate's ratio split into the share of a core and the CPU seconds."""
    result = load_test("--protocol", "--sessions", "2", "--rounds", "2", "--seconds", "14")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    line = re.search(
        r"2 rounds of a lone run and the crowd in turn: median ([\d.]+)×, geometric mean ([\d.]+)×, 95 % range "
        r"about ([\d.]+)–([\d.]+)× \(([\d.]+)× lone first, ([\d.]+)× crowd first\)",
        out,
    )
    assert line and all(float(ratio) > 0 for ratio in line.groups()), out
    lone = re.search(r"the lone sessions' step rates, round by round .*: ([\d.]+), ([\d.]+) steps/s", out)
    assert lone and all(float(rate) > 0 for rate in lone.groups()), out
    number = r"([\d.]+|nan) → ([\d.]+|nan)"  # nan: the deciding step was not reached in the 14 s
    use = re.search(rf"a share of a core of {number}, {number} .*deciding step {number}, {number} \(", out)
    assert use and all(value == "nan" or float(value) > 0 for value in use.groups()), out
    ratio = r"([\d.]+|nan)"
    split = re.search(rf"the share, crowd / lone, median {ratio}× .* CPU seconds, crowd / lone, median {ratio}×", out)
    assert split and all(value == "nan" or float(value) > 0 for value in split.groups()), out
    assert "errors: 0 on pages, 0 tracebacks in the server log" in out, out


def load_test(*arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "benchmarks.load", *arguments]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_the_instructors_head_start_must_be_a_sensible_number_of_seconds():
    result = load_test("--protocol", "--mixed", "--instructor", "-1")
    assert result.returncode == 2 and "--instructor must be between 0 and 600 seconds" in result.stderr


def test_the_protocol_crowd_takes_only_presets_that_exist():
    result = load_test("--protocol", "--mixed", "--presets", "vanishing,nonsense")
    assert result.returncode == 2
    assert "--presets needs --protocol --mixed and keys from: why_recurrence" in result.stderr


def test_a_run_that_resumes_after_waiting_for_a_slot_counts_as_moving_only_for_the_steps_it_made():
    """The status line shows 20 steps a second, then step 50 for three seconds (the run waited for a slot), then two
    steps more: the run resumed a tenth of a second before that status, not at the one before it."""
    session = Session("http://localhost", "preset=vanishing")
    before = [(0.5 * i, 10 * i, True) for i in range(6)]
    waiting = [(3.0 + 0.5 * i, 50, True) for i in range(6)]
    after = [(6.0 + 0.5 * i, 52 + 10 * i, True) for i in range(6)]
    session.statuses = before + waiting + after
    assert session.moving()[5] == pytest.approx((5.9, 6.0))
    assert session.moving(whole=True)[5] == (5.5, 6.0)
    # Charts at 2.6 and 7.2 s: 1.3 s of moving between them, or 1.7 s counting the whole resuming interval.
    assert session.largest_gap([1.0, 2.6, 7.2], 2.6, 8.0) == pytest.approx(1.3)
    assert session.largest_gap([1.0, 2.6, 7.2], 2.6, 8.0, whole=True) == pytest.approx(1.7)


def test_a_run_whose_end_never_reached_the_page_is_counted():
    """Three runs start; the second's `script_finished` never comes (Streamlit dropped the rest of its messages)."""
    session = Session("http://localhost", "preset=vanishing")
    started, finished = ForwardMsg(), ForwardMsg()
    started.new_session.page_script_hash = "page"
    finished.script_finished = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    for at, message in enumerate([started, finished, started, started, finished]):
        session._handle(message, float(at))
    assert (session.runs, session.unfinished) == (3, 1)


def test_the_crowd_reports_how_soon_the_training_work_allows_the_last_run_to_decide():
    """55 CPU seconds of training on the 1.3 of 2 cores the server (0.6) and the browsers (0.1) left: 46.3 s, after
    the first step at 4 s; on the 1.4 the server alone left (browsers elsewhere): 43.3 s."""
    from benchmarks.crowd import work_bound

    line = work_bound(1.7, 0.6, 0.1, {"elapsed": 50.0, "cores": 2}, first=4.0, last=70.0)
    assert "training took 55 CPU seconds" in line and "the 1.30 of 2 cores" in line, line
    assert "could decide about 46.3 s after Train" in line and "it decided at 70.0 s" in line, line
    assert "the 1.40 cores the server left would allow about 43.3 s" in line, line  # 4 + 55 / 1.4


def test_alternating_phases_compare_the_step_rate_beside_the_crowd_with_the_rate_beside_one_page():
    """Train at 0 s; 2 s phases from 0 s, crowded first. The page shows 40 steps a second in crowded phases and 48 in
    quiet ones: every neighbouring pair from 3 s after Train on reads 0.83×, whichever phase came first."""
    session = Session("http://localhost", "preset=vanishing")
    session.trained_at = 0.0
    phases = [(2.0 * i, 2.0 * (i + 1), i % 2 == 0, 0.6 if i % 2 == 0 else 0.2, 0.1) for i in range(6)]
    step, session.statuses = 0.0, []
    for tick in range(1, 48):  # a status every 0.25 s, the step from the rate of the phase it falls in
        at = 0.25 * tick
        step += 0.25 * (40 if int((at - 0.25) // 2) % 2 == 0 else 48)  # the steps made in the quarter before
        session.statuses.append((at, int(step), True))
    pairs = crowd.phase_ratios(session, phases)
    assert len(pairs) == 3  # phases 2–5 (phase 1 begins 2 s after Train): crowded–quiet, quiet–crowded, …
    for ratio, server, quiet, *_ in pairs:
        assert ratio == pytest.approx(40 / 48) and (server, quiet) == (pytest.approx(0.3), pytest.approx(0.1))
    line = crowd.alternation([pairs], 2.0, 8)
    assert "(2 s phases in turn, 3 neighbouring pairs in 1 rounds): median 0.833×" in line, line
    assert "rounds as the unit, neighbouring pairs share a phase: geometric mean 0.833× (one value" in line, line
    assert "the server used 0.30 of a core with every page redrawing, 0.10 with one" in line, line


def test_the_ratio_of_many_noisy_rounds_is_given_with_the_range_its_mean_is_known_to():
    """Rounds of 0.9× and 1.1× in turn: their geometric mean is 0.995×; the range shrinks as rounds accumulate
    (2 standard errors of the mean log ratio either side), so four rounds cannot show 0.95× and sixty can."""
    few, many = crowd.interval([0.9, 1.1] * 2), crowd.interval([0.9, 1.1] * 30)
    spread = statistics.stdev([math.log(0.9), math.log(1.1)] * 2) / 2
    mean = math.sqrt(0.9 * 1.1)
    assert f"geometric mean {mean:.3f}×, 95 % range about {mean * math.exp(-2 * spread):.3f}–" in few, few
    assert float(re.search(r"range about ([\d.]+)–", few).group(1)) < 0.95, few
    low, high = (float(value) for value in re.search(r"range about ([\d.]+)–([\d.]+)×", many).groups())
    assert 0.95 < low < mean < high < 1.05, many
    assert "one value: no range" in crowd.interval([0.9])


def test_the_protocol_load_test_alternates_the_crowd_with_one_page():
    """Two identical sessions, the second quiet every other 2 s: pairs of phases measured, no lone session."""
    result = load_test("--protocol", "--sessions", "2", "--rounds", "1", "--alternate", "2", "--seconds", "14")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    line = re.search(r"\(2 s phases in turn, (\d+) neighbouring pairs in 1 rounds\): median ([\d.]+)×", out)
    assert line and int(line.group(1)) >= 1 and float(line.group(2)) > 0, out
    assert "lone session" not in out and "errors: 0 on pages, 0 tracebacks in the server log" in out, out


def test_alternating_needs_identical_sessions_and_a_sensible_period():
    result = load_test("--protocol", "--mixed", "--alternate", "2")
    assert result.returncode == 2 and "--alternate needs --protocol without --mixed" in result.stderr
