"""The messages between the server and a training process (runs.process): what each side may send, typed.

Parent → child: Run, Pause, Advance, Checkpoint, Stop. Child → parent: Ready once, then Records for the steps made
since the last, and one reply per Pause (Paused), Advance (Advanced) and Checkpoint (Saved, after which it exits).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.records import Verdict


@dataclass(frozen=True)
class Run:
    """Train until told otherwise, or until step `hold_at` (a preset's deciding step), where it stops by itself."""

    hold_at: int | None = None


@dataclass(frozen=True)
class Pause:
    """Stop training; reply Paused."""


@dataclass(frozen=True)
class Advance:
    """Train `steps` steps, then stop; reply Advanced."""

    steps: int


@dataclass(frozen=True)
class Checkpoint:
    """Reply Saved with the trainer's whole state (models.checkpoint), then exit: the run gives its process up."""


@dataclass(frozen=True)
class Stop:
    """Exit."""


@dataclass(frozen=True)
class Ready:
    """The trainer is built."""


@dataclass(frozen=True)
class Step:
    """One training step's records and every contender's verdict after it (the first seed's, with several)."""

    step: int
    records: list  # StepRecord and ProbeRecord (models.records)
    verdicts: dict[str, Verdict]
    all_diverged: bool = False  # every seed of every contender: nothing is left to train
    cpu: float = 0.0  # CPU seconds the training process spent on it: its cost, however busy the machine is


@dataclass(frozen=True)
class Records:
    """The steps made since the last Records (one message, however many piled up)."""

    steps: list[Step]


@dataclass(frozen=True)
class Paused:
    step: int


@dataclass(frozen=True)
class Advanced:
    step: int


@dataclass(frozen=True)
class Saved:
    state: bytes
