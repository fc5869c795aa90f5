"""Train every contender side by side on identical batches, a few steps at a time, and hand out records."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import torch

from models.config import RunConfig
from models.contenders import ContenderSpec, build, contender_spec, hidden_size, parameter_count
from models.diagnostics import grad_per_step, judge, spectral_radii
from models.records import ProbeRecord, SampleRecord, StepRecord, Verdict, finite_or_none
from models.stack import StackedModel
from models.tasks import Task, make_task
from models.window import StackedWindowMLP
from models.writer import write

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
VALIDATION_SIZE = 256  # enough samples that a 0.04-wide accuracy is not noise, cheap to evaluate
VALIDATION_SEED = 0x5EED  # mixed into the seed so validation never repeats a training batch
SAMPLE_EVERY = 250  # steps between the sentences a writing task's models write (and at step 1)
SAMPLES = 3  # samples (of two sentences each) per contender and seed

Record = StepRecord | ProbeRecord | SampleRecord


@dataclass
class ContenderRun:
    """One contender's training state: its K seeds' verdicts, probes and bookkeeping, and the rows its copies
    occupy in a stacked model it may share with another contender (see Stack).

    Adam, SGD and RMSprop update every weight on its own, so one optimizer over a stack is one per copy.
    """

    spec: ContenderSpec
    model: StackedModel | StackedWindowMLP  # shared with the other members of its stack
    optimizer: torch.optim.Optimizer  # the stack's
    verdicts: list[Verdict]  # per seed
    last_probes: list[ProbeRecord | None]  # per seed
    first: int = 0  # the model's row of this contender's first seed; seed k is row first + k
    seconds: float = 0.0  # time spent training and probing its copies (a shared stack's time split per copy)
    steps: int = 0  # updates attempted, including the one that diverged

    @property
    def live(self) -> list[int]:
        """Indices of the seeds still training: a diverged seed is frozen and reports nothing more."""
        return [index for index, verdict in enumerate(self.verdicts) if verdict.status != "diverged"]

    @property
    def verdict(self) -> Verdict:
        """The first seed's verdict (with one seed, the verdict)."""
        return self.verdicts[0]

    @property
    def last_probe(self) -> ProbeRecord | None:
        """The first seed's latest probe (with one seed, the latest probe)."""
        return self.last_probes[0]


@dataclass
class Stack:
    """Copies trained as one batched computation: every seed of the contenders that share a layer.

    The plain and the clipped RNN share theirs: the same weights at step 0 and the same batches, only the clipping
    differs, which is applied per copy. No operation mixes copies (models.stack), so each computes the numbers
    it would alone; the two RNNs in one stack cost two thirds to three quarters of two (benchmarks/RESULTS.md).
    """

    model: StackedModel | StackedWindowMLP
    optimizer: torch.optim.Optimizer
    parameters: list[torch.nn.Parameter]  # every one gets a gradient each step: all feed the loss
    members: list[ContenderRun]  # in the model's row order, each with K rows


