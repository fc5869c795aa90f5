"""The benchmark suite: one command, one table (Markdown, ready for benchmarks/RESULTS.md).

python -m benchmarks            # the full suite, about ten minutes on 2 cores
python -m benchmarks --quick    # every section, briefly: checks that it runs (CI), judges nothing

Sections: 1 engine vs a bare PyTorch loop · 2 each contender's step cost beside the nn.* references ·
3 diagnostics cost · 4 dashboard vs engine, first chart · 5 seconds to each preset's verdict ·
6 memory of one session · 7 throughput with 1 and 2 threads when sessions train at once · 8 five seeds against
one · 9 GRU against LSTM in the CLI's own loop · 10 the sweep's throughput.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from collections.abc import Iterator

import torch

from benchmarks import dashboard, engine, loops, threads
from benchmarks.timing import Row
from models.trainer import limit_threads


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")), platform.processor()
    )
    return (
        f"{datetime.date.today().isoformat()} · {cpu} · {os.cpu_count()} cores · Python {platform.python_version()}"
        f" · PyTorch {torch.__version__} · {platform.system()} {platform.release()}"
    )


def _cpuinfo() -> list[str]:
    try:
        with open("/proc/cpuinfo") as stream:
            return stream.read().splitlines()
    except OSError:
        return []


def run(quick: bool) -> Iterator[Row]:
    """Every section's rows, section by section (so a long run shows its progress)."""
    limit_threads(1)  # as the dashboard trains; sections 2 and 7 also measure 2 threads
    yield from engine.overhead(rounds=2 if quick else 9)
    yield from engine.step_costs(rounds=2 if quick else 9, threads=(1,) if quick else (1, 2))
    yield from engine.preset_verdicts(step_cap=30 if quick else None)
    try:
        yield from dashboard.measure(quick)
    except RuntimeError as error:  # no Chromium on this machine: say so and keep the rest of the table
        yield Row("4–6 dashboard", f"skipped: {error}", None, "")
    yield from threads.thread_study(sessions=(1, 2) if quick else (1, 2, 4), seconds=1.5 if quick else 8.0)
    yield from engine.seed_cost(rounds=2 if quick else 9, threads=(1,) if quick else (1, 2))
    yield from loops.cli_gru_against_lstm(rounds=1 if quick else 5, steps=10 if quick else 300)
    yield from loops.sweep_throughput(rounds=1 if quick else 3, steps=10 if quick else 200)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="every section briefly, to check it runs")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"RNN Remedies Lab benchmarks{' (--quick)' if args.quick else ''}: {machine()}\n", flush=True)
    print("| section | figure | median | runs / note |")
    print("|---|---|---|---|", flush=True)
    for row in run(args.quick):
        print(row.markdown(), flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
