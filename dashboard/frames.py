"""Plain engine records → small pandas frames, downsampled so a chart redraw stays cheap at any length."""

from __future__ import annotations

import io
import json
import statistics

import numpy as np
import pandas as pd

from models.config import RunConfig
from models.export import CSV_COLUMNS, PROBE_COLUMNS
from runs.live import Snapshot

MAX_POINTS = 300  # per contender and curve: more than a chart's pixels can show
MAX_HEATMAP_ROWS = 40  # training steps shown in a gradient-flow heatmap
MAX_HEATMAP_COLUMNS = 60  # time steps shown
LOSS_CEILING = 10.0  # × the chance loss: the loss axis ends here; a diverging loss (1e35) would flatten the rest
GRAD_CEILING = 1e6  # the gradient-norm axis ends here; an explosion shows as markers at the edge
RADIUS_RANGE = (1e-2, 1e3)  # the spectral-radius axis (log): a diverged RNN's ρ of 400,000 stays a marker


def bounded(frame: pd.DataFrame, column: str, low: float | None, high: float | None) -> pd.DataFrame:
    """Clip `column` into [low, high]; `<column>_beyond` says "above"/"below" where it was ("" inside), and
    `<column>_actual` keeps the value for the tooltip."""
    values = frame[column].to_numpy(dtype=float)
    beyond = np.full(len(values), "", dtype=object)
    if high is not None:
        beyond[values > high] = "above"
    if low is not None:
        beyond[values < low] = "below"
    bands = {edge: np.clip(frame[edge].to_numpy(dtype=float), low, high) for edge in _edges(frame, column)}
    return frame.assign(
        **{column: np.clip(values, low, high), f"{column}_beyond": beyond, f"{column}_actual": values}, **bands
    )


def _edges(frame: pd.DataFrame, column: str) -> list[str]:
    return [edge for edge in (f"{column}_low", f"{column}_high") if edge in frame]


