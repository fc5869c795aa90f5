"""Pure chart builders. Each returns an Altair chart that reads *named* datasets, so its validated spec is
built once per setting and every redraw only attaches fresh frames (`with_data`): building and validating
an Altair chart costs ~0.1 s, attaching a frame ~1 ms. Every contender keeps one colour and dash everywhere.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from dashboard.text import DEFAULT, words

# Okabe & Ito's colour-blind-safe palette (pairs checked under simulated colour-vision deficiencies in the
# tests); every contender also has a dash of its own, so lines that overlap stay apart in greyscale too.
ORDER = ["rnn", "clipped_rnn", "lstm", "gru", "feedforward"]
COLOURS = {"rnn": "#D55E00", "clipped_rnn": "#CC79A7", "lstm": "#0072B2", "gru": "#56B4E9", "feedforward": "#000000"}
DASHES = {
    "rnn": [1, 0],
    "clipped_rnn": [7, 3],
    "lstm": [10, 3, 2, 3],
    "gru": [2, 2],
    "feedforward": [12, 3, 2, 3, 2, 3],
}
DASH_NAMES = {
    "rnn": "solid",
    "clipped_rnn": "dashed",
    "lstm": "dash-dot",
    "gru": "dotted",
    "feedforward": "dash-dot-dot",
}
HEIGHT = 260  # total height: plot, axes and labels; the legend lives outside the charts
HEATMAP_HEIGHT = 300
DECADES = 12  # the gradient-flow colour scale spans at most this many powers of ten below its top
BELOW_COLOUR, ZERO_COLOUR = "#BDBDBD", "#636363"  # out-of-range heatmap cells: greys, not on viridis

TRAINING, VALIDATION, DIVERGED, GRADIENTS = "training", "validation", "diverged", "gradients"  # dataset names
DISTANCE = "distance"


def with_data(spec: dict, **datasets: pd.DataFrame) -> dict:
    """A chart spec with the named datasets it reads attached, beside the inline ones Altair hoisted (rules').

    Only datasets the spec reads: the browser rejects an update that names a dataset a chart does not have
    (and then stops updating that chart). The spec itself is left untouched, so a cached spec can be reused.
    """
    wanted = data_names(spec)
    return {**spec, "datasets": {**spec.get("datasets", {}), **{k: v for k, v in datasets.items() if k in wanted}}}


def data_names(spec: object) -> frozenset[str]:
    """Names of the datasets a spec reads, at any depth, less the ones it carries inline. Found once per spec
    object (the cached specs are read at every redraw: walking them was 7% of a charts redraw's profiled time)."""
    known = _NAMES.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    inline = set(spec.get("datasets", {})) if isinstance(spec, dict) else set()
    names = frozenset(_referenced(spec) - inline)
    if len(_NAMES) >= 256:  # specs of settings no longer drawn
        _NAMES.clear()
    _NAMES[id(spec)] = (spec, names)  # the spec kept alive with its entry, so its id is not reused meanwhile
    return names


_NAMES: dict[int, tuple[object, frozenset[str]]] = {}


def fields_read(spec: object) -> frozenset[str]:
    """The data columns a spec reads: every `field` (encodings, tooltips, filters) and every `datum.<name>` or
    `datum['<name>']` in its expressions. A chart is sent only these: each would otherwise carry every column of
    the frames it shares with its neighbours (a metric chart sent 200 KB a redraw, three-fifths of it unread)."""
    found: set[str] = set()
    pending = [spec]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if isinstance(item.get("field"), str):
                found.add(item["field"])
            pending += item.values()
        elif isinstance(item, list):
            pending += item
        elif isinstance(item, str) and "datum" in item:
            found.update(name for pair in _DATUM.findall(item) for name in pair if name)
    return frozenset(found)


_DATUM = re.compile(r"datum\.([A-Za-z_]\w*)|datum\[['\"]([^'\"]+)['\"]\]")


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


def _rule(value: float, label: str, scale: alt.Scale) -> alt.Chart:
    """A dashed horizontal reference line (chance, clip threshold, ρ = 1) on the chart's own y scale.

    Its label is the only tick of an axis of its own on the right, outside the plot, where no curve can
    cover it (the chart resolves y axes independently; every other layer but the first draws no y axis).
    """
    frame = pd.DataFrame({"value": [value], "label": [label]})
    quoted = label.replace("\\", "").replace("'", "")
    axis = alt.Axis(
        orient="right", values=[value], labelExpr=f"'{quoted}'", title=None, grid=False, domain=False,
        labelColor="#333", labelFontSize=11, tickColor="#555", labelFlush=False,
    )  # fmt: skip
    return (
        alt.Chart(frame).mark_rule(color="#555", strokeDash=[4, 4]).encode(y=alt.Y("value:Q", scale=scale, axis=axis))
    )


def _divergence(contenders: tuple[str, ...], lang: str = DEFAULT) -> alt.Chart:
    """A vertical rule where each diverged contender blew up (dataset DIVERGED: contender, step)."""
    return (
        alt.Chart(alt.NamedData(DIVERGED))
        .mark_rule(strokeWidth=2, strokeDash=[2, 2])
        .encode(x="step:Q", color=_colour(contenders), tooltip=[_tip("contender", lang), _tip("step", lang)])
    )


def _tip(field: str, lang: str) -> alt.Tooltip:
    """A tooltip row for the `contender` or `step` column, titled in the reader's language."""
    return alt.Tooltip(f"{field}:{'N' if field == 'contender' else 'Q'}", title=words(lang, f"tip.{field}"))


def _beyond(dataset: str, column: str, scale: alt.Scale, contenders: tuple[str, ...], lang: str = DEFAULT) -> alt.Chart:
    """A triangle at the axis edge where a value was beyond the chart's bounded range (frames clip it there)."""
    return (
        alt.Chart(alt.NamedData(dataset))
        .transform_filter(f"datum.{column}_beyond")
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            x="step:Q",
            y=alt.Y(f"{column}:Q", scale=scale, axis=None),
            color=_colour(contenders),
            shape=alt.Shape(
                f"{column}_beyond:N",
                scale=alt.Scale(domain=["above", "below"], range=["triangle-up", "triangle-down"]),
                legend=None,
            ),
            tooltip=[
                _tip("contender", lang),
                _tip("step", lang),
                alt.Tooltip(f"{column}_actual:Q", format=".3g", title=words(lang, "tip.beyond")),
            ],
        )
    )


def _band(dataset: str, column: str, scale: alt.Scale, contenders: tuple[str, ...], lang: str = DEFAULT) -> alt.Chart:
    """The spread over seeds around a median line (frames' `_low`/`_high`: range, or interquartile from four
    seeds). With one seed both edges are the line itself and the band has no height."""
    return (
        alt.Chart(alt.NamedData(dataset))
        .mark_area(opacity=0.18)
        .encode(
            x="step:Q",
            y=alt.Y(f"{column}_low:Q", scale=scale, axis=None),
            y2=f"{column}_high:Q",
            color=_colour(contenders),
            tooltip=[_tip("contender", lang), _tip("step", lang),
                     alt.Tooltip(f"{column}_low:Q", format=".3g", title=words(lang, "tip.seeds_from")),
                     alt.Tooltip(f"{column}_high:Q", format=".3g", title=words(lang, "tip.seeds_to"))],
        )
    )  # fmt: skip


def _finished(chart: alt.LayerChart) -> alt.LayerChart:
    """Shared y scale, separate y axes: the left one from the first layer, the rule's label on the right."""
    return chart.properties(height=HEIGHT).resolve_axis(y="independent")


def curve_chart(
    metric: str, baseline: float, log: bool, contenders: tuple[str, ...], lang: str = DEFAULT
) -> alt.LayerChart:
    """Faint per-step training values, bold validation with its band over seeds, the chance baseline and
    divergence markers.

    Values beyond the frames' bounded range arrive clipped to it with a `…_beyond` flag: a marker at the edge.
    """
    scale = alt.Scale(type="log") if log else alt.Scale(domain=[0, 1])
    x = alt.X("step:Q", title=words(lang, "axis.step"))
    title = words(lang, f"axis.{metric}")
    y_title = words(lang, "axis.log", title=title) if log else title
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
            y=alt.Y(f"{column}:Q", scale=scale, axis=None),
            color=_colour(contenders),
            strokeDash=_dash(contenders),
            tooltip=[
                _tip("contender", lang),
                _tip("step", lang),
                alt.Tooltip(f"{column}:Q", format=".4g", title=words(lang, "tip.validation", title=title)),
            ],
        )
    )
    layers = [faint, _band(VALIDATION, column, scale, contenders, lang), bold]
    layers += [_rule(baseline, words(lang, "rule.chance", value=f"{baseline:.3g}"), scale)]
    layers.append(_divergence(contenders, lang))
    if log:
        layers += [
            _beyond(TRAINING, metric, scale, contenders, lang),
            _beyond(VALIDATION, column, scale, contenders, lang),
        ]
    return _finished(alt.layer(*layers))


