"""The trainer: identical batches, clipping, the gradient probe, divergence and determinism."""

import math
from dataclasses import fields

import pytest
import torch

from models.config import RunConfig
from models.contenders import build, contender_spec
from models.diagnostics import judge
from models.records import ProbeRecord, StepRecord, Verdict
from models.tasks import make_task
from models.trainer import Trainer, preview, validation_set

SMALL = RunConfig(task="adding", gap=12, hidden=8, batch=16, eval_every=5)


def steps_of(records, key=None):
    return [r for r in records if isinstance(r, StepRecord) and key in (None, r.contender)]


def probes_of(records, key=None):
    return [r for r in records if isinstance(r, ProbeRecord) and key in (None, r.contender)]


def without_seconds(records):
    return [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in records]


def test_every_step_yields_a_plain_record_per_contender():
    records = Trainer(SMALL).advance(5)
    steps = steps_of(records)
    assert [(r.step, r.contender) for r in steps] == [
        (s, key) for s in range(1, 6) for key in ("rnn", "clipped_rnn", "lstm", "gru")
    ]
    for record in records:
        for value in record.to_dict().values():
            assert value is None or isinstance(value, bool | int | float | str | list)
    assert {r.step for r in probes_of(records)} == {1, 5}  # the first step and every eval_every


def test_same_seed_gives_identical_records_and_another_seed_does_not():
    first = Trainer(SMALL).advance(12)
    again = Trainer(SMALL).advance(12)
    other = Trainer(SMALL.with_changes(seed=1)).advance(12)
    assert without_seconds(first) == without_seconds(again)
    assert without_seconds(first) != without_seconds(other)


def test_advancing_in_chunks_equals_advancing_at_once():
    whole = Trainer(SMALL).advance(9)
    trainer = Trainer(SMALL)
    chunked = trainer.advance(2) + trainer.advance(3) + trainer.advance(4)
    assert without_seconds(whole) == without_seconds(chunked)


def test_all_contenders_see_identical_batches():
    """rnn and clipped_rnn share weights, so with clipping out of reach they must stay identical."""
    records = Trainer(SMALL.with_changes(clip=1000.0, contenders=("rnn", "clipped_rnn"))).advance(6)
    plain, clipped = steps_of(records, "rnn"), steps_of(records, "clipped_rnn")
    assert [r.loss for r in plain] == [r.loss for r in clipped]
    assert not any(r.clipped for r in clipped)


def test_clipping_bounds_the_norm_and_matches_torchs_clip_grad_norm():
    config = SMALL.with_changes(clip=0.05, optimizer="sgd", lr=0.1, contenders=("clipped_rnn",))
    trainer = Trainer(config)
    reference = trainer.runs[0].model.copy(0)  # PyTorch's own layer with the same weights
    inputs, targets = trainer.task.batch(torch.Generator().manual_seed(config.seed), config.batch)
    records = steps_of(trainer.advance(1))

    loss = trainer.task.loss(reference(inputs), targets)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(reference.parameters(), 0.05)
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad

    (record,) = records
    assert record.clipped and record.grad_norm == pytest.approx(norm.item(), rel=1e-5)
    assert record.grad_norm > 0.05 and record.grad_norm_clipped == pytest.approx(0.05)
    for mine, theirs in zip(trainer.runs[0].model.copy(0).parameters(), reference.parameters(), strict=True):
        assert torch.allclose(mine, theirs, atol=1e-6)


def test_clipped_norm_never_exceeds_the_threshold():
    records = steps_of(Trainer(SMALL.with_changes(clip=0.3)).advance(20), "clipped_rnn")
    assert all(r.grad_norm_clipped <= 0.3 + 1e-6 for r in records)
    assert all(r.clipped == (r.grad_norm > 0.3) for r in records)
    assert any(r.clipped for r in records)


@pytest.mark.parametrize("task", ["adding", "copy"])
@pytest.mark.parametrize("key", ["rnn", "lstm", "gru"])
def test_gradient_probe_equals_per_sample_autograd(task, key):
    config = RunConfig(task=task, gap=6, hidden=5, batch=4, contenders=(key,))
    trainer = Trainer(config)
    task_ = make_task(task, 6)
    model = build(contender_spec(key), config, task_.input_size, task_.output_size, task_.readout)
    inputs, targets = task_.batch(torch.Generator().manual_seed(config.seed), config.batch)

    norms = []
    for b in range(config.batch):
        x = inputs[b : b + 1].clone().requires_grad_()
        (grad,) = torch.autograd.grad(task_.loss(model(x), targets[b : b + 1]), x)
        norms.append(grad[0].norm(dim=-1))  # (time,)
    expected = torch.stack(norms).mean(0)

    (probe,) = probes_of(trainer.advance(1))
    assert len(probe.grad_per_step) == task_.length
    assert torch.allclose(torch.tensor(probe.grad_per_step), expected, rtol=1e-4, atol=1e-9)


def test_probe_reports_radius_and_validation():
    (probe, *_) = probes_of(Trainer(SMALL.with_changes(init_scale=1.5)).advance(1), "rnn")
    assert 1.3 < probe.spectral_radius < 1.7  # one small update away from the initial 1.5
    assert probe.val_loss > 0 and 0 <= probe.val_accuracy <= 1


