"""The breaking-point sweep: results per contender, gap and seed; the cache; a process pool and a Dask cluster."""

from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from models.config import RunConfig
from models.sweep import ResultCache, sweep, table, train_gap
from models.sweep_cli import write_csv
from models.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
BASE = RunConfig(task="recall", hidden=8, seed=3, seeds=2, contenders=("rnn", "lstm"), eval_every=10)
GAPS = [2, 12]
STEPS = 80


def as_csv(results) -> str:
    stream = io.StringIO()
    write_csv(sorted(results, key=lambda r: (r.gap, r.contender, r.seed)), stream)
    return stream.getvalue()


class Inline(Executor):
    """Runs each unit at once in this thread (model building seeds torch's global generator: one at a time)."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


class NoTraining(Executor):
    def submit(self, *args, **kwargs):
        raise AssertionError("a kept result was trained again")


def test_a_sweep_reports_every_contender_gap_and_seed_as_a_lone_run_would(tmp_path):
    results = list(sweep(BASE, GAPS, STEPS, Inline(), ResultCache(tmp_path)))
    assert sorted((r.gap, r.contender, r.seed) for r in results) == sorted(
        (gap, key, seed) for gap in GAPS for key in ("rnn", "lstm") for seed in (3, 4)
    )
    lone = Trainer(BASE.with_changes(gap=12, seed=4, seeds=1))
    lone.advance(STEPS)
    row = next(r for r in results if (r.gap, r.contender, r.seed) == (12, "lstm", 4))
    assert row.verdict == lone.verdicts()["lstm"].status and row.val_loss == lone.runs[1].last_probe.val_loss
    short = [r for r in results if r.gap == 2]
    assert all(r.solved_step is not None and r.solved_step <= STEPS for r in short)  # gap 2 is easy for both
    assert "(2/2)" in table(results, BASE.contenders, GAPS)


def test_a_repeated_sweep_is_served_from_the_cache_without_training(tmp_path):
    cache = ResultCache(tmp_path)
    first = list(sweep(BASE, GAPS, STEPS, Inline(), cache))
    again = list(sweep(BASE, GAPS, STEPS, NoTraining(), cache))
    assert as_csv(again) == as_csv(first)
    fewer_seeds = list(sweep(BASE.with_changes(seeds=1), GAPS, STEPS, NoTraining(), cache))  # kept per seed
    assert as_csv(fewer_seeds) == as_csv([r for r in first if r.seed == 3])
    with pytest.raises(AssertionError, match="trained again"):
        list(sweep(BASE, GAPS, STEPS + 1, NoTraining(), cache))  # another budget is another result
    other_engine = ResultCache(tmp_path)
    other_engine.version = "changed"
    with pytest.raises(AssertionError, match="trained again"):
        list(sweep(BASE, GAPS, STEPS, NoTraining(), other_engine))  # so is another engine


def test_a_process_pool_and_a_dask_cluster_give_the_same_csv(tmp_path):
    distributed = pytest.importorskip("distributed")
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        local = as_csv(sweep(BASE, GAPS, STEPS, pool))
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        remote = as_csv(sweep(BASE, GAPS, STEPS, client.get_executor()))
    assert remote == local and local.count("\n") == 1 + 2 * 2 * 2
    assert as_csv(train_gap(BASE.with_changes(gap=12), STEPS)).splitlines()[1:] == local.splitlines()[5:]


def test_the_sweep_cli_prints_progress_a_table_and_writes_a_csv(tmp_path):
    out = tmp_path / "sweep.csv"
    command = [
        sys.executable,
        "-m",
        "models",
        "sweep",
        "--task",
        "recall",
        "--gaps",
        "12,2",
        "--seeds",
        "2",
        "--steps",
        "40",
        "--hidden",
        "8",
        "--contenders",
        "rnn,gru",
        "--workers",
        "2",
        "--out",
        str(out),
    ]
    env = {"RNN_LAB_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "trained 40 steps" in result.stderr and "(2/2 gaps" in result.stderr
    assert result.stdout.splitlines()[0].split() == ["steps", "to", "solve", "gap", "2", "gap", "12"]
    rows = out.read_text().splitlines()
    assert rows[0] == "task,gap,contender,seed,steps,solved_step,val_loss,verdict" and len(rows) == 1 + 2 * 2 * 2
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert "kept from an earlier sweep" in again.stderr and out.read_text().splitlines() == rows


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--gaps", "10,x"], "gaps must be whole numbers separated by commas"), (["--gaps", "0,10"], "from 1 to 200"),
     (["--gaps", "10", "--seeds", "9"], "seeds must be a whole number from 1 to 5")],
)  # fmt: skip
def test_bad_sweep_input_exits_with_one_clear_line(args, message):
    result = subprocess.run([sys.executable, "-m", "models", "sweep", *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
