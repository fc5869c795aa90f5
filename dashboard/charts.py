"""Pure chart builders. Each returns an Altair chart that reads *named* datasets, so its validated spec is
built once per setting and every redraw only attaches fresh frames (`with_data`): building and validating
an Altair chart costs ~0.1 s, attaching a frame ~1 ms. Every contender keeps one colour and dash everywhere.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

# Okabe & Ito's colour-blind-safe palette; dashes tell the lines apart in greyscale too.
ORDER = ["rnn", "clipped_rnn", "lstm", "gru"]
COLOURS = {"rnn": "#D55E00", "clipped_rnn": "#E69F00", "lstm": "#0072B2", "gru": "#009E73"}
DASHES = {"rnn": [1, 0], "clipped_rnn": [6, 3], "lstm": [1, 0], "gru": [2, 2]}
DASH_NAMES = {"rnn": "solid", "clipped_rnn": "dashed", "lstm": "solid", "gru": "dotted"}
HEIGHT = 260  # total height: plot, axes and labels; the legend lives outside the charts
HEATMAP_HEIGHT = 300

TRAINING, VALIDATION, DIVERGED, GRADIENTS = "training", "validation", "diverged", "gradients"  # dataset names


def with_data(spec: dict, **datasets: pd.DataFrame) -> dict:
    """A chart spec with the named datasets it reads attached, beside the inline ones Altair hoisted (rules').

    Only datasets the spec reads: the browser rejects an update that names a dataset a chart does not have
    (and then stops updating that chart). The spec itself is left untouched, so a cached spec can be reused.
    """
    wanted = data_names(spec)
    return {**spec, "datasets": {**spec.get("datasets", {}), **{k: v for k, v in datasets.items() if k in wanted}}}


def data_names(spec: object) -> set[str]:
    """Names of the datasets a spec reads, at any depth, less the ones it carries inline."""
    inline = set(spec.get("datasets", {})) if isinstance(spec, dict) else set()
    return _referenced(spec) - inline


def _referenced(spec: object) -> set[str]:
    if isinstance(spec, dict):
        data = spec.get("data")
        names = {data["name"]} if isinstance(data, dict) and "name" in data else set()
        return names.union(*(_referenced(value) for value in spec.values()))
    if isinstance(spec, list):
        return set().union(*(_referenced(value) for value in spec))
    return set()


def _colour(contenders: tuple[str, ...]) -> alt.Color:
    shown = [key for key in ORDER if key in contenders]
    scale = alt.Scale(domain=shown, range=[COLOURS[key] for key in shown])
    return alt.Color("contender:N", scale=scale, sort=shown, legend=None)  # the verdict cards are the legend


def _dash(contenders: tuple[str, ...]) -> alt.StrokeDash:
    shown = [key for key in ORDER if key in contenders]
    scale = alt.Scale(domain=shown, range=[DASHES[key] for key in shown])
    return alt.StrokeDash("contender:N", scale=scale, sort=shown, legend=None)


def _rule(value: float, label: str, scale: alt.Scale, title: str) -> alt.LayerChart:
    """A labelled dashed horizontal reference line (chance, clip threshold, ρ = 1) on the chart's own y scale."""
    frame = pd.DataFrame({"value": [value], "label": [label]})
    base = alt.Chart(frame).encode(y=alt.Y("value:Q", scale=scale, title=title))
    line = base.mark_rule(color="#555", strokeDash=[4, 4]).encode(tooltip=["label:N"])
    text = base.mark_text(align="left", dx=4, dy=-7, color="#333", fontSize=11).encode(text="label:N", x=alt.value(0))
    return line + text


def _divergence(contenders: tuple[str, ...]) -> alt.Chart:
    """A vertical rule where each diverged contender blew up (dataset DIVERGED: contender, step, label)."""
    return (
        alt.Chart(alt.NamedData(DIVERGED))
        .mark_rule(strokeWidth=2, strokeDash=[2, 2])
        .encode(x="step:Q", color=_colour(contenders), tooltip=["label:N", "step:Q"])
    )


def curve_chart(metric: str, title: str, baseline: float, log: bool, contenders: tuple[str, ...]) -> alt.LayerChart:
    """Faint per-step training values, bold validation, the chance baseline and divergence markers."""
    scale = alt.Scale(type="log") if log else alt.Scale(domain=[0, 1])
    x = alt.X("step:Q", title="training step")
    y_title = f"{title} (log scale)" if log else title
    faint = (
        alt.Chart(alt.NamedData(TRAINING))
        .mark_line(opacity=0.3, strokeWidth=1)
        .encode(
            x=x, y=alt.Y(f"{metric}:Q", scale=scale, title=y_title), color=_colour(contenders), detail="contender:N"
        )
    )
    column = f"val_{metric}"
    bold = (
        alt.Chart(alt.NamedData(VALIDATION))
        .mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=12))
        .encode(
            x=x,
            y=alt.Y(f"{column}:Q", scale=scale, title=y_title),
            color=_colour(contenders),
            strokeDash=_dash(contenders),
            tooltip=["contender:N", "step:Q", alt.Tooltip(f"{column}:Q", format=".4g", title=f"validation {title}")],
        )
    )
    layers = [faint, bold, _rule(baseline, f"chance {baseline:.3g}", scale, y_title), _divergence(contenders)]
    return alt.layer(*layers).properties(height=HEIGHT)


