"""The children's book: sentences that follow the cycle, labels that depend only on the subject, the last-word
baseline computed exactly, accuracy by distance, and the sentences the models write."""

import math
import subprocess
import sys

import pytest
import torch

from models.book_cli import DEFAULT_MAX_GAP
from models.book_cli import command as book_command
from models.book_cli import config_from as book_config_from
from models.book_cli import parse_args as book_args
from models.config import RunConfig
from models.diagnostics import judge
from models.records import ProbeRecord, SampleRecord, Verdict
from models.tasks.book import ADJECTIVES, IGNORE, NAMES, WORDS, BookTask, adjective_runs, read_sentences
from models.trainer import SAMPLE_EVERY, Trainer


def draw(task, batch=64, seed=0):
    return task.batch(torch.Generator().manual_seed(seed), batch)


@pytest.mark.parametrize("gap", (1, 5, 30))
def test_every_sentence_follows_the_cycle_with_at_most_gap_adjectives(gap):
    task = BookTask(gap)
    inputs, _ = draw(task)
    assert inputs.shape == (64, 2 * (gap + 4), len(WORDS))
    counts = []
    for row in inputs:
        sentences = read_sentences(task.words(row))
        complete = [sentence for sentence in sentences if sentence.complete]
        assert complete and all(sentence.right for sentence in complete)
        counts += [sentence.adjectives for sentence in complete]
    assert max(counts) <= gap and min(counts) == 0
    if gap == 5:
        assert set(counts) == set(range(6))  # every count from 0 to G occurs


def test_the_target_is_the_next_word_and_the_last_is_not_scored():
    task = BookTask(4)
    inputs, targets = draw(task, batch=8)
    tokens = task.tokens(inputs)
    assert torch.equal(targets[:, :-1], tokens[:, 1:])
    assert (targets[:, -1] == IGNORE).all()


def test_accuracy_is_scored_at_the_objects_name_alone():
    """Only the object follows from an earlier word: predictions elsewhere (next subject, adjectives, "saw", ".")
    and non-name words at the object do not count; the likeliest of the three names does."""
    task = BookTask(6)
    inputs, targets = draw(task, batch=32)
    tokens = task.tokens(inputs)
    objects = torch.zeros_like(targets, dtype=torch.bool)
    for row in range(len(tokens)):
        words = task.words(inputs[row])
        for position in range(len(words) - 1):
            before = words[position]
            if words[position + 1] in NAMES and before != ".":  # the object follows "saw" or an adjective
                objects[row, position] = True
    outputs = torch.randn(*targets.shape, len(WORDS))
    right = targets.clamp(min=0)
    outputs[objects] = -10.0
    outputs[objects, right[objects]] = 5.0  # the right name at every object
    assert task.accuracy(outputs, targets).item() == 1.0
    outputs[objects, WORDS.index("saw")] = 50.0  # a non-name word likeliest: the names' order still decides
    assert task.accuracy(outputs, targets).item() == 1.0
    wrong = (right[objects] + 1) % len(NAMES)
    outputs[objects, wrong] = 6.0
    assert task.accuracy(outputs, targets).item() == 0.0
    assert tokens.shape == targets.shape


def bigram_outputs(inputs, targets):
    """The best model that sees only the last word: log of the next word's frequency after each word."""
    task = BookTask(1)
    current = task.tokens(inputs)
    scored = targets != IGNORE
    counts = torch.zeros(len(WORDS), len(WORDS))
    counts.index_put_((current[scored], targets[scored]), torch.ones(int(scored.sum())), accumulate=True)
    logits = torch.log(counts / counts.sum(1, keepdim=True).clamp(min=1))  # -inf where never seen
    return logits[current].clamp(min=-1e4)  # (batch, time, vocabulary)


@pytest.mark.parametrize("gap", (3, 30))
def test_the_chance_loss_is_the_last_word_models_loss_and_it_names_one_object_in_three(gap):
    task = BookTask(gap)
    inputs, targets = draw(task, batch=4000, seed=2)
    outputs = bigram_outputs(inputs, targets)
    assert task.chance_loss(inputs, targets) == pytest.approx(task.loss(outputs, targets).item(), rel=1e-5)
    assert task.accuracy(outputs + 1e-3 * torch.randn_like(outputs), targets).item() == pytest.approx(1 / 3, abs=0.02)
    assert task.baseline.accuracy == pytest.approx(1 / 3)


def test_a_model_that_knows_the_subject_is_right_at_every_distance():
    task = BookTask(12)
    inputs, targets = draw(task, batch=256)
    outputs = torch.zeros(*targets.shape, len(WORDS))
    outputs.scatter_(2, targets.clamp(min=0).unsqueeze(-1), 1.0)  # certain of every next word
    assert task.accuracy(outputs, targets).item() == 1.0
    assert task.accuracy_by_distance(inputs, outputs, targets) == [1.0] * len(task.distance_bins)
    wrong = outputs.roll(1, dims=2)  # certain of the wrong word everywhere
    assert task.accuracy(wrong, targets).item() < 1.0