def grad_norm_chart(clip: float, contenders: tuple[str, ...], lang: str = DEFAULT) -> alt.LayerChart:
    """Gradient norm before clipping on a log axis, the clip threshold, and where clipping happened."""
    log, y_title = alt.Scale(type="log"), words(lang, "axis.grad_norm")
    x = alt.X("step:Q", title=words(lang, "axis.step"))
    y = alt.Y("grad_norm:Q", scale=log, title=y_title)
    line = (
        alt.Chart(alt.NamedData(TRAINING))
        .mark_line(strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            color=_colour(contenders),
            strokeDash=_dash(contenders),
            tooltip=[
                _tip("contender", lang),
                _tip("step", lang),
                alt.Tooltip("grad_norm:Q", format=".3g", title=words(lang, "tip.grad")),
            ],
        )
    )
    clipped = (
        alt.Chart(alt.NamedData(TRAINING))
        .transform_filter(alt.datum.clipped > 0)
        .mark_tick(thickness=2, size=10)
        .encode(
            x=x,
            y=alt.Y("grad_norm:Q", scale=log, axis=None),
            color=_colour(contenders),
            tooltip=[
                _tip("contender", lang),
                _tip("step", lang),
                alt.Tooltip("clipped:Q", format=".0%", title=words(lang, "tip.clipped")),
            ],
        )
    )
    layers = [line, _band(TRAINING, "grad_norm", log, contenders, lang), clipped]
    layers += [_rule(clip, words(lang, "rule.clip", value=f"{clip:g}"), log), _divergence(contenders, lang)]
    layers.append(_beyond(TRAINING, "grad_norm", log, contenders, lang))
    return _finished(alt.layer(*layers))


