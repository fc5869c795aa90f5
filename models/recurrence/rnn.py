"""K stacked tanh RNN layers (nn.RNN's equations): h' = tanh(W_ih x + b_ih + W_hh h + b_hh), from h = 0."""

from __future__ import annotations

import torch

from models.recurrence.layout import (
    batch_first,
    bias_gradient,
    flat_by_stack,
    flat_inputs,
    incoming_gradients,
    input_gradient,
    project,
    tanh_,
    weight_gradient,
)


def rnn_forward(inputs, w_ih, w_hh, b_ih, b_hh, keep: bool = True) -> tuple[torch.Tensor, None]:
    """States (time + 1, K, batch, hidden) from h_0 = 0; no gate to report."""
    stacks, batch, time, _ = inputs.shape
    hidden = w_hh.shape[-1]
    states = inputs.new_empty(time + 1, stacks, batch, hidden)
    states[0] = 0
    project(inputs, w_ih, b_ih + b_hh, out=states[1:])  # each step's state starts as its input projection
    h, w_hh_t = states.unbind(0), w_hh.transpose(1, 2)
    for t in range(time):
        tanh_(h[t + 1].baddbmm_(h[t], w_hh_t))  # (K, batch, hidden)
    return states, None


class RNNFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inputs, w_ih, w_hh, b_ih, b_hh, every_step):  # type: ignore[override]
        ctx.every_step = every_step
        states, _ = rnn_forward(inputs, w_ih, w_hh, b_ih, b_hh)
        ctx.save_for_backward(inputs, w_ih, w_hh, states)
        return batch_first(states)

    @staticmethod
    def backward(ctx, grad_outputs):  # type: ignore[override]
        inputs, w_ih, w_hh, states = ctx.saved_tensors
        time = inputs.shape[2]
        incoming, every_step = incoming_gradients(grad_outputs), ctx.every_step
        d_pre = torch.addcmul(inputs.new_ones(()), states[1:], states[1:], value=-1)  # tanh' = 1 − h²
        grad_states = torch.empty_like(d_pre)  # dL/dh_t, t = 1..time
        grad_states[-1] = incoming[-1]
        dh, d, into = grad_states.unbind(0), d_pre.unbind(0), incoming.unbind(0)
        for t in range(time - 1, -1, -1):
            d[t].mul_(dh[t])  # (K, batch, hidden): the coefficient becomes the pre-activation gradient
            if t:
                previous = torch.bmm(d[t], w_hh, out=dh[t - 1])
                if every_step:
                    previous.add_(into[t - 1])
        d_flat = flat_by_stack(d_pre)  # (K, time·batch, hidden)
        grad_w_hh = weight_gradient(d_flat, flat_by_stack(states[:-1]))
        grad_w_ih = weight_gradient(d_flat, flat_inputs(inputs))
        grad_bias = bias_gradient(d_flat)
        grad_inputs = input_gradient(d_flat, w_ih, inputs.shape) if ctx.needs_input_grad[0] else None
        return grad_inputs, grad_w_ih, grad_w_hh, grad_bias, grad_bias, None


def rnn(inputs, w_ih, w_hh, b_ih, b_hh, every_step: bool = True) -> torch.Tensor:
    """every_step=False: only the last step's output will receive gradient (a last-step readout)."""
    return RNNFunction.apply(inputs, w_ih, w_hh, b_ih, b_hh, every_step)
