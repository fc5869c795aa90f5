"""The feed-forward contender: equal to its PyTorch reference, blind outside its window, and what it costs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from models.config import RunConfig
from models.contenders import build, contender_spec, parameter_count
from models.records import ProbeRecord
from models.trainer import Trainer
from models.window import StackedWindowMLP, WindowMLP

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("readout", ["last", "all"])
@pytest.mark.parametrize(("window", "time"), [(1, 5), (4, 9), (12, 7)])  # a window longer than the sequence too
def test_each_stacked_copy_equals_the_unfolded_reference(readout, window, time):
    torch.manual_seed(0)
    references = [WindowMLP(3, 6, 2, readout, window).double() for _ in range(3)]
    stacked = StackedWindowMLP(readout, references)
    inputs = torch.randn(3, 4, time, 3, dtype=torch.float64, requires_grad=True)
    outputs = stacked(inputs)
    outputs.square().sum().backward()
    for index, reference in enumerate(references):
        alone = inputs[index].detach().clone().requires_grad_()
        expected = reference(alone)
        expected.square().sum().backward()
        torch.testing.assert_close(outputs[index], expected, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(inputs.grad[index], alone.grad, rtol=1e-10, atol=1e-12)
        grads = (stacked.first_weight.grad[index], stacked.second_weight.grad[index], stacked.first_bias.grad[index])
        for mine, theirs in zip(grads, (reference.first.weight.grad, reference.second.weight.grad,
                                         reference.first.bias.grad), strict=True):  # fmt: skip
            torch.testing.assert_close(mine, theirs, rtol=1e-10, atol=1e-12)


def test_the_gradient_is_exactly_zero_outside_the_window():
    config = RunConfig(task="recall", gap=20, window=10, contenders=("feedforward",))
    (probe,) = [r for r in Trainer(config).advance(1) if isinstance(r, ProbeRecord)]
    profile = probe.grad_per_step
    assert all(value == 0.0 for value in profile[:-10]) and all(value > 0 for value in profile[-10:])
    assert probe.spectral_radius is None and probe.gate_mean is None  # nothing recurrent to report


@pytest.mark.parametrize("window", [1, 10, 100])
def test_the_weight_count_grows_with_the_window(window):
    config = RunConfig(task="recall", window=window)
    model = build(contender_spec("feedforward"), config, 12, 4, "last")
    assert sum(p.numel() for p in model.parameters()) == parameter_count("feedforward", 12, 32, 4, window)
    assert parameter_count("feedforward", 12, 32, 4, window) == 32 * (12 * window + 1) + 4 * 33


def test_a_stacked_feedforward_seed_equals_its_lone_run():
    config = RunConfig(task="copy", gap=10, hidden=8, window=6, contenders=("feedforward", "rnn"))
    stacked = Trainer(config.with_changes(seeds=2)).advance(30)
    lone = Trainer(config.with_changes(seed=1)).advance(30)
    mine = [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in stacked if r.seed == 1]
    assert mine == [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in lone]


def test_recall_past_the_window_is_out_of_reach_and_within_it_is_not():
    """The issue's check: gap 20, window 10 — feed-forward at chance, the RNN solves it; at gap 5 both do."""
    common = ["--task", "recall", "--window", "10", "--contenders", "feedforward,rnn", "--steps", "600"]
    far = subprocess.run([sys.executable, "-m", "models", *common, "--gap", "20"], cwd=ROOT, capture_output=True,
                         text=True)  # fmt: skip
    near = subprocess.run([sys.executable, "-m", "models", *common, "--gap", "5"], cwd=ROOT, capture_output=True,
                          text=True)  # fmt: skip
    verdicts = {line.split()[0]: line for line in far.stdout.splitlines()[1:3]}
    assert "at chance" in verdicts["feedforward"] and "solved" in verdicts["rnn"], far.stdout
    assert all("solved" in line for line in near.stdout.splitlines()[1:3]), near.stdout
