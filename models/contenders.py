"""The contenders: a tanh RNN, the same RNN trained with clipping, an LSTM, a GRU, and a feed-forward window."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from models.config import ConfigError, RunConfig
from models.window import WindowMLP

CELLS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}  # PyTorch's, the reference
GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # blocks stacked in PyTorch's weight_hh


@dataclass(frozen=True)
class ContenderSpec:
    """A contender is an architecture plus a training remedy."""

    key: str
    label: str  # the legend's name
    cell: str  # key of CELLS
    clipped: bool  # global gradient-norm clipping at the configured threshold
    remedy: str  # one line for the UI: what this contender adds to the plain RNN


CONTENDERS: dict[str, ContenderSpec] = {
    spec.key: spec
    for spec in (
        ContenderSpec("rnn", "RNN", "rnn", False, "plain tanh RNN: no remedy"),
        ContenderSpec("clipped_rnn", "RNN + clipping", "rnn", True, "same RNN, gradient norm clipped"),
        ContenderSpec("lstm", "LSTM", "lstm", False, "gates + additive cell state"),
        ContenderSpec("gru", "GRU", "gru", False, "gates + interpolated state"),
        ContenderSpec(
            "feedforward", "Feed-forward", "feedforward", False, "no recurrence: an MLP on the last k inputs"
        ),
    )
}


def contender_spec(key: str) -> ContenderSpec:
    if key not in CONTENDERS:
        raise ConfigError(f"unknown contender {key!r}; choose one of: {', '.join(CONTENDERS)}")
    return CONTENDERS[key]


class SequenceModel(nn.Module):
    """A one-layer recurrent core and a linear readout at the last step or at every step."""

    def __init__(self, cell: str, input_size: int, hidden: int, output_size: int, readout: str) -> None:
        super().__init__()
        self.cell = cell
        self.core = CELLS[cell](input_size, hidden, batch_first=True)
        self.head = nn.Linear(hidden, output_size)
        self.readout = readout

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        states, _ = self.core(inputs)  # (batch, time, hidden)
        if self.readout == "last":
            states = states[:, -1]  # (batch, hidden)
        return self.head(states)  # (batch, [time,] output)

    def recurrent_matrix(self) -> torch.Tensor:
        """The square matrix that carries the state from step to step (the candidate block if gated)."""
        hidden = self.core.hidden_size
        weight = self.core.weight_hh_l0  # (gates·hidden, hidden)
        block = {"rnn": 0, "lstm": 2, "gru": 2}[self.cell]  # RNN's only block; LSTM's g; GRU's n
        return weight[block * hidden : (block + 1) * hidden]


def initialise(model: SequenceModel, init_scale: float, forget_bias: float) -> None:
    """Orthogonal recurrent blocks × init_scale (as Keras does), and a gate bias toward remembering.

    forget_bias goes to the LSTM forget gate and to the GRU update gate z (which keeps the old state);
    PyTorch's own default is ~0 for both, Keras uses 1 for the LSTM.
    """
    core, hidden = model.core, model.core.hidden_size
    with torch.no_grad():
        for block in core.weight_hh_l0.split(hidden):
            nn.init.orthogonal_(block)
            block.mul_(init_scale)
        if model.cell in ("lstm", "gru"):
            gate = slice(hidden, 2 * hidden)  # LSTM order i,f,g,o; GRU order r,z,n
            core.bias_ih_l0[gate] = forget_bias
            core.bias_hh_l0[gate] = 0.0


def parameter_count(cell: str, input_size: int, hidden: int, output_size: int, window: int = 1) -> int:
    if cell == "feedforward":
        return hidden * (window * input_size + 1) + output_size * (hidden + 1)
    gates = GATES[cell]
    recurrent = gates * hidden * (input_size + hidden + 2)  # weight_ih, weight_hh, two biases
    return recurrent + hidden * output_size + output_size


def hidden_size(cell: str, config: RunConfig, input_size: int, output_size: int) -> int:
    """The configured size, or with equal_params the largest size within the RNN's parameter count."""
    if not config.equal_params or cell == "rnn":
        return config.hidden
    budget = parameter_count("rnn", input_size, config.hidden, output_size)
    counts = {h: parameter_count(cell, input_size, h, output_size, config.window) for h in range(1, config.hidden + 1)}
    fitting = [h for h, count in counts.items() if count <= budget]
    return max(fitting, default=1)


def build(
    spec: ContenderSpec, config: RunConfig, input_size: int, output_size: int, readout: str
) -> SequenceModel | WindowMLP:
    """A freshly initialised model; the same seed always gives the same weights, whatever ran before."""
    hidden = hidden_size(spec.cell, config, input_size, output_size)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        if spec.cell == "feedforward":
            return WindowMLP(input_size, hidden, output_size, readout, config.window)
        model = SequenceModel(spec.cell, input_size, hidden, output_size, readout)
        initialise(model, config.init_scale, config.forget_bias)
    return model
