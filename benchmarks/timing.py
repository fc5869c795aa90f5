"""Fair timing on a shared, noisy machine: candidates run interleaved, and only medians and ratios are quoted."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    section: str
    figure: str
    value: float | None  # None: not measured in this mode
    unit: str  # "×" for ratios
    runs: str = ""  # the repeated measurements behind a median, or a note

    def markdown(self) -> str:
        if self.value is None:
            shown = "–"
        elif self.unit == "×":
            shown = f"{self.value:.2f}×"
        else:
            shown = f"{self.value:,.{_digits(self.value)}f} {self.unit}"
        return f"| {self.section} | {self.figure} | {shown} | {self.runs} |"


def interleaved(candidates: dict[str, Callable[[], object]], rounds: int, warmup: int = 1) -> dict[str, list[float]]:
    """Seconds of each call, candidates taking turns every round so drift and noise hit them alike."""
    for _ in range(warmup):
        for call in candidates.values():
            call()
    seconds: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, call in candidates.items():
            started = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - started)
    return seconds


def median(values: list[float]) -> float:
    return statistics.median(values)


def ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median of the per-round ratios: each round's pair ran back to back, under the same load."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def spread(values: list[float], scale: float = 1.0, digits: int = 1) -> str:
    """The runs behind a median, in the order they ran."""
    return ", ".join(f"{value * scale:.{digits}f}" for value in values)


def _digits(value: float) -> int:
    return 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
