"""The live part of the page: status, verdict cards, charts and gradient flow, redrawn from a snapshot."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import charts, frames
from dashboard.live import LiveRun, Snapshot
from models.contenders import CONTENDERS
from models.records import Verdict

REFRESH_SECONDS = 0.5  # charts redraw twice a second while training


def live(run: LiveRun) -> None:
    """Redraw every REFRESH_SECONDS while the run trains; once when it is paused."""
    st.session_state["drawn_running"] = run.running
    every = REFRESH_SECONDS if run.running else None
    st.fragment(run_every=every)(_draw)(run)


def _draw(run: LiveRun) -> None:
    run.keep_alive()
    snapshot = run.snapshot()
    if st.session_state.get("drawn_running") and not snapshot.running:
        st.rerun()  # the run paused itself (step limit, all diverged): redraw the page and its buttons
    status_line(snapshot)
    verdict_cards(run, snapshot)
    if snapshot.step == 0:
        st.info("Press **Train** to start (or **Step** for 25 steps). Charts appear with the first step.")
        return
    metric_charts(run, snapshot)
    gradient_flow(snapshot)


def status_line(snapshot: Snapshot) -> None:
    minutes, seconds = divmod(int(snapshot.elapsed), 60)
    state = "Training" if snapshot.running else "Paused"
    rate = f"{snapshot.steps_per_second:,.1f} steps/s" if snapshot.running else "—"
    st.markdown(
        f"**{state}** · **Step {snapshot.step:,}** · {rate} · training time {minutes}:{seconds:02d}",
        help="Training runs only while this page is open, in a thread of its own; pausing keeps every record.",
    )
    if snapshot.message:
        st.warning(snapshot.message)


def verdict_cards(run: LiveRun, snapshot: Snapshot) -> None:
    latest = {probe["contender"]: probe for probe in snapshot.probes}
    info = {row["contender"]: row for row in run.trainer.contenders()}
    columns = st.columns(len(info))
    for column, (key, row) in zip(columns, info.items(), strict=True):
        verdict = snapshot.verdicts[key]
        probe = latest.get(key)
        with column.container(border=True):
            colour = charts.COLOURS[key]
            st.markdown(
                f"<span style='color:{colour};font-size:1.3em'>■</span> **{key}** · {CONTENDERS[key].remedy}",
                unsafe_allow_html=True,
            )
            st.markdown(f"### {_icon(verdict)} {verdict.text}")
            val = "no validation yet"
            if probe and probe["val_loss"] is not None:
                val = f"val loss {probe['val_loss']:.4g} · val acc {probe['val_accuracy']:.0%}"
            st.caption(f"{val} · hidden {row['hidden']} · {row['parameters']:,} weights")


def _icon(verdict: Verdict) -> str:
    icon = {"solved": "check_circle", "at_chance": "remove", "learning": "trending_down", "diverged": "error"}
    return f":material/{icon[verdict.status]}:"


def metric_charts(run: LiveRun, snapshot: Snapshot) -> None:
    training = frames.training_frame(snapshot.steps)
    validation = frames.probe_frame(snapshot.probes)
    diverged = {key: v.step for key, v in snapshot.verdicts.items() if v.status == "diverged" and v.step}
    baseline = run.trainer.task.baseline
    st.markdown(legend(list(snapshot.verdicts)), unsafe_allow_html=True)
    left, middle, right = st.columns(3)
    left.markdown(f"**Loss** ({run.trainer.task.loss_name})")
    left.altair_chart(
        charts.curve_chart(
            training, validation, metric="loss", title="loss", baseline=baseline.loss, log=True, diverged=diverged
        ),
        width="stretch",
    )
    middle.markdown("**Gradient norm** before clipping; ticks mark clipped steps")
    middle.altair_chart(charts.grad_norm_chart(training, clip=run.config.clip, diverged=diverged), width="stretch")
    right.markdown("**Accuracy**" + (" (|error| < 0.04)" if run.config.task == "adding" else ""))
    right.altair_chart(
        charts.curve_chart(
            training,
            validation,
            metric="accuracy",
            title="accuracy",
            baseline=baseline.accuracy,
            log=False,
            diverged=diverged,
        ),
        width="stretch",
    )
    st.caption(
        f"Bold lines: validation (256 fixed samples); faint lines: training batches. "
        f"Dashed: chance — {baseline.explanation}."
    )


def legend(contenders: list[str]) -> str:
    """One line naming each contender in its colour and dash, shared by every chart on the page."""
    dashes = {"rnn": "solid", "clipped_rnn": "dashed", "lstm": "solid", "gru": "dotted"}
    items = [
        f"<span style='color:{charts.COLOURS[key]};font-weight:700'>━ {key}</span> ({dashes[key]})"
        for key in contenders
    ]
    return "&nbsp;&nbsp;".join(items)


def gradient_flow(snapshot: Snapshot) -> None:
    st.subheader("Gradient flow: how much each time step's input still matters to the loss")
    gradients = frames.gradient_frame(snapshot.probes)
    if gradients.empty:
        st.info("No gradient profile yet (one is taken at every validation step).")
        return
    low, high = gradients["grad"].min(), gradients["grad"].max()
    domain = (low, max(high, low * 10))
    shown = [key for key in charts.ORDER if key in set(gradients["contender"])]
    for column, key in zip(st.columns(len(shown)), shown, strict=True):
        column.markdown(f"<span style='color:{charts.COLOURS[key]}'>■</span> **{key}**", unsafe_allow_html=True)
        column.altair_chart(charts.gradient_heatmap(gradients, key, domain), width="stretch")
    span = math.log10(domain[1] / domain[0])
    st.caption(
        f"‖∂L/∂xₜ‖ per input time step t (x) at each validation step (y), one log colour scale spanning "
        f"{span:.0f} decades. A tanh RNN's colour fades towards early t (left): the product of per-step Jacobians "
        "shrinks exponentially with distance from the loss. Gates keep it bright."
    )
    left, right = st.columns([2, 1])
    left.markdown("**Spectral radius ρ of the recurrent matrix** (LSTM/GRU: the candidate block)")
    left.altair_chart(charts.radius_chart(frames.probe_frame(snapshot.probes)), width="stretch")
    right.caption(
        "ρ > 1: the recurrent matrix can stretch the state (and the gradient) step after step — explosion. "
        "ρ < 1 with saturating tanh: it shrinks them — vanishing. The dashed line is ρ = 1."
    )
