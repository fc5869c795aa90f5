"""Hand-written recurrent layers over K stacked weight sets: K independent models in one batched computation.

At this lab's sizes a training step costs per-operation overhead, not arithmetic, so K seeds of one contender
cost about as much as one when every operation handles all K at once (batched matrix products over stacked
weights). Each cell is one autograd node with a hand-written backward: autograd recording the time loop op by op
cost 2–3× as much (nn.GRU against nn.LSTM's fused kernel, SCIENCE.md). Equations and gate order are PyTorch's
(nn.RNN with tanh, nn.LSTM, nn.GRU); tests/test_recurrence.py compares values and gradients with them.

Shapes: inputs (K, batch, time, features); weights as PyTorch's, with K in front (w_ih (K, gates·hidden,
features), w_hh (K, gates·hidden, hidden), biases (K, gates·hidden)); outputs (K, batch, time, hidden).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from models.recurrence.gru import gru, gru_forward
from models.recurrence.lstm import lstm, lstm_forward
from models.recurrence.rnn import rnn, rnn_forward

Layer = Callable[..., torch.Tensor]
LAYERS: dict[str, Layer] = {"rnn": rnn, "lstm": lstm, "gru": gru}  # with autograd: training
FORWARDS: dict[str, Callable[..., tuple[torch.Tensor, ...]]] = {
    "rnn": rnn_forward,
    "lstm": lstm_forward,
    "gru": gru_forward,
}  # no autograd: validation; also return the kept gate the probe reads
