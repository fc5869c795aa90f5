"""`python -m models sweep`: steps to solve per contender against the gap, over seeds, on a pool or a cluster."""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import fields
from multiprocessing import get_context

from models.cli import OneLineParser, config_from, run_options
from models.config import LIMITS, ConfigError, check_steps
from models.sweep import ResultCache, SweepResult, default_cache, sweep, table

COLUMNS = tuple(field.name for field in fields(SweepResult))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = OneLineParser(
        prog="python -m models sweep",
        description="Train every contender to a fixed budget at each gap, K seeds per gap, and report the step at "
        "which each was solved. Repeated sweeps are served from a cache.",
    )
    parser.add_argument("--gaps", required=True, help="comma-separated gaps, e.g. 10,20,50,100")
    run_options(parser)
    parser.add_argument("--out", help="write one row per task, gap, contender and seed here (CSV)")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    parser.add_argument("--scheduler", help="run on a Dask cluster instead, e.g. tcp://HOST:8786 (needs distributed)")
    parser.add_argument("--no-cache", action="store_true", help="train everything again, keep nothing")
    return parser.parse_args(argv)


def gaps_from(text: str) -> list[int]:
    low, high = LIMITS.gap
    try:
        gaps = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"gaps must be whole numbers separated by commas, got {text!r}") from None
    if not gaps or any(not low <= gap <= high for gap in gaps):
        raise ConfigError(f"gaps must be whole numbers from {low} to {high}, got {text!r}")
    return sorted(set(gaps))


def executor_for(args: argparse.Namespace) -> Executor:
    """A local process pool (each worker one thread), or a Dask cluster's executor with --scheduler."""
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError("--scheduler needs Dask: pip install -r requirements-dask.txt") from None
        return Client(args.scheduler).get_executor()
    workers = args.workers or len(os.sched_getaffinity(0))
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def run(args: argparse.Namespace, executor: Executor, cache: ResultCache | None) -> list[SweepResult]:
    base = config_from(argparse.Namespace(**{**vars(args), "gap": LIMITS.gap[0]}))
    gaps, steps = gaps_from(args.gaps), check_steps(args.steps)
    started, done = time.perf_counter(), []

    def progress(gap: int, results: list[SweepResult], kept: bool) -> None:
        done.append(gap)
        how = "kept from an earlier sweep" if kept else f"trained {steps:,} steps"
        elapsed = time.perf_counter() - started
        print(f"gap {gap}: {how} ({len(done)}/{len(gaps)} gaps, {elapsed:.1f} s)", file=sys.stderr, flush=True)

    results = list(sweep(base, gaps, steps, executor, cache, progress))
    print(table(results, base.contenders, gaps))
    return sorted(results, key=lambda row: (row.gap, base.contenders.index(row.contender), row.seed))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        executor = executor_for(args)
        with executor:
            results = run(args, executor, None if args.no_cache else default_cache())
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        try:
            with open(args.out, "w", newline="", encoding="utf-8") as stream:
                write_csv(results, stream)
        except OSError as error:
            print(f"error: cannot write {args.out}: {error.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {len(results):,} rows to {args.out}", file=sys.stderr)
    return 0


def write_csv(results: list[SweepResult], stream) -> None:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(result.to_dict() for result in results)