def gradient_heatmap(domain: tuple[float, float], lang: str = DEFAULT) -> alt.LayerChart:
    """‖∂L/∂x_t‖ over time step t (x) and training step (y) on a log colour scale shared via `domain`, for one
    contender (dataset GRADIENTS: its rows only, step, t, t_end, grad).

    Cells below the scale (more than DECADES under its top) and exactly-zero cells (the gradient underflowed)
    get greys of their own, named in a second legend, so they never stretch the scale or look like data.
    """
    colour = alt.Color(
        "grad:Q",
        scale=alt.Scale(type="log", domain=list(domain), scheme="viridis", clamp=True),
        title="‖∂L/∂xₜ‖",
        legend=alt.Legend(
            orient="bottom",
            direction="horizontal",
            gradientLength=110,
            gradientThickness=8,
            format=".0e",
            values=list(domain),
        ),
    )
    outside = alt.Scale(domain=[BELOW, ZERO], range=[BELOW_COLOUR, ZERO_COLOUR])
    base = alt.Chart(alt.NamedData(GRADIENTS))
    x = alt.X("t:Q", title=words(lang, "axis.time"))
    y = alt.Y("step:O", title=words(lang, "axis.step"), sort="descending", axis=alt.Axis(labelOverlap="greedy"))
    tooltip = ["t:Q", _tip("step", lang), alt.Tooltip("grad:Q", format=".2e", title="‖∂L/∂xₜ‖")]
    values = (
        base.transform_filter(f"datum.grad >= {domain[0]!r}").mark_rect().encode(x=x, x2="t_end:Q", y=y, color=colour)
    )
    others = (
        base.transform_filter(f"datum.grad < {domain[0]!r}")
        .transform_calculate(kind=f"datum.grad > 0 ? '{BELOW}' : '{ZERO}'")
        .mark_rect()
        .encode(
            x=x,
            x2="t_end:Q",
            y=y,
            fill=alt.Fill("kind:N", scale=outside, legend=None),  # named in the caption, with swatches
        )
    )
    return alt.layer(values.encode(tooltip=tooltip), others.encode(tooltip=tooltip)).properties(height=HEATMAP_HEIGHT)


BELOW, ZERO = "below", "zero"  # the two kinds of cell off the colour scale (named in the page's caption)


