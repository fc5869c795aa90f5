"""Sessions share identical runs, take turns for training slots, and leave nothing behind."""

import threading
import time
from dataclasses import replace

import pytest

from models.config import RunConfig
from runs import hub as hub_module
from runs import live
from runs import slots as slots_module
from runs.hub import Hub
from runs.live import LiveRun

SMALL = RunConfig(task="recall", gap=5, hidden=8, batch=8, eval_every=5)
OTHER = SMALL.with_changes(seed=1)


def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def connected(hub) -> set[str]:
    """The session ids the hub is told are connected (edit the set to open and close tabs)."""
    sessions: set[str] = set()
    hub.presence = sessions.__contains__
    return sessions


@pytest.fixture
def hub():
    made = Hub(slots=2)
    yield made
    made.close_all()


def test_identical_settings_share_one_run_and_other_settings_do_not(hub):
    first, second, other = hub.join(SMALL, None), hub.join(SMALL, None), hub.join(OTHER, None)
    assert first.run is second.run
    assert other.run is not first.run
    assert first.snapshot().viewers == 2 and other.snapshot().viewers == 1


def test_a_shared_run_gives_the_numbers_each_session_would_get_alone(hub):
    early, late = hub.join(SMALL, None), None
    early.start()
    wait_for(lambda: early.snapshot().step >= 10)
    late = hub.join(SMALL, None)  # joins mid-run and sees the history from step 0
    late.start()
    wait_for(lambda: late.snapshot().step >= 20)
    late.pause()
    early.pause()
    alone = LiveRun(SMALL)
    alone.advance(late.step_count)
    shared = late.snapshot()
    assert shared.steps["step"][:4] == [1, 1, 1, 1]
    assert shared.steps["loss"] == alone.snapshot().steps["loss"]
    alone.close()


def test_sessions_that_take_a_fresh_runs_first_step_together_train_it_once(hub):
    """Forty pages press Train at once: each asks for the first step; the run trains it once, not once each."""
    views = [hub.join(SMALL, f"session-{index}") for index in range(5)]
    threads = [threading.Thread(target=view.advance, args=(1,)) for view in views]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert views[0].run.step_count == 1
    assert all(view.snapshot().step == 1 for view in views)


def test_pausing_one_view_freezes_only_that_view(hub):
    watcher, pauser = hub.join(SMALL, None), hub.join(SMALL, None)
    watcher.start()
    pauser.start()
    wait_for(lambda: watcher.snapshot().step >= 5)
    pauser.pause()
    frozen = pauser.snapshot()
    wait_for(lambda: watcher.snapshot().step >= frozen.step + 10)  # the other session's run trains on
    later = pauser.snapshot()
    assert later.step == frozen.step and not later.running
    assert later.steps["step"] == frozen.steps["step"]
    assert max(later.steps["step"]) == frozen.step
    assert watcher.running
    pauser.advance(5)  # Step shows the next steps from the shared history
    assert pauser.snapshot().step == frozen.step + 5


def test_the_run_stops_when_its_last_follower_pauses(hub):
    only = hub.join(SMALL, None)
    only.start()
    wait_for(lambda: only.snapshot().step >= 3)
    only.pause()
    stopped = only.run.step_count
    time.sleep(0.5)
    assert only.run.step_count == stopped and only.snapshot().step == stopped


def test_runs_beyond_the_slots_wait_in_a_queue_and_take_turns(monkeypatch):
    monkeypatch.setattr(hub_module, "TURN", 1.0)
    small_hub = Hub(slots=1)
    try:
        first, second = small_hub.join(SMALL, None), small_hub.join(OTHER, None)
        first.start()
        second.start()
        wait_for(lambda: second.snapshot().waiting == 0 or first.snapshot().waiting == 0)
        waiting = first if first.snapshot().waiting == 0 else second
        assert waiting.snapshot().running  # following, but held back
        wait_for(lambda: first.run.step_count >= 5 and second.run.step_count >= 5)  # turns come round
        assert len(small_hub.training) == 1 and len(small_hub.queue) == 1
    finally:
        small_hub.close_all()


def test_leaving_closes_an_unviewed_run_and_its_process(hub):
    others = {t for t in threading.enumerate() if t.name == "rnn-lab-reader"}
    view = hub.join(SMALL, None)
    view.start()
    wait_for(lambda: view.snapshot().step >= 2)
    process = view.run._process
    readers = {t for t in threading.enumerate() if t.name == "rnn-lab-reader"} - others  # this run's
    assert readers
    view.close()
    assert SMALL not in hub.runs
    wait_for(lambda: not process.is_alive(), seconds=5)
    wait_for(lambda: not any(reader.is_alive() for reader in readers), seconds=5)  # no thread left behind


