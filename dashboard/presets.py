"""Workshop presets: a configuration, a two-line exercise, and the outcome it was measured to show.

`expect` is checked by tests/test_presets.py on several seeds: a preset claims only what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.config import RunConfig

PACES: dict[str, float | None] = {"full": None, "50": 50.0, "20": 20.0, "10": 10.0, "5": 5.0, "2": 2.0}
SOLVED = ("solved",)
AT_CHANCE = ("at_chance",)
LEARNED = ("learning", "solved")  # clearly below the chance line


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    config: RunConfig
    exercise: str  # two lines: what to predict, what to press
    claim: str  # what the run shows at the deciding step, in one or two sentences
    watch: str = ""  # what to look at while it trains, before the claim is revealed
    expect: dict[str, tuple[str, ...]] = field(default_factory=dict)  # contender -> allowed verdicts at `steps`
    steps: int = 1000  # the deciding step: the run stops there by itself and the claim is judged
    pace: str = "full"  # how fast the page shows the run at first (a key of PACES)


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
            expect={"rnn": AT_CHANCE, "clipped_rnn": AT_CHANCE, "lstm": SOLVED, "gru": SOLVED},
            steps=1000,
        ),
        Preset(
            key="short_gap",
            title="Short gap: adding, gap 10",
            config=RunConfig(task="adding", gap=10),
            exercise="The same task with the two numbers at most 10 steps apart. Does the plain RNN cope now?\n"
            "Predict, then press Train.",
            claim="With a short gap every contender leaves the chance line within 600 steps: the RNNs' loss falls "
            "about tenfold, and LSTM and GRU solve it. The clouds are in the *sky*.",
            expect={"rnn": LEARNED, "clipped_rnn": LEARNED, "lstm": SOLVED, "gru": SOLVED},
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
            "same weights, same batches, keeps training. Clipping stops the explosion; it does not teach the gap.",
            expect={"rnn": ("diverged",), "clipped_rnn": AT_CHANCE + LEARNED},
            steps=300,
        ),
        Preset(
            key="copy",
            title="Copy: ten symbols across a gap of 10",
            config=RunConfig(task="copy", gap=10),
            exercise="Ten symbols must be written back after a pause. Who gets below the memoryless baseline?\n"
            "Predict, then press Train.",
            claim="All four quickly learn to write blanks and then guess, and sit on the memoryless baseline "
            "for 600 steps: a falling loss is not the same as learning the dependency.",
            expect={key: AT_CHANCE for key in ("rnn", "clipped_rnn", "lstm", "gru")},
            steps=600,
        ),
        Preset(
            key="recall",
            title="Recall: I grew up in France … I speak fluent French",
            config=RunConfig(task="recall", gap=40, forget_bias=0.0),
            exercise="The country comes first, the question 40 words later. Gates use PyTorch's default bias 0.\n"
            "Predict who remembers, then press Train.",
            claim="A surprise: the plain RNNs remember the country within a few hundred steps, while LSTM and GRU "
            "with gate bias 0 stay at chance for 500 steps. Initialisation decides; see the next preset.",
            expect={"rnn": SOLVED, "clipped_rnn": SOLVED, "lstm": AT_CHANCE, "gru": AT_CHANCE},
            steps=500,
        ),
        Preset(
            key="recall_init",
            title="Recall with remembering gates: forget-gate bias 3",
            config=RunConfig(task="recall", gap=40, forget_bias=3.0),
            exercise="The same recall task, but the LSTM's forget gate and the GRU's update gate start near 1.\n"
            "Predict whether the gated models recover, then press Train.",
            claim="With gate bias 3 the gates keep the cue from the start: all four solve it within 500 steps.",
            expect={key: SOLVED for key in ("rnn", "clipped_rnn", "lstm", "gru")},
            steps=500,
        ),
    )
}
DEFAULT_PRESET = "vanishing"


def preset_for(config: RunConfig) -> Preset | None:
    """The preset whose configuration this is, on any seed (a claim holds across seeds); else None."""
    for preset in PRESETS.values():
        if preset.config == config.with_changes(seed=preset.config.seed):
            return preset
    return None


def deciding_step(config: RunConfig) -> int | None:
    """Where a run of this configuration stops by itself so its preset's claim can be judged."""
    preset = preset_for(config)
    return preset.steps if preset else None
