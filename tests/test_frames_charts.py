"""Records → frames → charts: bounded sizes, the layers a person relies on, and the CSV's columns."""

import csv
import io
import itertools
import json
import math

import pandas as pd
import pyarrow.ipc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import charts, frames
from models.config import RunConfig
from models.export import CSV_COLUMNS
from runs.live import LiveRun

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


@pytest.fixture(scope="module")
def seeds_snapshot():
    run = LiveRun(CONFIG.with_changes(seeds=3))
    run.advance(30)
    return run.snapshot()


def test_with_several_seeds_each_point_is_the_median_and_the_band_spans_the_seeds(seeds_snapshot):
    raw = pd.DataFrame(seeds_snapshot.steps)
    assert set(raw["seed"]) == {0, 1, 2}
    frame = frames.training_frame(seeds_snapshot.steps, max_points=30)  # one step per bucket
    lstm = raw[(raw["contender"] == "lstm") & (raw["step"] == 7)]["loss"]
    row = frame[(frame["contender"] == "lstm") & (frame["step"] == 7)]
    assert row["loss"].item() == pytest.approx(lstm.median())
    assert (row["loss_low"].item(), row["loss_high"].item()) == pytest.approx((lstm.min(), lstm.max()))
    probes = frames.probe_frame(seeds_snapshot.probes)
    validation = pd.DataFrame(seeds_snapshot.probes)
    gru = validation[(validation["contender"] == "gru") & (validation["step"] == 25)]["val_accuracy"]
    row = probes[(probes["contender"] == "gru") & (probes["step"] == 25)]
    assert row["val_accuracy"].item() == pytest.approx(gru.median())
    assert row["val_accuracy_high"].item() == pytest.approx(gru.max())
    heat = frames.gradient_frame(seeds_snapshot.probes, rows=100, columns=100)
    profiles = [p["grad_per_step"][3] for p in seeds_snapshot.probes if p["contender"] == "rnn" and p["step"] == 25]
    cell = heat[(heat["contender"] == "rnn") & (heat["step"] == 25) & (heat["t"] == 3)]["grad"].item()
    assert len(profiles) == 3 and cell == pytest.approx(sorted(profiles)[1])


def test_from_four_seeds_the_band_is_the_interquartile_range():
    frame = pd.DataFrame(
        {"contender": ["rnn"] * 5, "seed": [0, 1, 2, 3, 4], "step": [5] * 5, "val_loss": [1.0, 2.0, 3.0, 4.0, 100.0]}
    )
    row = frames.spread(frame, ["contender", "step"], ["val_loss"]).iloc[0]
    assert (row["val_loss"], row["val_loss_low"], row["val_loss_high"]) == (3.0, 2.0, 4.0)  # one wild seed


def test_one_seed_has_a_band_of_no_height(snapshot):
    frame = frames.training_frame(snapshot.steps)
    assert (frame["loss_low"] == frame["loss"]).all() and (frame["loss_high"] == frame["loss"]).all()


def test_the_csv_keeps_every_seeds_rows(seeds_snapshot):
    rows = list(csv.DictReader(io.StringIO(frames.metrics_csv(seeds_snapshot))))
    assert len(rows) == 3 * 4 * 30 and {row["seed"] for row in rows} == {"0", "1", "2"}
    assert sum(1 for row in rows if row["val_loss"]) == 3 * 4 * 7  # step 1 and every 5th, per seed


def test_gradient_frame_is_thinned_to_rows_by_columns(snapshot):
    frame = frames.gradient_frame(snapshot.probes, rows=3, columns=5)
    per_contender = frame.groupby("contender")
    assert per_contender["step"].nunique().max() == 3
    assert per_contender["t"].nunique().max() == 5
    assert {0, 11} <= set(frame["t"])  # the first and the last time step survive thinning
    assert (frame["grad"] > 0).all()