def training_frame(
    steps: dict[str, list], max_points: int = MAX_POINTS, chance_loss: float | None = None
) -> pd.DataFrame:
    """Per-step records averaged over equal buckets of steps; gradient norms keep the bucket's peak.

    With several seeds each contender's value is the median over its seeds, and `<metric>_low`/`_high` bound the
    spread (see `spread`). Loss (given the chance loss) and gradient norm are bounded for the charts (`bounded`).
    """
    if not steps.get("step"):
        return pd.DataFrame(steps).assign(bucket=pd.Series(dtype=int))
    width = max(1, -(-max(steps["step"]) // max_points))  # ceiling division
    one_seed = len(set(steps.get("seed", [0]))) == 1
    frame = _one_seed_buckets(steps, width) if one_seed else _buckets(steps, width)
    frame = spread(frame, ["contender", "bucket"], ["loss", "accuracy", "grad_norm", "grad_norm_clipped"])
    frame = bounded(frame, "grad_norm", None, GRAD_CEILING)
    return bounded(frame, "loss", None, None if chance_loss is None else LOSS_CEILING * chance_loss)


BUCKETED = {"step": "max", "loss": "mean", "accuracy": "mean", "grad_norm": "max", "grad_norm_clipped": "max"}
BUCKETED["clipped"] = "mean"  # the share of the bucket's steps that were clipped


def _buckets(steps: dict[str, list], width: int) -> pd.DataFrame:
    """One row per contender, seed and bucket of `width` steps (in order of first appearance): BUCKETED's summary
    of each column, NaN (a diverged step's None) left out."""
    frame = pd.DataFrame(steps)
    if "seed" not in frame:
        frame["seed"] = 0
    frame["bucket"] = (frame["step"] - 1) // width
    numeric = frame[["loss", "accuracy", "grad_norm", "grad_norm_clipped"]].astype(float)
    frame[numeric.columns] = numeric
    grouped = frame.groupby(["contender", "seed", "bucket"], sort=False)
    return grouped.agg(**{column: (column, how) for column, how in BUCKETED.items()}).reset_index()


def _one_seed_buckets(steps: dict[str, list], width: int) -> pd.DataFrame:
    """`_buckets` for one seed, in NumPy: the same frame (a test compares them) at a fraction of the cost. A chart
    redraw builds it from every kept step of the run (8,000 rows): the grouping was a third of the build."""
    names = list(dict.fromkeys(steps["contender"]))
    code = {name: index for index, name in enumerate(names)}
    contenders = np.fromiter((code[name] for name in steps["contender"]), dtype=np.int64, count=len(steps["step"]))
    step = np.asarray(steps["step"], dtype=np.int64)
    bucket = (step - 1) // width
    key = contenders * (int(bucket.max()) + 1) + bucket
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # groups in order of first appearance, as groupby(sort=False)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group, groups = rank[inverse.reshape(-1)], len(order)
    rows = {
        "contender": np.array(names, dtype=object)[contenders[first[order]]],
        "seed": np.full(groups, (steps.get("seed") or [0])[0], dtype=np.int64),
        "bucket": bucket[first[order]],
    }
    for column, how in BUCKETED.items():
        values = np.asarray(steps[column], dtype=float)  # None → NaN
        rows[column] = _grouped_mean(values, group, groups) if how == "mean" else _grouped_max(values, group, groups)
    rows["step"] = rows["step"].astype(np.int64)
    return pd.DataFrame(rows)


def _grouped_mean(values: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    valid = ~np.isnan(values)
    sums = np.bincount(group, weights=np.where(valid, values, 0.0), minlength=groups)
    counts = np.bincount(group, weights=valid.astype(float), minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def _grouped_max(values: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    peaks = np.full(groups, np.nan)
    np.fmax.at(peaks, group, values)  # fmax ignores NaN: a group with no number stays NaN
    return peaks


def spread(frame: pd.DataFrame, keys: list[str], metrics: list[str]) -> pd.DataFrame:
    """One row per `keys` over the seeds: each metric's median, and `<metric>_low`/`_high` — the range over
    up to three seeds, the interquartile range from four (one wild seed should not set the band)."""
    seeds = frame["seed"].nunique()
    if seeds <= 1 and not frame.duplicated(keys).any():
        return _one_seed(frame, keys, metrics)
    low, high = (0.25, 0.75) if seeds >= 4 else (0.0, 1.0)
    grouped = frame.groupby(keys, sort=False)
    kept = {"step": ("step", "max")} if "step" not in keys else {}  # a bucket's last step
    if "clipped" in frame:
        kept["clipped"] = ("clipped", "mean")
    rows = grouped.agg(**kept) if kept else grouped.size().to_frame("seeds")
    for metric in metrics:
        values = grouped[metric]
        rows[metric] = values.median()
        rows[f"{metric}_low"], rows[f"{metric}_high"] = values.quantile(low), values.quantile(high)
    if "verdict" in frame:
        rows["verdict"] = grouped["verdict"].first()
    return rows.reset_index()


def _one_seed(frame: pd.DataFrame, keys: list[str], metrics: list[str]) -> pd.DataFrame:
    """`spread` where every group is one row (one seed): the value is its own median, low and high. The same
    frame as the grouping computes (a test compares them), at a fraction of its cost: a chart redraw builds it."""
    kept = [column for column in ("step", "clipped") if column in frame and column not in keys]
    rows = {column: frame[column].to_numpy() for column in [*keys, *kept]}
    if not kept:
        rows["seeds"] = np.ones(len(frame), dtype=np.int64)
    for metric in metrics:
        values = frame[metric].to_numpy(dtype=float)
        rows[metric], rows[f"{metric}_low"], rows[f"{metric}_high"] = values, values.copy(), values.copy()
    if "verdict" in frame:
        rows["verdict"] = frame["verdict"].to_numpy()
    return pd.DataFrame(rows)  # built at once: twelve columns set one by one cost more than the grouping


def probe_frame(probes: list[dict], chance_loss: float | None = None) -> pd.DataFrame:
    """Validation loss/accuracy and spectral radius, one row per contender and probe step (the median over seeds,
    with `_low`/`_high` bands as in `spread`), bounded for charts."""
    columns = ["contender", "seed", "step", "val_loss", "val_accuracy", "spectral_radius", "verdict"]
    frame = pd.DataFrame(probes).reindex(columns=columns) if probes else pd.DataFrame(columns=columns)
    frame = frame.astype({"val_loss": float, "val_accuracy": float, "spectral_radius": float})
    frame["seed"] = frame["seed"].fillna(0)
    frame = spread(frame, ["contender", "step"], ["val_loss", "val_accuracy", "spectral_radius"])
    frame = bounded(frame, "spectral_radius", *RADIUS_RANGE)
    return bounded(frame, "val_loss", None, None if chance_loss is None else LOSS_CEILING * chance_loss)


def gradient_frame(
    probes: list[dict], rows: int = MAX_HEATMAP_ROWS, columns: int = MAX_HEATMAP_COLUMNS
) -> pd.DataFrame:
    """‖∂L/∂x_t‖ in long form (contender, step, t, grad), thinned to at most rows × columns each; with several
    seeds, the median over the seeds at each time step.

    Assembled in NumPy, a contender at a time: row by row in Python, the forty steps × sixty time steps × four
    contenders of a heatmap redraw took 8 ms, a quarter of building a run's chart data."""
    by_contender: dict[str, dict[int, list[list[float]]]] = {}
    for probe in probes:
        if probe["grad_per_step"] is not None:
            by_step = by_contender.setdefault(probe["contender"], {})
            by_step.setdefault(probe["step"], []).append(probe["grad_per_step"])
    parts: dict[str, list] = {"contender": [], "step": [], "t": [], "t_end": [], "grad": []}
    for contender, history in by_contender.items():
        steps = _evenly(list(history), rows)
        profiles = [_median_profile(history[step]) for step in steps]
        for length in dict.fromkeys(len(profile) for profile in profiles):  # one length, unless a task varies it
            mine = [index for index, profile in enumerate(profiles) if len(profile) == length]
            kept = _evenly(list(range(length)), columns)
            grads = np.array([profiles[index] for index in mine], dtype=float).reshape(len(mine), length)[:, kept]
            parts["contender"].append(np.full(grads.size, contender, dtype=object))
            parts["step"].append(np.repeat(np.array([steps[index] for index in mine], dtype=np.int64), len(kept)))
            parts["t"].append(np.tile(np.array(kept, dtype=np.int64), len(mine)))
            parts["t_end"].append(np.tile(np.array([*kept[1:], length], dtype=np.int64), len(mine)))
            parts["grad"].append(grads.ravel())  # zeros too: charted apart
    if not parts["grad"]:
        return pd.DataFrame([], columns=list(parts))
    return pd.DataFrame({name: np.concatenate(arrays) for name, arrays in parts.items()})


def _median_profile(profiles: list[list[float]]) -> list[float]:
    """One seed's profile, or the median over the seeds at each time step."""
    return profiles[0] if len(profiles) == 1 else [statistics.median(v) for v in zip(*profiles, strict=True)]


def distance_frame(probes: list[dict], bins: list[str]) -> pd.DataFrame:
    """Each contender's accuracy per distance bin at its latest probe (the median over seeds): contender, bin,
    accuracy. Bins no validation sentence fell in are left out."""
    latest = max((probe["step"] for probe in probes if probe.get("by_distance")), default=None)
    rows = [
        (probe["contender"], label, share)
        for probe in probes
        if probe["step"] == latest and probe.get("by_distance")
        for label, share in zip(bins, probe["by_distance"], strict=True)
        if share is not None
    ]
    frame = pd.DataFrame(rows, columns=["contender", "bin", "accuracy"])
    return frame.groupby(["contender", "bin"], sort=False, as_index=False)["accuracy"].median()


def sweep_frame(
    results: list[dict], budget: int, order: list[str], label: str = "{solved} of {seeds} seeds solved it"
) -> pd.DataFrame:
    """Steps to solve per contender and gap over seeds: the median, range and count of the seeds that solved it.

    `unsolved` rows (no seed solved it within the budget) sit above the budget, one row of markers per contender
    in `order` (from `NOT_SOLVED` × the budget, `NOT_SOLVED_STEP` apart), so their crosses never hide each other.
    """
    columns = ["contender", "gap", "steps", "low", "high", "solved", "seeds", "unsolved", "label"]
    if not results:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(results)
    frame["solved_step"] = frame["solved_step"].astype(float)
    grouped = frame.groupby(["contender", "gap"], sort=False)["solved_step"]
    rows = grouped.agg(steps="median", low="min", high="max", solved="count", seeds="size").reset_index()
    rows["unsolved"] = rows["solved"] == 0
    level = rows["contender"].map({key: NOT_SOLVED + NOT_SOLVED_STEP * index for index, key in enumerate(order)})
    for column in ("steps", "low", "high"):
        rows[column] = rows[column].where(~rows["unsolved"], level * budget)
    rows["label"] = [
        label.format(solved=solved, seeds=seeds) for solved, seeds in zip(rows["solved"], rows["seeds"], strict=True)
    ]
    return rows[columns]


NOT_SOLVED = 1.08  # × the budget: where the first contender's "not solved" markers sit, above any reachable step
NOT_SOLVED_STEP = 0.05  # × the budget between contenders' rows of "not solved" markers


def diverged_frame(diverged: dict[str, int]) -> pd.DataFrame:
    """Where each diverged contender blew up: contender, step (the chart's tooltip names both)."""
    return pd.DataFrame({"contender": list(diverged), "step": list(diverged.values())}, dtype=object)


def _evenly(items: list, count: int) -> list:
    """At most `count` items spread evenly, always keeping the first and the last."""
    if len(items) <= count:
        return items
    indices = {round(i * (len(items) - 1) / (count - 1)) for i in range(count)}
    return [items[i] for i in sorted(indices)]


def metrics_csv(snapshot: Snapshot) -> str:
    """The long-format CSV, with the same columns as `python -m models --out`."""
    frame, probes = pd.DataFrame(snapshot.steps), snapshot.probes
    if probes:
        keys = ["contender", "seed", "step"]
        frame = frame.merge(pd.DataFrame(probes)[[*keys, *PROBE_COLUMNS]], how="left", on=keys)
    frame = frame.reindex(columns=CSV_COLUMNS)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def config_json(config: RunConfig, preset: str) -> str:
    return json.dumps({"preset": preset, **config.to_dict()}, indent=2)


def narrowed(frame: pd.DataFrame) -> pd.DataFrame:
    """The same numbers in fewer bytes, for a chart: whole numbers in the smallest integer type that holds them,
    and 32-bit floats wherever they show the same values (to 7 digits, with every zero, infinity and NaN where it
    was). A gradient that underflows 32 bits (1e-50) keeps 64: as 0 it would read "exactly zero".

    Forty pages were each sent 190 kB a second, most of it a heatmap's 64-bit columns; the Arrow bytes are what
    the server hashes and sends once per page and redraw. (In NumPy, column by column: through pandas' own
    downcasting and a Series per column it took longer than the Arrow conversion itself.)"""
    columns = {}
    for name, values in frame.items():
        dtype = values.dtype
        if isinstance(dtype, np.dtype) and dtype.kind == "i":
            wide = values.to_numpy()
            low, high = (wide.min(), wide.max()) if len(wide) else (0, 0)
            fits = next(kind for kind in INTEGERS if np.iinfo(kind).min <= low and high <= np.iinfo(kind).max)
            columns[name] = wide.astype(fits, copy=False)
        elif dtype == np.float64:
            wide = values.to_numpy()
            with np.errstate(invalid="ignore", over="ignore"):
                narrow = wide.astype(np.float32)
                same = (
                    np.array_equal(np.isnan(narrow), np.isnan(wide))
                    and np.array_equal(np.isinf(narrow), np.isinf(wide))
                    and np.array_equal(narrow == 0, wide == 0)
                    and np.allclose(narrow, wide, rtol=1e-6, atol=0.0, equal_nan=True)
                )
            columns[name] = narrow if same else wide
        else:
            columns[name] = values
    return pd.DataFrame(columns, index=frame.index, copy=False)


INTEGERS = (np.int8, np.int16, np.int32, np.int64)  # what pandas' downcast="integer" chooses from
