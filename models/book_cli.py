"""`python -m models book`: the children's book from the terminal: next-name accuracy by distance, and samples."""

from __future__ import annotations

import argparse
import sys

from models.cli import OneLineParser, checked_run, threads_option, train
from models.config import LIMITS, RECURRENT_KEYS, RunConfig
from models.records import floored_percent
from models.tasks.book import NAMES, read_sentences
from models.trainer import Trainer

DEFAULT_MAX_GAP = 30  # where the tanh RNN stops learning the rule while LSTM and GRU learn it (SCIENCE.md)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = OneLineParser(
        prog="python -m models book",
        description="Word-level models learn 'Doug saw Jane. Jane saw Spot. Spot saw Doug.' with 0 to MAX_GAP "
        "adjectives between 'saw' and the name; prints how often each names the right object, by distance, and "
        "three of its sentences.",
    )
    low, high = LIMITS.gap
    parser.add_argument("--max-gap", type=int, default=DEFAULT_MAX_GAP, help=f"most adjectives, {low} to {high}")
    parser.add_argument("--steps", type=int, default=1500, help="training steps")
    parser.add_argument("--seed", type=int, default=0, help="weights, batches, validation and samples")
    parser.add_argument("--seeds", type=int, default=1, help="train seeds seed … seed+K−1 at once")
    parser.add_argument("--contenders", default=",".join(RECURRENT_KEYS), help="comma-separated keys")
    parser.add_argument("--hidden", type=int, default=RunConfig.hidden, help="hidden units")
    parser.add_argument("--lr", type=float, default=RunConfig.lr, help="learning rate (Adam)")
    parser.add_argument("--forget-bias", type=float, default=RunConfig.forget_bias, help="LSTM forget / GRU update")
    threads_option(parser)
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> RunConfig:
    contenders = tuple(key.strip() for key in args.contenders.split(",") if key.strip())
    return RunConfig(
        task="book", gap=args.max_gap, contenders=contenders, hidden=args.hidden, lr=args.lr,
        forget_bias=args.forget_bias, seed=args.seed, seeds=args.seeds,
    )  # fmt: skip


def command(config: RunConfig, steps: int) -> str:
    """The command that trains this children's-book configuration for `steps` steps."""
    return (
        f"python -m models book --max-gap {config.gap} --steps {steps} --seed {config.seed} --seeds {config.seeds} "
        f"--contenders {','.join(config.contenders)} --hidden {config.hidden} --lr {config.lr:g} "
        f"--forget-bias {config.forget_bias:g}"
    )


def report(trainer: Trainer) -> str:
    """Next-name accuracy per distance bin, per contender and seed; then three samples each, marked."""
    bins = trainer.task.distance_bins
    width = max(6, *(len(label) + 1 for label in bins))
    header = f"{'contender':<12} {'seed':>5} " + "".join(f"{label:>{width}}" for label in bins) + f"{'all':>7}  verdict"
    lines = ["next-name accuracy by distance (adjectives between 'saw' and the name)", header]
    for run in trainer.runs:
        for seed, probe, verdict in zip(trainer.seeds, run.last_probes, run.verdicts, strict=True):
            shares = probe.by_distance if probe and probe.by_distance else [None] * len(bins)
            cells = "".join(f"{_percent(share):>{width}}" for share in shares)
            overall = _percent(probe.val_accuracy if probe else None)
            lines.append(f"{run.spec.key:<12} {seed:>5} {cells}{overall:>7}  {verdict.text}")
    chance = _percent(1 / len(NAMES))
    memoryless = f"{'last word':<12} {'':>5} " + "".join(f"{chance:>{width}}" for _ in bins) + f"{chance:>7}"
    lines.append(memoryless + "  (exact: it cannot see the subject, so it names each of the three equally often)")
    lines.append("")
    lines.append(f"sentences written at step {trainer.step_count:,} (✓ the object follows the cycle, ✗ it does not)")
    for run in trainer.runs:
        for sample in trainer.write(run, run.live):
            for words in sample.samples:
                marked = "  ".join(f"{'✓' if s.right else '✗'} {s.collapsed()}" for s in read_sentences(words))
                lines.append(f"{run.spec.key:<12} {sample.seed:>5}  {marked}")
    return "\n".join(lines)


def _percent(share: float | None) -> str:
    return "—" if share is None else floored_percent(share)


def main(argv: list[str]) -> int:
    checked = checked_run(parse_args(argv), config_from, flags={"gap": "max-gap"})
    if checked is None:
        return 2
    config, steps = checked
    trainer = Trainer(config)
    print(f"{trainer.task.name}: 0 to {config.gap} adjectives between 'saw' and the name", file=sys.stderr)
    train(trainer, steps, sys.stderr)
    print(report(trainer))
    return 0