def test_a_session_that_disappears_leaves_its_runs(monkeypatch, hub):
    view = hub.join(SMALL, None)
    view.advance(1)  # the process exists
    view.start()
    process = view.run._process
    assert process.is_alive()
    monkeypatch.setattr(hub_module, "ABSENT_AFTER", 0.3)  # from now on: gone after 0.3 s without a render
    monkeypatch.setattr(live, "HEARTBEAT_TIMEOUT", 0.3)
    wait_for(lambda: SMALL not in hub.runs, seconds=5)  # no page render since: the tick drops the view
    wait_for(lambda: not process.is_alive(), seconds=5)


def test_history_is_thinned_past_a_fixed_size_keeping_step_one_and_probes_of_verdicts(monkeypatch):
    monkeypatch.setattr(live, "MAX_STEP_ROWS", 200)
    monkeypatch.setattr(live, "MAX_PROBES", 40)
    run = LiveRun(SMALL)
    run.advance(400)
    snapshot = run.snapshot()
    assert len(snapshot.steps["step"]) <= 200 and len(snapshot.probes) <= 40
    assert snapshot.steps["step"][:4] == [1, 1, 1, 1]
    assert snapshot.steps["step"][-1] == 400  # the newest step is kept
    steps = sorted(set(snapshot.steps["step"]))
    assert steps == sorted(steps) and len(steps) < 400
    for probe in snapshot.probes:
        assert probe["step"] == 1 or probe["step"] % SMALL.eval_every == 0
    run.close()


def held_hub(hold_at: int) -> Hub:
    """A hub whose runs of SMALL are decided at `hold_at` (as a preset's runs are)."""
    return Hub(slots=2, deciding=lambda config: hold_at)


def test_a_run_stops_by_itself_at_its_deciding_step_for_every_viewer(monkeypatch):
    hub = held_hub(30)
    try:
        first, second = hub.join(SMALL, None), hub.join(SMALL, None)
        first.start()
        second.start()
        wait_for(lambda: not first.running and not second.running)
        time.sleep(0.5)  # nothing trains on past it
        assert first.run.step_count == 30
        for view in (first, second):
            snapshot = view.snapshot()
            assert snapshot.step == 30 and not snapshot.running
            assert snapshot.decided == first.run.verdicts()  # the verdicts at the deciding step
        first.start()  # Train goes on past it, for this view only
        wait_for(lambda: first.snapshot().step >= 45)
        assert second.snapshot().step == 30 and not second.running
        first.pause()
        alone = LiveRun(SMALL)  # the hold changes nothing in the numbers
        alone.advance(first.step_count)
        assert alone.snapshot().steps["loss"] == first.snapshot().steps["loss"]
        alone.close()
    finally:
        hub.close_all()


def test_step_stops_at_the_deciding_step_then_goes_past_it(monkeypatch):
    hub = held_hub(30)
    try:
        view = hub.join(SMALL, None)
        view.advance(25)
        view.advance(25)
        assert view.step_count == 30 and view.snapshot().decided is not None
        view.advance(25)
        assert view.step_count == 55
    finally:
        hub.close_all()


def test_a_slow_pace_shows_the_run_step_by_step_without_changing_it(hub):
    view = hub.join(SMALL, None)
    view.set_pace(5.0)
    started = time.monotonic()
    view.start()
    wait_for(lambda: view.run.step_count >= 60)  # the run itself trains at full speed
    shown, elapsed = view.snapshot(), time.monotonic() - started
    assert shown.step <= 5.0 * elapsed + 1 and shown.step < view.run.step_count and shown.running
    assert shown.steps_per_second == 5.0
    assert max(shown.steps["step"], default=0) <= shown.step  # no record from beyond the shown step
    view.set_pace(None)
    wait_for(lambda: view.snapshot().step >= 60)  # full speed catches up with the run
    view.pause()


def test_the_shared_count_counts_connected_tabs_only(connected, hub):
    """A closed tab keeps its view for a while (it may reconnect) but no longer counts as sharing the run."""
    connected.update({"a", "b", "c"})
    views = [hub.join(SMALL, session) for session in ("a", "b", "c")]
    assert views[0].snapshot().viewers == 3
    connected.discard("c")  # its tab closed
    wait_for(lambda: views[0].snapshot().viewers == 2, seconds=2)  # at the scheduler's next look
    assert views[2] in hub.views[views[0].run]  # still there, should it come back
    connected.add("c")
    wait_for(lambda: views[0].snapshot().viewers == 3, seconds=2)


