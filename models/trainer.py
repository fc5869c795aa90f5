"""Train every contender side by side on identical batches, a few steps at a time, and hand out records."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import torch
from torch.nn.utils import clip_grads_with_norm_

from models.config import RunConfig
from models.contenders import ContenderSpec, SequenceModel, build, contender_spec, hidden_size, parameter_count
from models.diagnostics import grad_per_step, judge, spectral_radius
from models.records import ProbeRecord, StepRecord, Verdict, finite_or_none
from models.tasks import Task, make_task

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
VALIDATION_SIZE = 256  # enough samples that a 0.04-wide accuracy is not noise, cheap to evaluate
VALIDATION_SEED = 0x5EED  # mixed into the seed so validation never repeats a training batch

Record = StepRecord | ProbeRecord


@dataclass
class ContenderRun:
    """One contender's mutable training state."""

    spec: ContenderSpec
    model: SequenceModel
    optimizer: torch.optim.Optimizer
    verdict: Verdict
    parameters: list[torch.nn.Parameter]  # every one gets a gradient each step: all feed the loss
    last_probe: ProbeRecord | None = None
    seconds: float = 0.0  # total time spent training and probing
    steps: int = 0  # updates attempted, including the one that diverged

    @property
    def frozen(self) -> bool:
        return self.verdict.status == "diverged"


class Trainer:
    """Owns the task, the contenders and their optimizers; `advance(n)` trains all of them n steps."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.task = make_task(config.task, config.gap)
        self.generator = torch.Generator().manual_seed(config.seed)
        self.validation = validation_set(config, self.task)
        self.chance_loss = self.task.chance_loss(self.validation[1])  # "at chance" is judged against this
        self.runs = [self._start(contender_spec(key)) for key in config.contenders]
        self.step_count = 0

    def _start(self, spec: ContenderSpec) -> ContenderRun:
        task = self.task
        model = build(spec, self.config, task.input_size, task.output_size, task.readout)
        optimizer = OPTIMIZERS[self.config.optimizer](model.parameters(), lr=self.config.lr)
        return ContenderRun(spec, model, optimizer, Verdict("not_started"), list(model.parameters()))

    def advance(self, steps: int = 1) -> list[Record]:
        """Train `steps` more steps; return every record made on the way."""
        records: list[Record] = []
        for _ in range(steps):
            records += self.step()
        return records

    def step(self) -> list[Record]:
        """One update of every contender that has not diverged, all on the same batch."""
        self.step_count += 1
        step = self.step_count
        probing = step == 1 or step % self.config.eval_every == 0
        inputs, targets = self.task.batch(self.generator, self.config.batch)
        records: list[Record] = []
        for run in self.runs:
            if run.frozen:
                continue
            started = time.perf_counter()
            record, input_grad = self._train(run, step, inputs, targets, probing)
            probe = self._probe(run, step, input_grad) if probing or record.diverged else None
            seconds = time.perf_counter() - started
            run.seconds += seconds
            run.steps += 1
            records.append(replace(record, seconds=seconds))
            if probe is not None:
                records.append(probe)
        return records

    def _train(
        self, run: ContenderRun, step: int, inputs: torch.Tensor, targets: torch.Tensor, probing: bool
    ) -> tuple[StepRecord, torch.Tensor | None]:
        inputs = inputs.detach().requires_grad_(probing)  # a leaf of its own, so gradients never mix
        outputs = run.model(inputs)
        loss = self.task.loss(outputs, targets)
        run.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        parameters = run.parameters
        norm = total_norm(parameters)
        loss_value, norm_value = loss.item(), norm.item()
        diverged = not (math.isfinite(loss_value) and math.isfinite(norm_value))
        clipped = False
        clipped_norm = norm_value
        if not diverged:
            threshold = self.config.clip
            if run.spec.clipped and norm_value > threshold:
                clip_grads_with_norm_(parameters, threshold, norm)
                clipped, clipped_norm = True, min(norm_value, threshold)
            run.optimizer.step()
        else:
            run.verdict = Verdict("diverged", step)
        record = StepRecord(
            contender=run.spec.key,
            step=step,
            loss=finite_or_none(loss_value),
            accuracy=self.task.accuracy(outputs.detach(), targets).item(),
            grad_norm=finite_or_none(norm_value),
            grad_norm_clipped=finite_or_none(clipped_norm),
            clipped=clipped,
            seconds=0.0,
            diverged=diverged,
        )
        return record, inputs.grad if probing else None

    def _probe(self, run: ContenderRun, step: int, input_grad: torch.Tensor | None) -> ProbeRecord:
        """Validation, gradient per time step and spectral radius after this step's update."""
        val_loss = val_accuracy = gate = None
        if not run.frozen:
            inputs, targets = self.validation
            with torch.no_grad():
                outputs = run.model(inputs)
                loss = self.task.loss(outputs, targets).item()
                accuracy = self.task.accuracy(outputs, targets).item()
            if math.isfinite(loss):
                val_loss, val_accuracy = loss, accuracy
                run.verdict = judge(run.verdict, step, loss, accuracy, self.task, self.chance_loss)
                gate = finite_or_none(run.model.gate_mean(inputs)) if run.spec.cell != "rnn" else None
            else:
                run.verdict = Verdict("diverged", step)
        probe = ProbeRecord(
            contender=run.spec.key,
            step=step,
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            grad_per_step=None if input_grad is None else grad_per_step(input_grad),
            spectral_radius=finite_or_none(spectral_radius(run.model)),
            verdict=run.verdict.status,
            verdict_step=run.verdict.step,
            verdict_solved_step=run.verdict.solved_step,
            verdict_text=run.verdict.text,
            gate_mean=gate,
        )
        run.last_probe = probe
        return probe

    def verdicts(self) -> dict[str, Verdict]:
        return {run.spec.key: run.verdict for run in self.runs}

    def contenders(self) -> list[dict[str, object]]:
        """Who is racing, as plain data: key, label, remedy, hidden size, parameter count."""
        return contender_rows(self.config, self.task)

    def sample(self) -> str:
        """One validation sample of the task, in words."""
        return self.task.describe(self.validation[0][0])


