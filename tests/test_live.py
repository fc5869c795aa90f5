"""A live run: trains in its worker thread, pauses promptly, keeps every record, stops without a viewer."""

import time

import pytest

from models.config import RunConfig
from models.records import Verdict
from runs import live, protocol
from runs.live import LiveRun

SMALL = RunConfig(task="recall", gap=5, hidden=8, batch=8, eval_every=5)


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_trains_in_the_background_and_pause_stops_the_step_count():
    run = LiveRun(SMALL)
    run.start()
    wait_for(lambda: run.snapshot().step >= 20)
    started = time.monotonic()
    run.pause()
    assert time.monotonic() - started < 0.5  # Pause takes effect within half a second
    paused_at = run.snapshot().step
    time.sleep(0.3)
    snapshot = run.snapshot()
    assert snapshot.step == paused_at and not snapshot.running
    assert len(snapshot.steps["step"]) == 4 * paused_at  # nothing recorded was lost
    assert {probe["step"] for probe in snapshot.probes} >= {1, 5, 10, 15, 20}
    # The process's CPU seconds for those steps come with them (the hub plans turns by them): more than none, and
    # no more than the seconds the steps took (one thread trains).
    assert 0 < run.cpu <= sum(snapshot.steps["seconds"]) + 0.05 * paused_at


def test_resuming_continues_the_same_run():
    run = LiveRun(SMALL)
    run.advance(10)
    run.start()
    wait_for(lambda: run.snapshot().step >= 15)
    run.pause()
    steps = run.snapshot().steps["step"]
    assert steps[:4] == [1, 1, 1, 1] and sorted(set(steps)) == list(range(1, max(steps) + 1))


def test_background_training_gives_the_same_numbers_as_the_engine():
    background = LiveRun(SMALL)
    background.start()
    wait_for(lambda: background.snapshot().step >= 12)
    background.pause()
    direct = LiveRun(SMALL)
    direct.advance(background.snapshot().step)
    assert background.snapshot().steps["loss"] == direct.snapshot().steps["loss"]


def test_training_pauses_when_nobody_watches_and_resumes_when_the_page_returns(monkeypatch):
    monkeypatch.setattr(live, "HEARTBEAT_TIMEOUT", 0.5)
    run = LiveRun(SMALL)
    run.start()
    wait_for(lambda: run.keep_alive() or run.snapshot().step >= 1)  # the page renders while the process starts
    time.sleep(1.5)  # no keep_alive: the page is gone; the reader notices within CHECK_EVERY
    stopped_at = run.snapshot().step
    time.sleep(0.5)
    assert run.snapshot().step == stopped_at
    assert run.running  # it still means to train, and resumes when a page renders again
    run.keep_alive()
    wait_for(lambda: run.snapshot().step > stopped_at)
    run.pause()


def test_a_page_visit_costs_no_process_until_train_or_step():
    run = LiveRun(SMALL)
    assert run._process is None and run.contenders[0]["contender"] == "rnn"
    assert run.sample["cue"] in ("France", "Spain", "Italy", "Germany")  # one validation sample, as its values
    run.pause()  # nothing to pause: no error
    run.advance(1)
    assert run._process.is_alive() and run.snapshot().step == 1


def test_a_dropped_run_shuts_its_process_down():
    run = LiveRun(SMALL)
    run.advance(1)
    process = run._process
    assert process.is_alive()
    del run
    wait_for(lambda: not process.is_alive(), seconds=5)


def test_the_step_limit_pauses_the_run(monkeypatch):
    monkeypatch.setattr(live, "MAX_STEPS", 7)
    run = LiveRun(SMALL)
    run.start()
    wait_for(lambda: not run.running)
    run.pause()  # returns once the process has stopped and every record is in
    snapshot = run.snapshot()
    assert 7 <= snapshot.step <= 10 and snapshot.message == "step_limit"  # checked between messages
    run.advance(25)
    assert run.snapshot().step == snapshot.step  # Step respects the limit too


@pytest.mark.parametrize("steps", [0, 3])
def test_the_rate_is_zero_when_paused(steps):
    run = LiveRun(SMALL)
    run.advance(steps)
    assert run.snapshot().steps_per_second == 0.0


def test_close_stops_the_process_at_once():
    run = LiveRun(SMALL)
    run.start()
    wait_for(lambda: run.snapshot().step >= 1)
    run.close()
    assert not run._process.is_alive() and not run.running
    run.close()  # closing twice is harmless