@pytest.mark.parametrize(
    ("content", "cores"), [("200000 100000\n", 2), ("150000 100000", 1), ("50000 100000", 1), ("max 100000", None)]
)
def test_slots_follow_the_cgroup_cpu_quota(tmp_path, monkeypatch, content, cores):
    path = tmp_path / "cpu.max"
    path.write_text(content)
    assert slots_module.cgroup_cores(str(path)) == cores
    monkeypatch.delenv("RNN_LAB_MAX_RUNS", raising=False)
    monkeypatch.setattr(slots_module.os, "sched_getaffinity", lambda _pid: set(range(64)), raising=False)
    assert slots_module.default_slots(str(path)) == (cores or 64)  # a 64-core host, a 2-core quota: 2 slots
    assert slots_module.cgroup_cores(str(tmp_path / "missing")) is None
    monkeypatch.setenv("RNN_LAB_MAX_RUNS", "3")
    assert slots_module.default_slots(str(path)) == 3


def test_a_tab_that_reconnects_as_a_new_session_follows_its_run_again(hub, connected):
    """Same browser tab (same token in its URL), new session: it adopts its old view, still following the run."""
    connected.add("old")
    view = hub.join(SMALL, "old", tab="tab-1")
    view.start()
    assert hub.rejoin("tab-1", "new") is None  # its session is still connected: a copied link adopts nothing
    connected.discard("old")
    assert hub.rejoin("tab-2", "new") is None  # another tab's token
    adopted = hub.rejoin("tab-1", "new")
    assert adopted is view and view.session_id == "new" and view.following
    connected.add("new")
    wait_for(lambda: view.snapshot().step >= 3)  # the run trains for the adopted view: no Train pressed


def test_processes_beyond_the_cap_are_given_up_by_the_runs_idle_longest():
    capped = Hub(slots=1, processes=2)
    try:
        views = [capped.join(replace(SMALL, seed=seed), None) for seed in range(4)]
        for view in views:
            view.advance(5)  # each run gets a process, then idles
        capped.bound_processes()  # the hub's own scheduler may be releasing one of them at this moment too
        wait_for(lambda: [view.run.has_process for view in views] == [False, False, True, True])  # the oldest two
        views[0].start()  # Train: a new process resumes it from step 5
        wait_for(lambda: views[0].snapshot().step >= 10)
        assert views[0].run.snapshot().steps["step"][:8] == [1, 1, 1, 1, 2, 2, 2, 2]  # nothing lost or repeated
    finally:
        capped.close_all()


def test_the_load_is_the_cores_the_server_process_used_lately(monkeypatch):
    clock, cpu = [10.0], [1.0]
    monkeypatch.setattr(hub_module.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(hub_module.time, "process_time", lambda: cpu[0])
    made = Hub(slots=1)
    assert made.load() == 0.0  # one sample says nothing yet
    for _ in range(8):  # a busy second: 0.9 of a core
        clock[0] += 0.25
        cpu[0] += 0.225
        made.load()
    assert made.load() == pytest.approx(0.9)
    for _ in range(16):  # then four quiet seconds: the window forgets the busy one
        clock[0] += 0.25
        cpu[0] += 0.025
        made.load()
    assert made.load() == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("load", "current", "chosen"),
    [
        (0.3, None, 0.5), (0.7, None, 0.75), (0.9, None, 0.75),  # a page's first: the faster only if idle now
        (0.7, 0.5, 0.5), (0.9, 0.5, 0.75),  # faster until the server is busy
        (0.7, 0.75, 0.75), (0.4, 0.75, 0.5),  # slower until the faster one fits again (no flapping between)
    ],
)  # fmt: skip
def test_pages_redraw_slower_while_the_server_is_busy(monkeypatch, load, current, chosen):
    made = Hub(slots=1)
    monkeypatch.setattr(made, "load", lambda: load)
    assert made.cadence(current) == chosen


