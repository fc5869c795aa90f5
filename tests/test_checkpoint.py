"""A run that gives up its process and resumes computes exactly what an uninterrupted run computes."""

import pytest

from models import checkpoint
from models.config import RunConfig
from models.records import ProbeRecord, StepRecord
from models.trainer import SAMPLE_EVERY, Trainer

CONFIGS = [
    RunConfig(task="adding", gap=12, hidden=8, batch=16, eval_every=5),  # Adam: its moments must survive
    RunConfig(task="copy", gap=4, hidden=8, batch=8, eval_every=7, optimizer="rmsprop", seed=3),
    RunConfig(task="adding", gap=20, init_scale=2.0, optimizer="sgd", lr=0.1, contenders=("rnn", "clipped_rnn")),
]


def numbers(records):
    """Everything a record holds but the wall time."""
    out = []
    for record in records:
        values = record.to_dict()
        values.pop("seconds", None)
        out.append((type(record).__name__, values))
    return out


@pytest.mark.parametrize("config", CONFIGS, ids=["adam", "rmsprop-copy", "sgd-diverging"])
def test_a_restored_trainer_continues_exactly_as_the_uninterrupted_one(config):
    whole = Trainer(config)
    expected = numbers(whole.advance(40))
    first = Trainer(config)
    head = numbers(first.advance(17))  # mid-way between validations
    resumed = checkpoint.restore(checkpoint.save(first))
    assert resumed.step_count == 17
    tail = numbers(resumed.advance(23))
    assert head + tail == expected
    assert resumed.verdicts() == whole.verdicts()
    assert [run.last_probe for run in resumed.runs] == [run.last_probe for run in whole.runs]


def test_a_restored_book_run_writes_the_sentences_and_distances_the_uninterrupted_one_does():
    config = RunConfig(task="book", gap=3, hidden=8, batch=8, eval_every=10, contenders=("rnn", "gru"), seed=2)
    expected = numbers(Trainer(config).advance(SAMPLE_EVERY))
    first = Trainer(config)
    head = numbers(first.advance(117))
    tail = numbers(checkpoint.restore(checkpoint.save(first)).advance(SAMPLE_EVERY - 117))
    assert head + tail == expected
    assert sum(kind == "SampleRecord" for kind, _ in tail) == 2  # both contenders wrote at the last step


def test_the_checkpoint_holds_the_verdicts_and_the_bookkeeping():
    trainer = Trainer(CONFIGS[2])
    records = trainer.advance(60)  # the plain RNN diverges on the way
    assert any(isinstance(r, StepRecord) and r.diverged for r in records)
    restored = checkpoint.restore(checkpoint.save(trainer))
    assert restored.verdicts() == trainer.verdicts() and restored.verdicts()["rnn"].status == "diverged"
    assert [(r.steps, r.seconds) for r in restored.runs] == [(r.steps, r.seconds) for r in trainer.runs]
    assert all(isinstance(r.last_probe, ProbeRecord) for r in restored.runs)
