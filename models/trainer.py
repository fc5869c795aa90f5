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
    """One contender's mutable training state: K seeds stacked in one model, one optimizer over all of them.

    Adam, SGD and RMSprop update every weight on its own, so one optimizer over the stack is K optimizers.
    """

    spec: ContenderSpec
    model: StackedModel
    optimizer: torch.optim.Optimizer
    verdicts: list[Verdict]  # per seed
    parameters: list[torch.nn.Parameter]  # every one gets a gradient each step: all feed the loss
    last_probes: list[ProbeRecord | None]  # per seed
    seconds: float = 0.0  # total time spent training and probing, all seeds
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
        self.runs = [self._start(contender_spec(key)) for key in config.contenders]
        self.step_count = 0

    @property
    def chance_loss(self) -> float:
        """The first seed's chance loss (with one seed, the chance loss)."""
        return self.chance_losses[0]

    def _start(self, spec: ContenderSpec) -> ContenderRun:
        task, config = self.task, self.config
        copies = [
            build(spec, config.with_changes(seed=seed), task.input_size, task.output_size, task.readout)
            for seed in self.seeds
        ]
        model = (
            StackedWindowMLP(task.readout, copies)
            if spec.cell == "feedforward"
            else StackedModel(spec.cell, task.readout, copies)
        )
        optimizer = OPTIMIZERS[config.optimizer](model.parameters(), lr=config.lr)
        waiting = [Verdict("not_started")] * len(self.seeds)
        return ContenderRun(spec, model, optimizer, waiting, list(model.parameters()), [None] * len(self.seeds))

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
        records: list[Record] = []
        for run in self.runs:
            live = run.live
            if not live:
                continue
            started = time.perf_counter()
            trained, input_grad = self._train(run, step, live, inputs, targets, probing)
            diverged = [index for index, record in zip(live, trained, strict=True) if record.diverged]
            probed = live if probing else diverged  # a seed that diverged off the cadence says so, as alone
            probes = self._probe(run, step, probed, input_grad, diverged) if probed else []
            seconds = time.perf_counter() - started
            run.seconds += seconds
            run.steps += 1
            share = seconds / len(live)  # the stack's time, split evenly over the seeds that trained
            written = self.write(run, live) if self.task.writes and writing(step) else []
            for index, record in zip(live, trained, strict=True):
                records.append(replace(record, seconds=share))
                records += [probe for probe in probes if probe.seed == self.seeds[index]]
                records += [sample for sample in written if sample.seed == self.seeds[index]]
        return records

    def write(self, run: ContenderRun, live: list[int]) -> list[SampleRecord]:
        """Sentences each live seed's model writes now, drawn from a generator of the seed and step alone."""
        step = self.step_count
        written = write(run.model, SAMPLES, self.task.length, [seed * 1_000_003 + step for seed in self.seeds])
        return [SampleRecord(run.spec.key, self.seeds[index], step, written[index]) for index in live]

    def _train(
        self, run: ContenderRun, step: int, live: list[int], inputs: torch.Tensor, targets: torch.Tensor, probing: bool
    ) -> tuple[list[StepRecord], torch.Tensor | None]:
        """Forward, backward, per-seed norm, per-seed clipping and the update; a record per live seed."""
        inputs = inputs.detach().requires_grad_(probing)  # a leaf of its own, so gradients never mix
        outputs = run.model(inputs)  # (K, batch[, time], output)
        losses = torch.stack([self.task.loss(outputs[k], targets[k]) for k in range(len(self.seeds))])  # (K,)
        run.optimizer.zero_grad(set_to_none=True)
        losses[live].sum().backward()  # seeds share no weight: each gets its own loss's gradient
        norms = seed_norms(run.parameters)  # (K,)
        accuracy = torch.stack([self.task.accuracy(outputs[k].detach(), targets[k]) for k in range(len(self.seeds))])
        loss_values, norm_values, accuracies = losses.tolist(), norms.tolist(), accuracy.tolist()
        threshold = self.config.clip
        scale = [1.0] * len(self.seeds)
        records = []
        for index in live:
            loss_value, norm_value = loss_values[index], norm_values[index]
            diverged = not (math.isfinite(loss_value) and math.isfinite(norm_value))
            clipped = run.spec.clipped and not diverged and norm_value > threshold
            if diverged:
                run.verdicts[index] = Verdict("diverged", step)
                scale[index] = 0.0  # no update for this seed: its gradient is not a number
            elif clipped:
                scale[index] = threshold / (norm_value + 1e-6)  # as clip_grad_norm_ computes it
            records.append(
                StepRecord(
                    contender=run.spec.key,
                    seed=self.seeds[index],
                    step=step,
                    loss=finite_or_none(loss_value),
                    accuracy=accuracies[index],
                    grad_norm=finite_or_none(norm_value),
                    grad_norm_clipped=finite_or_none(min(norm_value, threshold) if clipped else norm_value),
                    clipped=clipped,
                    seconds=0.0,
                    diverged=diverged,
                )
            )
        if any(value != 1.0 for value in scale):
            scale_gradients(run.parameters, scale)
        if any(not record.diverged for record in records):
            run.optimizer.step()
        return records, inputs.grad if probing else None

    def _probe(
        self, run: ContenderRun, step: int, probed: list[int], input_grad: torch.Tensor | None, diverged: list[int]
    ) -> list[ProbeRecord]:
        """Validation, gradient per time step and spectral radius after this step's update, per probed seed."""
        inputs, targets = self.validation
        outputs, gates = run.model.evaluate(inputs)
        matrices = run.model.recurrent_matrices()
        radii = [math.nan] * len(self.seeds) if matrices is None else spectral_radii(matrices)
        probes = []
        for index in probed:
            val_loss = val_accuracy = gate = None
            if index not in diverged:
                loss = self.task.loss(outputs[index], targets[index]).item()
                accuracy = self.task.accuracy(outputs[index], targets[index]).item()
                if math.isfinite(loss):
                    val_loss, val_accuracy = loss, accuracy
                    chance = self.chance_losses[index]
                    run.verdicts[index] = judge(run.verdicts[index], step, loss, accuracy, self.task, chance)
                    gate = None if gates is None else finite_or_none(gates[index].item())
                else:
                    run.verdicts[index] = Verdict("diverged", step)
            verdict = run.verdicts[index]
            probe = ProbeRecord(
                contender=run.spec.key,
                seed=self.seeds[index],
                step=step,
                val_loss=val_loss,
                val_accuracy=val_accuracy,
                grad_per_step=None if input_grad is None else grad_per_step(input_grad[index]),
                spectral_radius=finite_or_none(radii[index]),
                verdict=verdict.status,
                verdict_step=verdict.step,
                verdict_solved_step=verdict.solved_step,
                verdict_text=verdict.text,
                gate_mean=gate,
                by_distance=None
                if val_loss is None
                else self.task.accuracy_by_distance(inputs[index], outputs[index], targets[index]),
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
