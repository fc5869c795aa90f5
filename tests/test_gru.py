"""The hand-written GRU equals PyTorch's nn.GRU: outputs and every gradient, in float64 and float32."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from models.gru import FastGRU, GRUFunction

SHAPES = [  # (batch, time, features, hidden)
    (1, 1, 1, 1),
    (3, 7, 2, 5),
    (64, 101, 2, 64),  # the benchmark size
    (5, 12, 10, 33),  # copy-task input width, odd hidden size
]


def pair(features: int, hidden: int, dtype: torch.dtype, seed: int = 0) -> tuple[nn.GRU, FastGRU]:
    torch.manual_seed(seed)
    reference = nn.GRU(features, hidden, batch_first=True, dtype=dtype)
    fast = FastGRU(features, hidden, batch_first=True, dtype=dtype)
    fast.load_state_dict(reference.state_dict())
    with torch.no_grad():  # nonzero biases everywhere, so every bias term is exercised
        for parameter in reference.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.3)
        fast.load_state_dict(reference.state_dict())
    return reference, fast


def outputs_and_gradients(model: nn.Module, inputs: torch.Tensor, upstream: torch.Tensor, last: bool):
    inputs = inputs.detach().clone().requires_grad_(True)
    outputs, final = model(inputs)
    loss = (outputs[:, -1] * upstream[:, -1]).sum() if last else (outputs * upstream).sum()
    loss.backward()
    gradients = {name: parameter.grad for name, parameter in model.named_parameters()}
    return outputs.detach(), final.detach(), inputs.grad, gradients


def assert_equal_within(actual: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype, what: str) -> None:
    """float64: element by element to 1e-10. float32: relative difference of the whole tensor within 1e-5.

    In float32 the two implementations sum in different orders, and after 100 steps a single element near
    zero can differ by 1e-4 of itself while the tensor as a whole agrees to about 1e-6.
    """
    if dtype == torch.float64:
        torch.testing.assert_close(actual, expected, rtol=1e-10, atol=1e-12, msg=what)
        return
    relative = ((actual - expected).norm() / expected.norm().clamp_min(1e-30)).item()
    assert relative <= 1e-5, f"{what}: relative difference {relative:.2e}"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("last", [True, False], ids=["last-step-readout", "every-step-readout"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
def test_matches_nn_gru(shape, last, dtype):
    batch, time, features, hidden = shape
    reference, fast = pair(features, hidden, dtype)
    inputs = torch.randn(batch, time, features, dtype=dtype)
    upstream = torch.randn(batch, time, hidden, dtype=dtype)
    expected = outputs_and_gradients(reference, inputs, upstream, last)
    actual = outputs_and_gradients(fast, inputs, upstream, last)
    assert_equal_within(actual[0], expected[0], dtype, "outputs")
    assert_equal_within(actual[1], expected[1], dtype, "final state")
    assert_equal_within(actual[2], expected[2], dtype, "input gradient")  # the probe reads it
    assert actual[3].keys() == expected[3].keys()
    for name in expected[3]:
        assert_equal_within(actual[3][name], expected[3][name], dtype, name)


def test_float64_gradcheck():
    """Autograd's own finite-difference check of the hand-written backward."""
    _, fast = pair(3, 4, torch.float64)
    inputs = torch.randn(2, 5, 3, dtype=torch.float64, requires_grad=True)
    weights = tuple(fast.parameters())
    assert torch.autograd.gradcheck(GRUFunction.apply, (inputs, *weights))


def test_same_initialisation_as_nn_gru():
    """Subclassing keeps nn.GRU's parameter names and seeded initial values: old runs reproduce."""
    torch.manual_seed(3)
    reference = nn.GRU(2, 8, batch_first=True)
    torch.manual_seed(3)
    fast = FastGRU(2, 8, batch_first=True)
    for (name, expected), (other, actual) in zip(reference.named_parameters(), fast.named_parameters(), strict=True):
        assert name == other
        torch.testing.assert_close(actual, expected, rtol=0, atol=0)


def test_deterministic():
    _, fast = pair(2, 16, torch.float32)
    inputs = torch.randn(8, 20, 2)
    upstream = torch.randn(8, 20, 16)
    first = outputs_and_gradients(fast, inputs, upstream, last=False)
    fast.zero_grad()
    second = outputs_and_gradients(fast, inputs, upstream, last=False)
    assert torch.equal(first[0], second[0]) and torch.equal(first[2], second[2])
    assert all(torch.equal(first[3][name], second[3][name]) for name in first[3])


def test_other_call_forms_fall_back_to_nn_gru():
    """An initial state or time-major input takes nn.GRU's own path and gives its numbers."""
    reference, fast = pair(2, 6, torch.float64)
    inputs = torch.randn(3, 4, 2, dtype=torch.float64)
    start = torch.randn(1, 3, 6, dtype=torch.float64)
    torch.testing.assert_close(fast(inputs, start)[0], reference(inputs, start)[0])


@pytest.mark.parametrize("shape", SHAPES)
def test_inference_path_matches_nn_gru(shape):
    """Without autograd (validation) a leaner loop runs; its outputs are nn.GRU's."""
    batch, time, features, hidden = shape
    reference, fast = pair(features, hidden, torch.float64)
    inputs = torch.randn(batch, time, features, dtype=torch.float64)
    with torch.no_grad():
        expected, actual = reference(inputs), fast(inputs)
    assert_equal_within(actual[0], expected[0], torch.float64, "outputs")
    assert_equal_within(actual[1], expected[1], torch.float64, "final state")
