"""The URL ↔ configuration table: parsing, fallbacks with warnings, and round trips."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard.presets import DEFAULT_PRESET, PRESETS
from dashboard.state import URL_KEYS, check_url, config_of, defaults, settings_of, url_of, values_of
from models.config import RunConfig

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def test_defaults_are_the_default_presets_configuration():
    assert config_of(defaults()) == PRESETS[DEFAULT_PRESET].config


def test_a_full_url_parses_to_its_configuration():
    params = {
        "preset": ["exploding"],
        "task": ["recall"],
        "gap": ["120"],
        "contenders": ["rnn", "gru"],
        "hidden": ["64"],
        "equal_params": ["true"],
        "lr": ["0.003"],
        "optimizer": ["sgd"],
        "batch": ["32"],
        "clip": ["0.5"],
        "init_scale": ["1.5"],
        "forget_bias": ["2"],
        "seed": ["7"],
    }
    values, warnings = check_url(params)
    assert warnings == []
    config = config_of(settings_of(values))
    assert config == RunConfig(
        task="recall", gap=120, contenders=("rnn", "gru"), hidden=64, equal_params=True, lr=0.003,
        optimizer="sgd", batch=32, clip=0.5, init_scale=1.5, forget_bias=2.0, seed=7,
    )  # fmt: skip


def test_the_clis_comma_form_of_contenders_is_accepted():
    values, warnings = check_url({"contenders": ["gru,rnn"]})
    assert warnings == [] and values["contenders"] == ["gru", "rnn"]
    assert config_of(settings_of(values)).contenders == ("rnn", "gru")  # the legend's order


@pytest.mark.parametrize(
    ("key", "raw", "fragment"),
    [
        ("gap", "999", "outside 1 to 200"),
        ("gap", "0", "outside 1 to 200"),
        ("gap", "ten", "is not a whole number"),
        ("gap", "12.5", "is not a whole number"),
        ("lr", "nan", "outside"),
        ("lr", "inf", "outside"),
        ("lr", "-1", "outside"),
        ("hidden", "100000", "outside 1 to 128"),
        ("task", "parity", "is not one of adding, copy, recall, temporal_order"),
        ("optimizer", "<script>", "is not one of adam, sgd, rmsprop"),
        ("preset", "nope", "is not one of"),
        ("equal_params", "maybe", "is not true or false"),
        ("contenders", "", "choose at least one"),
    ],
)
def test_bad_values_fall_back_to_the_default_with_a_warning(key, raw, fragment):
    values, warnings = check_url({key: [raw]})
    assert key not in values
    assert len(warnings) == 1 and fragment in warnings[0] and "Using the default" in warnings[0]


def test_unknown_contenders_are_dropped_and_named():
    values, warnings = check_url({"contenders": ["rnn", "transformer"]})
    assert values["contenders"] == ["rnn"]
    assert len(warnings) == 1 and "'transformer'" in warnings[0]


def test_unknown_keys_are_ignored_with_a_warning():
    values, warnings = check_url({"colour": ["red"]})
    assert values == {} and warnings == ["Ignored the unknown URL parameter 'colour'."]


def test_markup_in_a_value_is_neutralised_in_the_message():
    _, warnings = check_url({"task": ["<img src=x onerror=alert(1)>"]})
    assert "<" not in warnings[0] and ">" not in warnings[0]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_round_trips_through_the_url(preset):
    values = values_of(PRESETS[preset].config, preset)
    params = url_of(values)
    raw = {key: value if isinstance(value, list) else [value] for key, value in params.items()}
    parsed, warnings = check_url(raw)
    assert warnings == []
    assert config_of(settings_of(parsed)) == PRESETS[preset].config
    assert settings_of(parsed)["preset"] == preset


def test_defaults_leave_the_url_empty():
    assert url_of(defaults()) == {}


text = st.text(max_size=30)


@given(st.dictionaries(st.sampled_from([*URL_KEYS, "mode", "x"]), st.lists(text, max_size=3), max_size=8))
def test_any_query_string_gives_a_runnable_configuration(params):
    values, warnings = check_url(params)
    config = config_of(settings_of(values))  # never raises: every accepted value is in range
    assert isinstance(config, RunConfig)
    assert all(isinstance(w, str) and w for w in warnings)


HOSTILE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["1e999", "-1", "nan", "inf", "0x10", "99999999999999999999", "<img src=x>", "**b**", "", " "]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from([*URL_KEYS, "mode", "colour", "<b>x</b>"]),
        st.lists(HOSTILE, min_size=1, max_size=2),
        max_size=6,
    )
)
@example({"gap": ["1e999"]})  # Streamlit's own binding raised OverflowError on this one
@example({"seed": ["-inf"], "lr": ["nan"], "hidden": ["inf"]})
def test_any_query_string_gives_a_working_page(params):
    """The real page (AppTest): never an exception, always the buttons, and a message for what was dropped."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, values in params.items():
        at.query_params[key] = values
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Train", "Pause", "Step 25", "Reset"]
    _, warnings = check_url(params)
    assert len(at.warning) == len(warnings)
