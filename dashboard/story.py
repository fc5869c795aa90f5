"""What a run shows, in words tied to its own numbers: facts at a step, the claim's marks, a preset's story.

Pure functions from plain records to text, so every sentence can be tested against the numbers it cites.
A sentence that explains a mechanism is only said when this run's numbers show that mechanism.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dashboard.language import t
from dashboard.presets import Preset
from models.contenders import CONTENDERS
from models.records import Verdict, floored_percent
from runs.live import verdict_of

GATED = ("lstm", "gru")  # contenders with a gate that keeps the old state (named by gate.<key>)
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


def marks(preset: Preset, decided: dict[str, Verdict]) -> list[tuple[str, bool, Verdict]]:
    """Per contender the claim names: (key, does this run agree, its verdict at the deciding step)."""
    return [
        (key, decided[key].status in allowed, decided[key]) for key, allowed in preset.expect.items() if key in decided
    ]


def numbers(facts: Facts, chance_loss: float) -> str:
    """A contender's validation numbers at a step, for the claim panel."""
    if facts.val_loss is None:
        return t("numbers.nan")
    accuracy = floored_percent(facts.val_accuracy)
    return t("numbers.val", loss=f"{facts.val_loss:.3g}", chance=f"{chance_loss:.3g}", accuracy=accuracy)


def card_figures(facts: Facts) -> str:
    """What a verdict card adds to its numbers: how far the gradient reaches back, ρ, the keeping gate."""
    parts = []
    if facts.reach is not None:
        blind = CONTENDERS[facts.contender].cell == "feedforward"  # no path back past its window at all
        zero = t("figure.zero_window") if blind else t("figure.zero_underflow")
        where = zero if facts.reach == 0 else power_of_ten(facts.reach)
        parts.append(t("figure.reach", where=where, last=facts.length - 1))
    if facts.spectral_radius is not None:
        parts.append(t("figure.radius", value=f"{facts.spectral_radius:.3g}"))
    if facts.gate_mean is not None:
        parts.append(t("figure.gate", gate=t(f"gate.{facts.contender}"), value=f"{facts.gate_mean:.2f}"))
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
        reach = t("story.exactly_zero") if fact.reach == 0 else power_of_ten(fact.reach)
        notes.append(t("story.vanished", reach=reach, last=fact.length - 1, key=fact.contender))
    stretched = [fact for fact in vanished if fact.spectral_radius and fact.spectral_radius > 1]
    if stretched:
        fact = stretched[0]
        notes.append(t("story.stretched", radius=f"{fact.spectral_radius:.2f}", key=fact.contender))
    rnn, clipped = facts.get("rnn"), facts.get("clipped_rnn")
    exploded = rnn and clipped and rnn.verdict.status == "diverged" and clipped.verdict.status != "diverged"
    if "clipping" in preset.mechanisms and exploded:
        scale, clip = f"{preset.config.init_scale:g}", f"{preset.config.clip:g}"
        notes.append(t("story.clipping", scale=scale, step=f"{rnn.verdict.step:,}", clip=clip))
    for key in GATED if "gates" in preset.mechanisms else ():
        fact = facts.get(key)
        gap = preset.config.gap
        if fact is None or fact.gate_mean is None:
            continue
        trace = round(fact.gate_mean, 2) ** gap  # of the gate as shown, so the sum on the page adds up
        mean, gate, bias = f"{fact.gate_mean:.2f}", t(f"gate.{key}"), f"{preset.config.forget_bias:g}"
        if fact.gate_mean < 0.8 and fact.verdict.status in ("at_chance", "worse_than_chance"):
            start = f"{_sigmoid(preset.config.forget_bias):.2f}"
            notes.append(
                t(
                    "story.forgets",
                    key=key,
                    gate=gate,
                    mean=mean,
                    gap=gap,
                    trace=power_of_ten(trace),
                    bias=bias,
                    start=start,
                )
            )
        elif fact.gate_mean >= 0.8 and fact.verdict.status == "solved":
            half = power_of_ten(0.5**gap)
            notes.append(t("story.remembers", key=key, gate=gate, mean=mean, gap=gap, trace=power_of_ten(trace),
                           half=half))  # fmt: skip
    return notes


def _sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value))
