"""Task specifications: shapes, determinism, labels that depend only on the cue, and chance baselines."""

import math

import pytest
import torch
import torch.nn.functional as F

from models.config import ConfigError
from models.tasks import TASKS, make_task
from models.tasks.adding import AddingTask
from models.tasks.copy import BLANK, DELIMITER, CopyTask
from models.tasks.recall import COUNTRIES, LANGUAGES, RecallTask
from models.tasks.temporal_order import DISTRACTORS, TemporalOrderTask

GAPS = (1, 7, 50)
CUE_TASKS = [key for key in TASKS if key != "book"]  # the book's many cues per sequence: tests/test_book.py


def draw(task, batch=32, seed=0):
    return task.batch(torch.Generator().manual_seed(seed), batch)


@pytest.mark.parametrize("key", TASKS)
@pytest.mark.parametrize("gap", GAPS)
def test_shapes_and_lengths(key, gap):
    task = make_task(key, gap)
    inputs, targets = draw(task, batch=5)
    assert inputs.shape == (5, task.length, task.input_size)
    assert inputs.dtype == torch.float32
    expected_targets = (5, task.length) if task.readout == "all" else (5,)
    assert targets.shape == expected_targets
    assert task.length >= gap


@pytest.mark.parametrize("key", TASKS)
def test_same_seed_same_batch_other_seed_other_batch(key):
    task = make_task(key, 20)
    first, again, other = draw(task, seed=3), draw(task, seed=3), draw(task, seed=4)
    assert torch.equal(first[0], again[0]) and torch.equal(first[1], again[1])
    assert not torch.equal(first[0], other[0])


def test_unknown_task_names_the_valid_ones():
    with pytest.raises(ConfigError, match="adding, copy, recall, temporal_order, book"):
        make_task("parity", 10)


# --- hand-worked examples (the ones in the docstrings) -------------------------------------------


def test_adding_example_sums_the_two_marked_values():
    values = torch.tensor([0.31, 0.92, 0.05, 0.77, 0.48, 0.66])
    markers = torch.tensor([0.0, 1, 0, 0, 1, 0])
    inputs = torch.stack([values, markers], -1).unsqueeze(0)
    assert AddingTask(6).label(inputs).item() == pytest.approx(1.40)


def test_adding_has_one_marker_in_each_half():
    task = AddingTask(40)
    inputs, _ = draw(task, batch=200)
    markers = inputs[..., 1]
    assert torch.equal(markers[:, :20].sum(1), torch.ones(200))
    assert torch.equal(markers[:, 20:].sum(1), torch.ones(200))


def test_copy_layout_symbols_blanks_delimiter():
    task = CopyTask(5)
    inputs, targets = draw(task, batch=3)
    tokens = inputs.argmax(-1)
    assert (tokens[:, :10] < 8).all()
    assert (tokens[:, 10:14] == BLANK).all() and (tokens[:, 14] == DELIMITER).all()
    assert (tokens[:, 15:] == BLANK).all()
    assert (targets[:, :15] == BLANK).all() and torch.equal(targets[:, 15:], tokens[:, :10])


def test_temporal_order_example_reads_the_markers_in_order():
    task = TemporalOrderTask(3)
    words = ["c", "a", "Y", "d", "b", "b", "X", "a", "c", "d", "d", "a", "b"]
    vocabulary = [*DISTRACTORS, "X", "Y"]
    tokens = torch.tensor([[vocabulary.index(w) for w in words]])
    assert task.label(task.one_hot(tokens)).item() == 2  # "YX"


def test_recall_renders_the_france_example_in_words():
    task = RecallTask(30)
    inputs, targets = draw(task, batch=4)
    for sample, target in zip(inputs, targets, strict=True):
        text = task.describe(sample)
        cue = task.words(sample)[0]
        assert cue in COUNTRIES and f"I grew up in {cue}" in text
        assert text.endswith(f"{LANGUAGES[target]}.")


@pytest.mark.parametrize("key", TASKS)
def test_every_task_describes_a_sample(key):
    task = make_task(key, 12)
    assert len(task.describe(draw(task, batch=1)[0][0])) > 20


# --- labels depend only on the cue ----------------------------------------------------------------


def flip_cue(task, inputs):
    """Change the information the answer depends on, in every sample."""
    changed = inputs.clone()
    if isinstance(task, AddingTask):
        first = inputs[..., 1].argmax(1)
        rows = torch.arange(len(inputs))
        changed[rows, first, 0] = (inputs[rows, first, 0] + 0.5) % 1.0  # moves the value by exactly ±0.5
        return changed
    tokens = task.tokens(inputs)
    if isinstance(task, CopyTask):
        tokens[:, 0] = (tokens[:, 0] + 1) % 8
    elif isinstance(task, RecallTask):
        tokens[:, 0] = (tokens[:, 0] + 1) % len(COUNTRIES)
    else:  # temporal order: swap X and Y at the first marker
        first = (tokens >= len(DISTRACTORS)).int().argmax(1)
        rows = torch.arange(len(tokens))
        tokens[rows, first] = 2 * len(DISTRACTORS) + 1 - tokens[rows, first]
    return task.one_hot(tokens)


