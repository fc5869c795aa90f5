"""What every long-gap task provides: batches from a seeded generator, a loss, an accuracy, a baseline."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Baseline:
    """What a model that ignores the long-range information scores; drawn as a rule on the charts."""

    loss: float
    accuracy: float
    explanation: str


SOLVED_ACCURACY = 0.9  # "solved" means at least 90% of validation answers correct, on every task


class Task:
    """A synthetic sequence task whose target is a function of the inputs alone (see `label`)."""

    key: str = ""
    name: str = ""
    variant: str = ""  # which published version this is, shown in the UI
    input_size: int = 0
    output_size: int = 0
    readout: str = "last"  # "last": one prediction at the end; "all": one per time step
    loss_name: str = "cross-entropy (nats)"
    chance_by: str = "loss"  # "at chance" judged by the validation loss, or by the accuracy (models.diagnostics)
    writes: bool = False  # a next-word model whose samples read as sentences (models.writer)

    def __init__(self, gap: int) -> None:
        self.gap = gap

    @property
    def length(self) -> int:
        """Time steps per sequence."""
        raise NotImplementedError

    def inputs(self, generator: torch.Generator, batch_size: int) -> torch.Tensor:
        """Random inputs, (batch, time, input_size), drawn only from `generator`."""
        raise NotImplementedError

    def label(self, inputs: torch.Tensor) -> torch.Tensor:
        """The target, computed from the inputs alone, so the cue decides it and distractors cannot."""
        raise NotImplementedError

    def batch(self, generator: torch.Generator, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
        inputs = self.inputs(generator, batch_size)
        return inputs, self.label(inputs)

    @property
    def baseline(self) -> Baseline:
        raise NotImplementedError

    def chance_loss(self, inputs: torch.Tensor, targets: torch.Tensor) -> float:
        """The memoryless baseline's loss on these very targets: what "at chance" is measured against."""
        return self.baseline.loss

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean over the batch of each sample's loss (the gradient probe relies on that)."""
        return F.cross_entropy(outputs, targets)

    def accuracy(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return (outputs.argmax(-1) == targets).float().mean()

    def accuracy_by_distance(
        self, inputs: torch.Tensor, outputs: torch.Tensor, targets: torch.Tensor
    ) -> list[float | None] | None:
        """Accuracy per bin of the distance the information travels (`distance_bins`), for tasks where it varies."""
        return None

    @property
    def distance_bins(self) -> list[str]:
        return []

    def solved(self, loss: float, accuracy: float) -> bool:
        """Validation scores that count as having learned the long-range dependency: the accuracy shown."""
        return accuracy >= SOLVED_ACCURACY

    sentence: str = ""  # one sample in English, with placeholders for `describe_facts` (the UI words it per language)

    def describe_facts(self, inputs: torch.Tensor) -> dict[str, object]:
        """One sample, (time, input_size), as the values a sentence about it needs."""
        raise NotImplementedError

    def describe(self, inputs: torch.Tensor) -> str:
        """One sample in words a person can read."""
        return self.sentence.format(**self.describe_facts(inputs))


class TokenTask(Task):
    """A task over discrete tokens, fed to the models as one-hot vectors."""

    def one_hot(self, tokens: torch.Tensor) -> torch.Tensor:
        return F.one_hot(tokens, self.input_size).float()  # (batch, time, vocabulary)

    @staticmethod
    def tokens(inputs: torch.Tensor) -> torch.Tensor:
        return inputs.argmax(-1)  # (batch, time)


def uniform_baseline(classes: int, explanation: str) -> Baseline:
    return Baseline(loss=math.log(classes), accuracy=1.0 / classes, explanation=explanation)


def positions(generator: torch.Generator, batch_size: int, low: int, high: int) -> torch.Tensor:
    """One random position per sample in [low, high)."""
    return torch.randint(low, high, (batch_size,), generator=generator)
