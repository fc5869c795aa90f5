"""A run that trains in a process of its own while its page is open, and keeps every record it made.

The page never waits for training: it reads a snapshot of plain records twice a second. A reader thread
receives the records from the training process (blocked on the pipe, it costs the page nothing) and
pauses the process when nobody watches: a closed tab stops training once Streamlit notices the disconnect.
"""

from __future__ import annotations

import bisect
import contextlib
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from models.config import LIMITS, RunConfig
from models.export import STEP_COLUMNS
from models.records import ProbeRecord, SampleRecord, StepRecord, Verdict
from models.tasks import make_task
from models.trainer import preview
from runs import process as remote
from runs import protocol

MESSAGES = ("not_started", "stopped", "step_limit", "all_diverged")  # why a run stopped by itself (the page words it)
MAX_STEPS = LIMITS.steps[1]  # a run pauses itself here, so one tab cannot train forever
HEARTBEAT_TIMEOUT = 5.0  # seconds without a page render after which, outside a server, training pauses
CHECK_EVERY = 0.25  # seconds between the reader's checks for a viewer
READY_TIMEOUT = 20.0  # seconds a new training process may take to build its models (under load)
START_ATTEMPTS = 3
REPLY_TIMEOUT = 120.0  # the longest a Step may take (25 steps of the largest model)
MAX_STEP_ROWS = 8_000  # step records kept per run (all contenders): 2,000 points a contender, ~2 MB
MEMO_SIZE = 16  # chart data kept per run: a few recent steps, shared by the sessions drawing them
PUBLISH_EVERY = 0.25  # seconds between the steps a run shows its followers: all draw the same, built once
MAX_SAMPLES = 200  # sample records kept per run: the newest (every contender and seed, 250 steps apart)
MAX_PROBES = 400  # probe records kept per run (each holds a gradient profile of up to 200 floats)


@dataclass(frozen=True)
class Snapshot:
    """What the page draws: copies, safe to use while training goes on."""

    step: int
    steps: dict[str, list]  # column name -> values, one entry per contender and step
    probes: list[dict]
    verdicts: dict[str, Verdict]
    running: bool
    steps_per_second: float
    elapsed: float  # seconds spent training
    message: str  # why the run stopped by itself, if it did: one of MESSAGES, or ""
    waiting: int | None = None  # runs ahead of this one in the queue for a training slot; None: not queued
    viewers: int = 1  # sessions watching this run
    decided: dict[str, Verdict] | None = None  # the verdicts at the run's deciding step, once shown


