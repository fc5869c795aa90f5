"""Beside the charts: a verdict card per contender, and the claim panel (what to watch, then the claim judged)."""

from __future__ import annotations

import statistics

import streamlit as st

from dashboard import charts, story, wording
from dashboard.language import t
from dashboard.presets import preset_for
from models.records import Verdict, floored_percent
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
            val = t("card.no_validation")
            if verdict.status == "diverged":
                val = t("card.frozen")
            elif probe and probe["val_loss"] is not None:
                val = t(
                    "card.val", loss=f"{probe['val_loss']:.4g}", chance=f"{run.chance_loss:.3g}",
                    accuracy=floored_percent(probe["val_accuracy"]), chance_accuracy=f"{chance.accuracy:.0%}",
                )  # fmt: skip
            figures = story.card_figures(story.facts_at([probe], probe["step"])[key]) if probe else ""
            size = t("card.size", hidden=row["hidden"], weights=f"{row['parameters']:,}")
            # One element per card: a page redraws these twice a second, and every element is a message to send.
            column.container(border=True).markdown(
                f"{swatch(key)} **{key}** · {wording.remedy(key)}\n\n##### {_icon(verdict)} "
                f"{wording.verdict(verdict)}\n\n<small style='color:#555'>{val}{figures} · {size}</small>",
                help=t("card.help"),
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
            text = wording.seeds_tally(verdicts) + (t("card.diverged_count", count=diverged) if diverged else "")
            losses = [p["val_loss"] for p in probes if p["val_loss"] is not None]
            accuracies = [p["val_accuracy"] for p in probes if p["val_accuracy"] is not None]
            val = t("card.no_validation")
            if losses:
                val = t(
                    "card.median", count=len(losses), loss=f"{statistics.median(losses):.4g}",
                    chance=f"{run.chance_loss:.3g}", accuracy=floored_percent(statistics.median(accuracies)),
                    chance_accuracy=f"{chance.accuracy:.0%}",
                )  # fmt: skip
            size = t("card.size", hidden=info[key]["hidden"], weights=f"{info[key]['parameters']:,}")
            column.container(border=True).markdown(
                f"{swatch(key)} **{key}** · {wording.remedy(key)}\n\n##### {icon} {text}\n\n"
                f"<small style='color:#555'>{val} · {size}</small>",
                help=t("card.help") + t("card.seeds_help"),
                unsafe_allow_html=True,
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
            st.markdown(t("claim.none"))
            return
        if snapshot.decided is None:
            st.markdown(t("claim.watch", watch=wording.preset(preset.key, "watch")))
            st.caption(t("claim.stops", steps=f"{preset.steps:,}", step=f"{snapshot.step:,}"))
            return
        st.markdown(t("claim.decided", steps=f"{preset.steps:,}", claim=wording.preset(preset.key, "claim")))
        facts = story.facts_at(snapshot.probes, preset.steps)
        lines = [
            f"{':material/check:' if ok else ':material/close:'} **{key}** {wording.verdict(verdict)} — "
            f"{t('claim.agrees') if ok else t('claim.differs')}"
            + (f" <small>({story.numbers(facts[key], run.chance_loss)})</small>" if key in facts else "")
            for key, ok, verdict in story.marks(preset, snapshot.decided)
        ]
        lines += [
            f"{':material/remove:'} **{key}** {wording.verdict(snapshot.decided[key])} — {t('claim.not_part')}"
            + (f" <small>({story.numbers(facts[key], run.chance_loss)})</small>" if key in facts else "")
            for key in run.config.contenders
            if key not in preset.expect and key in snapshot.decided
        ]
        st.markdown("  \n".join(lines), unsafe_allow_html=True)
        if snapshot.step > preset.steps:
            st.caption(t("claim.later", steps=f"{preset.steps:,}", step=f"{snapshot.step:,}"))
        for note in story.mechanisms(preset, facts):
            st.markdown(note)


def swatch(key: str) -> str:
    """A short line in the contender's colour and dash, as the charts draw it."""
    dash = ",".join(str(part) for part in charts.DASHES[key])
    return (
        f"<svg width='34' height='10' role='img' aria-label='{key}'><line x1='0' y1='5' x2='34' y2='5' "
        f"stroke='{charts.COLOURS[key]}' stroke-width='3' stroke-dasharray='{dash}'/></svg>"
    )
