"""Workshop presets: a configuration, a two-line exercise, and the outcome it was measured to show.

`expect` is checked by tests/test_presets.py on several seeds: a preset claims only what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.config import RunConfig


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    config: RunConfig
    exercise: str  # two lines: what to predict, what to press
    claim: str  # what the run shows, in one or two sentences
    expect: dict[str, str] = field(default_factory=dict)  # contender -> verdict status within `steps`
    steps: int = 1000  # when the claim is decided (under a minute here)


PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset(
            key="vanishing",
            title="Vanishing gradients: adding, gap 50",
            config=RunConfig(task="adding", gap=50),
            exercise="Two numbers 50 steps apart must be added. Which contenders get below the dashed chance line?\n"
            "Predict, then press Train and watch the gradient-flow heatmaps.",
            claim="LSTM and GRU solve it within 1,000 steps; the RNN and the clipped RNN stay at chance "
            "(MSE ≈ 1/6): their gradient at early time steps has vanished, and clipping cannot restore it.",
            expect={"rnn": "at_chance", "clipped_rnn": "at_chance", "lstm": "solved", "gru": "solved"},
            steps=1000,
        ),
        Preset(
            key="short_gap",
            title="Short gap: adding, gap 10",
            config=RunConfig(task="adding", gap=10),
            exercise="The same task with the numbers at most 10 steps apart. Does the plain RNN cope now?\n"
            "Predict, then press Train.",
            claim="With a short gap every contender learns: the clouds are in the *sky*.",
            expect={"rnn": "solved", "clipped_rnn": "solved", "lstm": "solved", "gru": "solved"},
            steps=600,
        ),
        Preset(
            key="exploding",
            title="Exploding gradients: recurrent weights × 2, plain SGD",
            config=RunConfig(task="adding", gap=20, init_scale=2.0, optimizer="sgd", lr=0.1),
            exercise="The recurrent weights start with spectral radius 2. Which contender blows up, "
            "and which does clipping save?\n"
            "Predict, then press Train and watch the gradient-norm chart.",
            claim="The plain RNN's gradient norm explodes and it diverges within about 40 steps; the clipped RNN, "
            "same weights, same batches, keeps training. Clipping stops the explosion; it does not teach the long gap.",
            expect={"rnn": "diverged", "clipped_rnn": "at_chance"},
            steps=300,
        ),
        Preset(
            key="copy",
            title="Copy: ten symbols across a gap of 10",
            config=RunConfig(task="copy", gap=10),
            exercise="Ten symbols must be written back after a pause. Who gets below the memoryless baseline?\n"
            "Predict, then press Train.",
            claim="(to be measured)",
            steps=600,
        ),
        Preset(
            key="recall",
            title="Recall: I grew up in France … I speak fluent French",
            config=RunConfig(task="recall", gap=100),
            exercise="The country comes first, the question 100 words later. Who remembers it?\n"
            "Predict, then press Train; then set the forget-gate bias to 0 and Reset.",
            claim="(to be measured)",
            steps=400,
        ),
    )
}
DEFAULT_PRESET = "vanishing"
