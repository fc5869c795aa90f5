"""Every workshop preset shows what it claims, on several seeds (slow: each trains for its full length)."""

import pytest

from dashboard.presets import PRESETS
from models.trainer import Trainer

pytestmark = pytest.mark.slow

SEEDS = (0, 1, 2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key", list(PRESETS))
def test_preset_shows_its_claim(key, seed):
    preset = PRESETS[key]
    trainer = Trainer(preset.config.with_changes(seed=seed))
    trainer.advance(preset.steps)
    verdicts = {contender: verdict.status for contender, verdict in trainer.verdicts().items()}
    for contender, allowed in preset.expect.items():
        assert verdicts[contender] in allowed, f"{key}, seed {seed}: {contender} is {verdicts[contender]}"


@pytest.mark.parametrize("key", list(PRESETS))
def test_preset_text_is_two_lines_and_a_claim(key):
    preset = PRESETS[key]
    assert len(preset.exercise.splitlines()) == 2
    assert preset.claim and preset.expect
    assert set(preset.expect) <= set(preset.config.contenders)
