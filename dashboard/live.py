"""A run that trains in a process of its own while its page is open, and keeps every record it made.

The page never waits for training: it reads a snapshot of plain records twice a second. A reader thread
receives the records from the training process (blocked on the pipe, it costs the page nothing) and
pauses the process when nobody watches: a closed tab stops training once Streamlit notices the disconnect.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass

from streamlit.runtime import Runtime

from models import remote
from models.config import LIMITS, RunConfig
from models.export import STEP_COLUMNS
from models.records import ProbeRecord, StepRecord, Verdict
from models.tasks import make_task
from models.trainer import preview

MAX_STEPS = LIMITS.steps[1]  # a run pauses itself here, so one tab cannot train forever
HEARTBEAT_TIMEOUT = 5.0  # seconds without a page render after which, outside a server, training pauses
CHECK_EVERY = 0.25  # seconds between the reader's checks for a viewer
REPLY_TIMEOUT = 120.0  # the longest a Step may take (25 steps of the largest model)


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
    message: str  # why the run stopped by itself, if it did


class LiveRun:
    """One configuration's training process, its records, and what the page asked of it."""

    def __init__(self, config: RunConfig, session_id: str | None = None) -> None:
        self.config = config
        self.session_id = session_id  # the Streamlit session watching; None in tests without a server
        self.task = make_task(config.task, config.gap)  # names, baseline and loss: plain Python, no tensors
        self.running = False  # what the page wants; the process trains only while someone also watches
        self.message = ""
        self.last_seen = time.monotonic()
        self.steps: dict[str, list] = {name: [] for name in STEP_COLUMNS}
        self.probes: list[dict] = []
        self.step_count = 0
        self.elapsed = 0.0
        self._verdicts = {key: Verdict("learning", None) for key in config.contenders}
        self._recent: deque = deque(maxlen=100)  # (arrival time, step) for the rate
        self._lock = threading.Lock()
        self._replies: dict[str, threading.Event] = {"paused": threading.Event(), "advanced": threading.Event()}
        self.contenders, self.sample = preview(config)
        self._process = self._connection = None  # started by the first Train or Step: a visit costs no process
        remote.warm_up()  # the forkserver those processes come from, once per server
        self._process_running = False
        self._send_lock = threading.Lock()

    def _ensure_process(self) -> None:
        if self._process is not None:
            return
        self._process, self._connection = remote.start(self.config)
        self._connection.recv()  # ("ready",): the trainer is built
        threading.Thread(target=_read, args=(weakref.ref(self), self._connection), daemon=True).start()
        self._finalizer = weakref.finalize(self, _shut_down, self._process, self._connection)  # runs once

    # --- controls ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Train until paused, the page closes, or MAX_STEPS."""
        self._ensure_process()
        self.running, self.message = True, ""
        self.keep_alive()

    def pause(self) -> None:
        """Stop training; returns once the process has stopped, every record received."""
        self.running = False
        if self._process is not None:
            self._ask("paused", ("pause",))

    def advance(self, steps: int) -> None:
        """Train `steps` more steps now (the Step button); returns when they are recorded."""
        self._ensure_process()
        self.running = False
        steps = min(steps, MAX_STEPS - self.step_count)
        self._ask("advanced", ("advance", max(steps, 0)))

    def keep_alive(self) -> None:
        """Called on every page render: the viewer is here."""
        self.last_seen = time.monotonic()
        self._supervise()

    def close(self) -> None:
        """Stop the training process now rather than when the run is collected."""
        self.running = False
        if self._process is not None:
            self._finalizer()

    # --- reading ----------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self._lock:
            steps = {name: list(values) for name, values in self.steps.items()}
            probes = list(self.probes)
            recent = list(self._recent)
            verdicts = dict(self._verdicts)
        rate = 0.0
        if len(recent) >= 2 and recent[-1][0] > recent[0][0] and time.monotonic() - recent[-1][0] < 2.0:
            rate = (recent[-1][1] - recent[0][1]) / (recent[-1][0] - recent[0][0])
        return Snapshot(
            step=self.step_count,
            steps=steps,
            probes=probes,
            verdicts=verdicts,
            running=self.running,
            steps_per_second=rate if self.running else 0.0,
            elapsed=self.elapsed,
            message=self.message,
        )

    def probe_history(self) -> list[dict]:
        """Only the probes (validation, gradient per time step): cheaper than a whole snapshot."""
        with self._lock:
            return list(self.probes)

    def verdicts(self) -> dict[str, Verdict]:
        with self._lock:
            return dict(self._verdicts)

    # --- inside -----------------------------------------------------------------------------------

    def _ask(self, reply: str, command: tuple) -> None:
        self._replies[reply].clear()
        self._process_running = False  # first, so the reader's supervisor does not send a "pause" after it
        self._send(command)
        if not self._replies[reply].wait(REPLY_TIMEOUT) and self._process.is_alive():
            raise TimeoutError(f"the training process did not answer {command[0]!r}")

    def _send(self, command: tuple) -> None:
        with self._send_lock:
            try:
                self._connection.send(command)
            except (BrokenPipeError, OSError):
                self.running, self.message = False, "The training process has stopped; press Reset."

    def _supervise(self) -> None:
        """Train only while the page wants it, someone watches, and the step limit is not reached."""
        if self.running and self.step_count >= MAX_STEPS:
            self.running, self.message = False, f"Paused at the {MAX_STEPS:,}-step limit."
        if self.running and all(v.status == "diverged" for v in self.verdicts().values()):
            self.running, self.message = False, "Every contender diverged: nothing left to train."
        wanted = self.running and self._viewer_present()
        if self._process is not None and wanted != self._process_running:
            self._process_running = wanted
            self._send(("run",) if wanted else ("pause",))

    def _receive(self, message: tuple) -> None:
        kind, *content = message
        if kind != "records":
            self._replies[kind].set()
            return
        step, records, verdicts = content
        with self._lock:
            for record in records:
                if isinstance(record, StepRecord):
                    for name in STEP_COLUMNS:
                        self.steps[name].append(getattr(record, name))
                    self.elapsed += record.seconds
                elif isinstance(record, ProbeRecord):
                    self.probes.append(record.to_dict())
            self.step_count = step
            self._verdicts = verdicts
            self._recent.append((time.monotonic(), step))

    def _viewer_present(self) -> bool:
        """Inside a Streamlit server, ask it whether the session is connected; else trust heartbeats."""
        if self.session_id is not None and Runtime.exists():
            return Runtime.instance().is_active_session(self.session_id)
        return time.monotonic() - self.last_seen < HEARTBEAT_TIMEOUT


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
        connection.send(("stop",))
    process.join(timeout=2)
    if process.is_alive():
        process.kill()
    connection.close()