def _gradient_rows(probes, rows, columns):
    """The heatmap's long form written the plain way, row by row: what `frames.gradient_frame` must give."""
    history = {}
    for probe in probes:
        if probe["grad_per_step"] is not None:
            history.setdefault(probe["contender"], {}).setdefault(probe["step"], []).append(probe["grad_per_step"])
    records = []
    for contender, by_step in history.items():
        for step in frames._evenly(list(by_step), rows):
            profile = [
                sorted(values)[len(values) // 2] for values in zip(*by_step[step], strict=True)
            ]  # 1 or 3 seeds: the middle
            kept = frames._evenly(list(range(len(profile))), columns)
            for t, t_end in zip(kept, [*kept[1:], len(profile)], strict=True):
                records.append((contender, step, t, t_end, float(profile[t])))
    return sorted(records)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["rnn", "lstm", "gru"]), min_size=0, max_size=3, unique=True),
    st.integers(1, 12),
    st.sampled_from([1, 3]),
    st.integers(1, 20),
    st.integers(1, 70),
    st.integers(2, 8),
    st.integers(2, 30),
    st.data(),
)
def test_the_gradient_frame_holds_every_shown_cell_once(
    contenders, probed, seeds, length, step_gap, rows, columns, data
):
    floats = st.floats(min_value=0.0, max_value=1e3, allow_nan=False) | st.just(0.0) | st.just(1e-45)
    probes = [
        {
            "contender": key,
            "step": 1 + n * step_gap,
            "grad_per_step": data.draw(st.lists(floats, min_size=length, max_size=length)),
        }
        for n in range(probed)
        for key in contenders
        for _ in range(seeds)
    ]
    probes.append({"contender": "rnn", "step": 10**6, "grad_per_step": None})  # a probe without a profile: left out
    frame = frames.gradient_frame(probes, rows=rows, columns=columns)
    assert list(frame.columns) == ["contender", "step", "t", "t_end", "grad"]
    assert sorted(frame.itertuples(index=False, name=None)) == _gradient_rows(probes, rows, columns)
    if len(frame):
        assert frame["grad"].dtype == "float64" and frame["step"].dtype == frame["t"].dtype == "int64"


@pytest.mark.parametrize(
    ("values", "dtype"),
    [([0, 127, -128], "int8"), ([128], "int16"), ([-32769], "int32"), ([2**31], "int64"), ([], "int8")],
)
def test_whole_numbers_go_in_the_smallest_integer_type_that_holds_them(values, dtype):
    frame = pd.DataFrame({"n": pd.Series(values, dtype="int64"), "label": ["x"] * len(values)})
    narrow = frames.narrowed(frame)
    assert narrow["n"].dtype == dtype and narrow["n"].tolist() == values
    assert narrow["label"].tolist() == frame["label"].tolist()


ALL = ("rnn", "clipped_rnn", "lstm", "gru")


named_data = charts.data_names


def test_loss_chart_has_faint_training_bold_validation_chance_and_divergence_layers():
    spec = charts.curve_chart("loss", 1 / 6, True, ALL).to_dict()
    assert sorted(marks(spec)) == ["area", "line", "line", "point", "point", "rule", "rule"]  # area: the seeds' band
    text = json.dumps(spec)
    assert '"type": "log"' in text and "chance 0.167" in text
    assert named_data(spec) == {charts.TRAINING, charts.VALIDATION, charts.DIVERGED}


def test_every_chart_reads_only_the_datasets_the_page_attaches():
    specs = [
        charts.curve_chart("accuracy", 0.25, False, ALL).to_dict(),
        charts.grad_norm_chart(1.0, ALL).to_dict(),
        charts.gradient_heatmap((1e-9, 1.0)).to_dict(),
        charts.radius_chart(ALL).to_dict(),
    ]
    assert [named_data(spec) for spec in specs] == [
        {charts.TRAINING, charts.VALIDATION, charts.DIVERGED},
        {charts.TRAINING, charts.DIVERGED},
        {charts.GRADIENTS},
        {charts.VALIDATION},
    ]


def test_contender_colours_are_fixed_whatever_is_shown():
    text = json.dumps(charts.curve_chart("loss", 1.0, True, ("gru",)).to_dict())
    assert charts.COLOURS["gru"] in text and charts.COLOURS["rnn"] not in text
    text = json.dumps(charts.grad_norm_chart(1.0, ("rnn", "gru")).to_dict())
    assert text.index(charts.COLOURS["rnn"]) < text.index(charts.COLOURS["gru"])


def test_with_data_attaches_only_the_datasets_a_chart_reads():
    spec = charts.grad_norm_chart(1.0, ALL).to_dict()  # reads training and diverged, not validation
    frame = pd.DataFrame({"contender": ["rnn"], "step": [1]})
    attached = charts.with_data(spec, training=frame, validation=frame, diverged=frame)
    assert set(attached["datasets"]) == set(spec["datasets"]) | {charts.TRAINING, charts.DIVERGED}


