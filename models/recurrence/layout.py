"""What every stacked cell does the same way: project all inputs at once, and per-step views of buffers."""

from __future__ import annotations

import functools

import torch


def project(
    inputs: torch.Tensor, w_ih: torch.Tensor, bias: torch.Tensor, out: torch.Tensor | None = None
) -> torch.Tensor:
    """Every time step's input projection in one batched product, time-major: (time, K, batch, gates·hidden).

    Time-major, each step's slice is contiguous, so a step adds its recurrent product in place (baddbmm_) instead
    of copying its projection into a fresh buffer first (a tenth of a five-seed step). `out`: write it there.
    """
    stacks, batch, time, features = inputs.shape
    width = w_ih.shape[1]
    steps = inputs.permute(2, 0, 1, 3).reshape(time * stacks, batch, features)  # (time·K, batch, features)
    weights = w_ih.transpose(1, 2).expand(time, stacks, features, width).reshape(time * stacks, features, width)
    biases = bias.unsqueeze(1).expand(time, stacks, 1, width).reshape(time * stacks, 1, width)
    target = None if out is None else out.view(time * stacks, batch, width)
    return torch.baddbmm(biases, steps, weights, out=target).view(time, stacks, batch, width)


def flat_inputs(inputs: torch.Tensor) -> torch.Tensor:
    """(K, batch, time, features) → (K, time·batch, features): rows time-major, as every product here wants."""
    stacks, batch, time, features = inputs.shape
    return inputs.transpose(1, 2).reshape(stacks, time * batch, features)


def flat_by_stack(buffer: torch.Tensor) -> torch.Tensor:
    """A time-major buffer (time, K, batch, n) as (K, time·batch, n), rows in `project`'s order."""
    time, stacks, batch, width = buffer.shape
    return buffer.transpose(0, 1).reshape(stacks, time * batch, width)


def per_step(buffer: torch.Tensor, time: int) -> tuple[torch.Tensor, ...]:
    """One view per time step of a time-major buffer; a buffer kept for one step only is reused by every step.

    Views are made once: slicing inside the time loop costs as much as the arithmetic at these sizes.
    """
    views = buffer.unbind(0)
    return views if len(views) == time else views * time


def batch_first(states: torch.Tensor) -> torch.Tensor:
    """States (time + 1, K, batch, hidden) from h_0 → outputs (K, batch, time, hidden), a view."""
    return states[1:].permute(1, 2, 0, 3)


def incoming_gradients(grad_outputs: torch.Tensor) -> torch.Tensor:
    """dL/d outputs as (time, K, batch, hidden).

    A last-step readout sends gradient into the last step only: the layer is told so (`every_step=False`) and
    its backward loop skips an add per step (scanning the gradient for zeros instead cost 0.3 ms a step).
    """
    return grad_outputs.permute(2, 0, 1, 3)


def input_gradient(d_pre: torch.Tensor, w_ih: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    """dL/d inputs from the pre-activation gradients (K, time·batch, gates·hidden): (K, batch, time, features)."""
    stacks, batch, time, features = shape
    return torch.bmm(d_pre, w_ih).view(stacks, time, batch, features).transpose(1, 2)


def weight_gradient(d_pre: torch.Tensor, operand: torch.Tensor) -> torch.Tensor:
    """Σ over time and batch of d_pre ⊗ operand, per copy: (K, rows, time·batch) @ (K, time·batch, columns).

    One product per copy, not one batched product: over the long time·batch sum a BLAS splits the work by the
    number of copies, and a copy's numbers must not depend on how many copies run beside it.
    """
    return torch.stack([torch.mm(d.t(), x) for d, x in zip(d_pre, operand, strict=True)])


def bias_gradient(d_pre: torch.Tensor) -> torch.Tensor:
    """Σ over time and batch of d_pre, per copy (for the same reason as `weight_gradient`): (K, columns)."""
    return torch.stack([d.sum(0) for d in d_pre])


def tanh_(values: torch.Tensor, into: torch.Tensor | None = None) -> torch.Tensor:
    """tanh as 2σ(2x) − 1, in place (or into `into`): PyTorch's CPU tanh costs 4–6× its sigmoid per element
    (15 µs against 2.5 µs for 4,096 floats on these machines), more than the two cheap ops this adds."""
    two, minus_one = constants(values.dtype)
    target = values if into is None else into
    torch.mul(values, two, out=target).sigmoid_()
    return torch.add(minus_one, target, alpha=2, out=target)


@functools.cache
def constants(dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """2 and −1 as tensors: a Python number in an op is made a tensor and copied on every call (1.5 µs of 3)."""
    return torch.tensor(2.0, dtype=dtype), torch.tensor(-1.0, dtype=dtype)