def total_norm(parameters: list[torch.nn.Parameter]) -> torch.Tensor:
    """The global L2 norm of the gradients, as clip_grad_norm_ computes it, for a few small tensors.

    One concatenation and one norm: about a third of `get_total_norm`'s cost at these sizes, on every step.
    """
    return torch.linalg.vector_norm(torch.cat([p.grad.reshape(-1) for p in parameters]))


def validation_set(config: RunConfig, task: Task) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed validation batch of a seed, never a training batch."""
    return task.batch(torch.Generator().manual_seed(config.seed ^ VALIDATION_SEED), VALIDATION_SIZE)


def contender_rows(config: RunConfig, task: Task) -> list[dict[str, object]]:
    rows = []
    for key in config.contenders:
        spec = contender_spec(key)
        hidden = hidden_size(spec.cell, config, task.input_size, task.output_size)
        parameters = parameter_count(spec.cell, task.input_size, hidden, task.output_size)
        rows.append(
            {"contender": key, "label": spec.label, "remedy": spec.remedy, "hidden": hidden, "parameters": parameters}
        )
    return rows


def preview(config: RunConfig) -> tuple[list[dict[str, object]], str, float]:
    """Who would race, one sample of the task and the chance loss, without building a model: cheap enough
    for a page load."""
    task = make_task(config.task, config.gap)
    inputs, targets = validation_set(config, task)
    return contender_rows(config, task), task.describe(inputs[0]), task.chance_loss(targets)


def limit_threads(count: int) -> None:
    """PyTorch intra-op threads for the whole process.

    A server trains several runs at once in threads of their own; with one intra-op thread each, they share
    the cores instead of oversubscribing them (measured: 25 steps took 5.4 s with 2 threads and 1.6 s with 1
    while another process trained on the same 2 cores).
    """
    torch.set_num_threads(count)