def test_a_diverging_contender_is_frozen_and_the_others_keep_training():
    trainer = Trainer(SMALL)
    with torch.no_grad():
        rnn = trainer.runs[0]  # it shares a stacked model with the clipped RNN: only its own row is poisoned
        rnn.model.head_weight[rnn.first].fill_(math.inf)  # the rnn's output becomes inf/NaN
    records = trainer.advance(7)

    rnn_steps = steps_of(records, "rnn")
    assert len(rnn_steps) == 1 and rnn_steps[0].diverged and rnn_steps[0].loss is None
    assert trainer.verdicts()["rnn"] == Verdict("diverged", 1)
    assert trainer.verdicts()["rnn"].text == "diverged at step 1"
    for key in ("clipped_rnn", "lstm", "gru"):
        assert len(steps_of(records, key)) == 7 and trainer.verdicts()[key].status != "diverged"

    for record in records:  # nothing plotted can be NaN or infinite unflagged
        for field in fields(record):
            value = getattr(record, field.name)
            values = value if isinstance(value, list) else [value]
            assert all(v is None or not isinstance(v, float) or math.isfinite(v) for v in values)


def test_verdicts_follow_validation_accuracy_and_loss():
    task = make_task("recall", 10)  # chance loss ln 4; solved at validation accuracy 0.9
    chance = task.baseline.loss
    start = Verdict("not_started")
    assert judge(start, 1, 1.38, 0.26, task, chance) == Verdict("at_chance")
    assert judge(start, 1, 1.3, 0.26, task, chance) == Verdict("at_chance")  # within ±10%
    assert judge(start, 1, 1.6, 0.2, task, chance) == Verdict("worse_than_chance")
    assert judge(start, 50, 0.9, 0.6, task, chance) == Verdict("learning")
    assert judge(start, 50, 0.4, 0.89, task, chance) == Verdict("learning")  # a low loss is not enough
    assert judge(Verdict("learning"), 60, 0.3, 0.9, task, chance) == Verdict("solved", 60)
    assert judge(Verdict("solved", 60), 70, 0.2, 0.95, task, chance) == Verdict("solved", 60)
    lost = judge(Verdict("solved", 60), 80, 1.38, 0.25, task, chance)
    assert lost == Verdict("lost", 80, 60) and lost.text == "solved at step 60, lost it at step 80"
    assert judge(lost, 90, 1.38, 0.25, task, chance) == lost  # stays lost, with both steps
    again = judge(lost, 100, 0.1, 0.97, task, chance)
    assert again == Verdict("solved", 100, 60) and again.text == "solved again at step 100"
    assert judge(again, 110, 1.0, 0.5, task, chance) == Verdict("lost", 110, 60)
    assert judge(Verdict("diverged", 7), 80, 0.1, 1.0, task, chance) == Verdict("diverged", 7)


def test_at_chance_is_measured_against_the_validation_sets_own_chance_loss():
    """Adding's 1/6 is an expectation; on 256 samples "always answer 1" scores 0.140–0.182 (seeds 0–9)."""
    task = make_task("adding", 50)
    trainer = Trainer(RunConfig(task="adding", gap=50, seed=8, contenders=("rnn",)))
    targets = trainer.validation[1][0]  # the first (only) seed's
    assert trainer.chance_loss == pytest.approx(((targets - 1) ** 2).mean().item())
    assert trainer.chance_loss < 0.9 * task.baseline.loss  # far enough off 1/6 to matter on this seed
    assert judge(Verdict("learning"), 25, trainer.chance_loss, 0.08, task, trainer.chance_loss).status == "at_chance"
    recall = make_task("recall", 5)
    exact = recall.chance_loss(*validation_set(RunConfig(task="recall"), recall))
    assert exact == pytest.approx(math.log(4))  # exact for uniform guessing


def test_adding_is_solved_only_at_90_percent_within_004():
    task = make_task("adding", 20)
    assert judge(Verdict("learning"), 25, 0.005, 0.45, task, 1 / 6).status == "learning"  # MSE < 0.01 at 45%
    assert judge(Verdict("learning"), 25, 0.0005, 0.9, task, 1 / 6) == Verdict("solved", 25)


def test_a_run_starts_not_started():
    trainer = Trainer(SMALL)
    assert {verdict.text for verdict in trainer.verdicts().values()} == {"not started"}


def test_contenders_describe_themselves_as_plain_data():
    info = Trainer(SMALL.with_changes(equal_params=True)).contenders()
    by_key = {row["contender"]: row for row in info}
    assert by_key["rnn"]["hidden"] == 8 and by_key["lstm"]["hidden"] < 8
    assert by_key["lstm"]["parameters"] <= by_key["rnn"]["parameters"]


@pytest.mark.parametrize("config", [SMALL, SMALL.with_changes(task="copy", equal_params=True, hidden=20)])
def test_preview_tells_the_page_what_the_trainer_will_build(config):
    trainer = Trainer(config)
    rows, sample, chance_loss = preview(config)
    assert rows == trainer.contenders() and trainer.task.sentence.format(**sample) == trainer.sample()
    assert chance_loss == trainer.chance_loss
    for row, run in zip(rows, trainer.runs, strict=True):
        assert row["parameters"] == sum(p.numel() for p in run.model.parameters()) // run.model.stacks
        assert row["hidden"] == run.model.hidden


def test_a_shown_accuracy_never_rounds_up_to_the_solved_bar():
    from models.records import floored_percent

    assert floored_percent(0.8996) == "89%" and floored_percent(0.9) == "90%"
    assert floored_percent(0.8999, 1) == "89.9%" and floored_percent(0.29) == "29%"
