"""`python -m models`: train the contenders from the terminal with the same engine as the dashboard."""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Mapping
from typing import NoReturn, TextIO

from models.config import LIMITS, OPTIMIZER_KEYS, TASK_KEYS, ConfigError, RunConfig, check_steps
from models.export import write_csv
from models.records import floored_percent, tally
from models.trainer import Trainer, limit_threads

DEFAULTS = RunConfig()
MAX_THREADS = 64


class OneLineParser(argparse.ArgumentParser):
    """Bad input ends with one line that says what is allowed, never a usage dump or a traceback."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(
        prog="python -m models",
        description="Train a tanh RNN, a clipped RNN, an LSTM and a GRU side by side on a long-gap task. "
        "`python -m models sweep --help`: the breaking-point sweep over gaps; "
        "`python -m models book --help`: the children's book.",
    )
    parser.add_argument("--gap", type=int, default=DEFAULTS.gap, help=f"distance to remember, {_range('gap')}")
    run_options(parser)
    parser.add_argument("--out", help="write the long-format metrics CSV here")
    threads_option(parser)
    return parser.parse_args(argv)


def threads_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threads", type=int, default=1,
        help="PyTorch intra-op threads (default 1, as the dashboard's training processes: the same numbers; more "
        "threads sum in another order, and a long run can end elsewhere)",
    )  # fmt: skip


def checked_run(
    args: argparse.Namespace, make_config: Callable[[argparse.Namespace], RunConfig], flags: Mapping[str, str] = {}
) -> tuple[RunConfig, int] | None:
    """The configuration and steps the flags ask for, with the threads applied; or None after the one-line error
    (naming a setting by its flag where `flags` renames it, as the book's --max-gap does the gap)."""
    try:
        config = make_config(args)
        steps = check_steps(args.steps)
        set_threads(args.threads)
    except ConfigError as error:
        message, name = str(error), error.values.get("name")
        if name in flags:
            message = message.replace(str(name), flags[name], 1)
        print(f"error: {message}", file=sys.stderr)
        return None
    return config, steps


def set_threads(count: int) -> None:
    """Validate --threads and apply it to this process."""
    if isinstance(count, bool) or not 1 <= count <= MAX_THREADS:
        raise ConfigError(f"threads must be a whole number from 1 to {MAX_THREADS}, got {count!r}")
    limit_threads(count)


def run_options(parser: argparse.ArgumentParser) -> None:
    """The flags a run and a sweep share: everything in RunConfig but the gap."""
    parser.add_argument("--task", default=DEFAULTS.task, help=f"one of {', '.join(TASK_KEYS)}")
    parser.add_argument("--steps", type=int, default=1000, help=f"training steps, {_range('steps')}")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed, help="weights, batches and validation")
    parser.add_argument(
        "--seeds", type=int, default=DEFAULTS.seeds, help=f"train seeds seed … seed+K−1 at once, K {_range('seeds')}"
    )
    parser.add_argument("--contenders", default=",".join(DEFAULTS.contenders), help="comma-separated keys")
    parser.add_argument("--hidden", type=int, default=DEFAULTS.hidden, help=f"hidden units, {_range('hidden')}")
    parser.add_argument("--equal-params", action="store_true", help="shrink LSTM/GRU to the RNN's parameter count")
    parser.add_argument("--lr", type=float, default=DEFAULTS.lr, help=f"learning rate, {_range('lr')}")
    parser.add_argument("--optimizer", default=DEFAULTS.optimizer, help=f"one of {', '.join(OPTIMIZER_KEYS)}")
    parser.add_argument("--batch", type=int, default=DEFAULTS.batch, help=f"batch size, {_range('batch')}")
    parser.add_argument("--clip", type=float, default=DEFAULTS.clip, help="gradient-norm threshold of clipped_rnn")
    parser.add_argument(
        "--init-scale", type=float, default=DEFAULTS.init_scale, help="recurrent init: orthogonal × this"
    )
    parser.add_argument("--forget-bias", type=float, default=DEFAULTS.forget_bias, help="LSTM forget gate bias")
    parser.add_argument(
        "--window", type=int, default=DEFAULTS.window, help=f"inputs the feedforward contender sees, {_range('window')}"
    )
    parser.add_argument("--eval-every", type=int, default=DEFAULTS.eval_every, help="steps between validations")


def _range(name: str) -> str:
    low, high = getattr(LIMITS, name)
    return f"{low:g} to {high:g}"


