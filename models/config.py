"""One frozen run configuration, validated in one place, with the limits a shared server can afford."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

TASK_KEYS = ("adding", "copy", "recall", "temporal_order", "book")
CONTENDER_KEYS = ("rnn", "clipped_rnn", "lstm", "gru", "feedforward")
RECURRENT_KEYS = CONTENDER_KEYS[:4]  # the default race; the feed-forward window is there to show why recurrence
OPTIMIZER_KEYS = ("adam", "sgd", "rmsprop")


@dataclass(frozen=True)
class Limits:
    """Ranges every entry point (CLI, widgets, URL) shares, sized so one run cannot hog a small server."""

    gap: tuple[int, int] = (1, 200)  # cost grows linearly with the gap; 200 already shows total vanishing
    hidden: tuple[int, int] = (1, 128)  # 128 units is where published adding results start; cost ~ hidden²
    batch: tuple[int, int] = (1, 256)  # larger batches add seconds per step, not insight
    lr: tuple[float, float] = (1e-6, 10.0)  # up to 10 so explosion can be provoked on purpose
    clip: tuple[float, float] = (1e-3, 1000.0)  # Pascanu et al.: 0.5–10× the mean norm; wide enough to disable
    init_scale: tuple[float, float] = (0.0, 4.0)  # spectral radius of the RNN's recurrent matrix at step 0
    forget_bias: tuple[float, float] = (-5.0, 5.0)  # sigmoid(±5) is already 0.7% / 99.3%
    seed: tuple[int, int] = (0, 2**31 - 1)
    window: tuple[int, int] = (1, 200)  # as long as the longest gap: a window that covers it can solve it
    seeds: tuple[int, int] = (1, 5)  # seeds trained at once; five cost about 2.5 runs (benchmarks/RESULTS.md)
    eval_every: tuple[int, int] = (1, 1000)
    steps: tuple[int, int] = (1, 20_000)  # a CLI run of the largest model stays within minutes


LIMITS = Limits()


class ConfigError(ValueError):
    """A configuration a person asked for that the engine cannot run; the message is meant to be read.

    `code` and `values` say the same in data, so a page can word it in its reader's language.
    """

    def __init__(self, message: str, code: str = "", **values: object) -> None:
        super().__init__(message)
        self.code, self.values = code, values


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's numbers; same config and seed give the same records."""

    task: str = "adding"  # the long-gap task (see models.tasks)
    gap: int = 50  # how far the information must travel; 50 separates the RNN from gated models
    contenders: tuple[str, ...] = RECURRENT_KEYS  # trained side by side on identical batches
    hidden: int = 32  # small enough for live training, big enough for LSTM/GRU to solve gap 50
    equal_params: bool = False  # shrink gated models' hidden layers to the RNN's parameter count
    lr: float = 0.01  # Adam at 0.01 solves adding gap 50 in a few hundred steps (SCIENCE.md)
    optimizer: str = "adam"  # plain SGD is there to provoke explosion
    batch: int = 64  # the batch size our measurements used
    clip: float = 1.0  # global gradient-norm threshold for clipped_rnn only
    init_scale: float = 1.0  # recurrent weights are orthogonal × this (1.0 = norm-preserving)
    forget_bias: float = 1.0  # LSTM forget / GRU update gate bias; Keras uses 1, PyTorch 0
    seed: int = 0  # weights, batches and validation set all derive from it
    seeds: int = 1  # train seeds seed … seed + seeds − 1 side by side: one seed is an anecdote
    window: int = 10  # inputs the feed-forward contender sees (the last ones); 10 fails recall past gap 9
    eval_every: int = 25  # validation, gradient-per-time-step and spectral radius cadence

    def __post_init__(self) -> None:
        _check_choice("task", self.task, TASK_KEYS)
        if not self.contenders:
            choices = ", ".join(CONTENDER_KEYS)
            raise ConfigError(f"contenders: choose at least one of {choices}", "no_contenders", choices=choices)
        for key in self.contenders:
            _check_choice("contender", key, CONTENDER_KEYS)
        if len(set(self.contenders)) != len(self.contenders):
            raise ConfigError("contenders: each contender may appear only once", "repeated_contender")
        _check_choice("optimizer", self.optimizer, OPTIMIZER_KEYS)
        for name in ("gap", "hidden", "batch", "seed", "seeds", "window", "eval_every"):
            _check_int(name, getattr(self, name), getattr(LIMITS, name))
        if self.seed + self.seeds - 1 > LIMITS.seed[1]:
            last = self.seed + self.seeds - 1
            high = LIMITS.seed[1]
            raise ConfigError(
                f"seed + seeds − 1 must be at most {high:,}, got {last:,}", "last_seed", high=high, value=last
            )
        for name in ("lr", "clip", "init_scale", "forget_bias"):
            _check_float(name, getattr(self, name), getattr(LIMITS, name))

    def with_changes(self, **changes: object) -> RunConfig:
        """A validated copy with some fields replaced."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, object]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["contenders"] = list(self.contenders)
        return values


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        choices = ", ".join(allowed)
        raise ConfigError(f"unknown {name} {value!r}; choose one of: {choices}", "choice", name=name, value=value,
                          choices=choices)  # fmt: skip


def _check_int(name: str, value: object, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        message = f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}"
        raise ConfigError(message, "whole_number", name=name, low=f"{low:,}", high=f"{high:,}", value=repr(value))


def _check_float(name: str, value: object, bounds: tuple[float, float]) -> None:
    low, high = bounds
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not low <= value <= high:
        message = f"{name} must be a finite number from {low:g} to {high:g}, got {value!r}"
        raise ConfigError(message, "number", name=name, low=f"{low:g}", high=f"{high:g}", value=repr(value))


def check_steps(steps: object) -> int:
    """Validate a number of training steps (a CLI argument, not part of the run's identity)."""
    _check_int("steps", steps, LIMITS.steps)
    return steps  # type: ignore[return-value]
