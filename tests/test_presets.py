"""Every preset's claim holds on unseen seeds: seeds 0–9, at least 9 of 10 (slow: about 8 minutes on 2 cores).

A claim must be a property of the configuration, not of the seeds it was tuned on. Only the contenders a claim
names are trained: each contender is built from the seed alone and every contender sees the same batches, so
training a subset gives those contenders the very numbers of a full run.
"""

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor

import pytest

from dashboard.presets import PRESETS, TRAINS_ON, deciding_step
from models.config import RunConfig
from models.records import VERDICT_STATES

SEEDS = range(10)
NEEDED = 9


def verdicts_at_deciding_step(config: RunConfig, steps: int) -> list[dict[str, str]]:
    """Each seed's verdicts: config.seeds seeds trained at once, each exactly as alone (tests/test_stack.py)."""
    from models.trainer import Trainer, limit_threads

    limit_threads(1)  # two of these share the two cores
    trainer = Trainer(config)
    trainer.advance(steps)
    by_contender = trainer.seed_verdicts()
    return [{key: verdicts[index].status for key, verdicts in by_contender.items()} for index in range(config.seeds)]


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor


@pytest.mark.slow
@pytest.mark.parametrize("key", list(PRESETS))
def test_the_claim_holds_on_at_least_9_of_10_seeds(key, pool):
    preset = PRESETS[key]
    named = preset.config.with_changes(contenders=tuple(preset.expect))
    halves = [named.with_changes(seed=first, seeds=5) for first in (SEEDS[0], SEEDS[5])]
    runs = [verdicts for half in pool.map(verdicts_at_deciding_step, halves, [preset.steps] * 2) for verdicts in half]
    failures = []
    for seed, verdicts in zip(SEEDS, runs, strict=True):
        wrong = {c: v for c, v in verdicts.items() if v not in preset.expect[c]}
        if wrong:
            failures.append(f"seed {seed}: {wrong}")
    assert len(SEEDS) - len(failures) >= NEEDED, f"{key}: the claim fails on {failures}"


@pytest.mark.parametrize("key", list(PRESETS))
def test_a_preset_has_an_exercise_what_to_watch_and_a_claim_it_can_judge(key):
    preset = PRESETS[key]
    assert len(preset.exercise.splitlines()) == 2
    assert preset.claim and preset.watch and preset.expect
    assert set(preset.expect) <= set(preset.config.contenders)
    for allowed in preset.expect.values():
        assert set(allowed) <= set(VERDICT_STATES)
        assert set(allowed) != set(TRAINS_ON) | {"diverged"}  # a mark that cannot fail says nothing
    assert deciding_step(preset.config.with_changes(seed=123)) == preset.steps  # on any seed


def test_settings_that_match_no_preset_have_no_deciding_step():
    assert deciding_step(PRESETS["vanishing"].config.with_changes(gap=47)) is None


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_general_theory_names_only_presets_that_exist(language):
    from dashboard.text import TABLES

    theory = TABLES[language]["theory.text"]
    italic = set(re.findall(r"\*([a-z_]+)\*", theory)) - {"clouds"}  # the one italic word that is not a preset
    assert len(italic) >= 4 and italic <= set(PRESETS), italic - set(PRESETS)
