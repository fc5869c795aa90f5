"""Diagnostics that explain a run: gradient per time step, spectral radius, and the verdict."""

from __future__ import annotations

import math

import torch

from models.records import Verdict
from models.tasks import Task

CHANCE_BAND = 0.1  # validation loss within ±10% of the memoryless baseline counts as "at chance"
ACCURACY_BAND = 0.07  # or, where the task judges by accuracy, within ±7 points of the baseline's (4σ at 1/3 on
# the ~700 answers of the children's book's validation set)


def grad_per_step(input_grad: torch.Tensor) -> list[float] | None:
    """Mean over samples of ‖∂loss_b/∂x_{b,t}‖ for every t, from the gradient of the batch-mean loss.

    The batch loss is the mean of the samples' losses, so sample b's own gradient is batch × its share.
    """
    batch = input_grad.shape[0]
    per_step = input_grad.norm(dim=-1).mean(0) * batch  # (time,)
    if not torch.isfinite(per_step).all():
        return None
    return per_step.tolist()


def spectral_radii(matrices: torch.Tensor) -> list[float]:
    """Largest |eigenvalue| of each recurrent matrix (K, hidden, hidden): above 1 signals can grow step after
    step. NaN for a matrix that is not finite."""
    with torch.no_grad():
        finite = torch.isfinite(matrices).flatten(1).all(1)  # (K,)
        safe = torch.where(finite.view(-1, 1, 1), matrices, torch.zeros_like(matrices))
        radii = torch.linalg.eigvals(safe).abs().amax(-1)
        return torch.where(finite, radii, torch.full_like(radii, math.nan)).tolist()


def judge(
    previous: Verdict, step: int, val_loss: float, val_accuracy: float, task: Task, chance_loss: float
) -> Verdict:
    """The verdict after a validation, from its numbers and the previous verdict (the one definition).

    solved: validation accuracy at the task's bar now; lost: solved once, below the bar now; otherwise
    by validation loss against the chance loss (the memoryless baseline's on the same validation set):
    within ±10% at chance, above worse, below learning; or, for a task judged by accuracy, by the accuracy
    against the baseline's, within ±7 points at chance.
    Diverged is final.
    """
    if previous.status == "diverged":
        return previous
    was_solved = previous.status in ("solved", "lost")
    first_solved = (previous.solved_step or previous.step) if was_solved else None
    if task.solved(val_loss, val_accuracy):
        if previous.status == "solved":
            return previous
        return Verdict("solved", step, first_solved)
    if was_solved:
        return previous if previous.status == "lost" else Verdict("lost", step, first_solved)
    if task.chance_by == "accuracy":
        return Verdict(accuracy_status(val_accuracy, task.baseline.accuracy), None)
    return Verdict(chance_status(val_loss, chance_loss), None)


def chance_status(val_loss: float, chance_loss: float) -> str:
    """at_chance within ±CHANCE_BAND of the chance loss, worse_than_chance above, learning below."""
    if val_loss > (1 + CHANCE_BAND) * chance_loss:
        return "worse_than_chance"
    if val_loss >= (1 - CHANCE_BAND) * chance_loss:
        return "at_chance"
    return "learning"


def accuracy_status(val_accuracy: float, chance_accuracy: float) -> str:
    """at_chance within ±ACCURACY_BAND of the memoryless accuracy, worse_than_chance below, learning above."""
    if val_accuracy < chance_accuracy - ACCURACY_BAND:
        return "worse_than_chance"
    if val_accuracy <= chance_accuracy + ACCURACY_BAND:
        return "at_chance"
    return "learning"
