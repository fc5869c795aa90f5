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
from models.contenders import CONTENDERS, GATES, SequenceModel
from models.diagnostics import spectral_radii
from models.stack import StackedModel
from models.tasks import make_task
from models.trainer import ContenderRun, Trainer

BLOCK = 25  # steps per timed block: one full diagnostics cadence, so every block holds exactly one probe


def bare_loop(config: RunConfig) -> Callable[[], None]:
    """The same models, optimizers and batches as the engine's, trained by the shortest loop PyTorch allows."""
    trainer = Trainer(config)  # used only for its task and generator
    task, runs = trainer.task, lone_runs(config)

    def block() -> None:
        for _ in range(BLOCK):
            inputs, targets = task.batch(trainer.generators[0], config.batch)
            for run in runs:
                loss = task.loss(run.model(inputs.unsqueeze(0))[0], targets)
                run.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if run.spec.clipped:
                    clip_grad_norm_(run.model.parameters(), config.clip)
                run.optimizer.step()

    return block


def lone_runs(config: RunConfig) -> list[ContenderRun]:
    """Each contender with a model and an optimizer of its own (the engine stacks the two RNNs in one model)."""
    return [Trainer(config.with_changes(contenders=(key,))).runs[0] for key in config.contenders]


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
    models = [run.model for run in lone_runs(config)]

    def train_step(probe: bool) -> Callable[[], None]:
        def call() -> None:
            for model in models:
                leaf = inputs.unsqueeze(0).detach().requires_grad_(probe)
                trainer.task.loss(model(leaf)[0], targets).backward()

        return call

    def validation() -> None:
        for model in models:
            outputs, _ = model.evaluate(trainer.validation[0])
            trainer.task.loss(outputs[0], trainer.validation[1][0]).item()

    def radius() -> None:
        for model in models:
            spectral_radii(model.recurrent_matrices())

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


