"""Plain engine records → small pandas frames, downsampled so a chart redraw stays cheap at any length."""

from __future__ import annotations

import io
import json

import pandas as pd

from dashboard.live import Snapshot
from models.config import RunConfig
from models.export import CSV_COLUMNS, PROBE_COLUMNS

MAX_POINTS = 300  # per contender and curve: more than a chart's pixels can show
MAX_HEATMAP_ROWS = 40  # training steps shown in a gradient-flow heatmap
MAX_HEATMAP_COLUMNS = 60  # time steps shown


def training_frame(steps: dict[str, list], max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Per-step records averaged over equal buckets of steps; gradient norms keep the bucket's peak."""
    frame = pd.DataFrame(steps)
    if frame.empty:
        return frame.assign(bucket=pd.Series(dtype=int))
    last = int(frame["step"].max())
    width = max(1, -(-last // max_points))  # ceiling division
    frame["bucket"] = (frame["step"] - 1) // width
    numeric = frame[["loss", "accuracy", "grad_norm", "grad_norm_clipped"]].astype(float)
    frame[numeric.columns] = numeric
    grouped = frame.groupby(["contender", "bucket"], sort=False)
    return grouped.agg(
        step=("step", "max"),
        loss=("loss", "mean"),
        accuracy=("accuracy", "mean"),
        grad_norm=("grad_norm", "max"),
        grad_norm_clipped=("grad_norm_clipped", "max"),
        clipped=("clipped", "mean"),  # share of the bucket's steps that were clipped
    ).reset_index()


def probe_frame(probes: list[dict]) -> pd.DataFrame:
    """Validation loss/accuracy and spectral radius, one row per contender and probe step."""
    columns = ["contender", "step", "val_loss", "val_accuracy", "spectral_radius", "verdict"]
    if not probes:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(probes)[columns].astype({"val_loss": float, "val_accuracy": float, "spectral_radius": float})


def gradient_frame(
    probes: list[dict], rows: int = MAX_HEATMAP_ROWS, columns: int = MAX_HEATMAP_COLUMNS
) -> pd.DataFrame:
    """‖∂L/∂x_t‖ in long form (contender, step, t, grad), thinned to at most rows × columns each."""
    records = []
    by_contender: dict[str, list[dict]] = {}
    for probe in probes:
        if probe["grad_per_step"] is not None:
            by_contender.setdefault(probe["contender"], []).append(probe)
    for contender, history in by_contender.items():
        for probe in _evenly(history, rows):
            profile = probe["grad_per_step"]
            kept = _evenly(list(range(len(profile))), columns)
            for t, t_end in zip(kept, [*kept[1:], len(profile)], strict=True):
                if profile[t] > 0:  # a log colour scale cannot show an exact zero
                    records.append((contender, probe["step"], t, t_end, profile[t]))
    return pd.DataFrame(records, columns=["contender", "step", "t", "t_end", "grad"])


def diverged_frame(diverged: dict[str, int]) -> pd.DataFrame:
    """Where each diverged contender blew up: contender, step, label."""
    frame = pd.DataFrame({"contender": list(diverged), "step": list(diverged.values())}, dtype=object)
    frame["label"] = frame["contender"].astype(str) + " diverged"
    return frame


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
        frame = frame.merge(
            pd.DataFrame(probes)[["contender", "step", *PROBE_COLUMNS]], how="left", on=["contender", "step"]
        )
    frame = frame.reindex(columns=CSV_COLUMNS)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def config_json(config: RunConfig, preset: str) -> str:
    return json.dumps({"preset": preset, **config.to_dict()}, indent=2)
