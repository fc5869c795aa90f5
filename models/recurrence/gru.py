"""K stacked GRU layers (nn.GRU's equations and gate order r, z, n), from h = 0.

    r = σ(W_ir x + b_ir + W_hr h + b_hr)        z = σ(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))        h' = (1 − z) ⊙ n + z ⊙ h

The forward runs eight cheap ops per time step into preallocated buffers; the backward three.
"""

from __future__ import annotations

import torch

from models.recurrence.layout import (
    batch_first,
    bias_gradient,
    flat_by_stack,
    flat_inputs,
    incoming_gradients,
    input_gradient,
    per_step,
    project,
    tanh_,
    weight_gradient,
)


def gru_forward(inputs, w_ih, w_hh, b_ih, b_hh, keep: bool = True) -> tuple[torch.Tensor, ...]:
    """Run the recurrence; return states (time + 1, K, batch, hidden) from h_0 = 0 and either what the backward
    pass needs (keep=True, time-major: hidden_gates = W_hh h + b_hh with the r and z biases left out, as they
    are folded into the input projection; rz, the two sigmoid gates; candidates, the tanh output n) or, for
    validation (keep=False, one step's buffers reused), the update gate z summed over time (K, batch, hidden).
    """
    stacks, batch, time, _ = inputs.shape
    hidden = w_hh.shape[-1]
    bias = b_ih.clone()
    bias[:, : 2 * hidden] += b_hh[:, : 2 * hidden]  # r and z only add their biases; b_hn sits inside r ⊙ (…)
    projected = project(inputs, w_ih, bias)  # (time, K, batch, 3·hidden)
    states = inputs.new_empty(time + 1, stacks, batch, hidden)
    states[0] = 0
    kept = time if keep else 1
    hidden_gates = inputs.new_empty(kept, stacks, batch, 3 * hidden)
    rz = inputs.new_empty(kept, stacks, batch, 2 * hidden)
    candidates = inputs.new_empty(kept, stacks, batch, hidden)
    h, gi_rz, gi_n = states.unbind(0), projected[..., : 2 * hidden].unbind(0), projected[..., 2 * hidden :].unbind(0)
    gh, gh_rz = per_step(hidden_gates, time), per_step(hidden_gates[..., : 2 * hidden], time)
    gh_n, gates, n = per_step(hidden_gates[..., 2 * hidden :], time), per_step(rz, time), per_step(candidates, time)
    r, z = per_step(rz[..., :hidden], time), per_step(rz[..., hidden:], time)
    w_hh_t, b_hn = w_hh.transpose(1, 2), b_hh[:, 2 * hidden :].unsqueeze(1)  # (K, 1, hidden)
    update_sum = None if keep else inputs.new_zeros(stacks, batch, hidden)
    for t in range(time):
        torch.bmm(h[t], w_hh_t, out=gh[t])  # (K, batch, 3·hidden); a bias here would cost a broadcast copy
        gh_n[t].add_(b_hn)
        torch.sigmoid(torch.add(gh_rz[t], gi_rz[t]), out=gates[t])
        tanh_(torch.addcmul(gi_n[t], r[t], gh_n[t]), into=n[t])
        torch.addcmul(n[t], z[t], h[t] - n[t], out=h[t + 1])  # h' = n + z ⊙ (h − n)
        if update_sum is not None:
            update_sum.add_(z[t])
    if not keep:
        return states, update_sum
    return states, hidden_gates, rz, candidates


class GRUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inputs, w_ih, w_hh, b_ih, b_hh, every_step):  # type: ignore[override]
        ctx.every_step = every_step
        states, hidden_gates, rz, candidates = gru_forward(inputs, w_ih, w_hh, b_ih, b_hh)
        ctx.save_for_backward(inputs, w_ih, w_hh, states, hidden_gates, rz, candidates)
        return batch_first(states)

    @staticmethod
    def backward(ctx, grad_outputs):  # type: ignore[override]
        inputs, w_ih, w_hh, states, hidden_gates, rz, n = ctx.saved_tensors
        time, stacks, batch, hidden = n.shape
        r, z = rz[..., :hidden], rz[..., hidden:]
        # Every factor that does not depend on the incoming gradient, for all steps at once:
        # d pre-activation = dh ⊙ coefficient. The buffer then becomes the hidden-gate gradients in place.
        coefficients = inputs.new_empty(time, stacks, batch, 3, hidden)
        c_r, c_z, c_hn = coefficients.unbind(3)
        c_n = torch.addcmul(inputs.new_ones(()), n, n, value=-1)  # tanh' = 1 − n²
        c_n.addcmul_(c_n, z, value=-1)  # × (1 − z): dh → d n_pre
        torch.mul(c_n, r, out=c_hn)  # dh → d(W_hn h + b_hn)
        torch.mul(c_hn, hidden_gates[..., 2 * hidden :], out=c_r)
        c_r.addcmul_(c_r, r, value=-1)  # × σ' = r(1 − r): dh → d r_pre
        torch.sub(states[:-1], n, out=c_z)
        c_z.mul_(z).addcmul_(c_z, z, value=-1)  # (h − n) z(1 − z): dh → d z_pre

        incoming, every_step = incoming_gradients(grad_outputs), ctx.every_step
        grad_states = inputs.new_empty(time, stacks, batch, hidden)  # dL/dh_t, t = 1..time
        grad_states[-1] = incoming[-1]
        dh, into, z_t = grad_states.unbind(0), incoming.unbind(0), z.unbind(0)
        d_gates, d_gates_flat = coefficients.unbind(0), coefficients.view(time, stacks, batch, 3 * hidden).unbind(0)
        for t in range(time - 1, -1, -1):
            d_gates[t].mul_(dh[t].unsqueeze(2))  # (K, batch, 3, hidden)
            if t:
                previous = torch.bmm(d_gates_flat[t], w_hh, out=dh[t - 1]).addcmul_(dh[t], z_t[t])
                if every_step:
                    previous.add_(into[t - 1])

        d_hidden_gates = flat_by_stack(coefficients.view(time, stacks, batch, 3 * hidden))  # (K, time·batch, 3·h)
        d_rz = d_hidden_gates[..., : 2 * hidden]  # r and z: the same gradient reaches W_i· and W_h·
        d_input_n = flat_by_stack(c_n.mul_(grad_states))  # n: W_in x sits outside r ⊙ (…)
        flat = flat_inputs(inputs)  # (K, time·batch, features)
        grad_w_ih = torch.cat([weight_gradient(d_rz, flat), weight_gradient(d_input_n, flat)], dim=1)
        grad_w_hh = weight_gradient(d_hidden_gates, flat_by_stack(states[:-1]))
        grad_b_hh = bias_gradient(d_hidden_gates)
        grad_b_ih = torch.cat([grad_b_hh[:, : 2 * hidden], bias_gradient(d_input_n)], dim=1)
        grad_inputs = None
        if ctx.needs_input_grad[0]:
            d_input = torch.cat([d_rz, d_input_n], dim=2)  # what reaches W_ih x, all three gates
            grad_inputs = input_gradient(d_input, w_ih, inputs.shape)
        return grad_inputs, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh, None


def gru(inputs, w_ih, w_hh, b_ih, b_hh, every_step: bool = True) -> torch.Tensor:
    """every_step=False: only the last step's output will receive gradient (a last-step readout)."""
    return GRUFunction.apply(inputs, w_ih, w_hh, b_ih, b_hh, every_step)
