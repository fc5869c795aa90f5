"""The adding problem: remember two marked numbers across the whole sequence and add them."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from models.tasks.base import Baseline, Task, positions

CORRECT_WITHIN = 0.04  # Hochreiter & Schmidhuber (1997): a prediction counts as correct within ±0.04


class AddingTask(Task):
    """Adding problem, U[0,1] variant (Le et al. 2015; Arjovsky et al. 2016).

    Channel 0 holds a value ~ U[0,1], channel 1 a marker; exactly one marker falls in each half:

        values  0.31 0.92 0.05 0.77 0.48 0.66     (gap = 6)
        markers 0    1    0    0    1    0     -> target 0.92 + 0.48 = 1.40

    The first marked value must be carried up to `gap` steps, so the gap is the sequence length.
    """

    key = "adding"
    name = "Adding"
    variant = "U[0,1] values, one marker in each half (Le et al. 2015; Arjovsky et al. 2016)"
    input_size = 2
    output_size = 1
    loss_name = "mean squared error"

    @property
    def length(self) -> int:
        return max(self.gap, 2)  # two markers need two steps

    def inputs(self, generator: torch.Generator, batch_size: int) -> torch.Tensor:
        half = self.length // 2
        values = torch.rand(batch_size, self.length, generator=generator)  # (batch, time)
        first = positions(generator, batch_size, 0, half)
        second = positions(generator, batch_size, half, self.length)
        markers = F.one_hot(first, self.length) + F.one_hot(second, self.length)  # (batch, time)
        return torch.stack([values, markers.float()], dim=-1)  # (batch, time, 2)

    def label(self, inputs: torch.Tensor) -> torch.Tensor:
        return (inputs[..., 0] * inputs[..., 1]).sum(-1)  # (batch,)

    @property
    def baseline(self) -> Baseline:
        # Always predicting 1 (the mean of the sum) scores the sum's variance, 2 × 1/12; it is within
        # ±0.04 of the sum with probability 1 − 0.96², as the sum's density near 1 is triangular.
        return Baseline(
            loss=1 / 6,
            accuracy=1 - (1 - CORRECT_WITHIN) ** 2,
            explanation="always answer 1: MSE 1/6 ≈ 0.167 (≈ 0.083 if one number is remembered)",
        )

    def chance_loss(self, inputs: torch.Tensor, targets: torch.Tensor) -> float:
        # 1/6 is an expectation: on 256 samples "always answer 1" scores 0.140–0.182 (seeds 0–9), wider than
        # the ±10% band of "at chance", so the band is measured around this set's own score.
        return ((targets - 1) ** 2).mean().item()

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(outputs.squeeze(-1), targets)

    def accuracy(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return ((outputs.squeeze(-1) - targets).abs() < CORRECT_WITHIN).float().mean()

    sentence = "{length} random numbers; marked at {marked}. At the end the answer is their sum, {answer}."

    def describe_facts(self, inputs: torch.Tensor) -> dict[str, object]:
        marked = inputs[:, 1].nonzero().flatten().tolist()
        values = [inputs[t, 0].item() for t in marked]
        shown = ", ".join(f"t={t}: {v:.2f}" for t, v in zip(marked, values, strict=True))
        return {"length": self.length, "marked": shown, "answer": f"{sum(values):.2f}"}
