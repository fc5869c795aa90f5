"""The general theory, one click away: true of every preset, each point tied to the chart that shows it."""

from __future__ import annotations

import streamlit as st

WHY = r"""
**Short gaps are easy.** "The clouds are in the ___": the word that decides the answer (*clouds*) is two
steps back, and every contender leaves the chance line (preset *short_gap*).

**Long gaps are not.** "I grew up in France … *(many words)* … I speak fluent ___": the deciding word is far
back. To learn from it, the error signal must travel back through every step in between.

**Why the signal vanishes or explodes.** A tanh RNN updates $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$.
The gradient that reaches step $t-k$ is a product of $k$ Jacobians:

$$\frac{\partial h_t}{\partial h_{t-k}} = \prod_{j=0}^{k-1} \operatorname{diag}\big(\tanh'(a_{t-j})\big)\, W_{hh}$$

Each factor shrinks a vector (if $\rho(W_{hh}) < 1$ or the tanh saturates, $\tanh' \le 1$) or stretches it
(if $\rho(W_{hh}) > 1$), so the product shrinks or grows **exponentially in $k$**.
→ *Gradient flow* heatmaps: where the product shrinks, the colour fades to the left, decades below the right
edge (the RNN's in preset *vanishing* from its first steps).
→ *Spectral radius* chart: the line ρ = 1 separates fading from growing.

**Clipping** rescales the whole gradient when its norm passes a threshold:
$g \leftarrow g \cdot \min(1, \theta / \lVert g \rVert)$. It stops one huge step from wrecking the weights
(preset *exploding*). It cannot make a vanished gradient big again: the direction is still dominated by
recent steps (preset *vanishing*: clipping does not rescue the RNN).
→ *Gradient norm* chart: ticks mark clipped steps; the dashed line is the threshold.

**Gates** give the state an additive path. An LSTM keeps a cell $c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t$;
with the forget gate $f_t \approx 1$, $\partial c_t / \partial c_{t-1} \approx 1$ and the gradient travels back
nearly unchanged. A GRU interpolates $h_t = (1 - z_t) \odot \tilde h_t + z_t \odot h_{t-1}$ to the same effect.
→ *Loss* chart: a model whose gradient still reaches the deciding step can leave the chance line. Which models
do depends on the gap and on the initialisation (compare presets *vanishing*, *short_gap* and *recall*).

**Initialisation is a remedy too.** Orthogonal recurrent weights (ρ = 1) preserve norms at the start, and a
forget-gate bias b starts the LSTM's forget gate near σ(b): 0.73 for b = 1 (Keras's default; this lab's),
0.95 for b = 3. PyTorch's default is 0: a gate near σ(0) = 0.5 halves a cue's trace at every step, and in preset
*recall* the LSTM stays at chance, while with bias 3 (preset *recall_init*) it solves the same task. Change
them under *Advanced* and press Reset to compare.
"""


def why(task_name: str, variant: str, sample: str) -> None:
    with st.expander("The general theory: vanishing and exploding gradients, and each remedy", expanded=False):
        st.markdown(WHY)
        st.markdown(f"**This task — {task_name}** ({variant}). One sample:")
        st.code(sample, language=None, wrap_lines=True)