def test_a_released_run_resumes_exactly_where_its_process_stopped():
    """Giving up the process keeps the whole state: the records go on as an uninterrupted run's."""
    interrupted, uninterrupted = LiveRun(SMALL), LiveRun(SMALL)
    interrupted.advance(12)
    assert interrupted.release() and not interrupted.has_process
    interrupted.advance(13)  # a new process, from the checkpoint
    uninterrupted.advance(25)
    first, second = interrupted.snapshot(), uninterrupted.snapshot()
    assert first.step == second.step == 25
    assert first.steps["loss"] == second.steps["loss"] and first.steps["grad_norm"] == second.steps["grad_norm"]
    assert [p["val_loss"] for p in first.probes] == [p["val_loss"] for p in second.probes]


def test_a_run_that_is_training_keeps_its_process():
    run = LiveRun(SMALL)
    run.start()
    wait_for(lambda: run.keep_alive() or run.snapshot().step >= 3)
    assert not run.release() and run.has_process
    run.pause()


def test_a_snapshot_without_history_has_everything_but_the_step_records():
    run = LiveRun(SMALL)
    run.advance(10)
    full, light = run.snapshot(), run.snapshot(history=False)
    assert light.step == full.step == 10 and light.verdicts == full.verdicts and light.probes == full.probes
    assert all(values == [] for values in light.steps.values()) and len(full.steps["step"]) == 40


def test_a_run_stops_only_when_every_seed_of_every_contender_has_diverged():
    """With several seeds the verdicts a step carries are the first seed's: the run must not stop on those."""
    exploding = RunConfig(task="adding", gap=20, init_scale=2.0, optimizer="sgd", lr=0.1, contenders=("rnn",))
    run = LiveRun(exploding.with_changes(seeds=2))
    run.start()
    wait_for(lambda: not run.snapshot().running, seconds=60)
    snapshot = run.snapshot()
    assert snapshot.message == "all_diverged"
    last = {probe["seed"]: probe["verdict"] for probe in snapshot.probes}
    assert last == {0: "diverged", 1: "diverged"}  # both seeds, not just the first
    # A run whose first seed has diverged while another trains on: the step's verdicts (the first seed's) say
    # "diverged", and the run goes on until the process says every seed has. (Which seeds of an exploding run
    # diverge, and when, differs between CPUs: the records are given here, not trained.)
    survivor = LiveRun(exploding.with_changes(seeds=3))
    survivor.running, survivor.admitted = True, False  # followed; no process needed to read records
    diverged = {"rnn": Verdict("diverged", step=57)}
    survivor._receive(protocol.Records([protocol.Step(120, [], diverged, all_diverged=False)]))
    survivor._supervise()
    snapshot = survivor.snapshot()
    assert snapshot.verdicts["rnn"].status == "diverged" and snapshot.running and not snapshot.message
    survivor._receive(protocol.Records([protocol.Step(121, [], diverged, all_diverged=True)]))
    survivor._supervise()
    assert not survivor.snapshot().running and survivor.snapshot().message == "all_diverged"
    survivor.close()


def test_the_charted_step_moves_to_the_published_one_at_most_once_in_fresh_seconds(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])
    run = LiveRun(SMALL)
    run.published = 40
    assert run.chart_at(fresh=0.75) == 40  # the first chart redraw charts the newest step
    run.published = 55
    clock[0] += 0.5
    assert run.chart_at(fresh=0.75) == 40  # charted 0.5 s ago: every session draws that one
    clock[0] += 0.25
    assert run.chart_at(fresh=0.75) == 55  # 0.75 s on: the next redraw moves it to the newest
    clock[0] += 5.0
    assert run.chart_at(fresh=0.75) == 55  # nothing newer published: it stays


def test_a_page_that_drew_the_charted_step_gets_a_newer_one_at_its_next_redraw_however_soon(monkeypatch):
    from runs.view import View

    clock = [100.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])
    run = LiveRun(SMALL)
    early, other = View(None, run, "a", following=True), View(None, run, "b", following=True)
    run.published = 40
    assert early.chart_step(fresh=0.75) == 40  # it charted step 40
    run.published = 55
    clock[0] += 0.5  # its next redraw came early (the last one waited its turn)
    assert other.chart_step(fresh=0.75) == 40  # a page that has not drawn 40 yet draws it: built once
    assert early.chart_step(fresh=0.75) == 55  # this page drew 40 already: it gets the newest
