"""The phenomena the lab exists to show, reproduced at small scale (slow: hundreds of training steps)."""

import pytest

from models.config import RunConfig
from models.records import StepRecord
from models.trainer import Trainer

pytestmark = pytest.mark.slow


def test_gated_models_learn_adding_at_gap_50_while_rnns_stay_at_the_baseline():
    """SCIENCE.md: adding, gap 50, hidden 32, Adam lr 0.01, batch 64, within 1,500 steps (90% within ±0.04)."""
    trainer = Trainer(RunConfig(task="adding", gap=50, hidden=32, lr=0.01, batch=64, seed=0))
    trainer.advance(1500)
    verdicts = trainer.verdicts()
    assert verdicts["lstm"].status == "solved" and verdicts["gru"].status == "solved"
    for run in trainer.runs[:2]:  # rnn and clipped_rnn
        assert run.spec.key in ("rnn", "clipped_rnn")
        assert run.last_probe.val_loss > 0.8 * trainer.chance_loss, run.spec.key
        assert verdicts[run.spec.key].status in ("at_chance", "worse_than_chance")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_clipping_stops_an_exploding_rnn_from_diverging(seed):
    """Recurrent weights orthogonal × 2 and plain SGD: without clipping the RNN blows up."""
    config = RunConfig(
        task="adding", gap=20, init_scale=2.0, optimizer="sgd", lr=0.1, seed=seed, contenders=("rnn", "clipped_rnn")
    )
    trainer = Trainer(config)
    records = trainer.advance(150)
    assert trainer.verdicts()["rnn"].status == "diverged"
    assert trainer.verdicts()["clipped_rnn"].status != "diverged"
    clipped_steps = [r for r in records if isinstance(r, StepRecord) and r.contender == "clipped_rnn"]
    assert len(clipped_steps) == 150
    assert max(r.grad_norm for r in clipped_steps) > 10 * config.clip  # it needed clipping
    assert trainer.runs[1].last_probe.val_loss < 1.0


def test_gradient_per_time_step_vanishes_for_the_rnn_but_not_for_the_lstm():
    """At initialisation the tanh RNN's ‖∂L/∂x_t‖ decays over 50 steps by orders of magnitude more."""
    trainer = Trainer(RunConfig(task="adding", gap=50, contenders=("rnn", "lstm"), eval_every=50))
    records = trainer.advance(50)
    latest = {r.contender: r.grad_per_step for r in records if not isinstance(r, StepRecord)}
    decay = {key: profile[-1] / profile[0] for key, profile in latest.items()}  # last step vs first step
    assert decay["rnn"] > 100 * decay["lstm"]