def grad_norm_chart(clip: float, contenders: tuple[str, ...]) -> alt.LayerChart:
    """Gradient norm before clipping on a log axis, the clip threshold, and where clipping happened."""
    log, y_title = alt.Scale(type="log"), "‖gradient‖ before clipping (log scale)"
    x = alt.X("step:Q", title="training step")
    y = alt.Y("grad_norm:Q", scale=log, title=y_title)
    line = (
        alt.Chart(alt.NamedData(TRAINING))
        .mark_line(strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            color=_colour(contenders),
            strokeDash=_dash(contenders),
            tooltip=["contender:N", "step:Q", alt.Tooltip("grad_norm:Q", format=".3g", title="‖gradient‖")],
        )
    )
    clipped = (
        alt.Chart(alt.NamedData(TRAINING))
        .transform_filter(alt.datum.clipped > 0)
        .mark_tick(thickness=2, size=10)
        .encode(
            x=x,
            y=y,
            color=_colour(contenders),
            tooltip=["contender:N", "step:Q", alt.Tooltip("clipped:Q", format=".0%", title="steps clipped")],
        )
    )
    layers = [line, clipped, _rule(clip, f"clip threshold {clip:g}", log, y_title), _divergence(contenders)]
    return alt.layer(*layers).properties(height=HEIGHT)


def gradient_heatmap(contender: str, domain: tuple[float, float]) -> alt.Chart:
    """‖∂L/∂x_t‖ over time step t (x) and training step (y) on a log colour scale shared via `domain`."""
    colour = alt.Color(
        "grad:Q",
        scale=alt.Scale(type="log", domain=list(domain), scheme="viridis"),
        title=None,
        legend=alt.Legend(
            orient="bottom", direction="horizontal", gradientLength=150, gradientThickness=8, format=".0e"
        ),
    )
    return (
        alt.Chart(alt.NamedData(GRADIENTS))
        .transform_filter(alt.datum.contender == contender)
        .mark_rect()
        .encode(
            x=alt.X("t:Q", title="input time step t"),
            x2="t_end:Q",
            y=alt.Y("step:O", title="training step", sort="descending", axis=alt.Axis(labelOverlap="greedy")),
            color=colour,
            tooltip=["t:Q", "step:Q", alt.Tooltip("grad:Q", format=".2e", title="‖∂L/∂xₜ‖")],
        )
        .properties(height=HEATMAP_HEIGHT)
    )


def radius_chart(contenders: tuple[str, ...]) -> alt.LayerChart:
    """Spectral radius of the recurrent matrix over training, with the line ρ = 1."""
    scale = alt.Scale(zero=False)
    line = (
        alt.Chart(alt.NamedData(VALIDATION))
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("step:Q", title="training step"),
            y=alt.Y("spectral_radius:Q", scale=scale, title="spectral radius ρ"),
            color=_colour(contenders),
            strokeDash=_dash(contenders),
            tooltip=["contender:N", "step:Q", alt.Tooltip("spectral_radius:Q", format=".3f", title="ρ")],
        )
    )
    return alt.layer(line, _rule(1.0, "ρ = 1", scale, "spectral radius ρ")).properties(height=HEIGHT)
