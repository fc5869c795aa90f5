"""The engine measured against bare PyTorch: overhead, step cost per contender, diagnostics, preset verdicts."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from torch import nn
from torch.nn.utils import clip_grad_norm_

from benchmarks.timing import Row, interleaved, median, ratio, spread
from dashboard.presets import PRESETS
from models.config import RunConfig
from models.contenders import SequenceModel
from models.diagnostics import spectral_radius
from models.gru import FastGRU
from models.tasks import make_task
from models.trainer import Trainer

BLOCK = 25  # steps per timed block: one full diagnostics cadence, so every block holds exactly one probe


def bare_loop(config: RunConfig) -> Callable[[], None]:
    """The same models, optimizers and batches as the engine's, trained by the shortest loop PyTorch allows."""
    trainer = Trainer(config)  # used only for its task, generator, models and optimizers
    task, runs = trainer.task, trainer.runs

    def block() -> None:
        for _ in range(BLOCK):
            inputs, targets = task.batch(trainer.generator, config.batch)
            for run in runs:
                loss = task.loss(run.model(inputs), targets)
                run.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if run.spec.clipped:
                    clip_grad_norm_(run.model.parameters(), config.clip)
                run.optimizer.step()

    return block


def engine_block(config: RunConfig) -> Callable[[], None]:
    trainer = Trainer(config)
    trainer.advance(1)  # step 1 always probes; the timed blocks then hold one probe each at the default cadence
    return lambda: trainer.advance(BLOCK)


def overhead(rounds: int) -> list[Row]:
    """Sections 1 and 3: engine (records and diagnostics) against the bare loop; diagnostics on against off."""
    config = RunConfig()
    seconds = interleaved(
        {
            "bare": bare_loop(config),
            "engine": engine_block(config),
            "quiet": engine_block(config.with_changes(eval_every=1000)),
        },
        rounds,
    )
    per_step = {name: [s / BLOCK for s in runs] for name, runs in seconds.items()}
    detail = f"default config, 4 contenders, 1 thread, {rounds} × {BLOCK} steps"
    return [
        Row("1 engine", "bare PyTorch loop, steps/s", 1 / median(per_step["bare"]), "steps/s", detail),
        Row("1 engine", "engine with diagnostics, steps/s", 1 / median(per_step["engine"]), "steps/s", detail),
        Row("1 engine", "engine / bare (time per step)", ratio(per_step["engine"], per_step["bare"]), "×", detail),
        Row("3 diagnostics", "diagnostics every 25 steps / none", ratio(seconds["engine"], seconds["quiet"]), "×"),
        *probe_parts(config, rounds),
    ]


def probe_parts(config: RunConfig, rounds: int) -> list[Row]:
    """What one probe costs, part by part, as a share of one four-contender training step."""
    trainer = Trainer(config)
    trainer.advance(2)
    inputs, targets = trainer.task.batch(torch.Generator().manual_seed(1), config.batch)
    models = [run.model for run in trainer.runs]

    def train_step(probe: bool) -> Callable[[], None]:
        def call() -> None:
            for model in models:
                leaf = inputs.detach().requires_grad_(probe)
                trainer.task.loss(model(leaf), targets).backward()

        return call

    def validation() -> None:
        with torch.no_grad():
            for model in models:
                trainer.task.loss(model(trainer.validation[0]), trainer.validation[1]).item()

    def radius() -> None:
        for model in models:
            spectral_radius(model)

    seconds = interleaved(
        {"step": train_step(False), "probed": train_step(True), "validation": validation, "radius": radius}, rounds
    )
    step = seconds["step"]
    share = "per probe, as a share of one training step (forward + backward, 4 contenders)"
    return [
        Row("3 diagnostics", "gradient per time step: probed step / plain step", ratio(seconds["probed"], step), "×"),
        Row("3 diagnostics", "validation, 256 samples", ratio(seconds["validation"], step), "×", share),
        Row("3 diagnostics", "spectral radius", ratio(seconds["radius"], step), "×", share),
    ]


def training_step(cell: type[nn.Module], config: RunConfig) -> Callable[[], None]:
    """One forward + backward + Adam step of a bare model built around `cell`, on a fixed adding batch."""
    task = make_task("adding", config.gap)
    torch.manual_seed(0)
    model = SequenceModel("gru", task.input_size, config.hidden, task.output_size, task.readout)
    model.core = cell(task.input_size, config.hidden, batch_first=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    inputs, targets = task.batch(torch.Generator().manual_seed(0), config.batch)

    def call() -> None:
        loss = task.loss(model(inputs), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return call


CELLS = {"nn.RNN": nn.RNN, "nn.LSTM": nn.LSTM, "nn.GRU": nn.GRU, "FastGRU (ours)": FastGRU}
SIZES = {"default (gap 50, hidden 32)": (50, 32), "gap 100, hidden 64": (100, 64), "gap 100, hidden 128": (100, 128)}


def step_costs(rounds: int, threads: tuple[int, ...]) -> list[Row]:
    """Section 2: each cell's training step, interleaved, and its ratio to nn.LSTM's (the fused oneDNN kernel)."""
    rows = []
    for count in threads:
        torch.set_num_threads(count)
        for size, (gap, hidden) in SIZES.items():
            config = RunConfig(gap=gap, hidden=hidden)
            seconds = interleaved({name: training_step(cell, config) for name, cell in CELLS.items()}, rounds)
            for name in CELLS:
                rows.append(
                    Row(
                        "2 step cost",
                        f"{name}, {size}, {count} thread{'s' * (count > 1)}: ms · ratio to nn.LSTM",
                        median(seconds[name]) * 1000,
                        "ms",
                        f"{ratio(seconds[name], seconds['nn.LSTM']):.2f}× LSTM; runs {spread(seconds[name], 1000)}",
                    )
                )
    torch.set_num_threads(1)
    return rows


def preset_verdicts(step_cap: int | None) -> list[Row]:
    """Section 5 (engine): seconds, at one thread as the dashboard trains, to each preset's deciding step."""
    rows = []
    for key, preset in PRESETS.items():
        trainer = Trainer(preset.config)
        limit = preset.steps if step_cap is None else min(step_cap, preset.steps)
        started = time.perf_counter()
        trainer.advance(limit)
        elapsed = time.perf_counter() - started
        verdicts = {c: v.status for c, v in trainer.verdicts().items()}
        held = all(verdicts[c] in allowed for c, allowed in preset.expect.items())
        note = f"step {trainer.step_count:,} of {preset.steps:,}"
        if trainer.step_count == preset.steps:
            note += ": the claim holds" if held else ": the claim does not hold on this seed"
        rows.append(Row("5 verdict (engine)", f"preset {key}", elapsed, "s", note))
    return rows
