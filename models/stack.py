"""K copies of one contender, each with its own initial weights, trained as one batched computation.

Copy k starts from exactly the weights a lone run of seed `seed + k` would build (`from_models`), and no
operation mixes copies, so each computes the numbers its lone run would (tests/test_stack.py).
"""

from __future__ import annotations

import torch
from torch import nn

from models.contenders import SequenceModel
from models.recurrence import FORWARDS, LAYERS

RECURRENT = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")  # PyTorch's names in a reference core
CANDIDATE_BLOCK = {"rnn": 0, "lstm": 2, "gru": 2}  # the block of weight_hh that carries the state: RNN's; g; n


class StackedModel(nn.Module):
    """One recurrent layer and a linear readout (at the last step or at every step), K times over."""

    def __init__(self, cell: str, readout: str, references: list[SequenceModel]) -> None:
        super().__init__()
        self.cell, self.readout = cell, readout
        self.w_ih, self.w_hh, self.b_ih, self.b_hh = (_stacked(references, f"core.{name}") for name in RECURRENT)
        self.head_weight = _stacked(references, "head.weight")  # (K, output, hidden)
        self.head_bias = _stacked(references, "head.bias")  # (K, output)

    @property
    def stacks(self) -> int:
        return self.w_hh.shape[0]

    @property
    def hidden(self) -> int:
        return self.w_hh.shape[-1]

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """inputs (K, batch, time, features) → outputs (K, batch, output) or (K, batch, time, output)."""
        weights = (self.w_ih, self.w_hh, self.b_ih, self.b_hh)
        return self._read_out(LAYERS[self.cell](inputs, *weights, every_step=self.readout == "all"))

    def evaluate(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Outputs without autograd, and each copy's mean of the gate that keeps the old state (the LSTM's
        forget gate f, the GRU's update gate z; None for an RNN).

        The gate's mean is over samples, steps and units: near 1 the state (and the gradient) is carried across
        a step almost unchanged; near 0.5 a cue's trace halves at every step.
        """
        with torch.no_grad():
            weights = (self.w_ih, self.w_hh, self.b_ih, self.b_hh)
            states, gate_sum = FORWARDS[self.cell](inputs, *weights, keep=False)
            outputs = self._read_out(states[1:].permute(1, 2, 0, 3))
            gate = None if gate_sum is None else gate_sum.mean(dim=(1, 2)) / inputs.shape[2]  # (K,)
        return outputs, gate

    def _read_out(self, states: torch.Tensor) -> torch.Tensor:
        """The linear readout, one product per copy: a batched product with one output column (adding) sums
        in an order that depends on the number of copies, and a copy's numbers must not."""
        stacks, batch, time, hidden = states.shape  # states (K, batch, time, hidden)
        last = self.readout == "last"
        rows = states[:, :, -1] if last else states.reshape(stacks, batch * time, hidden)  # (K, rows, hidden)
        heads = zip(rows, self.head_weight, self.head_bias, strict=True)
        outputs = torch.stack([torch.addmm(bias, row, weight.t()) for row, weight, bias in heads])
        return outputs if self.readout == "last" else outputs.view(stacks, batch, time, -1)

    def recurrent_matrices(self) -> torch.Tensor:
        """(K, hidden, hidden): the square matrix that carries each copy's state from step to step."""
        block = CANDIDATE_BLOCK[self.cell]
        return self.w_hh[:, block * self.hidden : (block + 1) * self.hidden]

    def copy(self, index: int) -> SequenceModel:
        """Copy `index` as a lone reference model with PyTorch's own layer (for tests and comparisons)."""
        model = SequenceModel(self.cell, self.w_ih.shape[-1], self.hidden, self.head_bias.shape[-1], self.readout)
        names = [f"core.{name}" for name in RECURRENT] + ["head.weight", "head.bias"]
        values = (self.w_ih, self.w_hh, self.b_ih, self.b_hh, self.head_weight, self.head_bias)
        model.load_state_dict({name: value[index].detach().clone() for name, value in zip(names, values, strict=True)})
        return model


def _stacked(references: list[SequenceModel], name: str) -> nn.Parameter:
    return nn.Parameter(torch.stack([reference.get_parameter(name).detach() for reference in references]))