@pytest.mark.parametrize(("current", "chosen"), [(None, 0.75), (0.5, 0.75), (0.75, 0.75)])
def test_pages_redraw_slower_while_training_fills_every_slot(monkeypatch, current, chosen):
    """An idle server still redraws at the slower cadence while runs train in every slot (a faster redraw would
    take its time from them), and goes back to the faster one once a slot has been free for a whole window."""
    clock = [100.0]
    monkeypatch.setattr(hub_module.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(LiveRun, "keep_alive", lambda run: None)  # the slots alone: no process starts
    made = Hub(slots=2)
    monkeypatch.setattr(made, "load", lambda: 0.2)
    assert made.spare_core() and made.cadence(0.75) == 0.5  # nothing trains: the faster cadence fits
    runs = [_paced(seed, 0, None, 0.0) for seed in (1, 2)]
    for run in runs:
        run.running = True  # each wants to train, and its viewer is here
    made.views = {run: [] for run in runs}
    made._schedule()
    assert len(made.training) == 2 and not made.spare_core()
    assert made.cadence(current) == chosen
    runs[1].running = False  # one run stops: a core is free, but only for a moment yet
    made._schedule()
    clock[0] += hub_module.LOAD_WINDOW / 2
    assert len(made.training) == 1 and not made.spare_core() and made.cadence(0.75) == 0.75
    clock[0] += hub_module.LOAD_WINDOW / 2  # free for a whole window: the faster cadence fits again
    assert made.spare_core() and made.cadence(0.75) == 0.5


def test_pages_change_cadence_a_few_at_a_time(monkeypatch):
    """Forty pages that measure the same load at once change one after another: SWITCHES a second."""
    clock = [100.0]
    monkeypatch.setattr(hub_module.time, "monotonic", lambda: clock[0])
    made = Hub(slots=1)
    monkeypatch.setattr(made, "load", lambda: 0.9)
    chosen = [made.cadence(0.5) for _ in range(40)]
    allowed = int(hub_module.SWITCHES)
    assert chosen.count(0.75) == allowed and chosen[:allowed] == [0.75] * allowed
    assert made.cadence(None) == 0.75  # a page's first interval is no change: it is declared anyway
    assert made.cadence(0.75) == 0.75  # nor does keeping one
    clock[0] += 1.0 / hub_module.SWITCHES + 1e-9  # time for one more
    assert [made.cadence(0.5) for _ in range(3)] == [0.75, 0.5, 0.5]
    clock[0] += 60.0  # a quiet minute saves up no more than a second's worth
    assert [made.cadence(0.5) for _ in range(40)].count(0.75) == hub_module.SWITCHES


def _paced(seed: int, step: int, hold: int | None, seconds_per_step: float) -> LiveRun:
    run = LiveRun(SMALL.with_changes(seed=seed), hold_at=hold)
    run.step_count, run.cpu = step, step * seconds_per_step
    return run


def test_the_run_furthest_from_its_deciding_step_keeps_a_slot_and_takes_one_at_once(monkeypatch):
    made = Hub(slots=2)
    long = _paced(1, 100, 1000, 0.03)  # 27 s left
    short = [_paced(2, 10, 100, 0.01), _paced(3, 10, 300, 0.02), _paced(4, 50, 500, 0.01)]  # 0.9, 5.8, 4.5 s
    made.training = {long: 0.0, short[0]: 0.0}
    made.queue = short[1:]
    assert made._bottleneck(made._work_left()) is long
    long.step_count, long.cpu = 900, 27.0  # 3 s left: the run with the most left (5.8 s) keeps a slot now
    assert made._bottleneck(made._work_left()) is short[1]
    long.step_count, long.cpu = 810, 24.3  # 5.7 s left: close to 5.8, and the bottleneck does not flip back
    assert made._bottleneck(made._work_left()) is short[1]
    long.step_count, long.cpu = 100, 3.0  # 27 s: more than SWITCH_MARGIN times 5.8
    assert made._bottleneck(made._work_left()) is long
    made.queue.append(_paced(5, 10, None, 0.01))  # a run of its own settings has no end: turns for all
    assert made._bottleneck(made._work_left()) is None
    fresh = made.queue[-1] = _paced(5, 0, 2000, 0.0)  # no pace yet: planned at the others' mean (0.0175 s)
    assert made._bottleneck(made._work_left()) is fresh  # 2,000 steps at that pace: 35 s
    made.queue.pop()
    made.training, made.queue = {short[0]: 0.0, short[1]: 0.0}, [short[2], long]
    assert made._bottleneck(made._work_left()) is long  # waiting
    monkeypatch.setattr(LiveRun, "keep_alive", lambda run: None)  # the slots alone: no process starts
    for run in (long, *short):
        run.running = True  # each wants to train, and its viewer is here (a heartbeat just now)
    made.views = {run: [] for run in (long, *short)}
    now = time.monotonic()
    made.training = {short[0]: now - 1.0, short[1]: now}  # two turns that have only just begun
    made._schedule()  # the bottleneck takes a slot at once: the older of the two turns ends
    assert set(made.training) == {long, short[1]} and made.queue == [short[2], short[0]]
    made._schedule()  # the others take turns on the other slot, one TURN each, the least work left first
    assert set(made.training) == {long, short[1]} and made.queue == [short[0], short[2]]
    made.training[short[1]] = now - hub_module.TURN
    made._schedule()
    assert set(made.training) == {long, short[0]} and made.queue == [short[2], short[1]]
