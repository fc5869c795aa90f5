"""One server, many sessions: identical runs are trained once, and only a few runs train at a time.

A workshop opens one preset in forty tabs. Sessions whose configuration (seed included) is identical share
one `LiveRun`: determinism makes this honest, since each would have computed the very same numbers alone.
Each session looks at the shared run through a `View` of its own: Train follows the run live, Pause freezes
this session's view at its current step (the run trains on if others follow it, and pauses when nobody
does), Step moves the view 25 steps on, and Reset leaves the run. No click in one tab changes another's.

Runs that want to train take one of `max_runs` training slots (default: one per core) in order of asking;
others wait in a queue, and each page shows how many runs are ahead. When runs wait, one that has trained
for `turn` seconds steps back to the end of the queue, so every run progresses; when every run has a deciding
step, the one with the most training left keeps its slot (`Hub._bottleneck`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from models.config import RunConfig
from runs.live import LiveRun
from runs.slots import default_processes, default_slots
from runs.view import View

TICK = 0.25  # seconds between the scheduler's looks at the runs
TURN = 5.0  # seconds a run trains before it yields its slot to a waiting run: with 17 runs on 2 slots, each
# trains at least every 45 s (pausing and resuming a process costs two pipe messages)
ABSENT_AFTER = 90.0  # a session gone this long (beyond Streamlit's 60 s reconnect window) leaves its runs
CADENCES = (0.5, 0.75)  # seconds between a training page's status redraws: even the slowest keeps the 1 s promise
BUSY, IDLE = 0.8, 0.5  # cores the server process uses, over LOAD_WINDOW: above BUSY pages redraw at the slower
# cadence, below IDLE at the faster (the slower one needs a third less: between the two, a page keeps its own)
LOAD_WINDOW = 3.0  # seconds over which the server's load is measured
SWITCH_MARGIN = 1.25  # the bottleneck changes only to a run with this many times its training left (see _bottleneck)
SWITCHES = 10.0  # pages a second that may change cadence: pages that measured the same load at once change one
# after another, so the load follows them step by step (each change is two messages: see dashboard.server.retime)


class Hub:
    """The server's runs by configuration, their viewers, and the training slots."""

    def __init__(
        self,
        slots: int | None = None,
        processes: int | None = None,
        presence: Callable[[str], bool | None] | None = None,
        deciding: Callable[[RunConfig], int | None] | None = None,
    ) -> None:
        # Asked of the server that holds the sessions: is this one connected? (None: it cannot say.)
        self.presence = presence
        self.deciding = deciding or (lambda config: None)  # the step where a configuration's claim is decided
        self.slots = slots or default_slots()
        self.processes = processes or default_processes(self.slots)
        self.runs: dict[RunConfig, LiveRun] = {}
        self.views: dict[LiveRun, list[View]] = {}
        self.queue: list[LiveRun] = []  # runs waiting for a slot, first come first served
        self.training: dict[LiveRun, float] = {}  # runs holding a slot -> when they got it
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._cpu: deque[tuple[float, float]] = deque()  # (monotonic, process CPU seconds), sampled every tick
        # Since when a slot is free (None: every slot trains); at the start nothing has trained for a window.
        self._spare_since: float | None = time.monotonic() - LOAD_WINDOW
        self._switches = (0.0, SWITCHES)  # (monotonic, cadence changes still allowed then): a token bucket
        self._kept: LiveRun | None = None  # the run keeping a slot while others take turns (see _bottleneck)

    def load(self) -> float:
        """Cores the server process used over the last LOAD_WINDOW seconds: every page's redraws, Streamlit's
        work for each message they send, the event loop (training runs in processes of its own). One Python
        process does little more than a core's worth: near it, redraws queue and every page waits."""
        now, used = time.monotonic(), time.process_time()
        with self._lock:
            self._cpu.append((now, used))
            while len(self._cpu) > 2 and now - self._cpu[1][0] >= LOAD_WINDOW:
                self._cpu.popleft()
            then, before = self._cpu[0]
        return (used - before) / (now - then) if now - then > 0.5 else 0.0

    def cadence(self, current: float | None = None) -> float:
        """Seconds between a training page's status redraws: the faster of CADENCES unless the server is busy
        (BUSY); a page at the slower one goes back once it is idle enough (IDLE) that the faster one fits. A page's
        first interval is the faster one only if the server is that idle now: forty pages that pressed Train
        together all started at the faster one (the load, measured over the last seconds, lags the burst they
        make) and overran the server for seconds before they changed.

        The faster one also needs a core that training leaves free (`spare_core`). When runs train in every slot,
        each redraw beyond the promise is taken from a run that has not decided yet. At forty sessions over six
        presets, leaving the gradient-flow heatmaps out of the page (an experiment) only made pages redraw faster
        (the slowest 1.8 status updates a second against 1.4–1.6): the server's share barely fell (0.52–0.57 of a
        core against 0.58–0.62) and training got no more.

        (It followed our redraw code's CPU time alone, which missed Streamlit's work per message: at 50 sessions
        it chose the faster cadence and the slowest page got 0.4 status updates a second.)"""
        load, spare = self.load(), self.spare_core()
        if current not in CADENCES:
            return CADENCES[0] if load < IDLE and spare else CADENCES[-1]
        wanted = current
        if current == CADENCES[0] and (load > BUSY or not spare):
            wanted = CADENCES[-1]
        if current == CADENCES[-1] and load < IDLE and spare:
            wanted = CADENCES[0]
        return wanted if wanted == current or self._may_switch() else current

    def spare_core(self) -> bool:
        """A slot, and so a core, that no run has trained in for the last LOAD_WINDOW seconds: the server may spend
        it (a training run uses a whole core; the slots are one per core the server may use, see runs.slots).
        Over a window, not at this instant: a slot is free for a moment whenever one run ends and the next is
        not yet admitted, and forty pages should not change cadence at each of those moments."""
        with self._lock:
            return self._spare_since is not None and time.monotonic() - self._spare_since >= LOAD_WINDOW

    def _may_switch(self) -> bool:
        """One more page may change its cadence now: at most SWITCHES a second, so that pages which all measured
        the same load at once change one after another (the others ask again at their next redraw)."""
        now = time.monotonic()
        with self._lock:
            then, left = self._switches
            left = min(SWITCHES, left + (now - then) * SWITCHES)
            allowed = left >= 1.0
            self._switches = (now, left - 1.0 if allowed else left)
        return allowed

    def rejoin(self, tab: str, session_id: str) -> View | None:
        """The view the browser tab `tab` had, if its session is gone: it is this session's now, following or paused
        where it was (a tab that reconnects as a new session goes on watching its run)."""
        with self._lock:
            for run, views in self.views.items():
                for view in views:
                    if view.tab == tab and view.session_id != session_id and not self._connected(view):
                        view.session_id, view.last_seen = session_id, time.monotonic()
                        self._refresh(run)
                        return view
        return None

    def join(
        self, config: RunConfig, session_id: str | None, tab: str | None = None, hold_at: int | None = None
    ) -> View:
        """A view of the run for `config`: the one already there, or a new one that stops by itself at `hold_at`
        (default: where the configuration's claim is decided, if it has one)."""
        with self._lock:
            run = self.runs.get(config)
            if run is None:
                hold_at = self.deciding(config) if hold_at is None else hold_at
                run = self.runs[config] = LiveRun(config, hold_at=hold_at, presence=self.presence)
                run.admitted = False
                self.views[run] = []
            view = View(self, run, session_id, tab)
            self.views[run].append(view)
            self._refresh(run)
            self._ensure_thread()
            return view

    def leave(self, view: View) -> None:
        """The view goes; a run nobody views any more is closed, its process stopped."""
        with self._lock:
            views = self.views.get(view.run, [])
            if view in views:
                views.remove(view)
            self._refresh(view.run)
            if not views:
                self._close(view.run)
            else:
                self._schedule()
        view.run.keep_alive()

    def followed(self, run: LiveRun) -> bool:
        with self._lock:
            return any(view.wants_training() for view in self.views.get(run, []))

    def update(self, run: LiveRun) -> None:
        """Someone pressed Train or Pause: recompute what the run should do, at once."""
        with self._lock:
            wanted = self.followed(run)
            self._refresh(run)
        if wanted and not run.running:
            run.start()
        elif not wanted and run.running:
            run.pause()
        with self._lock:
            self._schedule()

    def connected_count(self) -> int:
        """Sessions viewing some run on this server from a connected tab."""
        with self._lock:
            views = [view for views in self.views.values() for view in views if self._connected(view)]
            return len({view.session_id or view.id for view in views})

    # --- the scheduler ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Drop views of sessions that are gone, close unviewed runs, then share out the slots."""
        with self._lock:
            for run, views in list(self.views.items()):
                for view in [v for v in views if self._gone(v)]:
                    views.remove(view)
                self._refresh(run)
                if not views:
                    self._close(run)
                elif run.running and not any(v.wants_training() for v in views):
                    run.running = False  # its followers left without pressing Pause
            self._schedule()

    def _schedule(self) -> None:
        now = time.monotonic()
        wanting = [run for run in self.views if run.running and run._viewer_present()]
        for run in list(self.training):
            if run not in wanting:
                self._release(run)
        for run in list(self.queue):
            if run not in wanting:
                self.queue.remove(run)
        for run in wanting:
            if run not in self.training and run not in self.queue:
                self.queue.append(run)
        if self.queue and len(self.training) >= self.slots:  # someone waits: the longest turn ends
            left = self._work_left()
            kept = self._bottleneck(left)
            if kept is not None:  # every run has an end: the one with the least left goes next (see _bottleneck)
                self.queue.sort(key=left.get)
            turns = {run: since for run, since in self.training.items() if run is not kept}
            longest = min(turns, key=turns.get) if turns else None
            if kept in self.queue:  # the bottleneck waits: it takes a slot now, before the others
                self.queue.remove(kept)
                self.queue.insert(0, kept)
            if longest is not None and (kept in self.queue or now - turns[longest] >= TURN):
                self._release(longest)
                self.queue.append(longest)
        while self.queue and len(self.training) < self.slots:
            run = self.queue.pop(0)
            self.training[run] = now
            run.admitted, run.waiting = True, None
            run.keep_alive()  # sends "run" now rather than at the reader's next check
        for position, run in enumerate(self.queue):
            run.admitted, run.waiting = False, position
            run.keep_alive()
        if len(self.training) >= self.slots:
            self._spare_since = None
        elif self._spare_since is None:
            self._spare_since = now

    def _bottleneck(self, left: dict[LiveRun, float] | None) -> LiveRun | None:
        """A run that keeps its slot while the others take turns on the rest: the one furthest from its deciding
        step, in CPU seconds of training at its pace (`left`, from `_work_left`).

        Taking turns, a workshop's longest preset (copy: half the six presets' training) was left training alone
        at the end, one core idle. With a slot of its own it trains from the start while the short ones share the
        other, and the last run decides when the work allows (the longest run's, or the rest's over the other
        slots). A bottleneck that waits takes a slot at once.

        Only when every run wanting a slot has a deciding step: a run with settings of its own has no end, and
        everyone takes turns. A run with no pace yet is planned at the others' (a workshop's first seconds are
        when it matters: copy, with no pace, waited in the queue behind the first runs). The bottleneck changes
        only to a run with SWITCH_MARGIN times its work left, and paces are the training processes' CPU seconds per
        step: seconds of the clock, which a crowded server stretches unevenly (the first steps of a workshop most),
        made the bottleneck flip between copy, vanishing and none while forty sessions watched, each change cutting
        a turn short, and copy waited 15 s of its first 30 in the queue.

        The others take the other slots least work first, a turn each (`_schedule`): in order of asking, with copy
        keeping a slot and the other five presets in turns on one, recall and recall_init decided after 30–37 s
        instead of the 17.5 s they had when all six took turns on two.
        """
        if self.slots < 2 or len(self.training) + len(self.queue) <= self.slots:
            self._kept = None
            return None
        if left is None:
            self._kept = None
            return None
        furthest = max(left, key=left.get)
        if self._kept in left and left[furthest] <= SWITCH_MARGIN * left[self._kept]:
            return self._kept
        self._kept = furthest
        return furthest

    def _work_left(self) -> dict[LiveRun, float] | None:
        """CPU seconds each run wanting a slot needs to reach its deciding step (None: some run has no end). A run
        with no pace yet is planned at the others' mean pace; with none at all, steps left decide."""
        runs = [*self.training, *self.queue]
        if any(run.hold_at is None or run.step_count >= run.hold_at for run in runs):
            return None
        paces = [run.cpu / run.step_count for run in runs if run.step_count and run.cpu > 0]
        pace = sum(paces) / len(paces) if paces else 1.0
        return {run: _seconds_left(run, pace) for run in runs}

    def _refresh(self, run: LiveRun) -> None:
        """The run's own notion of its audience: the sessions following it decide whether anyone watches."""
        views = self.views.get(run, [])
        run.sessions = {view.session_id for view in views if view.wants_training() and view.session_id}
        # "Shared with N other sessions" counts connected tabs: a closed one keeps its view for ABSENT_AFTER
        # (in case it reconnects) but is not watching.
        run.viewer_count = max(1, len({view.session_id or view.id for view in views if self._connected(view)}))

    def _release(self, run: LiveRun) -> None:
        self.training.pop(run, None)
        run.admitted = False
        run.keep_alive()

    def _close(self, run: LiveRun) -> None:
        self.views.pop(run, None)
        if self._kept is run:
            self._kept = None
        if self.runs.get(run.config) is run:
            del self.runs[run.config]
        self.training.pop(run, None)
        if run in self.queue:
            self.queue.remove(run)
        run.close()

    def _gone(self, view: View) -> bool:
        if view.session_id is not None and self._presence(view) is True:
            view.last_seen = time.monotonic()
        return time.monotonic() - view.last_seen > ABSENT_AFTER

    def _presence(self, view: View) -> bool | None:
        """Whether the view's browser tab is connected now, if the server can say."""
        if view.session_id is None or self.presence is None:
            return None
        return self.presence(view.session_id)

    def _connected(self, view: View) -> bool:
        """The view's browser tab is connected now (where the server cannot say, every view counts)."""
        return self._presence(view) is not False

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="rnn-lab-scheduler", daemon=True)
            self._thread.start()

    def idle_processes(self) -> list[LiveRun]:
        """Runs holding a process nobody wants trained (paused, finished, at a deciding step), the longest idle
        first, beyond the cap. Runs waiting for a slot keep theirs: turns every few seconds would otherwise
        give processes up and start them again all the time (measured: training fell to a tenth)."""
        with self._lock:
            live = [run for run in self.views if run.has_process]
            waiting = set(self.training) | set(self.queue)
            idle = [run for run in live if run not in waiting and not run.process_training]
        idle.sort(key=lambda run: run.last_step_at)
        return idle[: max(0, len(live) - self.processes)]

    def bound_processes(self) -> None:
        """Release idle runs' processes until at most `processes` remain (outside the lock: each waits for its
        process's checkpoint)."""
        for run in self.idle_processes():
            run.release()

    def _loop(self) -> None:
        while not self._stopped.wait(TICK):
            try:
                self.tick()
                self.bound_processes()
                self.load()  # a sample every tick: the load is measured over the last few seconds
            except Exception:  # the scheduler must outlive any one run's trouble; say what happened
                logging.getLogger(__name__).exception("scheduler tick failed; carrying on")

    def close_all(self) -> None:
        """Close every run and stop the scheduler (tests; a server's hub lives as long as the server)."""
        self._stopped.set()
        with self._lock:
            for run in list(self.views):
                self._close(run)


def _seconds_left(run: LiveRun, pace: float) -> float:
    """CPU seconds the run needs to reach its deciding step: at its own pace once it has one, else at `pace`."""
    if run.step_count and run.cpu > 0:
        pace = run.cpu / run.step_count
    return (run.hold_at - run.step_count) * pace