class LiveRun:
    """One configuration's training process, its records, and what the page asked of it."""

    def __init__(
        self,
        config: RunConfig,
        session_id: str | None = None,
        hold_at: int | None = None,
        presence: Callable[[str], bool | None] | None = None,
    ) -> None:
        self.config = config
        self.presence = presence  # is a session connected? (None from it: unknown, trust heartbeats)
        self.hold_at = hold_at  # the step where a preset's claim is decided: training stops there by itself
        self.decided: dict[str, Verdict] | None = None  # every contender's verdict at hold_at, once reached
        self.sessions: set[str] = {session_id} if session_id else set()  # Streamlit sessions following it
        self.viewer_count = 1  # sessions looking at it, following or not (the page says "shared with …")
        self.admitted = True  # a scheduler (runs.hub) may hold the run back while others use the cores
        self.waiting: int | None = None  # its place in that scheduler's queue, for the page
        self.task = make_task(config.task, config.gap)  # names, baseline and loss: plain Python, no tensors
        self.running = False  # what the page wants; the process trains only while someone also watches
        self.message = ""
        self.last_seen = time.monotonic()
        self.steps: dict[str, list] = {name: [] for name in STEP_COLUMNS}
        self.probes: list[dict] = []
        self.samples: list[dict] = []  # sentences a writing task's models wrote (every few hundred steps)
        self.step_count = 0
        self.published = 0  # the newest step shown to sessions following the run live
        self.charted = 0  # the newest step they see charted (see chart_at)
        self._published_at = self._charted_at = 0.0
        self.elapsed = 0.0
        self.cpu = 0.0  # CPU seconds its training process spent on its steps: its pace, whatever else runs
        self._verdicts = {key: Verdict("not_started") for key in config.contenders}
        self._all_diverged = False  # every seed of every contender (the verdicts above are the first seed's)
        self._recent: deque = deque(maxlen=100)  # (arrival time, step) for the rate
        self._step_stride = self._probe_stride = 1  # older records are kept every stride-th step
        self._memo: OrderedDict[tuple, object] = OrderedDict()
        self._memo_lock = threading.Lock()  # held through a build: sessions asking at once wait for that one
        self._lock = threading.Lock()
        self._replies = {kind: threading.Event() for kind in (protocol.Paused, protocol.Advanced, protocol.Saved)}
        self._saved: bytes | None = None  # the trainer's state while the run has no process (see release)
        self._in_use = threading.RLock()  # held while a Step trains: the process is not given up meanwhile
        self.contenders, self.sample, self.chance_loss = preview(config)
        self._process = self._connection = None  # started by the first Train or Step: a visit costs no process
        remote.warm_up()  # the forkserver those processes come from, once per server
        self._process_running = False
        self._send_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._closed = False
        self._starting = threading.Event()

    def _start_and_supervise(self) -> None:
        self._ensure_process()
        self._supervise()

    def _ensure_process(self) -> None:
        """Start the training process once, whichever thread (page, reader, scheduler) asks first."""
        with self._start_lock:
            if self._process is not None or self._closed:
                return
            for _attempt in range(START_ATTEMPTS):
                process, connection = remote.start(self.config, self._saved)
                if connection.poll(READY_TIMEOUT):  # Ready: the trainer is built
                    connection.recv()
                    break
                # Under a burst of simultaneous starts a child has been seen never to report: start another.
                process.kill()
                connection.close()
            else:
                self.running, self.message = False, "not_started"
                return
            self._connection = connection
            self._finalizer = weakref.finalize(self, _shut_down, process, connection)  # runs once
            self._process = process
        threading.Thread(target=_read, args=(weakref.ref(self), connection), name="rnn-lab-reader", daemon=True).start()

    # --- controls ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Train until paused, the page closes, or MAX_STEPS (the process starts once a slot is free)."""
        self.running, self.message = True, ""
        self.keep_alive()

    def pause(self) -> None:
        """Stop training; returns once the process has stopped, every record received."""
        self.running = False
        with self._in_use:
            if self._process is not None:
                self._ask(protocol.Paused, protocol.Pause())

    def advance(self, steps: int) -> None:
        """Train `steps` more steps now (the Step button); returns when they are recorded."""
        with self._in_use:
            self._ensure_process()
            if self._process is None:
                return  # closed meanwhile
            # `running` stays as it is: a session that pressed Train meanwhile still wants the run to train on
            # afterwards (the reader then tells the process to run again).
            steps = min(steps, MAX_STEPS - self.step_count)
            self._ask(protocol.Advanced, protocol.Advance(max(steps, 0)))

    def advance_to(self, step: int) -> None:
        """Train until the run has made `step` steps (at once; nothing if it has them). Sessions that ask for the
        same step together train it once: when forty pressed Train together on six fresh runs, each of a run's
        seven sessions trained "the first step" again, one after another (steps 1 to 7), every reply waiting
        for the server's busy GIL."""
        with self._in_use:
            if self.step_count < step:
                self.advance(step - self.step_count)

    @property
    def has_process(self) -> bool:
        return self._process is not None

    @property
    def process_training(self) -> bool:
        """The process has been told to train (not paused)."""
        return self._process_running

    @property
    def last_step_at(self) -> float:
        """When the newest step arrived (0: never)."""
        with self._lock:
            return self._recent[-1][0] if self._recent else 0.0

    def release(self) -> bool:
        """Give up the training process, keeping the trainer's whole state: the next Train or Step starts a new
        process from it, which goes on exactly as this one would have (a scheduler calls this for runs that
        are not training, to bound the number of processes). False if the run is busy or has no process."""
        if not self._in_use.acquire(blocking=False):
            return False  # a Step is training right now
        try:
            with self._start_lock:
                if self._process is None or self._process_running or self._closed:
                    return False
                self._replies[protocol.Saved].clear()
                self._send(protocol.Checkpoint())
                if not self._replies[protocol.Saved].wait(REPLY_TIMEOUT):
                    return False
                self._finalizer()  # the process has exited after its reply: join it, close the pipe
                self._process = self._connection = None
                self._starting.clear()
                return True
        finally:
            self._in_use.release()

    def keep_alive(self) -> None:
        """Called on every page render: the viewer is here."""
        self.last_seen = time.monotonic()
        self._supervise()

    def close(self) -> None:
        """Stop the training process now rather than when the run is collected; never start another."""
        self.running = False
        with self._start_lock:
            self._closed = True
            if self._process is not None:
                self._finalizer()

    # --- reading ----------------------------------------------------------------------------------

    def snapshot(self, until: int | None = None, history: bool = True) -> Snapshot:
        """The history so far, or up to step `until` (a viewer who paused, or one shown at a slower pace).

        Without `history` the per-step records are left out (`steps` is empty): the status line and the cards,
        redrawn twice a second by every page, read only the verdicts and probes.
        """
        with self._lock:
            if until is not None and until >= self.step_count:
                until = None
            rows = len(self.steps["step"]) if until is None else bisect.bisect_right(self.steps["step"], until)
            steps = {name: values[:rows] if history else [] for name, values in self.steps.items()}
            probes = self._probes_until(until)
            recent = list(self._recent)
            verdicts = dict(self._verdicts) if until is None else None
        step = self.step_count if until is None else until
        if verdicts is None:
            verdicts = {key: Verdict("not_started") for key in self.config.contenders}
            for probe in probes:  # the latest probe of each contender carries its verdict at that step
                verdicts[probe["contender"]] = verdict_of(probe)
        rate = 0.0
        if len(recent) >= 2 and recent[-1][0] > recent[0][0] and time.monotonic() - recent[-1][0] < 2.0:
            rate = (recent[-1][1] - recent[0][1]) / (recent[-1][0] - recent[0][0])
        reached = self.hold_at is not None and step >= self.hold_at
        return Snapshot(
            step=step,
            steps=steps,
            probes=probes,
            verdicts=verdicts,
            running=self.running,
            steps_per_second=rate if self.running else 0.0,
            elapsed=self.elapsed * (step / self.step_count if self.step_count else 0.0),
            message=self.message,
            waiting=self.waiting if self.running else None,
            viewers=self.viewer_count,
            decided=self.decided if reached else None,
        )

    def memo(self, key: tuple, build: Callable[[], object]) -> object:
        """What `build` returns for `key`, built once for every session drawing this run (last few kept)."""
        with self._memo_lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
            value = self._memo[key] = build()
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
            return value

    def chart_at(self, fresh: float) -> int:
        """The step its followers see charted: the published step as of the first chart redraw at least `fresh`
        seconds after the last one moved it on. A chart redraw that comes finds the charted step at most `fresh`
        old, so a page redrawing its charts every `fresh`/0.8 s gets new ones every time; and the run builds chart
        data at most once in `fresh` seconds, for every session at that step. (Moved on as steps arrived, once a
        second, it lagged a page's redraw by up to a second: a page redrawing every second saw charts 2–3 s
        apart at forty sessions.)"""
        with self._lock:
            now = time.monotonic()
            if self.published > self.charted and now - self._charted_at >= fresh:
                self.charted, self._charted_at = self.published, now
            return self.charted

    def samples_until(self, until: int) -> list[dict]:
        """The newest sentences written at or before step `until`: one record per contender and seed."""
        with self._lock:
            written = [sample for sample in self.samples if sample["step"] <= until]
        newest = max((sample["step"] for sample in written), default=None)
        return [sample for sample in written if sample["step"] == newest]

    def probe_history(self, until: int | None = None) -> list[dict]:
        """Only the probes (validation, gradient per time step): cheaper than a whole snapshot."""
        with self._lock:
            return self._probes_until(until)

    def _probes_until(self, until: int | None) -> list[dict]:
        if until is None:
            return list(self.probes)
        return self.probes[: bisect.bisect_right([probe["step"] for probe in self.probes], until)]

    def verdicts(self) -> dict[str, Verdict]:
        with self._lock:
            return dict(self._verdicts)

    # --- inside -----------------------------------------------------------------------------------

    def _ask(self, reply: type, command: object) -> None:
        self._replies[reply].clear()
        self._process_running = False  # first, so the reader's supervisor does not send a "pause" after it
        self._send(command)
        if not self._replies[reply].wait(REPLY_TIMEOUT) and self._process.is_alive():
            raise TimeoutError(f"the training process did not answer {command!r}")

    def _send(self, command: object) -> None:
        with self._send_lock:
            try:
                self._connection.send(command)
            except (BrokenPipeError, OSError):
                self.running, self.message = False, "stopped"

    def _supervise(self) -> None:
        """Train only while the page wants it, someone watches, and the step limit is not reached."""
        if self.running and self.step_count >= MAX_STEPS:
            self.running, self.message = False, "step_limit"
        if self.running and self._all_diverged:
            self.running, self.message = False, "all_diverged"
        wanted = self.running and self.admitted and self._viewer_present()
        if wanted and self._process is None:
            # Starting takes a second or more: never in the caller's thread (the scheduler holds the hub's lock).
            if not self._starting.is_set():
                self._starting.set()
                threading.Thread(target=self._start_and_supervise, name="rnn-lab-starter", daemon=True).start()
            return
        # Not while a process starts or is given up (see release); never wait for that either: pages call this
        # as they draw, and the reader or the scheduler calls it again within CHECK_EVERY.
        if not self._start_lock.acquire(blocking=False):
            return
        try:
            if self._process is not None and wanted != self._process_running:
                self._process_running = wanted
                hold = self.hold_at if self.hold_at is not None and self.step_count < self.hold_at else None
                self._send(protocol.Run(hold) if wanted else protocol.Pause())
        finally:
            self._start_lock.release()

    def _receive(self, message: object) -> None:
        if isinstance(message, protocol.Saved):
            self._saved = message.state
        if not isinstance(message, protocol.Records):  # a reply: the process has stopped
            with self._lock:
                self.published = self.charted = self.step_count  # stopped: every step it made is shown
            if type(message) in self._replies:
                self._replies[type(message)].set()
            return
        with self._lock:
            for step in message.steps:
                self._add(step.step, step.records, step.verdicts)
                self.cpu += step.cpu
                self._all_diverged = step.all_diverged
            if len(self.steps["step"]) > MAX_STEP_ROWS:
                self._thin_steps()
            if len(self.probes) > MAX_PROBES:
                self._thin_probes()

    def _add(self, step: int, records: list, verdicts: dict[str, Verdict]) -> None:
        """One step's records (the caller holds the lock)."""
        for record in records:
            if isinstance(record, StepRecord):
                for name in STEP_COLUMNS:
                    self.steps[name].append(getattr(record, name))
                self.elapsed += record.seconds
            elif isinstance(record, ProbeRecord):
                self.probes.append(record.to_dict())
            elif isinstance(record, SampleRecord):
                self.samples = [*self.samples[-MAX_SAMPLES:], record.to_dict()]
        self.step_count = step
        now = time.monotonic()
        if step == self.hold_at or now - self._published_at >= PUBLISH_EVERY:
            self.published, self._published_at = step, now
        if step == self.hold_at:
            self.charted = step
        self._verdicts = verdicts
        if step == self.hold_at:
            self.decided = dict(verdicts)
            if self._process_running:  # the process stopped itself here (see runs.process)
                self._process_running = self.running = False
        self._recent.append((time.monotonic(), step))

    def _thin_steps(self) -> None:
        """Halve the resolution of the step history (the charts draw at most 300 points per contender).

        Step 1 and divergences are always kept, so every marker survives.
        """
        while len(self.steps["step"]) > MAX_STEP_ROWS // 2:
            self._step_stride *= 2
            keep = [
                index
                for index, (step, diverged) in enumerate(zip(self.steps["step"], self.steps["diverged"], strict=True))
                if step % self._step_stride == 0 or step in (1, self.step_count) or diverged
            ]
            self.steps = {name: [values[i] for i in keep] for name, values in self.steps.items()}

    def _thin_probes(self) -> None:
        """Halve the resolution of the probe history; keep step 1 and every probe where a verdict was reached."""
        while len(self.probes) > MAX_PROBES // 2:
            self._probe_stride *= 2
            every = self.config.eval_every * self._probe_stride
            self.probes = [
                probe
                for probe in self.probes
                if probe["step"] % every == 0
                or probe["step"] in (1, self.hold_at)
                or probe["verdict_step"] == probe["step"]
            ]

    def _viewer_present(self) -> bool:
        """Ask the server (`presence`) whether a watching session is connected; where it cannot say, trust
        heartbeats."""
        if self.sessions and self.presence is not None:
            answers = [self.presence(session) for session in list(self.sessions)]
            if None not in answers:
                return any(answers)
        return time.monotonic() - self.last_seen < HEARTBEAT_TIMEOUT


def verdict_of(probe: dict) -> Verdict:
    """The verdict a probe record carries."""
    return Verdict(probe["verdict"], probe["verdict_step"], probe["verdict_solved_step"])


def _read(run_ref: weakref.ref, connection) -> None:
    """The reader thread: hand records to the run; between messages, check that someone still watches.

    It holds the run only weakly, so a run the page has dropped is collected and its process shut down.
    """
    while True:
        try:
            ready = connection.poll(CHECK_EVERY)
            message = connection.recv() if ready else None
        except (EOFError, OSError):
            return
        run = run_ref()
        if run is None:
            return
        if message is not None:
            run._receive(message)
        run._supervise()
        del run


def _shut_down(process, connection) -> None:
    with contextlib.suppress(BrokenPipeError, OSError):
        connection.send(protocol.Stop())
    process.join(timeout=2)
    if process.is_alive():
        process.kill()
    connection.close()