def test_distance_bins_cover_zero_to_gap_and_runs_are_counted():
    assert BookTask(30).distance_bins == ["0–5", "6–11", "12–17", "18–23", "24–29", "30"]
    assert BookTask(2).distance_bins == ["0", "1", "2"]
    task = BookTask(5)
    words = ["Doug", "saw", "big", "red", "Jane", ".", "Jane", "saw", "Spot", "."]
    tokens = torch.tensor([[WORDS.index(word) for word in words]])
    assert adjective_runs(tokens).tolist() == [[0, 0, 1, 2, 0, 0, 0, 0, 0, 0]]
    assert len(ADJECTIVES) == 6 and task.output_size == 11


def test_sentences_are_read_and_marked_as_the_notes_describe():
    right, same, run_on = (read_sentences(text.split()) for text in ("Doug saw Jane .", "Doug saw Doug .",
                                                                     "Jane saw Spot saw Doug saw"))  # fmt: skip
    assert right[0].right and right[0].text == "Doug saw Jane."
    assert same[0].well_formed and not same[0].right  # the notes' "Doug saw Doug."
    assert not run_on[0].well_formed and not run_on[0].right and run_on[0].text == "Jane saw Spot saw Doug saw …"
    long = read_sentences(["Spot", "saw", "big", "red", "happy", "funny", "little", "Doug", "."])[0]
    assert long.right and long.collapsed() == "Spot saw big red … (5 adjectives) Doug."


def test_judged_by_accuracy_a_flat_third_is_at_chance_whatever_the_loss():
    task = BookTask(30)
    assert judge(Verdict("learning"), 50, 0.5, 0.35, task, 1.8).status == "at_chance"  # loss far below chance
    assert judge(Verdict("learning"), 50, 1.8, 0.62, task, 1.8).status == "learning"  # loss at chance
    assert judge(Verdict("learning"), 50, 1.8, 0.20, task, 1.8).status == "worse_than_chance"
    assert judge(Verdict("learning"), 50, 1.8, 0.95, task, 1.8).status == "solved"


def test_the_trainer_reports_accuracy_by_distance_and_writes_sentences():
    config = RunConfig(task="book", gap=4, contenders=("rnn", "gru"), seed=3)
    trainer = Trainer(config)
    records = trainer.advance(SAMPLE_EVERY)
    probes = [record for record in records if isinstance(record, ProbeRecord)]
    assert all(len(probe.by_distance) == len(trainer.task.distance_bins) for probe in probes)
    samples = [record for record in records if isinstance(record, SampleRecord)]
    assert sorted({(sample.contender, sample.step) for sample in samples}) == [
        ("gru", 1), ("gru", SAMPLE_EVERY), ("rnn", 1), ("rnn", SAMPLE_EVERY)
    ]  # fmt: skip
    for sample in samples:
        assert len(sample.samples) == 3
        for words in sample.samples:
            assert words[0] in NAMES and set(words) <= set(WORDS)
            assert words.count(".") <= 2 and len(words) <= trainer.task.length
    again = [r for r in Trainer(config).advance(SAMPLE_EVERY) if isinstance(r, SampleRecord)]
    assert again == samples  # the same seed writes the same sentences
    other = Trainer(RunConfig(task="recall", gap=4, contenders=("rnn",))).advance(1)
    assert all(getattr(record, "by_distance", None) is None for record in other)


def test_a_seed_in_a_stack_writes_what_its_lone_run_writes():
    stacked = Trainer(RunConfig(task="book", gap=3, contenders=("lstm",), seed=5, seeds=2)).advance(1)
    alone = Trainer(RunConfig(task="book", gap=3, contenders=("lstm",), seed=6)).advance(1)
    pick = [r.samples for r in stacked if isinstance(r, SampleRecord) and r.seed == 6]
    assert pick == [r.samples for r in alone if isinstance(r, SampleRecord)]


def test_the_book_command_reproduces_its_configuration():
    config = RunConfig(task="book", gap=12, contenders=("rnn", "lstm"), seed=4, seeds=2, hidden=16, lr=0.005)
    args = book_args(book_command(config, 700).split()[4:])
    assert book_config_from(args) == config and args.steps == 700
    assert book_args([]).max_gap == DEFAULT_MAX_GAP


def run_book(*arguments):
    command = [sys.executable, "-m", "models", "book", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_book_cli_prints_accuracy_by_distance_the_last_word_line_and_samples():
    result = run_book("--max-gap", "5", "--steps", "30", "--contenders", "rnn,gru")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "0     1     2     3     4     5" in lines[1].replace("  ", " ") or all(
        f" {n} " in lines[1] + " " for n in range(6)
    )
    assert any(line.startswith("last word") and "33%" in line for line in lines)
    written = [line for line in lines if line.startswith(("rnn ", "gru ")) and ("✓" in line or "✗" in line)]
    assert len(written) == 6  # three samples each


def test_book_cli_rejects_a_bad_gap_in_one_line():
    result = run_book("--max-gap", "0")
    assert (
        result.returncode == 2 and result.stderr.strip() == "error: max-gap must be a whole number from 1 to 200, got 0"
    )
    assert math.isfinite(1.0)


def test_the_csv_keeps_the_metrics_and_leaves_the_sentences_out():
    import csv
    import io

    from models.export import write_csv

    records = Trainer(RunConfig(task="book", gap=2, contenders=("gru",), hidden=8)).advance(3)
    assert any(isinstance(record, SampleRecord) for record in records)
    stream = io.StringIO()
    assert write_csv(records, stream) == 3  # one row per step
    assert [row["step"] for row in csv.DictReader(io.StringIO(stream.getvalue()))] == ["1", "2", "3"]