def config_from(args: argparse.Namespace) -> RunConfig:
    contenders = tuple(key.strip() for key in args.contenders.split(",") if key.strip())
    return RunConfig(
        task=args.task,
        gap=args.gap,
        contenders=contenders,
        hidden=args.hidden,
        equal_params=args.equal_params,
        lr=args.lr,
        optimizer=args.optimizer,
        batch=args.batch,
        clip=args.clip,
        init_scale=args.init_scale,
        forget_bias=args.forget_bias,
        seed=args.seed,
        seeds=args.seeds,
        window=args.window,
        eval_every=args.eval_every,
    )


def command(config: RunConfig, steps: int) -> str:
    """The command that trains this configuration for `steps` steps: every setting, spelled out."""
    flags = [
        f"--task {config.task}", f"--gap {config.gap}", f"--contenders {','.join(config.contenders)}",
        f"--hidden {config.hidden}", f"--lr {config.lr:g}", f"--optimizer {config.optimizer}",
        f"--batch {config.batch}", f"--clip {config.clip:g}", f"--init-scale {config.init_scale:g}",
        f"--forget-bias {config.forget_bias:g}", f"--window {config.window}", f"--seed {config.seed}",
        f"--seeds {config.seeds}", f"--eval-every {config.eval_every}", f"--steps {steps}",
    ]  # fmt: skip
    return " ".join(["python -m models", *flags, *(["--equal-params"] if config.equal_params else [])])


def train(trainer: Trainer, steps: int, progress: TextIO) -> list:
    """Run all steps, reporting progress about ten times; return every record."""
    records: list = []
    report_every = max(1, steps // 10)
    started = time.perf_counter()
    while trainer.step_count < steps:
        records += trainer.advance(min(report_every, steps - trainer.step_count))
        elapsed = time.perf_counter() - started
        verdicts = ", ".join(f"{key} {tally(verdicts)}" for key, verdicts in trainer.seed_verdicts().items())
        print(f"step {trainer.step_count:,}/{steps:,}  {elapsed:.1f} s  {verdicts}", file=progress, flush=True)
    return records


def summary(trainer: Trainer) -> str:
    """A fixed-width table: final validation, verdict and speed per contender and seed."""
    header = f"{'contender':<12} {'seed':>5} {'hidden':>6} {'params':>7} {'val loss':>9} {'val acc':>8} {'steps/s':>8}"
    lines = [header + "  verdict"]
    for run, info in zip(trainer.runs, trainer.contenders(), strict=True):
        speed = run.steps / run.seconds if run.seconds else math.nan  # the whole stack's steps per second
        for seed, probe, verdict in zip(trainer.seeds, run.last_probes, run.verdicts, strict=True):
            loss = _number(probe.val_loss if probe else None, ".4f")
            accuracy = "—" if probe is None or probe.val_accuracy is None else floored_percent(probe.val_accuracy, 1)
            lines.append(
                f"{run.spec.key:<12} {seed:>5} {info['hidden']:>6} {info['parameters']:>7,} {loss:>9} {accuracy:>8} "
                f"{speed:>8.1f}  {verdict.text}"
            )
    baseline = trainer.task.baseline
    chance = ", ".join(f"{loss:.4f}" for loss in trainer.chance_losses)
    sets = "these validation sets" if len(trainer.seeds) > 1 else "this validation set"
    lines.append(f"chance: loss {chance} on {sets}, accuracy {baseline.accuracy:.1%} ({baseline.explanation})")
    return "\n".join(lines)


def _number(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["sweep"]:
        from models.sweep_cli import main as sweep_main

        return sweep_main(arguments[1:])
    if arguments[:1] == ["book"]:
        from models.book_cli import main as book_main

        return book_main(arguments[1:])
    args = parse_args(arguments)
    checked = checked_run(args, config_from)
    if checked is None:
        return 2
    config, steps = checked
    trainer = Trainer(config)
    print(f"{trainer.task.name} ({trainer.task.variant}), gap {config.gap}", file=sys.stderr)
    records = train(trainer, steps, sys.stderr)
    print(summary(trainer))
    if args.out:
        try:
            with open(args.out, "w", newline="", encoding="utf-8") as stream:
                count = write_csv(records, stream)
        except OSError as error:
            print(f"error: cannot write {args.out}: {error.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {count:,} rows to {args.out}", file=sys.stderr)
    return 0