def training_step(cell: str, config: RunConfig, seeds: int | None) -> Callable[[], None]:
    """One forward + backward + Adam step on a fixed adding batch: PyTorch's own layer (seeds None) or ours
    with `seeds` stacked copies."""
    task = make_task("adding", config.gap)
    torch.manual_seed(0)
    reference = SequenceModel(cell, task.input_size, config.hidden, task.output_size, task.readout)
    model: nn.Module = reference if seeds is None else StackedModel(cell, task.readout, [reference] * seeds)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    inputs, targets = task.batch(torch.Generator().manual_seed(0), config.batch)
    if seeds is not None:
        inputs, targets = inputs.expand(seeds, *inputs.shape), targets.expand(seeds, *targets.shape)

    def call() -> None:
        loss = task.loss(model(inputs), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return call


CELLS = {"nn.RNN": ("rnn", None), "nn.LSTM": ("lstm", None), "nn.GRU": ("gru", None)}
CELLS |= {f"ours {cell.upper()}, {k} seed{'s' * (k > 1)}": (cell, k) for cell in ("rnn", "lstm", "gru") for k in (1, 5)}
SIZES = {"default (gap 50, hidden 32)": (50, 32), "gap 100, hidden 64": (100, 64), "gap 100, hidden 128": (100, 128)}


def step_costs(rounds: int, threads: tuple[int, ...]) -> list[Row]:
    """Section 2: each layer's training step, interleaved: ratio to nn.LSTM (the fused oneDNN kernel), and for
    five stacked seeds the ratio to one."""
    rows = []
    for count in threads:
        torch.set_num_threads(count)
        for size, (gap, hidden) in SIZES.items():
            config = RunConfig(gap=gap, hidden=hidden)
            calls = {name: training_step(cell, config, seeds) for name, (cell, seeds) in CELLS.items()}
            seconds = interleaved(calls, rounds)
            for name, (_, seeds) in CELLS.items():
                note = f"{ratio(seconds[name], seconds['nn.LSTM']):.2f}× nn.LSTM"
                if seeds == 5:
                    note += f", {ratio(seconds[name], seconds[name.replace('5 seeds', '1 seed')]):.2f}× one seed"
                rows.append(
                    Row(
                        "2 step cost",
                        f"{name}, {size}, {count} thread{'s' * (count > 1)}: ms",
                        median(seconds[name]) * 1000,
                        "ms",
                        f"{note}; runs {spread(seconds[name], 1000)}",
                    )
                )
    torch.set_num_threads(1)
    return rows


def products_only(config: RunConfig, seeds: int) -> Callable[[], None]:
    """BLOCK steps of only the matrix products a training step of `config` must do, with `seeds` stacked copies,
    in the shapes and calls of models.recurrence: each contender's input projection, a recurrent product per time
    step forward and another backward, and its weight gradients (one product per copy). No validation, no
    element-wise work: a floor under the engine's step, which these products alone cannot go below."""
    task = make_task(config.task, config.gap)
    inputs, _ = task.batch(torch.Generator().manual_seed(0), config.batch)
    batch, steps, features = inputs.shape
    hidden = config.hidden
    buffers = []
    for key in config.contenders:
        width = GATES[CONTENDERS[key].cell] * hidden
        buffers.append(
            (
                torch.randn(steps * seeds, batch, features), torch.randn(steps * seeds, features, width),
                torch.randn(seeds, batch, hidden), torch.randn(seeds, hidden, width), torch.randn(seeds, batch, width),
                torch.randn(seeds, batch, hidden), torch.randn(seeds, steps * batch, width),
                torch.randn(seeds, steps * batch, hidden), torch.randn(seeds, steps * batch, features),
            )
        )  # fmt: skip

    def block() -> None:
        for _ in range(BLOCK):
            for flat_inputs, w_ih, h, w_hh, gates, dh, d_pre, states, rows in buffers:
                torch.bmm(flat_inputs, w_ih)  # every time step's input projection at once
                w_hh_t = w_hh.transpose(1, 2)
                for _ in range(steps):
                    gates.baddbmm_(h, w_hh)  # forward: W_hh h added to the step's gates
                for _ in range(steps):
                    torch.bmm(gates, w_hh_t, out=dh)  # backward: the gradient reaching h
                for d, x, r in zip(d_pre, states, rows, strict=True):  # weight gradients, per copy
                    torch.mm(d.t(), x), torch.mm(d.t(), r)

    return block


def seed_cost(rounds: int, threads: tuple[int, ...]) -> list[Row]:
    """Section 8: the engine's whole step (four contenders, probes every 25 steps) with 5 seeds against 1, and the
    floor its matrix products alone set under 5 seeds."""
    rows = []
    for count in threads:
        torch.set_num_threads(count)
        blocks = {k: engine_block(RunConfig(seeds=k)) for k in (1, 5)}
        blocks["products 1"], blocks["products 5"] = products_only(RunConfig(), 1), products_only(RunConfig(), 5)
        seconds = interleaved(blocks, rounds)
        detail = f"default config, {count} thread{'s' * (count > 1)}, {rounds} × {BLOCK} steps"
        rows += [
            Row("8 seeds", f"1 seed, ms per step, {count} thread{'s' * (count > 1)}", median(seconds[1]) * 1000 / BLOCK,
                "ms", detail),
            Row("8 seeds", f"5 seeds / 1 seed (time per step), {count} thread{'s' * (count > 1)}",
                ratio(seconds[5], seconds[1]), "×", detail),
            Row("8 seeds", f"1 seed's matrix products alone / its whole step, {count} thread{'s' * (count > 1)}",
                ratio(seconds["products 1"], seconds[1]), "×", detail + "; no element-wise work, no validation"),
            Row("8 seeds", f"5 seeds' matrix products alone / 1 seed's whole step, {count} thread{'s' * (count > 1)}",
                ratio(seconds["products 5"], seconds[1]), "×", detail + "; no element-wise work, no validation"),
        ]  # fmt: skip
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
