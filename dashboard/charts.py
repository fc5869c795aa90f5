"""Pure chart builders: DataFrame in, Altair chart out. Every contender keeps one colour and dash everywhere."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Okabe & Ito's colour-blind-safe palette; dashes tell the lines apart in greyscale too.
ORDER = ["rnn", "clipped_rnn", "lstm", "gru"]
COLOURS = {"rnn": "#D55E00", "clipped_rnn": "#E69F00", "lstm": "#0072B2", "gru": "#009E73"}
DASHES = {"rnn": [1, 0], "clipped_rnn": [6, 3], "lstm": [1, 0], "gru": [2, 2]}
HEIGHT = 260  # plot area; legends live outside the charts
HEATMAP_HEIGHT = 300  # total, with axes and the colour bar


def _colour(contenders: list[str]) -> alt.Color:
    shown = [key for key in ORDER if key in contenders]
    scale = alt.Scale(domain=shown, range=[COLOURS[key] for key in shown])
    return alt.Color("contender:N", scale=scale, sort=shown, legend=None)  # the verdict cards are the legend


def _dash(contenders: list[str]) -> alt.StrokeDash:
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


def divergence_rules(diverged: dict[str, int]) -> alt.Chart | None:
    """A vertical rule where each diverged contender blew up."""
    if not diverged:
        return None
    frame = pd.DataFrame({"contender": list(diverged), "step": list(diverged.values())})
    frame["label"] = frame["contender"] + " diverged"
    return (
        alt.Chart(frame)
        .mark_rule(strokeWidth=2, strokeDash=[2, 2])
        .encode(x="step:Q", color=_colour(list(diverged)), tooltip=["label:N", "step:Q"])
    )


def curve_chart(
    training: pd.DataFrame,
    validation: pd.DataFrame,
    *,
    metric: str,
    title: str,
    baseline: float,
    log: bool,
    diverged: dict[str, int],
) -> alt.LayerChart:
    """Faint per-step training values, bold validation, the chance baseline and divergence markers."""
    contenders = sorted(set(training.get("contender", [])) | set(validation.get("contender", [])))
    scale = alt.Scale(type="log") if log else alt.Scale(domain=[0, 1])
    x = alt.X("step:Q", title="training step")
    y_title = f"{title} (log scale)" if log else title
    y = alt.Y(f"{metric}:Q", scale=scale, title=y_title)
    faint = (
        alt.Chart(training.dropna(subset=[metric]))
        .mark_line(opacity=0.3, strokeWidth=1)
        .encode(x=x, y=y, color=_colour(contenders), detail="contender:N")
    )
    column = f"val_{metric}"
    bold = (
        alt.Chart(validation.dropna(subset=[column]))
        .mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=12))
        .encode(
            x=x,
            y=alt.Y(f"{column}:Q", scale=scale, title=y_title),
            color=_colour(contenders),
            strokeDash=_dash(contenders),
            tooltip=["contender:N", "step:Q", alt.Tooltip(f"{column}:Q", format=".4g", title=f"validation {title}")],
        )
    )
    layers = [faint, bold, _rule(baseline, f"chance {baseline:.3g}", scale, y_title)]
    rules = divergence_rules(diverged)
    if rules is not None:
        layers.append(rules)
    return alt.layer(*layers).properties(height=HEIGHT)


def grad_norm_chart(training: pd.DataFrame, *, clip: float, diverged: dict[str, int]) -> alt.LayerChart:
    """Gradient norm before clipping on a log axis, the clip threshold, and where clipping happened."""
    contenders = sorted(set(training.get("contender", [])))
    data = training.dropna(subset=["grad_norm"])
    data = data[data["grad_norm"] > 0]
    x = alt.X("step:Q", title="training step")
    log, y_title = alt.Scale(type="log"), "‖gradient‖ before clipping (log scale)"
    y = alt.Y("grad_norm:Q", scale=log, title=y_title)
    line = (
        alt.Chart(data)
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
        alt.Chart(data[data["clipped"] > 0])
        .mark_tick(thickness=2, size=10)
        .encode(
            x=x,
            y=y,
            color=_colour(contenders),
            tooltip=["contender:N", "step:Q", alt.Tooltip("clipped:Q", format=".0%", title="steps clipped")],
        )
    )
    layers = [line, clipped, _rule(clip, f"clip threshold {clip:g}", log, y_title)]
    rules = divergence_rules(diverged)
    if rules is not None:
        layers.append(rules)
    return alt.layer(*layers).properties(height=HEIGHT)


def gradient_heatmap(gradients: pd.DataFrame, contender: str, domain: tuple[float, float]) -> alt.Chart:
    """‖∂L/∂x_t‖ over time step t (x) and training step (y) on a shared log colour scale."""
    data = gradients[gradients["contender"] == contender]
    colour = alt.Color(
        "grad:Q",
        scale=alt.Scale(type="log", domain=list(domain), scheme="viridis"),
        title=None,
        legend=alt.Legend(
            orient="bottom", direction="horizontal", gradientLength=150, gradientThickness=8, format=".0e"
        ),
    )
    return (
        alt.Chart(data)
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


def radius_chart(validation: pd.DataFrame) -> alt.LayerChart:
    """Spectral radius of the recurrent matrix over training, with the line ρ = 1."""
    contenders = sorted(set(validation.get("contender", [])))
    scale = alt.Scale(zero=False)
    y = alt.Y("spectral_radius:Q", scale=scale, title="spectral radius ρ")
    line = (
        alt.Chart(validation.dropna(subset=["spectral_radius"]))
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("step:Q", title="training step"),
            y=y,
            color=_colour(contenders),
            strokeDash=_dash(contenders),
            tooltip=["contender:N", "step:Q", alt.Tooltip("spectral_radius:Q", format=".3f", title="ρ")],
        )
    )
    return alt.layer(line, _rule(1.0, "ρ = 1", scale, "spectral radius ρ")).properties(height=HEIGHT)
