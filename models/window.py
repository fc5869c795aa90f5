"""The feed-forward contender: an MLP that sees only the last k inputs — what recurrence adds, by its absence.

    window (last k inputs, zero-padded in front, oldest first) → Linear(k·features → hidden) → ReLU
                                                               → Linear(hidden → output)

With an every-step readout (copy) the same MLP reads the window ending at each step. It shares no weights across
time and keeps no state: an input older than k steps cannot reach the output, so its gradient there is exactly 0.
Weights: hidden·(k·features + 1) + output·(hidden + 1), growing with k; an RNN's do not grow with the gap.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def windows(inputs: torch.Tensor, size: int, every_step: bool) -> torch.Tensor:
    """(batch, time, features) → the last `size` inputs, flattened oldest first: (batch, [time,] size·features)."""
    padded = F.pad(inputs, (0, 0, size - 1, 0))  # (batch, size − 1 + time, features)
    if not every_step:
        return padded[:, -size:].flatten(1)
    return padded.unfold(1, size, 1).transpose(2, 3).flatten(2)  # (batch, time, size·features)


class WindowMLP(nn.Module):
    """One copy with PyTorch's own layers: the reference the stacked version is tested against, and whose seeded
    initialisation (PyTorch's default for nn.Linear) every stacked copy starts from."""

    def __init__(self, input_size: int, hidden: int, output_size: int, readout: str, window: int) -> None:
        super().__init__()
        self.window, self.readout = window, readout
        self.first = nn.Linear(window * input_size, hidden)
        self.second = nn.Linear(hidden, output_size)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        seen = windows(inputs, self.window, self.readout == "all")
        return self.second(torch.relu(self.first(seen)))


class StackedWindowMLP(nn.Module):
    """K copies of the window MLP, each from its lone run's initial weights; one product per copy (a copy's numbers
    must not depend on how many run beside it).

    The first layer runs as a causal 1-D convolution over time: the same weights as the Linear over the flattened
    window, without materialising every step's window (copy at gap 200, window 200: 0.5 GB).
    """

    cell = "feedforward"

    def __init__(self, readout: str, references: list[WindowMLP]) -> None:
        super().__init__()
        self.readout, self.window = readout, references[0].window
        self.first_weight = _stacked(references, "first.weight")  # (K, hidden, window·features)
        self.first_bias = _stacked(references, "first.bias")
        self.second_weight = _stacked(references, "second.weight")  # (K, output, hidden)
        self.second_bias = _stacked(references, "second.bias")

    @property
    def stacks(self) -> int:
        return self.first_weight.shape[0]

    @property
    def hidden(self) -> int:
        return self.first_weight.shape[1]

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """inputs (K, batch, time, features) → outputs (K, batch, output) or (K, batch, time, output)."""
        every_step = self.readout == "all"
        seen = inputs if every_step else inputs[:, :, -self.window :]  # the last window is all a last readout reads
        outputs = []
        for copy in range(inputs.shape[0]):
            features = self.first_weight.shape[2] // self.window
            kernel = self.first_weight[copy].view(self.hidden, self.window, features).transpose(1, 2)
            padded = F.pad(seen[copy].transpose(1, 2), (self.window - 1, 0))  # (batch, features, time')
            hidden = torch.relu(F.conv1d(padded, kernel, self.first_bias[copy]))  # (batch, hidden, time')
            rows = hidden.transpose(1, 2) if every_step else hidden[:, :, -1]  # (batch, [time,] hidden)
            outputs.append(F.linear(rows, self.second_weight[copy], self.second_bias[copy]))
        return torch.stack(outputs)

    def evaluate(self, inputs: torch.Tensor) -> tuple[torch.Tensor, None]:
        """Outputs without autograd; no gate to report."""
        with torch.no_grad():
            return self(inputs), None

    def recurrent_matrices(self) -> None:
        """No recurrence, so no spectral radius."""
        return None

    def copy(self, index: int) -> WindowMLP:
        features = self.first_weight.shape[2] // self.window
        model = WindowMLP(features, self.hidden, self.second_bias.shape[-1], self.readout, self.window)
        names = ("first.weight", "first.bias", "second.weight", "second.bias")
        values = (self.first_weight, self.first_bias, self.second_weight, self.second_bias)
        model.load_state_dict({name: value[index].detach().clone() for name, value in zip(names, values, strict=True)})
        return model


def _stacked(references: list[nn.Module], name: str) -> nn.Parameter:
    return nn.Parameter(torch.stack([reference.get_parameter(name).detach() for reference in references]))
