"""Beside the charts: a verdict card per contender, and the claim panel (what to watch, then the claim judged)."""

from __future__ import annotations

import statistics

import streamlit as st

from dashboard import charts, story
from dashboard.presets import preset_for
from models.contenders import CONTENDERS
from models.records import Verdict, floored_percent, tally
from runs.live import Snapshot, verdict_of
from runs.view import View


def verdict_cards(run: View, snapshot: Snapshot) -> None:
    if run.config.seeds > 1:
        seed_cards(run, snapshot)
        return
    latest = {probe["contender"]: probe for probe in snapshot.probes}
    info = {row["contender"]: row for row in run.contenders}
    chance = run.task.baseline
    per_row = 2 if len(info) > 2 else len(info)
    keys = list(info)
    for start in range(0, len(keys), per_row):
        for column, key in zip(st.columns(per_row), keys[start : start + per_row], strict=False):
            row, verdict, probe = info[key], snapshot.verdicts[key], latest.get(key)
            val = "no validation yet"
            if verdict.status == "diverged":
                val = "weights frozen where the loss or gradient became NaN/inf"
            elif probe and probe["val_loss"] is not None:
                val = (
                    f"val loss {probe['val_loss']:.4g} (chance {run.chance_loss:.3g}) · "
                    f"val acc {floored_percent(probe['val_accuracy'])} (chance {chance.accuracy:.0%})"
                )
            figures = story.card_figures(story.facts_at([probe], probe["step"])[key]) if probe else ""
            # One element per card: a page redraws these twice a second, and every element is a message to send.
            column.container(border=True).markdown(
                f"{swatch(key)} **{key}** · {CONTENDERS[key].remedy}\n\n##### {_icon(verdict)} {verdict.text}\n\n"
                f"<small style='color:#555'>{val}{figures} · hidden {row['hidden']} · {row['parameters']:,} weights"
                "</small>",
                help=VERDICT_HELP,
                unsafe_allow_html=True,
            )


def seed_cards(run: View, snapshot: Snapshot) -> None:
    """A card per contender over its seeds: how many are solved, the median step, the median validation numbers."""
    latest = {(probe["contender"], probe["seed"]): probe for probe in snapshot.probes}
    seeds = [run.config.seed + index for index in range(run.config.seeds)]
    chance = run.task.baseline
    keys = [row["contender"] for row in run.contenders]
    info = {row["contender"]: row for row in run.contenders}
    per_row = 2 if len(keys) > 2 else len(keys)
    for start in range(0, len(keys), per_row):
        for column, key in zip(st.columns(per_row), keys[start : start + per_row], strict=False):
            probes = [latest[(key, seed)] for seed in seeds if (key, seed) in latest]
            verdicts = [verdict_of(probe) for probe in probes] + [Verdict("not_started")] * (len(seeds) - len(probes))
            statuses = {verdict.status for verdict in verdicts}
            icon = _icon(verdicts[0]) if len(statuses) == 1 else ":material/balance:"
            diverged = sum(verdict.status == "diverged" for verdict in verdicts)
            text = tally(verdicts) + (f" · {diverged} diverged" if diverged else "")
            losses = [p["val_loss"] for p in probes if p["val_loss"] is not None]
            accuracies = [p["val_accuracy"] for p in probes if p["val_accuracy"] is not None]
            val = "no validation yet"
            if losses:
                val = (
                    f"median over {len(losses)} seeds: val loss {statistics.median(losses):.4g} (chance "
                    f"{run.chance_loss:.3g}) · val acc {floored_percent(statistics.median(accuracies))} "
                    f"(chance {chance.accuracy:.0%})"
                )
            column.container(border=True).markdown(
                f"{swatch(key)} **{key}** · {CONTENDERS[key].remedy}\n\n##### {icon} {text}\n\n"
                f"<small style='color:#555'>{val} · hidden {info[key]['hidden']} · {info[key]['parameters']:,} "
                "weights</small>",
                help=VERDICT_HELP + SEEDS_HELP,
                unsafe_allow_html=True,
            )


SEEDS_HELP = (
    " **With several seeds**: *solved in k of K seeds* counts the seeds solved at their latest validation; the "
    "median step is when those were first solved. The chance loss shown is the first seed's validation set's."
)

VERDICT_HELP = (
    "**not started**: no validation yet. **learning**: validation loss more than 10% below the chance loss. "
    "**at chance**: validation loss within ±10% of the chance loss (the dashed line). **worse than chance**: "
    "more than 10% above it. **solved at step N**: at least 90% of the 256 validation answers correct "
    "(adding: within ±0.04 of the sum). **lost it at step M**: solved once, below 90% again. **diverged at "
    "step N**: the loss or gradient became NaN or infinite; the weights are frozen there."
)


def _icon(verdict: Verdict) -> str:
    icon = {
        "not_started": "hourglass_empty",
        "learning": "trending_down",
        "at_chance": "remove",
        "worse_than_chance": "trending_up",
        "solved": "check_circle",
        "lost": "undo",
        "diverged": "error",
    }
    return f":material/{icon[verdict.status]}:"


def claim_panel(run: View, snapshot: Snapshot) -> None:
    """What to watch; at the deciding step the preset's claim, whether this run agrees, and what happened."""
    preset = preset_for(run.config)
    with st.container(border=True):
        if preset is None:
            st.markdown(
                "**No claim for these settings.** They match no preset, so nothing is promised: read the cards "
                "and the charts. Each card gives its contender's numbers at the latest validation step."
            )
            return
        if snapshot.decided is None:
            st.markdown(f"**What to watch** — {preset.watch}")
            st.caption(
                f"The run stops by itself at step {preset.steps:,}, where the claim is shown and judged "
                f"(now at step {snapshot.step:,}). Predict first."
            )
            return
        st.markdown(f"**The claim, decided at step {preset.steps:,}:** {preset.claim}")
        facts = story.facts_at(snapshot.probes, preset.steps)
        lines = [
            f"{':material/check:' if ok else ':material/close:'} **{key}** {text} — "
            f"{'agrees' if ok else 'differs from the claim'}"
            + (f" <small>({story.numbers(facts[key], run.chance_loss)})</small>" if key in facts else "")
            for key, ok, text in story.marks(preset, snapshot.decided)
        ]
        lines += [
            f"{':material/remove:'} **{key}** {snapshot.decided[key].text} — not part of the claim"
            + (f" <small>({story.numbers(facts[key], run.chance_loss)})</small>" if key in facts else "")
            for key in run.config.contenders
            if key not in preset.expect and key in snapshot.decided
        ]
        st.markdown("  \n".join(lines), unsafe_allow_html=True)
        if snapshot.step > preset.steps:
            st.caption(
                f"The claim was made at step {preset.steps:,}; the run has gone on to step {snapshot.step:,}, "
                "so the cards may now say more."
            )
        for note in story.mechanisms(preset, facts):
            st.markdown(note)


def swatch(key: str) -> str:
    """A short line in the contender's colour and dash, as the charts draw it."""
    dash = ",".join(str(part) for part in charts.DASHES[key])
    return (
        f"<svg width='34' height='10' role='img' aria-label='{key}'><line x1='0' y1='5' x2='34' y2='5' "
        f"stroke='{charts.COLOURS[key]}' stroke-width='3' stroke-dasharray='{dash}'/></svg>"
    )
