"""What a run shows, in words tied to its own numbers: facts at a step, the claim's marks, a preset's story.

Pure functions from plain records to text, so every sentence can be tested against the numbers it cites.
A sentence that explains a mechanism is only said when this run's numbers show that mechanism.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dashboard.presets import Preset
from models.contenders import CONTENDERS
from models.records import Verdict, floored_percent
from runs.live import verdict_of

GATE_NAMES = {"lstm": "forget gate f", "gru": "update gate z"}
VANISHED = 1e-3  # a gradient at t = 0 below this fraction of the last step's is called vanished
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Facts:
    """One contender at one validation step, as the story cites it."""

    contender: str
    step: int
    verdict: Verdict
    val_loss: float | None
    val_accuracy: float | None
    reach: float | None  # ‖∂L/∂x_0‖ / ‖∂L/∂x_last‖; 0.0 when it underflowed; None without a profile
    length: int  # time steps in the profile
    spectral_radius: float | None
    gate_mean: float | None


def facts_at(probes: list[dict], step: int) -> dict[str, Facts]:
    """Each contender's latest probe at or before `step`."""
    latest: dict[str, dict] = {}
    for probe in probes:
        if probe["step"] <= step:
            latest[probe["contender"]] = probe
    return {key: _facts(probe) for key, probe in latest.items()}


def _facts(probe: dict) -> Facts:
    profile = probe["grad_per_step"]
    reach = None
    if profile and profile[-1] > 0:
        reach = profile[0] / profile[-1]
    return Facts(
        contender=probe["contender"],
        step=probe["step"],
        verdict=verdict_of(probe),
        val_loss=probe["val_loss"],
        val_accuracy=probe["val_accuracy"],
        reach=reach,
        length=len(profile) if profile else 0,
        spectral_radius=probe["spectral_radius"],
        gate_mean=probe.get("gate_mean"),
    )


def power_of_ten(value: float) -> str:
    """1.3e-12 → '10⁻¹²'; values between 0.01 and 100 as plain numbers."""
    if value == 0:
        return "0"
    if 0.01 <= value <= 100:
        return f"{value:.2g}"
    return "10" + str(round(math.log10(value))).translate(SUPERSCRIPTS)


def marks(preset: Preset, decided: dict[str, Verdict]) -> list[tuple[str, bool, str]]:
    """Per contender the claim names: (key, does this run agree, its verdict at the deciding step)."""
    return [
        (key, decided[key].status in allowed, decided[key].text)
        for key, allowed in preset.expect.items()
        if key in decided
    ]


def numbers(facts: Facts, chance_loss: float) -> str:
    """A contender's validation numbers at a step, for the claim panel."""
    if facts.val_loss is None:
        return "loss or gradient NaN/inf"
    return f"val loss {facts.val_loss:.3g} (chance {chance_loss:.3g}), val acc {floored_percent(facts.val_accuracy)}"


def card_figures(facts: Facts) -> str:
    """What a verdict card adds to its numbers: how far the gradient reaches back, ρ, the keeping gate."""
    parts = []
    if facts.reach is not None:
        blind = CONTENDERS[facts.contender].cell == "feedforward"  # no path back past its window at all
        zero = "exactly 0 (outside its window)" if blind else "exactly 0 (underflow)"
        where = zero if facts.reach == 0 else power_of_ten(facts.reach)
        parts.append(f"gradient at t = 0: {where} × the one at t = {facts.length - 1}")
    if facts.spectral_radius is not None:
        parts.append(f"ρ = {facts.spectral_radius:.3g}")
    if facts.gate_mean is not None:
        parts.append(f"mean {GATE_NAMES[facts.contender]} {facts.gate_mean:.2f}")
    return "".join(f" · {part}" for part in parts)


def mechanisms(preset: Preset, facts: dict[str, Facts]) -> list[str]:
    """The explanations this run's numbers bear out (each is said only when its condition holds here)."""
    notes = []
    vanished = [
        fact
        for key in (("rnn", "clipped_rnn") if "saturation" in preset.mechanisms else ())
        if (fact := facts.get(key)) and fact.reach is not None and fact.reach < VANISHED
    ]
    if vanished:
        fact = vanished[0]
        reach = "exactly 0" if fact.reach == 0 else power_of_ten(fact.reach)
        notes.append(
            f"**Why the RNN does not learn it:** the gradient reaching t = 0 is {reach} of the one at t = "
            f"{fact.length - 1} ({fact.contender}): it is a product of {fact.length - 1} per-step factors "
            "diag(tanh′(aₜ)) · W, which has shrunk it exponentially, so early inputs barely move the weights."
        )
    stretched = [fact for fact in vanished if fact.spectral_radius and fact.spectral_radius > 1]
    if stretched:
        fact = stretched[0]
        notes.append(
            f"**Why ρ = {fact.spectral_radius:.2f} > 1 and still a vanished gradient ({fact.contender}):** W may "
            "stretch the gradient at each step, but where the tanh saturates (|aₜ| large) tanh′ ≈ 0, and the "
            "diagonal factor shrinks it more than W stretches it."
        )
    rnn, clipped = facts.get("rnn"), facts.get("clipped_rnn")
    exploded = rnn and clipped and rnn.verdict.status == "diverged" and clipped.verdict.status != "diverged"
    if "clipping" in preset.mechanisms and exploded:
        notes.append(
            f"**Why one diverged and the other did not:** both started from the same weights with ρ = "
            f"{preset.config.init_scale:g}, so the gradient grows with every step it travels back. The plain RNN "
            f"took one such step in full and its weights became NaN/inf at step {rnn.verdict.step:,}; clipped_rnn's "
            f"gradient was rescaled to norm {preset.config.clip:g} whenever it was larger, so its steps stayed small."
        )
    for key, name in GATE_NAMES.items() if "gates" in preset.mechanisms else ():
        fact = facts.get(key)
        gap = preset.config.gap
        if fact is None or fact.gate_mean is None:
            continue
        trace = round(fact.gate_mean, 2) ** gap  # of the gate as shown, so the sum on the page adds up
        if fact.gate_mean < 0.8 and fact.verdict.status in ("at_chance", "worse_than_chance"):
            notes.append(
                f"**Why {key} forgets here:** its {name} averages {fact.gate_mean:.2f}, so a cue's trace is "
                f"multiplied by about that at every step: {fact.gate_mean:.2f}^{gap} ≈ {power_of_ten(trace)} "
                f"after {gap} steps. With gate bias {preset.config.forget_bias:g} the gate starts near "
                f"σ({preset.config.forget_bias:g}) = {_sigmoid(preset.config.forget_bias):.2f}. A plain RNN has "
                "no such gate: its trace is multiplied by diag(tanh′)·W instead, which with orthogonal weights "
                "(ρ = 1 at the start) need not shrink it."
            )
        elif fact.gate_mean >= 0.8 and fact.verdict.status == "solved":
            notes.append(
                f"**Why {key} remembers:** its {name} averages {fact.gate_mean:.2f}, so the state is carried "
                f"across a step almost unchanged ({fact.gate_mean:.2f}^{gap} ≈ {power_of_ten(trace)} after "
                f"{gap} steps, against 0.5^{gap} ≈ {power_of_ten(0.5**gap)} for a gate at 0.5)."
            )
    return notes


def _sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value))