def test_fields_read_finds_encoded_fields_and_those_named_in_expressions():
    spec = {
        "transform": [{"filter": "datum.clipped > 0"}, {"filter": "datum['odd name'] == 1"}, {"calculate": "1"}],
        "layer": [{"encoding": {"x": {"field": "step"}, "tooltip": [{"field": "loss_actual"}]}}],
        "title": "loss over steps",
    }
    assert charts.fields_read(spec) == {"clipped", "odd name", "step", "loss_actual"}


@pytest.mark.parametrize(
    ("chart", "sent"),
    [
        ("loss", {"contender", "step", "loss", "loss_beyond", "loss_actual"}),
        ("accuracy", {"contender", "step", "accuracy"}),
        ("grad_norm", {"contender", "step", "grad_norm", "grad_norm_low", "grad_norm_high", "grad_norm_beyond",
                       "grad_norm_actual", "clipped"}),
    ],
)  # fmt: skip
def test_each_metric_chart_is_sent_only_the_training_columns_it_reads(snapshot, chart, sent):
    from dashboard import panels

    spec = {
        "loss": charts.curve_chart("loss", 0.17, True, ALL),
        "accuracy": charts.curve_chart("accuracy", 0.5, False, ALL),
        "grad_norm": charts.grad_norm_chart(1.0, ALL),
    }[chart].to_dict()
    training = frames.training_frame(snapshot.steps, chance_loss=0.17)
    validation = frames.probe_frame(snapshot.probes, 0.17)
    data = panels.payload(spec, {charts.TRAINING: training, charts.VALIDATION: validation})
    assert set(data) == {charts.TRAINING, charts.VALIDATION} & charts.data_names(spec)
    columns = set(pyarrow.ipc.open_stream(data[charts.TRAINING]).read_all().column_names)
    assert columns == sent
    assert set(training.columns) - columns  # the frame had more: the others' columns stayed behind
    if charts.VALIDATION in data:
        validated = set(pyarrow.ipc.open_stream(data[charts.VALIDATION]).read_all().column_names)
        assert f"val_{chart}" in validated and "spectral_radius" not in validated


def test_with_data_attaches_frames_without_touching_the_cached_spec():
    spec = charts.radius_chart(ALL).to_dict()
    frame = pd.DataFrame({"contender": ["rnn"], "step": [1], "spectral_radius": [1.0]})
    inline = dict(spec["datasets"])  # the ρ = 1 rule's own data
    attached = charts.with_data(spec, validation=frame)
    assert attached["datasets"] == {**inline, "validation": frame}
    assert spec["datasets"] == inline


def test_a_diverged_contender_is_marked_and_nothing_plotted_is_infinite():
    exploding = CONFIG.with_changes(init_scale=4.0, optimizer="sgd", lr=10.0, contenders=("rnn", "clipped_rnn"))
    run = LiveRun(exploding)
    run.advance(12)
    snapshot = run.snapshot()
    diverged = {k: v.step for k, v in snapshot.verdicts.items() if v.status == "diverged"}
    assert list(diverged) == ["rnn"]  # clipping kept the same RNN alive
    assert frames.diverged_frame(diverged).to_dict("records") == [{"contender": "rnn", "step": diverged["rnn"]}]
    for frame in (frames.training_frame(snapshot.steps), frames.probe_frame(snapshot.probes)):
        numbers = frame.select_dtypes("number")
        assert not numbers.isin([math.inf, -math.inf]).any().any()
    run.close()


def test_heatmap_uses_the_shared_log_colour_scale_and_greys_for_what_it_cannot_show():
    spec = charts.gradient_heatmap((1e-9, 1.0)).to_dict()
    values, others = spec["layer"]
    scale = values["encoding"]["color"]["scale"]
    assert scale["type"] == "log" and scale["domain"] == [1e-9, 1.0]
    assert values["encoding"]["color"]["title"] == "‖∂L/∂xₜ‖"  # a titled colour bar
    assert {"step", "t", "t_end", "grad"} <= charts.fields_read(spec) and "contender" not in charts.fields_read(spec)
    fill = others["encoding"]["fill"]["scale"]
    assert fill["domain"] == [charts.BELOW, charts.ZERO]
    assert fill["range"] == [charts.BELOW_COLOUR, charts.ZERO_COLOUR]


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


