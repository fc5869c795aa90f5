"""Contenders: shared initial weights, the initialisation remedies, and parameter counts."""

import pytest
import torch

from models.config import ConfigError, RunConfig
from models.contenders import CONTENDERS, build, contender_spec, hidden_size, parameter_count
from models.diagnostics import spectral_radii


def make(key, **changes):
    config = RunConfig(**changes)
    return build(contender_spec(key), config, input_size=3, output_size=2, readout="last")


def test_clipped_rnn_starts_from_the_rnns_weights():
    plain, clipped = make("rnn", seed=5), make("clipped_rnn", seed=5)
    for (name, a), (_, b) in zip(plain.named_parameters(), clipped.named_parameters(), strict=True):
        assert torch.equal(a, b), name
    assert not torch.equal(make("rnn", seed=6).core.weight_hh_l0, plain.core.weight_hh_l0)


def test_building_does_not_touch_the_global_random_state():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    make("lstm")
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5, 3.0])
def test_rnn_spectral_radius_at_init_is_the_init_scale(scale):
    model = make("rnn", init_scale=scale)
    assert spectral_radii(model.recurrent_matrix().unsqueeze(0))[0] == pytest.approx(scale, rel=1e-4)
    eigenvalues = torch.linalg.eigvals(model.core.weight_hh_l0.detach())
    assert eigenvalues.abs().max().item() == pytest.approx(scale, rel=1e-4)


@pytest.mark.parametrize("key", ["lstm", "gru"])
def test_every_recurrent_gate_block_is_orthogonal_times_scale(key):
    model = make(key, init_scale=0.8, hidden=16)
    for block in model.core.weight_hh_l0.detach().split(16):
        assert torch.allclose(block @ block.T, 0.64 * torch.eye(16), atol=1e-5)


@pytest.mark.parametrize("key", ["lstm", "gru"])
def test_gate_bias_toward_remembering(key):
    model = make(key, forget_bias=2.5, hidden=8)
    total = model.core.bias_ih_l0 + model.core.bias_hh_l0  # PyTorch adds both biases
    assert torch.allclose(total[8:16], torch.full((8,), 2.5))  # LSTM forget gate / GRU update gate


@pytest.mark.parametrize("key", list(CONTENDERS))
@pytest.mark.parametrize("hidden", [1, 7, 32])
def test_parameter_count_matches_the_built_model(key, hidden):
    spec = contender_spec(key)
    model = build(spec, RunConfig(hidden=hidden), input_size=10, output_size=9, readout="all")
    window = RunConfig().window  # only the feed-forward contender's count depends on it
    assert parameter_count(spec.cell, 10, hidden, 9, window) == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_equal_params_gives_the_largest_gated_model_within_the_rnns_count(cell):
    config = RunConfig(hidden=64, equal_params=True)
    budget = parameter_count("rnn", 2, 64, 1)
    size = hidden_size(cell, config, 2, 1)
    assert parameter_count(cell, 2, size, 1) <= budget < parameter_count(cell, 2, size + 1, 1)
    assert hidden_size("rnn", config, 2, 1) == 64
    assert hidden_size(cell, RunConfig(hidden=64), 2, 1) == 64


def test_model_matches_the_torch_layer_it_wraps():
    model = make("gru", hidden=6)
    inputs = torch.randn(4, 9, 3)
    states, _ = model.core(inputs)
    assert torch.allclose(model(inputs), model.head(states[:, -1]))


def test_unknown_contender_names_the_valid_ones():
    with pytest.raises(ConfigError, match="rnn, clipped_rnn, lstm, gru"):
        contender_spec("transformer")


def test_a_matrix_that_is_not_finite_has_no_spectral_radius_and_leaves_the_others_alone():
    matrices = torch.stack([torch.eye(3) * 0.5, torch.full((3, 3), float("inf")), torch.eye(3) * 2])
    radii = spectral_radii(matrices)
    assert radii[0] == pytest.approx(0.5) and radii[2] == pytest.approx(2.0)
    assert radii[1] != radii[1]  # NaN
