"""K seeds trained at once equal K lone runs: weights, batches, validation, clipping, divergence and verdicts."""

from __future__ import annotations

import pytest
import torch

from models.checkpoint import restore, save
from models.config import ConfigError, RunConfig
from models.contenders import build, contender_spec
from models.records import StepRecord
from models.trainer import Trainer

TASK_GAPS = [("adding", 30), ("copy", 10), ("recall", 20), ("temporal_order", 30)]


def by_seed(records, seed):
    return [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in records if r.seed == seed]


def relative_worst(stacked, lone, field):
    pairs = [(a[field], b[field]) for a, b in zip(stacked, lone, strict=True) if "loss" in a and a[field] is not None]
    return max(abs(a - b) / max(abs(b), 1e-12) for a, b in pairs)


@pytest.mark.parametrize(("task", "gap"), TASK_GAPS)
def test_each_seed_of_a_stack_matches_its_lone_run_for_100_steps(task, gap):
    config = RunConfig(task=task, gap=gap, seed=4)
    stacked = Trainer(config.with_changes(seeds=3)).advance(100)
    for seed in (4, 5, 6):
        lone = Trainer(config.with_changes(seed=seed)).advance(100)
        mine, theirs = by_seed(stacked, seed), by_seed(lone, seed)
        assert [(r["contender"], r["step"]) for r in mine] == [(r["contender"], r["step"]) for r in theirs]
        steps = [r for r in mine if "loss" in r], [r for r in theirs if "loss" in r]
        assert relative_worst(*steps, "loss") <= 1e-4 and relative_worst(*steps, "grad_norm") <= 1e-4
        assert [r.get("verdict") for r in mine] == [r.get("verdict") for r in theirs]


def test_a_seed_that_explodes_freezes_alone_and_the_others_match_their_lone_runs():
    """Exploding gradients on demand (SCIENCE.md): unclipped seeds diverge at steps of their own."""
    config = RunConfig(task="adding", gap=20, init_scale=2.0, optimizer="sgd", lr=0.1, contenders=("rnn", "lstm"))
    stacked = Trainer(config.with_changes(seeds=5))
    records = stacked.advance(60)
    for seed in range(5):
        lone = Trainer(config.with_changes(seed=seed))
        assert by_seed(records, seed) == by_seed(lone.advance(60), seed)
        assert stacked.seed_verdicts()["rnn"][seed] == lone.verdicts()["rnn"]
    rnn = stacked.seed_verdicts()["rnn"]
    assert len({verdict.step for verdict in rnn if verdict.status == "diverged"}) > 1, rnn  # at steps of their own
    assert all(verdict.status != "diverged" for verdict in stacked.seed_verdicts()["lstm"])  # the LSTM trains on


def test_seeds_get_their_own_weights_batches_and_validation():
    trainer = Trainer(RunConfig(seeds=3, contenders=("lstm",)))
    model = trainer.runs[0].model
    for index, seed in enumerate((0, 1, 2)):
        lone = build(contender_spec("lstm"), RunConfig(seed=seed), 2, 1, "last")
        assert torch.equal(model.copy(index).core.weight_hh_l0, lone.core.weight_hh_l0)
    assert not torch.equal(trainer.validation[0][0], trainer.validation[0][1])
    assert len(set(trainer.chance_losses)) == 3


def test_records_name_their_seed_and_one_step_yields_one_record_per_seed_and_contender():
    records = Trainer(RunConfig(gap=10, hidden=8, seed=7, seeds=2)).advance(2)
    steps = [r for r in records if isinstance(r, StepRecord)]
    assert sorted({(r.contender, r.seed) for r in steps}) == sorted(
        (key, seed) for key in ("rnn", "clipped_rnn", "lstm", "gru") for seed in (7, 8)
    )
    assert len(steps) == 2 * 4 * 2


def test_a_stack_checkpoint_resumes_exactly():
    config = RunConfig(gap=10, hidden=8, seeds=3, eval_every=5)
    whole = Trainer(config)
    whole.advance(12)
    resumed = restore(save(whole))
    rest = whole.advance(13)
    assert by_seed(resumed.advance(13), 1) == by_seed(rest, 1) and resumed.seed_verdicts() == whole.seed_verdicts()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seeds": 0}, "seeds must be"),
        ({"seeds": 6}, "seeds must be"),
        ({"seed": 2**31 - 2, "seeds": 3}, "seed \\+ seeds"),
    ],
)
def test_bad_seed_counts_say_what_is_allowed(changes, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig(**changes)


@pytest.mark.parametrize(
    "config",
    [
        RunConfig(task="adding", gap=20, init_scale=2.0, optimizer="sgd", lr=0.1, seeds=2),  # the rnn diverges
        RunConfig(task="copy", gap=10, clip=0.05, eval_every=10),  # the clipped RNN clips at every step
    ],
)
def test_the_plain_and_the_clipped_rnn_share_a_stack_and_each_trains_as_it_would_alone(config):
    both = Trainer(config)
    assert [[run.spec.key for run in stack.members] for stack in both.stacks] == [
        ["rnn", "clipped_rnn"],
        ["lstm"],
        ["gru"],
    ]
    records = both.advance(60)
    for key in ("rnn", "clipped_rnn"):
        alone = Trainer(config.with_changes(contenders=(key,))).advance(60)
        for seed in both.seeds:
            mine = [r for r in by_seed(records, seed) if r["contender"] == key]
            theirs = by_seed(alone, seed)
            assert [(r["step"], r.get("verdict"), r.get("clipped")) for r in mine] == [
                (r["step"], r.get("verdict"), r.get("clipped")) for r in theirs
            ]
            steps = [r for r in mine if "loss" in r], [r for r in theirs if "loss" in r]
            assert relative_worst(*steps, "loss") <= 1e-4 and relative_worst(*steps, "grad_norm") <= 1e-4
    clipped = [r for r in records if isinstance(r, StepRecord) and r.contender == "clipped_rnn"]
    assert any(r.clipped for r in clipped) and not any(
        r.clipped for r in records if isinstance(r, StepRecord) and r.contender == "rnn"
    )
