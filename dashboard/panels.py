"""The live part of the page: status, verdict cards, charts and gradient flow, redrawn from a snapshot."""

from __future__ import annotations

import math

import altair as alt
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
    return {"solved": "✅", "at_chance": "➖", "learning": "📈", "diverged": "💥"}[verdict.status]


def metric_charts(run: LiveRun, snapshot: Snapshot) -> None:
    training = frames.training_frame(snapshot.steps)
    validation = frames.probe_frame(snapshot.probes)
    diverged = {key: v.step for key, v in snapshot.verdicts.items() if v.status == "diverged" and v.step}
    baseline = run.trainer.task.baseline
    loss_name = run.trainer.task.loss_name
    left, middle, right = st.columns(3)
    left.altair_chart(
        charts.curve_chart(
            training,
            validation,
            metric="loss",
            title=f"loss ({loss_name})",
            baseline=baseline.loss,
            log=True,
            diverged=diverged,
        ),
        width="stretch",
    )
    middle.altair_chart(charts.grad_norm_chart(training, clip=run.config.clip, diverged=diverged), width="stretch")
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
    st.caption(f"Chance baseline: {baseline.explanation}.")


def gradient_flow(snapshot: Snapshot) -> None:
    st.subheader("Gradient flow: how much each time step's input still matters to the loss")
    gradients = frames.gradient_frame(snapshot.probes)
    left, right = st.columns([3, 1])
    if gradients.empty:
        left.info("No gradient profile yet (one is taken every validation step).")
    else:
        low, high = gradients["grad"].min(), gradients["grad"].max()
        domain = (low, max(high, low * 10))
        maps = [
            charts.gradient_heatmap(gradients, key, domain)
            for key in charts.ORDER
            if key in set(gradients["contender"])
        ]
        left.altair_chart(alt.hconcat(*maps).resolve_scale(color="shared"), width="content")
        span = math.log10(domain[1] / domain[0])
        left.caption(
            f"Colour is ‖∂L/∂xₜ‖ on one log scale spanning {span:.0f} decades. A tanh RNN's colour fades towards "
            "early t (left): the product of per-step Jacobians shrinks exponentially. Gates keep it bright."
        )
    right.altair_chart(charts.radius_chart(frames.probe_frame(snapshot.probes)), width="stretch")
    right.caption("ρ > 1 lets signals grow step after step; ρ < 1 makes them fade.")