def scramble_distractors(task, inputs, generator):
    """Redraw everything the answer must not depend on."""
    if isinstance(task, AddingTask):
        fresh = torch.rand(inputs.shape[:2], generator=generator)
        marked = inputs[..., 1] == 1
        return torch.stack([torch.where(marked, inputs[..., 0], fresh), inputs[..., 1]], -1)
    tokens = task.tokens(inputs)
    if isinstance(task, RecallTask):
        fillers = tokens[:, 1:]
        tokens[:, 1:] = fillers[:, torch.randperm(fillers.shape[1], generator=generator)]
    elif isinstance(task, TemporalOrderTask):
        fresh = torch.randint(0, len(DISTRACTORS), tokens.shape, generator=generator)
        tokens = torch.where(tokens < len(DISTRACTORS), fresh, tokens)
    else:  # copy: nothing random but the symbols; moving the delimiter is not allowed, so nothing changes
        return inputs
    return task.one_hot(tokens)


@pytest.mark.parametrize("key", CUE_TASKS)
@pytest.mark.parametrize("gap", (3, 40))
def test_flipping_the_cue_changes_every_label(key, gap):
    task = make_task(key, gap)
    inputs, targets = draw(task, batch=64)
    flipped = task.label(flip_cue(task, inputs))
    if task.readout == "all":
        assert (flipped[:, -10] != targets[:, -10]).all()
        assert torch.equal(flipped[:, :-10], targets[:, :-10])
    else:
        assert (flipped != targets).all()


@pytest.mark.parametrize("key", CUE_TASKS)
@pytest.mark.parametrize("gap", (3, 40))
def test_scrambling_the_distractors_keeps_every_label(key, gap):
    task = make_task(key, gap)
    inputs, targets = draw(task, batch=64)
    scrambled = scramble_distractors(task, inputs, torch.Generator().manual_seed(9))
    if key in ("adding", "temporal_order", "recall"):
        assert not torch.equal(scrambled, inputs) or gap < 2
    assert (
        torch.allclose(task.label(scrambled), targets)
        if key == "adding"
        else torch.equal(task.label(scrambled), targets)
    )


# --- chance baselines against a constant, memoryless predictor ----------------------------------


def memoryless_outputs(task, inputs):
    """What the best predictor that ignores the long-range information outputs."""
    batch = len(inputs)
    if isinstance(task, AddingTask):
        return torch.ones(batch, 1)
    if isinstance(task, CopyTask):
        outputs = torch.full((batch, task.length, task.output_size), -1e4)
        outputs[:, :-10, BLANK] = 0.0  # certain of the blanks
        outputs[:, -10:, :BLANK] = 0.0  # uniform over the 8 symbols when it must recall
        return outputs
    return torch.zeros(batch, task.output_size)  # uniform over the classes


@pytest.mark.parametrize("key", CUE_TASKS)
@pytest.mark.parametrize("gap", (10, 50))
def test_baseline_equals_a_memoryless_predictor(key, gap):
    task = make_task(key, gap)
    inputs, targets = draw(task, batch=20_000, seed=1)
    outputs = memoryless_outputs(task, inputs)
    loss = task.loss(outputs, targets).item()
    accuracy = task.accuracy(outputs, targets).item()
    assert loss == pytest.approx(task.baseline.loss, rel=0.02)
    assert accuracy == pytest.approx(task.baseline.accuracy, abs=0.01)


def test_baselines_match_the_published_formulas():
    assert make_task("adding", 50).baseline.loss == pytest.approx(1 / 6)
    assert make_task("copy", 100).baseline.loss == pytest.approx(10 * math.log(8) / 120)
    assert make_task("recall", 9).baseline.loss == pytest.approx(math.log(4))
    assert make_task("temporal_order", 9).baseline.accuracy == 0.25


def test_cross_entropy_reduction_is_the_batch_mean_of_sample_losses():
    """The gradient probe assumes it; check it for the per-step task too."""
    task = CopyTask(4)
    _, targets = draw(task, batch=6)
    outputs = torch.randn(6, task.length, task.output_size)
    per_sample = [task.loss(outputs[b : b + 1], targets[b : b + 1]) for b in range(6)]
    assert task.loss(outputs, targets).item() == pytest.approx(torch.stack(per_sample).mean().item(), rel=1e-6)
    reference = F.cross_entropy(outputs.reshape(-1, task.output_size), targets.reshape(-1))
    assert task.loss(outputs, targets).item() == pytest.approx(reference.item(), rel=1e-6)
