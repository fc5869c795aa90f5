"""The hand-written stacked layers equal PyTorch's nn.RNN, nn.LSTM and nn.GRU: outputs and every gradient,
copy by copy, in float64 and float32; the inference path and its gate sums too."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from models.recurrence import FORWARDS, LAYERS

REFERENCES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
SHAPES = [  # (copies, batch, time, features, hidden)
    (1, 1, 1, 1, 1),
    (3, 3, 7, 2, 5),
    (1, 64, 101, 2, 64),  # the benchmark size
    (5, 5, 12, 10, 33),  # copy-task input width, odd hidden size, five seeds
]


def references(cell: str, copies: int, features: int, hidden: int, dtype: torch.dtype) -> list[nn.RNNBase]:
    torch.manual_seed(copies * 1000 + hidden)
    layers = [REFERENCES[cell](features, hidden, batch_first=True, dtype=dtype) for _ in range(copies)]
    with torch.no_grad():  # nonzero biases everywhere, so every bias term is exercised; weights stay contracting
        for layer in layers:  # (a chaotic layer would amplify float64 rounding past any tolerance over 100 steps)
            for name, parameter in layer.named_parameters():
                parameter.add_(torch.randn_like(parameter) * (0.3 if "bias" in name else 0.3 / hidden**0.5))
    return layers


def stacked(layers: list[nn.RNNBase]) -> list[torch.Tensor]:
    return [torch.stack([getattr(layer, name).detach() for layer in layers]).requires_grad_() for name in NAMES]


def relative(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return ((actual - expected).norm() / expected.norm().clamp_min(1e-30)).item()


def assert_equal_within(actual: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype, what: str) -> None:
    """float64: element by element to 1e-10. float32: the whole tensor within 1e-5 relative (summation order
    differs, and a single element near zero can differ by more of itself)."""
    if dtype == torch.float64:
        torch.testing.assert_close(actual, expected, rtol=1e-10, atol=1e-12, msg=what)
    else:
        assert relative(actual, expected) <= 1e-5, f"{what}: relative difference {relative(actual, expected):.2e}"


@pytest.mark.parametrize("cell", list(LAYERS))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("last", [True, False], ids=["last-step-readout", "every-step-readout"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
def test_each_copy_matches_its_pytorch_layer(cell, shape, last, dtype):
    copies, batch, time, features, hidden = shape
    layers = references(cell, copies, features, hidden, dtype)
    weights = stacked(layers)
    inputs = torch.randn(copies, batch, time, features, dtype=dtype, requires_grad=True)
    upstream = torch.randn(copies, batch, time, hidden, dtype=dtype)
    outputs = LAYERS[cell](inputs, *weights, every_step=not last)  # a last-step readout says so
    (outputs[:, :, -1] * upstream[:, :, -1] if last else outputs * upstream).sum().backward()
    for index, layer in enumerate(layers):
        lone = inputs[index].detach().clone().requires_grad_()
        expected, _ = layer(lone)
        (expected[:, -1] * upstream[index, :, -1] if last else expected * upstream[index]).sum().backward()
        assert_equal_within(outputs[index].detach(), expected.detach(), dtype, f"copy {index} outputs")
        assert_equal_within(inputs.grad[index], lone.grad, dtype, f"copy {index} input gradient")  # the probe's
        for name, weight in zip(NAMES, weights, strict=True):
            assert_equal_within(weight.grad[index], getattr(layer, name).grad, dtype, f"copy {index} {name}")


@pytest.mark.parametrize("cell", list(LAYERS))
def test_float64_gradcheck(cell):
    """Autograd's own finite-difference check of each hand-written backward, two copies."""
    weights = stacked(references(cell, 2, 3, 4, torch.float64))
    inputs = torch.randn(2, 2, 5, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(LAYERS[cell], (inputs, *weights))


@pytest.mark.parametrize("cell", list(LAYERS))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_inference_path_matches_and_sums_the_memory_gate(cell, shape):
    """Validation runs a leaner loop (one step's buffers); its states are PyTorch's, and the gate it sums is the
    LSTM forget gate / GRU update gate computed from the layer's own weights."""
    copies, batch, time, features, hidden = shape
    layers = references(cell, copies, features, hidden, torch.float64)
    inputs = torch.randn(copies, batch, time, features, dtype=torch.float64)
    with torch.no_grad():
        states, gate_sum = FORWARDS[cell](inputs, *stacked(layers), keep=False)
        for index, layer in enumerate(layers):
            expected, _ = layer(inputs[index])  # (batch, time, hidden)
            assert_equal_within(states[1:, index].transpose(0, 1), expected, torch.float64, "states")
            if cell == "rnn":
                assert gate_sum is None
                continue
            previous = torch.cat([torch.zeros_like(expected[:, :1]), expected[:, :-1]], dim=1)
            rows = slice(hidden, 2 * hidden)  # LSTM i,f,g,o: f; GRU r,z,n: z
            logits = (
                inputs[index] @ layer.weight_ih_l0[rows].T
                + layer.bias_ih_l0[rows]
                + previous @ layer.weight_hh_l0[rows].T
                + layer.bias_hh_l0[rows]
            )
            assert_equal_within(gate_sum[index], torch.sigmoid(logits).sum(1), torch.float64, "gate sum")


@pytest.mark.parametrize("cell", list(LAYERS))
def test_copies_do_not_mix_even_when_one_is_not_a_number(cell):
    """A copy with infinite weights yields NaN; the others' outputs and gradients stay what they were alone."""
    weights = stacked(references(cell, 3, 2, 4, torch.float32))
    inputs = torch.randn(3, 2, 6, 2)
    clean = LAYERS[cell](inputs, *weights)
    clean.sum().backward()
    clean_grads = [weight.grad.clone() for weight in weights]
    for weight in weights:
        weight.grad = None
    with torch.no_grad():
        weights[1][1].fill_(float("inf"))  # copy 1's recurrent weights
    poisoned = LAYERS[cell](inputs, *weights)
    poisoned.sum().backward()
    assert not torch.isfinite(poisoned[1]).all()
    for index in (0, 2):
        assert torch.equal(poisoned[index], clean[index])
        for weight, expected in zip(weights, clean_grads, strict=True):
            assert torch.equal(weight.grad[index], expected[index])


@pytest.mark.parametrize("cell", list(LAYERS))
def test_deterministic(cell):
    weights = stacked(references(cell, 2, 2, 16, torch.float32))
    inputs = torch.randn(2, 8, 20, 2)
    runs = []
    for _ in range(2):
        for weight in weights:
            weight.grad = None
        LAYERS[cell](inputs, *weights).square().sum().backward()
        runs.append([weight.grad.clone() for weight in weights])
    assert all(torch.equal(a, b) for a, b in zip(*runs, strict=True))