def radius_chart(contenders: tuple[str, ...], lang: str = DEFAULT) -> alt.LayerChart:
    """Spectral radius of the recurrent matrix over training on a log axis (bounded: see frames), with ρ = 1."""
    scale = alt.Scale(type="log")
    y = alt.Y("spectral_radius:Q", scale=scale, title=words(lang, "axis.radius"))
    line = (
        alt.Chart(alt.NamedData(VALIDATION))
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("step:Q", title=words(lang, "axis.step")),
            y=y,
            color=_colour(contenders),
            strokeDash=_dash(contenders),
            tooltip=[
                _tip("contender", lang),
                _tip("step", lang),
                alt.Tooltip("spectral_radius:Q", format=".3f", title="ρ"),
            ],
        )
    )
    rule = _rule(1.0, "ρ = 1", scale)
    band = _band(VALIDATION, "spectral_radius", scale, contenders, lang)
    layers = [line, band, rule, _beyond(VALIDATION, "spectral_radius", scale, contenders, lang)]
    return _finished(alt.layer(*layers))


SWEEP = "sweep"  # dataset: frames.sweep_frame


def sweep_chart(
    budget: int,
    gaps: tuple[int, ...],
    not_solved: tuple[float, float],
    contenders: tuple[str, ...],
    lang: str = DEFAULT,
) -> alt.LayerChart:
    """Steps to solve against the gap (log), per contender: the median over the seeds that solved it, their range,
    and crosses above the budget (the dashed line) where no seed solved it, a row per contender (`not_solved`:
    the first row and the distance between rows, × the budget)."""
    first, step = not_solved
    top = first + step * (len(contenders) - 0.5)
    scale = alt.Scale(domain=[0, budget * top], nice=False)
    span = alt.Scale(type="log", domain=[min(gaps) / 1.2, max(gaps) * 1.2], nice=False)
    x = alt.X("gap:Q", scale=span, title=words(lang, "axis.gap"), axis=alt.Axis(values=list(gaps)))
    tooltip = [
        _tip("contender", lang),
        alt.Tooltip("gap:Q", title=words(lang, "sweep.column.gap")),
        alt.Tooltip("steps:Q", format=",.0f", title=words(lang, "tip.median_steps")),
        alt.Tooltip("label:N", title=words(lang, "sweep.column.label")),
    ]
    base = alt.Chart(alt.NamedData(SWEEP))
    solved = base.transform_filter("!datum.unsolved")
    line = solved.mark_line(point=alt.OverlayMarkDef(size=50, filled=True)).encode(
        x=x,
        y=alt.Y("steps:Q", scale=scale, title=words(lang, "axis.steps_to_solve"), axis=alt.Axis(values=_ticks(budget))),
        color=_colour(contenders),
        strokeDash=_dash(contenders),
        tooltip=tooltip,
    )
    spread = solved.mark_rule(strokeWidth=2, opacity=0.6).encode(
        x=x, y=alt.Y("low:Q", scale=scale, axis=None), y2="high:Q", color=_colour(contenders), tooltip=tooltip
    )
    never = (
        base.transform_filter("datum.unsolved")
        .mark_point(shape="cross", size=120, filled=True, opacity=1)
        .encode(x=x, y=alt.Y("steps:Q", scale=scale, axis=None), color=_colour(contenders), tooltip=tooltip)
    )
    budget_rule = _rule(float(budget), words(lang, "rule.budget", value=f"{budget:,}"), scale)
    return _finished(alt.layer(line, spread, never, budget_rule))


def _ticks(budget: int) -> list[int]:
    """Five round ticks from 0 to the budget."""
    return [round(budget * share) for share in (0, 0.25, 0.5, 0.75, 1.0)]


def distance_chart(
    bins: tuple[str, ...], baseline: float, contenders: tuple[str, ...], lang: str = DEFAULT
) -> alt.LayerChart:
    """Accuracy per distance bin at one step (dataset DISTANCE: contender, bin, accuracy), with the memoryless
    model's accuracy as the rule: a flat line at the rule is a model that never carries the subject."""
    scale = alt.Scale(domain=[0, 1])
    x = alt.X("bin:O", sort=list(bins), title=words(lang, "axis.adjectives"), axis=alt.Axis(labelAngle=0))
    lines = (
        alt.Chart(alt.NamedData(DISTANCE))
        .mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=40))
        .encode(
            x=x,
            y=alt.Y("accuracy:Q", scale=scale, title=words(lang, "axis.name_accuracy")),
            color=_colour(contenders),
            strokeDash=_dash(contenders),
            tooltip=[
                _tip("contender", lang),
                alt.Tooltip("bin:O", title=words(lang, "tip.adjectives")),
                alt.Tooltip("accuracy:Q", format=".0%", title=words(lang, "axis.name_accuracy")),
            ],
        )
    )
    return _finished(alt.layer(lines, _rule(baseline, words(lang, "rule.last_word", value=f"{baseline:.0%}"), scale)))
