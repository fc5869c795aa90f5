"""Plain records the engine hands out: floats, ints, strings and lists, never tensors.

A value that was not finite is stored as None, and the record says why (`diverged`), so nothing a
chart plots can be NaN or infinite without a flag.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class StepRecord:
    """One contender's training step: the loss on the batch before the update, and its gradient."""

    contender: str
    seed: int  # which of the run's seeds (config.seed … config.seed + seeds − 1)
    step: int  # 1 for the first update
    loss: float | None
    accuracy: float
    grad_norm: float | None  # global L2 norm before clipping
    grad_norm_clipped: float | None  # after clipping (equal to grad_norm when not clipped)
    clipped: bool
    seconds: float  # wall time of this contender's forward, backward and update
    diverged: bool  # the loss or gradient was NaN/inf: the contender is frozen from here on

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


VERDICT_STATES = ("not_started", "learning", "at_chance", "worse_than_chance", "solved", "lost", "diverged")
VERDICT_TEXTS = {  # a verdict in English words; a page passes its own language's (same keys, same placeholders)
    "not_started": "not started",
    "learning": "learning",
    "at_chance": "at chance",
    "worse_than_chance": "worse than chance",
    "solved": "solved at step {step}",
    "solved_again": "solved again at step {step}",
    "lost": "solved at step {solved_step}, lost it at step {step}",
    "diverged": "diverged at step {step}",
    "tally": "solved in {solved} of {total} seeds",
    "tally_median": "solved in {solved} of {total} seeds, median step {median}",
}


@dataclass(frozen=True)
class Verdict:
    """What a person should conclude about a contender so far (decided by `models.diagnostics.judge`)."""

    status: str  # one of VERDICT_STATES
    step: int | None = None  # solved: when it (re)reached solved; lost: when it fell back; diverged: when
    solved_step: int | None = None  # lost, or solved again: when it was first solved

    @property
    def text(self) -> str:
        return self.words(VERDICT_TEXTS)

    def words(self, texts: Mapping[str, str]) -> str:
        """The verdict in the words of `texts` (VERDICT_TEXTS' keys)."""
        key = "solved_again" if self.status == "solved" and self.solved_step is not None else self.status
        return texts[key].format(step=f"{self.step or 0:,}", solved_step=f"{self.solved_step or 0:,}")

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class ProbeRecord:
    """Every `eval_every` steps: validation, gradient per time step and the recurrent spectral radius."""

    contender: str
    seed: int
    step: int
    val_loss: float | None
    val_accuracy: float | None
    grad_per_step: list[float] | None  # mean over the batch of ‖∂loss/∂x_t‖ for t = 0 … length−1
    spectral_radius: float | None  # of the square recurrent matrix (see SequenceModel.recurrent_matrix)
    verdict: str  # a Verdict's status, as in the CSV's `verdict` column
    verdict_step: int | None
    verdict_solved_step: int | None
    verdict_text: str
    gate_mean: float | None = None  # LSTM forget / GRU update gate, mean over validation (None for an RNN)
    by_distance: list[float | None] | None = None  # accuracy per distance bin (Task.distance_bins), where scored

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def verdict_record(self) -> Verdict:
        return Verdict(self.verdict, self.verdict_step, self.verdict_solved_step)


@dataclass(frozen=True)
class SampleRecord:
    """Sentences a next-word model wrote at a step (the children's book): samples → words, as written."""

    contender: str
    seed: int
    step: int
    samples: list[list[str]]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def floored_percent(fraction: float, decimals: int = 0) -> str:
    """0.8996 → '89%' (not '90%'): a shown accuracy never rounds up across the 90% that "solved" needs."""
    scale = 10**decimals
    return f"{math.floor(fraction * 100 * scale + 1e-9) / scale:.{decimals}f}%"


def finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def tally(verdicts: list[Verdict], texts: Mapping[str, str] = VERDICT_TEXTS) -> str:
    """One seed's verdict as it reads; for several, how many are solved now and the median step they were first
    solved at: "solved in 4 of 5 seeds, median step 550"."""
    if len(verdicts) == 1:
        return verdicts[0].words(texts)
    solved = sorted(v.solved_step or v.step or 0 for v in verdicts if v.status == "solved")
    if not solved:
        return texts["tally"].format(solved=0, total=len(verdicts))
    median = f"{statistics.median(solved):,.0f}"
    return texts["tally_median"].format(solved=len(solved), total=len(verdicts), median=median)
