"""The live part of the page: status, verdict cards, charts and gradient flow, redrawn from a snapshot."""

from __future__ import annotations

import functools
import math
import os
import sys
import time

import streamlit as st
from streamlit import dataframe_util

from dashboard import cards, charts, frames
from dashboard.hub import HUB, View
from dashboard.live import Snapshot

REFRESH_SECONDS = 0.5  # the status line and the verdict cards redraw twice a second while training
CHART_REFRESH_SECONDS = 1.0  # the three charts: each redraw costs the browser far more than the text
SLOW_REFRESH_SECONDS = 2.0  # gradient flow changes only at validation steps: redraw less often
SESSIONS_AT_FULL_RATE = 4  # sessions on one server that all redraw at the rates above
# The load test (benchmarks/load.py) sets this to read each session's progress off the server's clock.
PROGRESS_LOG = os.environ.get("RNN_LAB_PROGRESS_LOG") == "1"


def live(run: View) -> None:
    """Redraw while the run trains; once when it is paused. Three fragments, so the costly parts wait.

    Each session's redraws cost the server a few tens of milliseconds: beyond SESSIONS_AT_FULL_RATE
    sessions on one server, every session redraws proportionally less often, so the total stays bounded.
    """
    st.session_state["drawn_running"] = run.running
    slower = max(1.0, HUB.session_count() / SESSIONS_AT_FULL_RATE)
    st.fragment(run_every=REFRESH_SECONDS * slower if run.running else None)(_draw_progress)(run)
    st.fragment(run_every=CHART_REFRESH_SECONDS * slower if run.running else None)(_draw_charts)(run)
    st.fragment(run_every=SLOW_REFRESH_SECONDS * slower if run.running else None)(_draw_gradient_flow)(run)


def _draw_progress(run: View) -> None:
    run.keep_alive()
    snapshot = run.snapshot()
    if PROGRESS_LOG:
        preset = st.session_state.get("preset")
        sys.stderr.write(f"rnn-lab-progress {run.session_id} {preset} {snapshot.step} {time.time():.3f}\n")
    if st.session_state.get("drawn_running") and not snapshot.running:
        st.rerun()  # the run paused itself (step limit, all diverged): redraw the page and its buttons
    status_line(snapshot)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        cards.verdict_cards(run, snapshot)
    with right:
        cards.claim_panel(run, snapshot)


def _draw_charts(run: View) -> None:
    snapshot = run.snapshot()
    if snapshot.step == 0:
        st.info("Press **Train** to start (or **Step** for 25 steps). Charts appear with the first step.")
        return
    metric_charts(run, snapshot)


def _draw_gradient_flow(run: View) -> None:
    probes = run.probe_history()
    if probes:
        gradient_flow(run, probes)


def status_line(snapshot: Snapshot) -> None:
    minutes, seconds = divmod(int(snapshot.elapsed), 60)
    state = "Training" if snapshot.running else "Paused"
    rate = f"{snapshot.steps_per_second:,.1f} steps/s" if snapshot.running else "—"
    if snapshot.running and snapshot.waiting is not None:
        ahead = snapshot.waiting
        rate = f"waiting for a training slot: {ahead} run{'s' * (ahead != 1)} ahead of you"
    shared = f" · shared with {snapshot.viewers - 1} other session{'s' * (snapshot.viewers > 2)}"
    st.markdown(
        f"**{state}** · **Step {snapshot.step:,}** · {rate} · training time {minutes}:{seconds:02d}"
        + (shared if snapshot.viewers > 1 else ""),
        help="Training runs in a process of its own, only while a page follows it. Sessions with identical "
        "settings share one run (same seed, same numbers); Pause freezes only your view. When more runs want "
        "to train than the server has cores, they take turns.",
    )
    if snapshot.message:
        st.warning(snapshot.message)


def metric_charts(run: View, snapshot: Snapshot) -> None:
    def build() -> dict[str, bytes]:
        diverged = {key: v.step for key, v in snapshot.verdicts.items() if v.status == "diverged" and v.step}
        return {
            charts.TRAINING: _arrow(frames.training_frame(snapshot.steps, chance_loss=run.chance_loss)),
            charts.VALIDATION: _arrow(frames.probe_frame(snapshot.probes, run.chance_loss)),
            charts.DIVERGED: _arrow(frames.diverged_frame(diverged)),
        }

    # Sessions sharing a run draw the same data: build it once per step, for all of them.
    data = run.memo(("metrics", snapshot.step, len(snapshot.steps["step"]), len(snapshot.probes)), build)
    baseline, contenders = run.task.baseline, run.config.contenders
    st.markdown(legend(contenders), unsafe_allow_html=True)
    left, middle, right = st.columns(3)
    left.markdown(f"**Loss** · {run.task.loss_name}")
    left.vega_lite_chart(charts.with_data(_curve("loss", run.chance_loss, True, contenders), **data), width="stretch")
    middle.markdown("**Gradient norm** before clipping")
    middle.vega_lite_chart(charts.with_data(_grad_norm(run.config.clip, contenders), **data), width="stretch")
    right.markdown("**Accuracy**" + (" (|error| < 0.04)" if run.config.task == "adding" else ""))
    right.vega_lite_chart(
        charts.with_data(_curve("accuracy", baseline.accuracy, False, contenders), **data), width="stretch"
    )
    st.caption(
        f"Bold lines: validation (256 fixed samples); faint lines: training batches. Dashed: chance — "
        f"{baseline.explanation}; on this validation set the chance loss is {run.chance_loss:.4g}. Ticks on the "
        f"gradient chart mark clipped steps. A triangle at an axis edge: a value beyond the axis (loss above "
        f"{frames.LOSS_CEILING:g}× chance, gradient norm above {frames.GRAD_CEILING:.0e}); hover it for the value."
    )


