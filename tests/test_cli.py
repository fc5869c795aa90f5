"""`python -m models`: progress, a summary table, a long-format CSV, and one clear line for bad input."""

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from models.cli import command, config_from, main, parse_args
from models.config import RunConfig
from models.records import VERDICT_STATES

ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    return subprocess.run([sys.executable, "-m", "models", *args], cwd=ROOT, capture_output=True, text=True)


def test_trains_prints_a_summary_and_writes_a_long_csv(tmp_path):
    out = tmp_path / "metrics.csv"
    result = run(
        "--task", "recall", "--gap", "5", "--steps", "30", "--hidden", "8", "--eval-every", "10", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "step 30/30" in result.stderr  # progress goes to stderr
    table = result.stdout.splitlines()
    assert table[0].split()[:4] == ["contender", "seed", "hidden", "params"]
    assert [line.split()[0] for line in table[1:5]] == ["rnn", "clipped_rnn", "lstm", "gru"]
    assert "chance: loss 1.3863 on this validation set, accuracy 25.0%" in result.stdout

    with out.open() as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 4 * 30
    assert {"contender", "seed", "step", "loss", "accuracy", "grad_norm", "val_loss", "verdict"} <= set(rows[0])
    assert {row["seed"] for row in rows} == {"0"}  # the seed column, also for one seed
    probed = [row for row in rows if row["val_loss"]]
    assert {int(row["step"]) for row in probed} == {1, 10, 20, 30}


def test_several_seeds_write_rows_per_seed_that_equal_lone_runs(tmp_path):
    """--seeds 3 trains seeds 0, 1, 2 at once; seed 1's rows are a lone --seed 1 run's (loss, 1e-4 relative)."""
    common = ("--task", "adding", "--gap", "20", "--steps", "120", "--hidden", "8")
    stacked, lone = tmp_path / "stacked.csv", tmp_path / "lone.csv"
    result = run(*common, "--seed", "0", "--seeds", "3", "--out", str(stacked))
    assert result.returncode == 0, result.stderr
    assert "of 3 seeds" in result.stderr  # progress tallies the seeds
    assert [line.split()[1] for line in result.stdout.splitlines()[1:4]] == ["0", "1", "2"]
    assert run(*common, "--seed", "1", "--out", str(lone)).returncode == 0
    with stacked.open() as a, lone.open() as b:
        rows, alone = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert {row["seed"] for row in rows} == {"0", "1", "2"}
    mine = [row for row in rows if row["seed"] == "1"]
    assert [(r["contender"], r["step"]) for r in mine] == [(r["contender"], r["step"]) for r in alone]
    for row, other in zip(mine, alone, strict=True):
        if int(row["step"]) <= 100:
            assert abs(float(row["loss"]) - float(other["loss"])) <= 1e-4 * abs(float(other["loss"])), row


def test_the_csvs_verdicts_never_contradict_the_numbers_beside_them(tmp_path):
    """At every validation row: solved ⇒ val accuracy ≥ 90%; at chance ⇒ val loss within ±10% of the chance
    loss the CLI prints; worse than chance ⇒ above it; learning ⇒ below it."""
    out = tmp_path / "metrics.csv"
    result = run("--task", "recall", "--gap", "5", "--steps", "200", "--hidden", "8", "--eval-every", "5",
                 "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    chance = float(re.search(r"chance: loss ([\d.]+) on this validation set", result.stdout).group(1))
    with out.open() as stream:
        probed = [row for row in csv.DictReader(stream) if row["verdict"]]
    seen = set()
    for row in probed:
        verdict, loss, accuracy = row["verdict"], float(row["val_loss"]), float(row["val_accuracy"])
        seen.add(verdict)
        assert verdict in VERDICT_STATES
        if verdict == "solved":
            assert accuracy >= 0.9, row
        elif verdict == "at_chance":
            assert abs(loss / chance - 1) <= 0.1 + 1e-3, row  # the printed chance loss is rounded
        elif verdict == "worse_than_chance":
            assert loss > 1.1 * chance * (1 - 1e-3), row
        elif verdict == "learning":
            assert loss < 0.9 * chance * (1 + 1e-3) and accuracy < 0.9, row
        elif verdict == "lost":
            assert accuracy < 0.9, row
    assert {"at_chance", "learning", "solved"} <= seen  # this run passes through several states


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "parity"], "choose one of: adding, copy, recall, temporal_order"),
        (["--contenders", "rnn,transformer"], "choose one of: rnn, clipped_rnn, lstm, gru"),
        (["--gap", "0"], "gap must be a whole number from 1 to 200"),
        (["--gap", "201"], "gap must be a whole number from 1 to 200"),
        (["--lr", "nan"], "lr must be a finite number from 1e-06 to 10"),
        (["--lr", "inf"], "lr must be a finite number"),
        (["--lr", "-0.1"], "lr must be a finite number"),
        (["--hidden", "4096"], "hidden must be a whole number from 1 to 128"),
        (["--optimizer", "lbfgs"], "choose one of: adam, sgd, rmsprop"),
        (["--steps", "99999"], "steps must be a whole number from 1 to 20,000"),
        (["--gap", "ten"], "invalid int value: 'ten'"),
        (["--seeds", "6"], "seeds must be a whole number from 1 to 5"),
    ],
)
def test_bad_input_exits_with_one_clear_line(capsys, args, message):
    with pytest.raises(SystemExit) as exited:
        exit_code = main(args)
        raise SystemExit(exit_code)
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: ") and message in error


def test_bad_input_from_a_real_process_has_no_traceback():
    result = run("--gap", "-5")
    assert result.returncode == 2
    assert result.stderr == "error: gap must be a whole number from 1 to 200, got -5\n"
    assert result.stdout == ""


def test_the_reproduce_command_spells_out_every_setting():
    """The command the dashboard shows parses back to the very configuration (and steps) it was made from."""
    config = RunConfig(
        task="recall", gap=17, contenders=("rnn", "feedforward"), hidden=20, equal_params=True, lr=0.003,
        optimizer="rmsprop", batch=32, clip=2.5, init_scale=0.75, forget_bias=-1.5, seed=9, seeds=2, window=7,
        eval_every=10,
    )  # fmt: skip
    args = parse_args(command(config, 640).split()[3:])
    assert config_from(args) == config and args.steps == 640


def test_the_cli_trains_on_one_thread_by_default_as_the_dashboards_processes_do(capsys):
    """More threads sum in another order: a long run can end elsewhere. One thread gives the page's numbers."""
    import torch

    before = torch.get_num_threads()
    try:
        assert main(["--task", "recall", "--gap", "3", "--steps", "1", "--contenders", "rnn"]) == 0
        assert torch.get_num_threads() == 1
        assert main(["--task", "recall", "--gap", "3", "--steps", "1", "--contenders", "rnn", "--threads", "2"]) == 0
        assert torch.get_num_threads() == 2
        assert main(["--threads", "0"]) == 2
        assert capsys.readouterr().err.splitlines()[-1] == "error: threads must be a whole number from 1 to 64, got 0"
    finally:
        torch.set_num_threads(before)
