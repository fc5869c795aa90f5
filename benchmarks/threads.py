"""Per-session training throughput when 1, 2 or 4 sessions train at once, with 1 or 2 intra-op threads each.

Each session is a process of its own, as in the dashboard (runs/process.py), training the default preset.
All sessions of a trial start timing together, behind a barrier, after a warm-up.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time

from benchmarks.timing import Row
from dashboard.presets import DEFAULT_PRESET, PRESETS
from models.trainer import Trainer, limit_threads


def session(threads: int, seconds: float, barrier, results) -> None:  # a child process
    limit_threads(threads)
    trainer = Trainer(PRESETS[DEFAULT_PRESET].config)
    trainer.advance(3)  # warm-up: first optimizer step, allocator
    barrier.wait()
    started, steps = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        trainer.step()
        steps += 1
    results.put(steps / (time.perf_counter() - started))


def trial(sessions: int, threads: int, seconds: float) -> list[float]:
    """Steps/s of each of `sessions` simultaneous sessions."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(sessions), context.Queue()
    processes = [context.Process(target=session, args=(threads, seconds, barrier, results)) for _ in range(sessions)]
    for process in processes:
        process.start()
    rates = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    return sorted(rates)


def thread_study(sessions: tuple[int, ...], seconds: float) -> list[Row]:
    rows = []
    for count in sessions:
        rates = {threads: trial(count, threads, seconds) for threads in (1, 2)}
        for threads, measured in rates.items():
            rows.append(
                Row(
                    "7 threads",
                    f"{count} session{'s' * (count > 1)} at once, {threads} thread{'s' * (threads > 1)} each: "
                    "steps/s per session",
                    statistics.median(measured),
                    "steps/s",
                    "sessions: " + ", ".join(f"{rate:.1f}" for rate in measured),
                )
            )
        one, two = statistics.median(rates[1]), statistics.median(rates[2])
        rows.append(Row("7 threads", f"{count} session{'s' * (count > 1)}: 2 threads / 1 thread", two / one, "×"))
    return rows