# Machado, Oliveira & Fernandes (2009) at severity 1, on linear RGB: how the palette looks without one cone type.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.01182, 0.04294, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.3039)),
    "typical": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}


def lab(colour: str, matrix) -> tuple[float, float, float]:
    """A hex colour as CIELAB (D65) after the vision simulation `matrix`."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    rgb = [linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5)]
    r, g, b = (min(1.0, max(0.0, sum(row[k] * rgb[k] for k in range(3)))) for row in matrix)
    x, y, z = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


@pytest.mark.parametrize("vision", list(CVD))
def test_every_contender_keeps_a_colour_apart_from_every_other_under_colour_vision_deficiencies(vision):
    """ΔE (CIE76) ≥ 20 between every pair; the previous vermillion/amber pair was 18 under deuteranopia."""
    for first, second in itertools.combinations(charts.ORDER, 2):
        distance = math.dist(lab(charts.COLOURS[first], CVD[vision]), lab(charts.COLOURS[second], CVD[vision]))
        assert distance >= 20, f"{first} and {second} under {vision}: ΔE {distance:.1f}"


def test_every_contender_has_a_dash_of_its_own():
    dashes = [tuple(charts.DASHES[key]) for key in charts.ORDER]
    assert len(set(dashes)) == len(dashes)
    assert len(set(charts.DASH_NAMES.values())) == len(dashes)


def test_values_beyond_the_axis_are_clipped_to_its_edge_and_flagged():
    frame = pd.DataFrame({"loss": [0.1, 1e35, 2.0], "step": [1, 2, 3]})
    bounded = frames.bounded(frame, "loss", None, 1.0)
    assert bounded["loss"].tolist() == [0.1, 1.0, 1.0]
    assert bounded["loss_beyond"].tolist() == ["", "above", "above"]
    assert bounded["loss_actual"].tolist() == [0.1, 1e35, 2.0]
    radius = frames.bounded(pd.DataFrame({"spectral_radius": [0.0, 1.2]}), "spectral_radius", *frames.RADIUS_RANGE)
    assert radius["spectral_radius"].tolist() == [frames.RADIUS_RANGE[0], 1.2]
    assert radius["spectral_radius_beyond"].tolist() == ["below", ""]


def test_the_diverged_loss_never_stretches_the_loss_axis():
    steps = {
        "contender": ["rnn"] * 3 + ["lstm"] * 3,
        "step": [1, 2, 3] * 2,
        "loss": [0.2, 5e30, None, 0.2, 0.19, 0.18],
        "accuracy": [0.1] * 6,
        "grad_norm": [1.0, 1e20, None, 1.0, 1.0, 1.0],
        "grad_norm_clipped": [1.0] * 6,
        "clipped": [False] * 6,
    }
    frame = frames.training_frame(steps, max_points=10, chance_loss=1 / 6)
    assert frame["loss"].max() == pytest.approx(frames.LOSS_CEILING / 6)
    assert frame["grad_norm"].max() == frames.GRAD_CEILING
    assert (frame["loss_beyond"] == "above").sum() == 1 and (frame["grad_norm_beyond"] == "above").sum() == 1


def test_the_sweep_frame_takes_the_median_of_the_seeds_that_solved_and_stacks_unsolved_markers():
    rows = [
        {"contender": "gru", "gap": 10, "seed": seed, "solved_step": step} for seed, step in enumerate([300, 500, 400])
    ] + [
        {"contender": key, "gap": 10, "seed": seed, "solved_step": None}
        for key in ("rnn", "lstm")
        for seed in (0, 1, 2)
    ]
    frame = frames.sweep_frame(rows, 1000, ["rnn", "lstm", "gru"]).set_index("contender")
    assert (frame.loc["gru", "steps"], frame.loc["gru", "low"], frame.loc["gru", "high"]) == (400, 300, 500)
    assert frame.loc["gru", "label"] == "3 of 3 seeds solved it" and not frame.loc["gru", "unsolved"]
    assert frame.loc["rnn", "unsolved"] and frame.loc["lstm", "unsolved"]
    assert 1000 < frame.loc["rnn", "steps"] < frame.loc["lstm", "steps"]  # above the budget, a row each


@pytest.mark.parametrize("kind", ["training", "probes"])
def test_one_seed_takes_a_shortcut_to_the_same_frame(snapshot, kind, monkeypatch):
    """A redraw builds these frames: with one seed each group is one row, and the shortcut must equal the grouping."""
    build = (
        (lambda: frames.training_frame(snapshot.steps, max_points=7, chance_loss=0.5))
        if kind == "training"
        else (lambda: frames.probe_frame(snapshot.probes, 0.5))
    )
    quick = build()
    monkeypatch.setattr(frames, "_one_seed", None)  # the shortcut unavailable: spread must group
    monkeypatch.setattr(frames.pd.DataFrame, "duplicated", lambda self, keys: pd.Series([True]))
    grouped = build()
    pd.testing.assert_frame_equal(quick, grouped, check_dtype=False)


RECORD = st.tuples(
    st.sampled_from(["rnn", "clipped_rnn", "lstm", "gru"]),
    st.one_of(st.none(), st.floats(0, 1e6)),  # loss: None where a step diverged
    st.floats(0, 1),
    st.one_of(st.none(), st.floats(0, 1e9)),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(RECORD, min_size=1, max_size=4), min_size=1, max_size=40),
    st.integers(1, 7),
    st.integers(0, 9),
)
def test_one_seeds_buckets_in_numpy_equal_pandas_grouping(rows_per_step, width, seed):
    """The one-seed fast path (what a chart redraw builds) gives the frame pandas' grouping gives: the same
    groups in the same order, means and peaks that leave a diverged step's None out, NaN where a bucket has none."""
    names = ("contender", "seed", "step", "loss", "accuracy", "grad_norm", "grad_norm_clipped", "clipped")
    steps = {name: [] for name in names}
    for number, rows in enumerate(rows_per_step, start=1):
        for contender, loss, accuracy, grad_norm, clipped in rows:
            below = None if grad_norm is None else min(grad_norm, 1.0)
            values = (contender, seed, 3 * number, loss, accuracy, grad_norm, below, clipped)  # thinned: gaps
            for name, value in zip(names, values, strict=True):
                steps[name].append(value)
    fast, grouped = frames._one_seed_buckets(steps, width), frames._buckets(steps, width)
    pd.testing.assert_frame_equal(fast, grouped, check_dtype=False, rtol=1e-12)
    assert list(fast.columns) == list(grouped.columns)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=30),
    st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=30),
)
def test_a_narrowed_frame_shows_the_same_numbers(floats, integers):
    frame = pd.DataFrame({"x": pd.Series(floats, dtype="float64")})
    narrow = frames.narrowed(frame)["x"].to_numpy(dtype="float64")
    wide = frame["x"].to_numpy()
    assert ((narrow == 0) == (wide == 0)).all()  # a tiny gradient never becomes "exactly 0"
    assert (pd.isna(narrow) == pd.isna(wide)).all()
    finite = abs(wide) < float("inf")
    assert (abs(narrow[finite] - wide[finite]) <= 1e-6 * abs(wide[finite])).all()
    assert (narrow[~finite & ~pd.isna(wide)] == wide[~finite & ~pd.isna(wide)]).all()
    whole = pd.DataFrame({"n": pd.Series(integers, dtype="int64")})
    assert frames.narrowed(whole)["n"].tolist() == integers


def test_a_heatmaps_bytes_are_narrowed_but_an_underflowing_gradient_keeps_64_bits():
    from streamlit import dataframe_util

    from dashboard import panels

    probes = [
        {"contender": "rnn", "step": step, "grad_per_step": [10.0**-k for k in range(60)]}
        for step in range(25, 1025, 25)
    ]
    gradients = frames.gradient_frame(probes)
    sent = pyarrow.ipc.open_stream(panels.arrow(gradients)).read_all()
    assert sent.schema.field("grad").type == "double"  # 1e-59 is 0 in 32 bits
    assert sent.column("grad").to_pylist() == gradients["grad"].tolist()
    gradients["grad"] = gradients["grad"].clip(lower=1e-30)
    narrow = pyarrow.ipc.open_stream(panels.arrow(gradients)).read_all()
    assert narrow.schema.field("grad").type == "float" and narrow.schema.field("step").type == "int16"
    assert len(panels.arrow(gradients)) < len(dataframe_util.convert_pandas_df_to_arrow_bytes(gradients)) / 2