class Trainer:
    """Owns the task, the contenders and their optimizers; `advance(n)` trains all of them n steps.

    With `seeds` K > 1 every contender is trained K times at once: seed s = config.seed + k has its own weights,
    its own batches and its own validation set, exactly as a lone run with seed s (tests/test_stack.py). All
    contenders of one seed see identical batches.
    """

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.task = make_task(config.task, config.gap)
        self.seeds = [config.seed + index for index in range(config.seeds)]
        self.generators = [torch.Generator().manual_seed(seed) for seed in self.seeds]
        per_seed = [validation_set(config.with_changes(seed=seed), self.task) for seed in self.seeds]
        self.validation = (torch.stack([v[0] for v in per_seed]), torch.stack([v[1] for v in per_seed]))
        self.chance_losses = [self.task.chance_loss(*pair) for pair in per_seed]  # "at chance" per seed
        self.stacks = [self._start(group) for group in stacked_groups(config.contenders)]
        by_key = {run.spec.key: run for stack in self.stacks for run in stack.members}
        self.runs = [by_key[key] for key in config.contenders]  # in the configured order
        self.step_count = 0

    @property
    def chance_loss(self) -> float:
        """The first seed's chance loss (with one seed, the chance loss)."""
        return self.chance_losses[0]

    def _start(self, specs: list[ContenderSpec]) -> Stack:
        task, config, seeds = self.task, self.config, len(self.seeds)
        copies = [
            build(spec, config.with_changes(seed=seed), task.input_size, task.output_size, task.readout)
            for spec in specs
            for seed in self.seeds
        ]
        cell = specs[0].cell
        model = (
            StackedWindowMLP(task.readout, copies)
            if cell == "feedforward"
            else StackedModel(cell, task.readout, copies)
        )
        optimizer = OPTIMIZERS[config.optimizer](model.parameters(), lr=config.lr)
        members = [
            ContenderRun(spec, model, optimizer, [Verdict("not_started")] * seeds, [None] * seeds, first=index * seeds)
            for index, spec in enumerate(specs)
        ]
        return Stack(model, optimizer, list(model.parameters()), members)

    def advance(self, steps: int = 1) -> list[Record]:
        """Train `steps` more steps; return every record made on the way."""
        records: list[Record] = []
        for _ in range(steps):
            records += self.step()
        return records

    def step(self) -> list[Record]:
        """One update of every seed of every contender that has not diverged; a seed's contenders share its batch."""
        self.step_count += 1
        step = self.step_count
        probing = step == 1 or step % self.config.eval_every == 0
        batches = [self.task.batch(generator, self.config.batch) for generator in self.generators]
        inputs = torch.stack([b[0] for b in batches])  # (K, batch, time, features)
        targets = torch.stack([b[1] for b in batches])  # (K, batch[, time])
        made: dict[str, list[Record]] = {}
        for stack in self.stacks:
            rows = [run.first + index for run in stack.members for index in run.live]
            if not rows:
                continue
            started = time.perf_counter()
            trained, input_grad = self._train(stack, step, rows, inputs, targets, probing)
            diverged = [row for row, record in zip(rows, trained, strict=True) if record.diverged]
            probed = rows if probing else diverged  # a seed that diverged off the cadence says so, as alone
            probes = self._probe(stack, step, probed, input_grad, diverged) if probed else []
            share = (time.perf_counter() - started) / len(rows)  # the stack's time, split evenly over its copies
            for run in stack.members:
                live = [index for index in range(len(self.seeds)) if run.first + index in rows]
                if not live:
                    continue
                run.seconds += share * len(live)
                run.steps += 1
                written = self.write(run, live) if self.task.writes and writing(step) else []
                mine = made[run.spec.key] = []
                for index in live:
                    seed = self.seeds[index]
                    mine += [replace(record, seconds=share) for record in trained if _owned(record, run, seed)]
                    mine += [probe for probe in probes if _owned(probe, run, seed)]
                    mine += [sample for sample in written if sample.seed == seed]
        return [record for run in self.runs for record in made.get(run.spec.key, [])]

    def write(self, run: ContenderRun, live: list[int]) -> list[SampleRecord]:
        """Sentences each live seed's model writes now, drawn from a generator of the seed and step alone."""
        step, seeds = self.step_count, len(self.seeds)
        row_seeds = [self.seeds[row % seeds] * 1_000_003 + step for row in range(run.model.stacks)]
        written = write(run.model, SAMPLES, self.task.length, row_seeds)
        return [SampleRecord(run.spec.key, self.seeds[index], step, written[run.first + index]) for index in live]

    def _train(
        self, stack: Stack, step: int, rows: list[int], inputs: torch.Tensor, targets: torch.Tensor, probing: bool
    ) -> tuple[list[StepRecord], torch.Tensor | None]:
        """Forward, backward, per-copy norm, per-copy clipping and the update; a record per live row (copy)."""
        seeds, copies = len(self.seeds), stack.model.stacks
        repeated = per_copy(inputs, copies).detach().requires_grad_(probing)  # a leaf of its own: gradients never mix
        outputs = stack.model(repeated)  # (copies, batch[, time], output)
        losses = torch.stack([self.task.loss(outputs[row], targets[row % seeds]) for row in range(copies)])
        stack.optimizer.zero_grad(set_to_none=True)
        losses[rows].sum().backward()  # copies share no weight: each gets its own loss's gradient
        norms = seed_norms(stack.parameters)  # (copies,)
        accuracy = torch.stack(
            [self.task.accuracy(outputs[row].detach(), targets[row % seeds]) for row in range(copies)]
        )
        loss_values, norm_values, accuracies = losses.tolist(), norms.tolist(), accuracy.tolist()
        threshold = self.config.clip
        scale = [1.0] * copies
        records = []
        for row in rows:
            run, index = stack.members[row // seeds], row % seeds
            loss_value, norm_value = loss_values[row], norm_values[row]
            diverged = not (math.isfinite(loss_value) and math.isfinite(norm_value))
            clipped = run.spec.clipped and not diverged and norm_value > threshold
            if diverged:
                run.verdicts[index] = Verdict("diverged", step)
                scale[row] = 0.0  # no update for this copy: its gradient is not a number
            elif clipped:
                scale[row] = threshold / (norm_value + 1e-6)  # as clip_grad_norm_ computes it
            records.append(
                StepRecord(
                    contender=run.spec.key,
                    seed=self.seeds[index],
                    step=step,
                    loss=finite_or_none(loss_value),
                    accuracy=accuracies[row],
                    grad_norm=finite_or_none(norm_value),
                    grad_norm_clipped=finite_or_none(min(norm_value, threshold) if clipped else norm_value),
                    clipped=clipped,
                    seconds=0.0,
                    diverged=diverged,
                )
            )
        if any(value != 1.0 for value in scale):
            scale_gradients(stack.parameters, scale)
        if any(not record.diverged for record in records):
            stack.optimizer.step()
        return records, repeated.grad if probing else None

    def _probe(
        self, stack: Stack, step: int, probed: list[int], input_grad: torch.Tensor | None, diverged: list[int]
    ) -> list[ProbeRecord]:
        """Validation, gradient per time step and spectral radius after this step's update, per probed row."""
        inputs, targets = self.validation
        seeds, copies = len(self.seeds), stack.model.stacks
        outputs, gates = stack.model.evaluate(per_copy(inputs, copies))
        matrices = stack.model.recurrent_matrices()
        radii = [math.nan] * copies if matrices is None else spectral_radii(matrices)
        probes = []
        for row in probed:
            run, index = stack.members[row // seeds], row % seeds
            val_loss = val_accuracy = gate = None
            if row not in diverged:
                loss = self.task.loss(outputs[row], targets[index]).item()
                accuracy = self.task.accuracy(outputs[row], targets[index]).item()
                if math.isfinite(loss):
                    val_loss, val_accuracy = loss, accuracy
                    chance = self.chance_losses[index]
                    run.verdicts[index] = judge(run.verdicts[index], step, loss, accuracy, self.task, chance)
                    gate = None if gates is None else finite_or_none(gates[row].item())
                else:
                    run.verdicts[index] = Verdict("diverged", step)
            verdict = run.verdicts[index]
            probe = ProbeRecord(
                contender=run.spec.key,
                seed=self.seeds[index],
                step=step,
                val_loss=val_loss,
                val_accuracy=val_accuracy,
                grad_per_step=None if input_grad is None else grad_per_step(input_grad[row]),
                spectral_radius=finite_or_none(radii[row]),
                verdict=verdict.status,
                verdict_step=verdict.step,
                verdict_solved_step=verdict.solved_step,
                verdict_text=verdict.text,
                gate_mean=gate,
                by_distance=None
                if val_loss is None
                else self.task.accuracy_by_distance(inputs[index], outputs[row], targets[index]),
            )
            run.last_probes[index] = probe
            probes.append(probe)
        return probes

    def verdicts(self) -> dict[str, Verdict]:
        """The first seed's verdict per contender (with one seed, the verdicts)."""
        return {run.spec.key: run.verdict for run in self.runs}

    def seed_verdicts(self) -> dict[str, list[Verdict]]:
        """Every seed's verdict per contender, in seed order."""
        return {run.spec.key: list(run.verdicts) for run in self.runs}

    def contenders(self) -> list[dict[str, object]]:
        """Who is racing, as plain data: key, label, remedy, hidden size, parameter count."""
        return contender_rows(self.config, self.task)

    def sample(self) -> str:
        """One validation sample of the task, in words."""
        return self.task.describe(self.validation[0][0][0])


def stacked_groups(keys: tuple[str, ...]) -> list[list[ContenderSpec]]:
    """The contenders grouped by layer, in order of first appearance: those with the same cell train as one stack
    (they differ only in a remedy applied per copy, such as clipping)."""
    groups: dict[str, list[ContenderSpec]] = {}
    for key in keys:
        spec = contender_spec(key)
        groups.setdefault(spec.cell, []).append(spec)
    return list(groups.values())


def per_copy(inputs: torch.Tensor, copies: int) -> torch.Tensor:
    """(K, batch, …) → (copies, batch, …): each contender's copies of a stack get their seed's batch."""
    return inputs.repeat(copies // inputs.shape[0], *[1] * (inputs.dim() - 1)) if copies > inputs.shape[0] else inputs


def _owned(record: StepRecord | ProbeRecord, run: ContenderRun, seed: int) -> bool:
    return record.contender == run.spec.key and record.seed == seed


def writing(step: int) -> bool:
    """Steps at which a writing task's models write samples: the first, and every SAMPLE_EVERY."""
    return step == 1 or step % SAMPLE_EVERY == 0


def seed_norms(parameters: list[torch.nn.Parameter]) -> torch.Tensor:
    """Each seed's global L2 gradient norm, as clip_grad_norm_ computes it over one model's parameters: (K,).

    One concatenation, then one norm per seed: a norm over all rows at once sums in an order that depends on
    how many seeds there are, and a seed's numbers must not.
    """
    stacks = parameters[0].shape[0]
    flat = torch.cat([p.grad.reshape(stacks, -1) for p in parameters], dim=1)  # (K, weights)
    return torch.stack([torch.linalg.vector_norm(row) for row in flat])


def scale_gradients(parameters: list[torch.nn.Parameter], scale: list[float]) -> None:
    """Multiply seed k's gradients by scale[k]; a zero scale clears them (a NaN times zero would stay NaN)."""
    factors = torch.tensor(scale)
    for parameter in parameters:
        shape = (-1,) + (1,) * (parameter.dim() - 1)
        grad = parameter.grad
        grad.masked_fill_((factors == 0).view(shape), 0.0).mul_(factors.view(shape))


def validation_set(config: RunConfig, task: Task) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed validation batch of a seed, never a training batch."""
    return task.batch(torch.Generator().manual_seed(config.seed ^ VALIDATION_SEED), VALIDATION_SIZE)


def contender_rows(config: RunConfig, task: Task) -> list[dict[str, object]]:
    rows = []
    for key in config.contenders:
        spec = contender_spec(key)
        hidden = hidden_size(spec.cell, config, task.input_size, task.output_size)
        parameters = parameter_count(spec.cell, task.input_size, hidden, task.output_size, config.window)
        rows.append(
            {"contender": key, "label": spec.label, "remedy": spec.remedy, "hidden": hidden, "parameters": parameters}
        )
    return rows


def preview(config: RunConfig) -> tuple[list[dict[str, object]], dict[str, object], float]:
    """Who would race, one sample of the task (as the values that describe it) and the chance loss, without
    building a model: cheap enough for a page load."""
    task = make_task(config.task, config.gap)
    inputs, targets = validation_set(config, task)
    return contender_rows(config, task), task.describe_facts(inputs[0]), task.chance_loss(inputs, targets)


def limit_threads(count: int) -> None:
    """PyTorch intra-op threads for the whole process.

    A server trains several runs at once in threads of their own; with one intra-op thread each, they share
    the cores instead of oversubscribing them (measured: 25 steps took 5.4 s with 2 threads and 1.6 s with 1
    while another process trained on the same 2 cores).
    """
    torch.set_num_threads(count)
