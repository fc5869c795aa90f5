"""Records → frames → charts: bounded sizes, the layers a person relies on, and the CSV's columns."""

import csv
import io
import json
import math

import pandas as pd
import pytest
import torch

from dashboard import charts, frames
from dashboard.live import LiveRun
from models.config import RunConfig
from models.export import CSV_COLUMNS

CONFIG = RunConfig(task="adding", gap=12, hidden=8, batch=16, eval_every=5)


@pytest.fixture(scope="module")
def snapshot():
    run = LiveRun(CONFIG)
    run.advance(60)
    return run.snapshot()


def marks(spec):
    """Every mark type in a (possibly nested) layer spec."""
    if "layer" in spec:
        return [mark for layer in spec["layer"] for mark in marks(layer)]
    return [spec["mark"]["type"] if isinstance(spec["mark"], dict) else spec["mark"]]


def test_training_frame_is_bounded_and_keeps_every_contender(snapshot):
    frame = frames.training_frame(snapshot.steps, max_points=20)
    assert set(frame["contender"]) == {"rnn", "clipped_rnn", "lstm", "gru"}
    assert frame.groupby("contender").size().max() <= 20
    assert frame["step"].max() == 60


def test_bucket_means_match_the_records(snapshot):
    frame = frames.training_frame(snapshot.steps, max_points=20)  # 60 steps → buckets of 3
    raw = pd.DataFrame(snapshot.steps)
    lstm = raw[raw["contender"] == "lstm"]
    expected = lstm[lstm["step"].between(1, 3)]["loss"].mean()
    first = frame[(frame["contender"] == "lstm") & (frame["step"] == 3)]
    assert first["loss"].item() == pytest.approx(expected)
    assert first["grad_norm"].item() == pytest.approx(lstm[lstm["step"] <= 3]["grad_norm"].max())


def test_gradient_frame_is_thinned_to_rows_by_columns(snapshot):
    frame = frames.gradient_frame(snapshot.probes, rows=3, columns=5)
    per_contender = frame.groupby("contender")
    assert per_contender["step"].nunique().max() == 3
    assert per_contender["t"].nunique().max() == 5
    assert {0, 11} <= set(frame["t"])  # the first and the last time step survive thinning
    assert (frame["grad"] > 0).all()


def test_loss_chart_has_faint_training_bold_validation_and_a_chance_rule(snapshot):
    chart = charts.curve_chart(
        frames.training_frame(snapshot.steps), frames.probe_frame(snapshot.probes),
        metric="loss", title="loss", baseline=1 / 6, log=True, diverged={},
    )  # fmt: skip
    assert sorted(marks(chart.to_dict())) == ["line", "line", "rule", "text"]
    spec = json.dumps(chart.to_dict())
    assert '"type": "log"' in spec and "chance 0.167" in spec


def test_contender_colours_are_fixed_whatever_is_shown():
    frame = pd.DataFrame({"contender": ["gru"], "step": [1], "val_loss": [0.1], "val_accuracy": [0.5]})
    spec = charts.curve_chart(
        pd.DataFrame(columns=["contender", "step", "loss"]), frame, metric="loss", title="loss",
        baseline=1.0, log=True, diverged={},
    ).to_dict()  # fmt: skip
    assert charts.COLOURS["gru"] in json.dumps(spec)
    assert charts.COLOURS["rnn"] not in json.dumps(spec)


def test_a_diverged_contender_is_marked_and_the_charts_still_build():
    run = LiveRun(CONFIG)
    with torch.no_grad():
        run.trainer.runs[0].model.head.weight.fill_(math.inf)
    run.advance(10)
    snapshot = run.snapshot()
    diverged = {k: v.step for k, v in snapshot.verdicts.items() if v.status == "diverged"}
    assert diverged == {"rnn": 1}
    training = frames.training_frame(snapshot.steps)
    validation = frames.probe_frame(snapshot.probes)
    for chart in (
        charts.curve_chart(training, validation, metric="loss", title="l", baseline=0.2, log=True, diverged=diverged),
        charts.grad_norm_chart(training, clip=1.0, diverged=diverged),
        charts.radius_chart(validation),
    ):
        text = json.dumps(chart.to_dict())
        assert "NaN" not in text and "Infinity" not in text
    assert "rnn diverged" in json.dumps(charts.grad_norm_chart(training, clip=1.0, diverged=diverged).to_dict())


def test_heatmap_uses_a_shared_log_colour_scale(snapshot):
    gradients = frames.gradient_frame(snapshot.probes)
    spec = charts.gradient_heatmap(gradients, "rnn", (1e-9, 1.0)).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert scale["type"] == "log" and scale["domain"] == [1e-9, 1.0]


def test_csv_has_the_clis_columns_and_one_row_per_contender_and_step(snapshot):
    rows = list(csv.DictReader(io.StringIO(frames.metrics_csv(snapshot))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == 4 * 60
    assert sum(1 for row in rows if row["val_loss"]) == 4 * 13  # step 1 and every 5th


def test_config_json_round_trips(snapshot):
    data = json.loads(frames.config_json(CONFIG, "vanishing"))
    assert data["preset"] == "vanishing"
    assert (
        RunConfig(**{**{k: v for k, v in data.items() if k != "preset"}, "contenders": tuple(data["contenders"])})
        == CONFIG
    )
