"""K stacked LSTM layers (nn.LSTM's equations and gate order i, f, g, o), from h = c = 0.

i, f, o = σ(W_i· x + b_i· + W_h· h + b_h·)     g = tanh(W_ig x + b_ig + W_hg h + b_hg)
c' = f ⊙ c + i ⊙ g                             h' = o ⊙ tanh(c')
"""

from __future__ import annotations

import torch

from models.recurrence.layout import (
    batch_first,
    bias_gradient,
    constants,
    flat_by_stack,
    flat_inputs,
    incoming_gradients,
    input_gradient,
    per_step,
    project,
    tanh_,
    weight_gradient,
)


def lstm_forward(inputs, w_ih, w_hh, b_ih, b_hh, keep: bool = True) -> tuple[torch.Tensor, ...]:
    """Run the recurrence; return states (time + 1, K, batch, hidden) from h_0 = 0 and either what the backward
    pass needs (keep=True: gates after σ/tanh, cells from c_0 = 0, tanh of the cells, all time-major) or, for
    validation (keep=False, one step's buffers reused), the forget gate summed over time (K, batch, hidden).
    """
    stacks, batch, time, _ = inputs.shape
    hidden = w_hh.shape[-1]
    gates = project(inputs, w_ih, b_ih + b_hh)  # (time, K, batch, 4·hidden): each step adds W_hh h in place
    kept = time if keep else 1
    states = inputs.new_empty(time + 1, stacks, batch, hidden)
    cells = inputs.new_empty(kept + 1, stacks, batch, hidden)
    states[0], cells[0] = 0, 0
    tanh_cells = inputs.new_empty(kept, stacks, batch, hidden)
    h, w_hh_t = states.unbind(0), w_hh.transpose(1, 2)
    c = cells.unbind(0) if keep else (cells[0], cells[1]) * (time // 2 + 1)  # two buffers, alternating
    a, tc = per_step(gates, time), per_step(tanh_cells, time)
    i, f = per_step(gates[..., :hidden], time), per_step(gates[..., hidden : 2 * hidden], time)
    g, o = per_step(gates[..., 2 * hidden : 3 * hidden], time), per_step(gates[..., 3 * hidden :], time)
    forget_sum = None if keep else inputs.new_zeros(stacks, batch, hidden)
    two, minus_one = constants(inputs.dtype)
    for t in range(time):
        a[t].baddbmm_(h[t], w_hh_t)  # (K, batch, 4·hidden)
        g[t].mul_(two)  # tanh(x) = 2σ(2x) − 1: one sigmoid for all four gates (see `tanh_`)
        a[t].sigmoid_()
        torch.add(minus_one, g[t], alpha=2, out=g[t])
        torch.mul(f[t], c[t], out=c[t + 1]).addcmul_(i[t], g[t])
        torch.mul(o[t], tanh_(c[t + 1], into=tc[t]), out=h[t + 1])
        if forget_sum is not None:
            forget_sum.add_(f[t])
    if not keep:
        return states, forget_sum
    return states, gates, cells, tanh_cells


class LSTMFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inputs, w_ih, w_hh, b_ih, b_hh, every_step):  # type: ignore[override]
        ctx.every_step = every_step
        states, gates, cells, tanh_cells = lstm_forward(inputs, w_ih, w_hh, b_ih, b_hh)
        ctx.save_for_backward(inputs, w_ih, w_hh, states, gates, cells, tanh_cells)
        return batch_first(states)

    @staticmethod
    def backward(ctx, grad_outputs):  # type: ignore[override]
        inputs, w_ih, w_hh, states, gates, cells, tanh_cells = ctx.saved_tensors
        time, stacks, batch, hidden = tanh_cells.shape
        i, f, g, o = gates.split(hidden, dim=-1)
        # Every factor that does not depend on the incoming gradient, for all steps at once:
        # d pre-activation of i, f, g = dc ⊙ coefficient; of o = dh ⊙ coefficient. The buffer then becomes
        # the pre-activation gradients in place.
        coefficients = inputs.new_empty(time, stacks, batch, 4, hidden)
        c_i, c_f, c_g, c_o = coefficients.unbind(3)
        torch.addcmul(i, i, i, value=-1, out=c_i).mul_(g)  # σ'(i) g
        torch.addcmul(f, f, f, value=-1, out=c_f).mul_(cells[:-1])  # σ'(f) c_{t-1}
        torch.addcmul(i, i, g.square(), value=-1, out=c_g)  # i tanh'(g)
        torch.addcmul(o, o, o, value=-1, out=c_o).mul_(tanh_cells)  # σ'(o) tanh(c)
        to_cell = torch.addcmul(o, o, tanh_cells.square(), value=-1)  # dh → dc: o tanh'(c)

        incoming, every_step = incoming_gradients(grad_outputs), ctx.every_step
        grad_states = inputs.new_empty(time, stacks, batch, hidden)  # dL/dh_t, t = 1..time
        grad_states[-1] = incoming[-1]
        dh, dc, into = grad_states.unbind(0), to_cell.unbind(0), incoming.unbind(0)  # dc: dL/dc_t, in place
        forget, d_cell_gates, d_out = f.unbind(0), coefficients[..., :3, :].unbind(0), c_o.unbind(0)
        d_gates = coefficients.view(time, stacks, batch, 4 * hidden).unbind(0)
        for t in range(time - 1, -1, -1):
            dc[t].mul_(dh[t])
            if t < time - 1:
                dc[t].addcmul_(dc[t + 1], forget[t + 1])
            d_cell_gates[t].mul_(dc[t].unsqueeze(2))  # (K, batch, 3, hidden)
            d_out[t].mul_(dh[t])
            if t:
                previous = torch.bmm(d_gates[t], w_hh, out=dh[t - 1])
                if every_step:
                    previous.add_(into[t - 1])
        d_flat = flat_by_stack(coefficients.view(time, stacks, batch, 4 * hidden))  # (K, time·batch, 4·hidden)
        grad_w_ih = weight_gradient(d_flat, flat_inputs(inputs))
        grad_w_hh = weight_gradient(d_flat, flat_by_stack(states[:-1]))
        grad_bias = bias_gradient(d_flat)
        grad_inputs = input_gradient(d_flat, w_ih, inputs.shape) if ctx.needs_input_grad[0] else None
        return grad_inputs, grad_w_ih, grad_w_hh, grad_bias, grad_bias, None


def lstm(inputs, w_ih, w_hh, b_ih, b_hh, every_step: bool = True) -> torch.Tensor:
    """every_step=False: only the last step's output will receive gradient (a last-step readout)."""
    return LSTMFunction.apply(inputs, w_ih, w_hh, b_ih, b_hh, every_step)
