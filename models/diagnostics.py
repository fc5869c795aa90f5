"""Diagnostics that explain a run: gradient per time step, spectral radius, and the verdict."""

from __future__ import annotations

import math

import torch

from models.contenders import SequenceModel
from models.records import Verdict
from models.tasks import Task

AT_CHANCE = 0.9  # validation loss within 10% of the memoryless baseline counts as "at chance"


def grad_per_step(input_grad: torch.Tensor) -> list[float] | None:
    """Mean over samples of ‖∂loss_b/∂x_{b,t}‖ for every t, from the gradient of the batch-mean loss.

    The batch loss is the mean of the samples' losses, so sample b's own gradient is batch × its share.
    """
    batch = input_grad.shape[0]
    per_step = input_grad.norm(dim=-1).mean(0) * batch  # (time,)
    if not torch.isfinite(per_step).all():
        return None
    return per_step.tolist()


def spectral_radius(model: SequenceModel) -> float:
    """Largest |eigenvalue| of the recurrent matrix: above 1 signals can grow step after step."""
    with torch.no_grad():
        matrix = model.recurrent_matrix()
        if not torch.isfinite(matrix).all():
            return math.nan
        return torch.linalg.eigvals(matrix).abs().max().item()


def judge(previous: Verdict, step: int, val_loss: float, val_accuracy: float, task: Task) -> Verdict:
    """Solved and diverged are final; otherwise at chance or learning, by validation loss."""
    if previous.status in ("solved", "diverged"):
        return previous
    if task.solved(val_loss, val_accuracy):
        return Verdict("solved", step)
    if val_loss >= AT_CHANCE * task.baseline.loss:
        return Verdict("at_chance", None)
    return Verdict("learning", None)
