"""Sections 9 and 10: speed in the product's own loops, as a user runs them (whole commands, default threads).

9: `python -m models` with one contender at gap 100 / hidden 64, validation on: GRU against LSTM.
10: `python -m models sweep` without its cache: contender-seed steps trained per second.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from benchmarks.app_server import ROOT
from benchmarks.timing import Row, median, ratio, spread


def _timed(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def cli_gru_against_lstm(rounds: int, steps: int) -> list[Row]:
    """Whole CLI runs, GRU-only and LSTM-only taking turns (torch's default threads, as a user runs it)."""
    base = [sys.executable, "-m", "models", "--task", "adding", "--gap", "100", "--hidden", "64"]
    seconds: dict[str, list[float]] = {"gru": [], "lstm": []}
    for _ in range(rounds):
        for key in seconds:
            seconds[key].append(_timed([*base, "--contenders", key, "--steps", str(steps)]))
    detail = f"{steps} steps, gap 100, hidden 64, validation every 25, default threads; runs {{}}"
    return [
        Row("9 CLI loop", "LSTM-only run, s", median(seconds["lstm"]), "s", detail.format(spread(seconds["lstm"]))),
        Row("9 CLI loop", "GRU-only run, s", median(seconds["gru"]), "s", detail.format(spread(seconds["gru"]))),
        Row("9 CLI loop", "GRU / LSTM (time per run)", ratio(seconds["gru"], seconds["lstm"]), "×", f"{steps} steps"),
    ]


def sweep_throughput(rounds: int, steps: int) -> list[Row]:
    """The sweep CLI on a fresh cache: adding at gaps 10 and 20, 3 seeds, four contenders, one worker per core."""
    gaps, seeds = (10, 20), 3
    command = [sys.executable, "-m", "models", "sweep", "--task", "adding", "--gaps", ",".join(map(str, gaps)),
               "--seeds", str(seeds), "--steps", str(steps), "--no-cache"]  # fmt: skip
    seconds = [_timed(command, {**os.environ, "RNN_LAB_CACHE": tempfile.mkdtemp()}) for _ in range(rounds)]
    trained = len(gaps) * seeds * 4 * steps
    return [
        Row("10 sweep", "contender-seed steps per second (whole command)", trained / median(seconds), "steps/s",
            f"{len(gaps)} gaps × {seeds} seeds × 4 contenders × {steps} steps; runs {spread(seconds)}"),
    ]  # fmt: skip
