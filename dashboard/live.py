"""A run that trains in a worker thread while its page is open, and keeps every record it made.

The page never waits for training: it reads a snapshot of plain records twice a second. The worker
checks between steps (a few tens of milliseconds) whether it should pause, so Pause is prompt and a
closed tab stops training once Streamlit notices the disconnect.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from streamlit.runtime import Runtime

from models.config import LIMITS, RunConfig
from models.records import ProbeRecord, StepRecord, Verdict
from models.trainer import Trainer, limit_threads

STEP_FIELDS = (
    "contender",
    "step",
    "loss",
    "accuracy",
    "grad_norm",
    "grad_norm_clipped",
    "clipped",
    "diverged",
    "seconds",
)
MAX_STEPS = LIMITS.steps[1]  # a run pauses itself here, so one tab cannot train forever
HEARTBEAT_TIMEOUT = 5.0  # seconds without a page render after which, outside a server, the worker stops

limit_threads(1)  # runs train side by side in one server process: one core each, never oversubscribed


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


@dataclass
class LiveRun:
    """One configuration's training, its records and its worker thread."""

    config: RunConfig
    session_id: str | None = None  # the Streamlit session watching; None in tests without a server
    trainer: Trainer = field(init=False)
    steps: dict[str, list] = field(init=False)
    probes: list[dict] = field(default_factory=list)
    running: bool = False
    elapsed: float = 0.0
    message: str = ""
    last_seen: float = field(default_factory=time.monotonic)
    _recent: deque = field(default_factory=lambda: deque(maxlen=100))  # (time, step) for the rate
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _worker: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.trainer = Trainer(self.config)
        self.steps = {name: [] for name in STEP_FIELDS}

    # --- controls ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Train in the background until paused, the page closes, or MAX_STEPS."""
        self.running, self.message = True, ""
        self.keep_alive()

    def pause(self) -> None:
        self.running = False
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout=2.0)

    def advance(self, steps: int) -> None:
        """Train `steps` steps now, in the caller's thread (the Step button)."""
        self.pause()
        for _ in range(steps):
            if self.trainer.step_count >= MAX_STEPS:
                break
            self._train_one()

    def keep_alive(self) -> None:
        """Called on every page render: note the viewer, and restart the worker if it should run."""
        self.last_seen = time.monotonic()
        if self.running and (self._worker is None or not self._worker.is_alive()):
            self._worker = threading.Thread(target=self._work, name="rnn-lab-training", daemon=True)
            self._worker.start()

    # --- reading ----------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self._lock:
            steps = {name: list(values) for name, values in self.steps.items()}
            probes = list(self.probes)
            recent = list(self._recent)
        rate = 0.0
        if len(recent) >= 2 and recent[-1][0] > recent[0][0]:
            rate = (recent[-1][1] - recent[0][1]) / (recent[-1][0] - recent[0][0])
        return Snapshot(
            step=self.trainer.step_count,
            steps=steps,
            probes=probes,
            verdicts=self.trainer.verdicts(),
            running=self.running,
            steps_per_second=rate if self.running else 0.0,
            elapsed=self.elapsed,
            message=self.message,
        )

    def probe_history(self) -> list[dict]:
        """Only the probes (validation, gradient per time step): cheaper than a whole snapshot."""
        with self._lock:
            return list(self.probes)

    # --- the worker -------------------------------------------------------------------------------

    def _work(self) -> None:
        while self.running and self._viewer_present():
            if self.trainer.step_count >= MAX_STEPS:
                self.running, self.message = False, f"Paused at the {MAX_STEPS:,}-step limit."
                return
            if all(verdict.status == "diverged" for verdict in self.trainer.verdicts().values()):
                self.running, self.message = False, "Every contender diverged: nothing left to train."
                return
            self._train_one()

    def _train_one(self) -> None:
        started = time.perf_counter()
        records = self.trainer.step()
        with self._lock:
            for record in records:
                if isinstance(record, StepRecord):
                    for name in STEP_FIELDS:
                        self.steps[name].append(getattr(record, name))
                elif isinstance(record, ProbeRecord):
                    self.probes.append(record.to_dict())
            now = time.perf_counter()
            self.elapsed += now - started
            self._recent.append((now, self.trainer.step_count))

    def _viewer_present(self) -> bool:
        """Inside a Streamlit server, ask it whether the session is connected; else trust heartbeats."""
        if self.session_id is not None and Runtime.exists():
            return Runtime.instance().is_active_session(self.session_id)
        return time.monotonic() - self.last_seen < HEARTBEAT_TIMEOUT