# Validated specs, built once per setting: a redraw then only attaches frames (see charts.with_data).
@functools.lru_cache(maxsize=64)
def _curve(metric: str, baseline: float, log: bool, contenders: tuple[str, ...]) -> dict:
    return charts.curve_chart(metric, metric, baseline, log, contenders).to_dict()


@functools.lru_cache(maxsize=64)
def _grad_norm(clip: float, contenders: tuple[str, ...]) -> dict:
    return charts.grad_norm_chart(clip, contenders).to_dict()


@functools.lru_cache(maxsize=64)
def _heatmap(contender: str, decades: tuple[int, int]) -> dict:
    return charts.gradient_heatmap(contender, (10.0 ** decades[0], 10.0 ** decades[1])).to_dict()


@functools.lru_cache(maxsize=64)
def _radius(contenders: tuple[str, ...]) -> dict:
    return charts.radius_chart(contenders).to_dict()


def legend(contenders: tuple[str, ...]) -> str:
    """One line naming each contender in its colour and dash, shared by every chart on the page."""
    items = [f"{cards.swatch(key)} <b>{key}</b> ({charts.DASH_NAMES[key]})" for key in contenders]
    return "&nbsp;&nbsp;&nbsp;".join(items)


def gradient_flow(run: View, probes: list[dict]) -> None:
    st.subheader("Gradient flow over the input's time steps")
    flow = run.memo(("gradients", len(probes), probes[-1]["step"]), lambda: _gradient_data(probes, run.chance_loss))
    if flow is None:
        st.info("No gradient profile yet (one is taken at every validation step).")
        return
    gradients, decades, shown, validation = flow
    for column, key in zip(st.columns(len(shown)), shown, strict=True):
        column.markdown(f"{cards.swatch(key)} **{key}**", unsafe_allow_html=True)
        column.vega_lite_chart(charts.with_data(_heatmap(key, decades), gradients=gradients), width="stretch")
    st.markdown(
        "<small style='color:#555'>How much each input time step t (x) still matters to the loss, ‖∂L/∂xₜ‖, at "
        f"each validation step (y), on one log colour scale for all contenders spanning {decades[1] - decades[0]} "
        "decades. Where the colour fades towards early t (left), the product of per-step Jacobians has shrunk the "
        f"gradient. {_box(charts.BELOW_COLOUR)} more than {charts.DECADES} decades below the scale's top; "
        f"{_box(charts.ZERO_COLOUR)} exactly 0 (the gradient underflowed to zero in 32-bit floats).</small>",
        unsafe_allow_html=True,
    )
    left, right = st.columns([2, 1])
    left.markdown("**Spectral radius ρ of the recurrent matrix**")
    left.vega_lite_chart(charts.with_data(_radius(run.config.contenders), validation=validation), width="stretch")
    right.caption(
        "LSTM/GRU: the candidate block. ρ > 1: the recurrent matrix can stretch the state (and the gradient) "
        "step after step — explosion, unless the tanh saturates (then diag(tanh′) shrinks what W stretches). "
        "ρ < 1: it shrinks them — vanishing. The dashed line is ρ = 1; triangles mark values beyond the axis."
    )


def _box(colour: str) -> str:
    return (
        f"<span style='display:inline-block;width:0.9em;height:0.9em;background:{colour};vertical-align:middle'></span>"
    )


def _gradient_data(probes: list[dict], chance_loss: float) -> tuple[bytes, tuple[int, int], list[str], bytes] | None:
    gradients = frames.gradient_frame(probes)
    positive = gradients["grad"][gradients["grad"] > 0]
    if positive.empty:
        return None
    # One colour scale for all contenders, rounded out to whole decades so the spec rarely changes, spanning at
    # most DECADES: an underflowing gradient (1e-40) would otherwise wash out the fade the chart is about.
    top = math.ceil(math.log10(positive.max()))
    decades = (max(math.floor(math.log10(positive.min())), top - charts.DECADES), top)
    decades = (decades[0], max(decades[1], decades[0] + 1))
    shown = [key for key in charts.ORDER if key in set(gradients["contender"])]
    return _arrow(gradients), decades, shown, _arrow(frames.probe_frame(probes, chance_loss))


def _arrow(frame) -> bytes:
    """A frame as the Arrow IPC bytes Streamlit sends for a chart's dataset: converted once, not per chart."""
    return dataframe_util.convert_pandas_df_to_arrow_bytes(frame)
