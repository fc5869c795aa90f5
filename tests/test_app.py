"""The page, driven by Streamlit's AppTest: presets, controls → engine config, URLs, bad input."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.presets import PRESETS
from dashboard.state import url_of, values_of
from models.config import CONTENDER_KEYS, OPTIMIZER_KEYS, TASK_KEYS, RunConfig

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
BOOK_PAGE, SWEEP_PAGE = (
    str(Path(__file__).resolve().parent / "pages" / f"{name}_page.py") for name in ("book", "sweep")
)


def page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.endswith(label))


def test_the_default_page_shows_controls_cards_and_the_exercise():
    at = page()
    assert not at.exception
    assert [b.label for b in at.button] == ["Train", "Pause", "Step 25", "Reset"]
    text = " ".join(m.value for m in at.markdown)
    for key in ("rnn", "clipped_rnn", "lstm", "gru"):
        assert f"**{key}**" in text
    assert "Exercise — Vanishing gradients" in text
    assert at.session_state["run"].config == PRESETS["vanishing"].config


STEP_LABEL = {"en": "Step 25", "zh": "前进 25 步"}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_loads_and_trains_a_few_steps_in_both_languages(preset, language):
    at = page(lang=language)
    at.selectbox(key="preset").set_value(preset).run()
    assert not at.exception
    assert at.number_input(key="gap").value == PRESETS[preset].config.gap
    button(at, STEP_LABEL[language]).click().run()
    assert not at.exception
    run = at.session_state["run"]
    assert run.config == PRESETS[preset].config and run.step_count == 25
    assert any(("Step 25" if language == "en" else "第 25 步") in m.value for m in at.markdown)
    if language == "zh":
        assert english_left(at) == set()


# English that may stay on a Chinese page: keys (URL, CLI, contenders, tasks, presets), names, units, symbols, and
# the notes' own English sentences quoted as the tasks' data.
KEPT = {
    *CONTENDER_KEYS, *TASK_KEYS, *OPTIMIZER_KEYS, *PRESETS, "true", "false",
    "LSTM", "GRU", "RNN", "SGD", "PyTorch", "Keras", "NaN", "tanh", "diag", "Pascanu", "Arjovsky", "Hochreiter",
    "Schmidhuber", "Doug", "Jane", "Spot", "saw", "clouds", "grew", "speak", "fluent", "France", "French", "Spain",
    "Spanish", "Italy", "Italian", "Germany", "German", "then", "moved", "away", "years", "later", "Adam",
    "little", "happy", "funny", "brown", "seed", "seeds", "W_hh", "W_xh",
}  # fmt: skip


def english_left(at: AppTest) -> set[str]:
    """English words of four letters or more in what the page shows, less markup, formulas, commands and KEPT."""
    shown = [el.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error")
             for el in getattr(at, kind)]  # fmt: skip
    shown += [widget.label for widget in [*at.button, *at.selectbox, *at.number_input, *at.multiselect]]
    shown += [widget.help or "" for widget in [*at.button, *at.selectbox, *at.number_input, *at.multiselect]]
    text = re.sub(
        r"\$\$.*?\$\$|<[^>]+>|\$[^$]*\$|`[^`]*`|:material/\w+:|\(\?[^)]*\)|&\w+;", " ", "\n".join(shown), flags=re.S
    )
    return {word for word in re.findall(r"[A-Za-z][A-Za-z_]{3,}", text) if word not in KEPT}


def test_controls_map_to_the_engine_config_on_reset():
    at = page()
    at.selectbox(key="task").set_value("temporal_order")
    at.number_input(key="gap").set_value(30)
    at.multiselect(key="contenders").set_value(["lstm", "gru"])
    at.number_input(key="hidden").set_value(16)
    at.checkbox(key="equal_params").check()
    at.number_input(key="lr").set_value(0.005)
    at.selectbox(key="optimizer").set_value("rmsprop")
    at.number_input(key="batch").set_value(32)
    at.number_input(key="clip").set_value(2.5)
    at.number_input(key="init_scale").set_value(0.5)
    at.number_input(key="forget_bias").set_value(2.0)
    at.number_input(key="seed").set_value(11)
    at.run()
    assert any("apply when you press **Reset**" in i.value for i in at.info)
    button(at, "Reset").click().run()
    assert not at.exception
    assert at.session_state["run"].config == RunConfig(
        task="temporal_order", gap=30, contenders=("lstm", "gru"), hidden=16, equal_params=True, lr=0.005,
        optimizer="rmsprop", batch=32, clip=2.5, init_scale=0.5, forget_bias=2.0, seed=11,
    )  # fmt: skip


@pytest.mark.parametrize("preset", ["exploding", "recall"])
def test_a_url_restores_its_configuration_and_round_trips(preset):
    params = url_of(values_of(PRESETS[preset].config, preset))
    at = page(**params)
    assert not at.exception and not at.warning
    assert at.session_state["run"].config == PRESETS[preset].config
    widget_values = {key: at.session_state[key] for key in values_of(PRESETS[preset].config, preset)}
    assert url_of(widget_values) == params


def test_malformed_query_strings_fall_back_with_visible_warnings():
    at = page(gap="1e9", lr="NaN", task="<b>bold</b>", contenders="rnn,transformer", hidden="-4", colour="red")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    for fragment in ("`gap`", "`lr`", "`task`", "'transformer'", "`hidden`", "'colour'"):
        assert fragment in warnings
    config = at.session_state["run"].config
    assert (config.gap, config.task, config.hidden, config.contenders) == (50, "adding", 32, ("rnn",))
    assert config.lr == PRESETS["vanishing"].config.lr


def test_no_contenders_is_explained_and_nothing_breaks():
    at = page()
    at.multiselect(key="contenders").set_value([]).run()
    assert not at.exception
    assert any("cannot run" in e.value and "at least one" in e.value for e in at.error)
    button(at, "Step 25").click().run()  # steps the run that was already there, with its own settings
    assert not at.exception and at.session_state["run"].step_count == 25


@pytest.mark.parametrize("preset", ["copy", "exploding"])
def test_a_url_naming_only_a_preset_trains_that_preset_as_tested(preset):
    at = page(preset=preset)
    assert not at.exception and not at.warning
    assert at.session_state["run"].config == PRESETS[preset].config
    assert at.number_input(key="gap").value == PRESETS[preset].config.gap


def test_url_settings_apply_on_top_of_the_urls_preset():
    at = page(preset="copy", gap="30", hidden="oops")
    assert at.session_state["run"].config == replace(PRESETS["copy"].config, gap=30)
    hidden = PRESETS["copy"].config.hidden
    assert any(f"Using the default, '{hidden}'" in w.value for w in at.warning)  # the preset's, not the lab's


@pytest.mark.parametrize("key", ["gap", "hidden", "batch", "seed"])
def test_an_infinite_whole_number_in_the_url_warns_and_the_widget_still_works(key):
    at = page(**{"seed": "7", key: "1e999"})  # seed=7 shows the other bindings are untouched
    assert not at.exception
    assert any(f"`{key}`" in w.value and "1e999" in w.value for w in at.warning)
    default = values_of(PRESETS["vanishing"].config, "vanishing")[key]
    assert at.number_input(key=key).value == default
    at.number_input(key=key).set_value(default + 1).run()  # the widget works after the first run
    assert not at.exception and at.number_input(key=key).value == default + 1
    assert at.number_input(key="seed").value == (7 if key != "seed" else default + 1)


def test_workshop_mode_puts_the_exercise_first_and_hides_the_settings():
    at = page(mode="workshop", preset="exploding")
    assert not at.exception and not at.warning
    assert not at.number_input and not at.multiselect  # nothing that changes the run
    assert [box.key for box in at.selectbox] == ["pace"]  # only how fast to watch it
    assert at.selectbox(key="pace").value == PRESETS["exploding"].pace
    assert PRESETS["exploding"].exercise.splitlines()[0] in at.info[0].value
    assert at.title[0].value == PRESETS["exploding"].title
    assert at.session_state["run"].config == PRESETS["exploding"].config
    button(at, "Step 25").click().run()
    assert not at.exception and at.session_state["run"].step_count == 25


def test_an_unknown_mode_warns_and_shows_the_full_lab():
    at = page(mode="<script>")
    assert not at.exception
    assert any("`mode`" in w.value and "‹script›" in w.value for w in at.warning)
    assert at.number_input  # the settings are there


@pytest.mark.parametrize(
    "params",
    [
        {"lr": "10", "optimizer": "sgd", "init_scale": "4", "contenders": "rnn,lstm"},
        {"lr": "1", "optimizer": "sgd", "init_scale": "3", "clip": "1000", "contenders": "rnn,clipped_rnn"},
    ],
    ids=["huge-lr-sgd", "init-3-no-clipping"],
)
def test_configurations_that_explode_on_purpose_show_a_marked_divergence(params):
    at = page(**params)
    button(at, "Step 25").click().run()
    assert not at.exception
    snapshot = at.session_state["run"].snapshot()
    assert snapshot.verdicts["rnn"].status == "diverged"
    assert any("diverged at step" in m.value for m in at.markdown)  # the card says so


@pytest.mark.parametrize("mode", ["lab", "workshop"])
def test_the_claim_shows_at_the_deciding_step_with_marks_in_both_modes(mode):
    preset = PRESETS["exploding"]
    at = page(preset="exploding", mode=mode)
    text = lambda: " ".join(m.value for m in at.markdown)  # noqa: E731
    assert "What to watch" in text() and "The claim" not in text()  # predict first
    for _ in range(preset.steps // 25):
        button(at, "Step 25").click().run()
    assert not at.exception
    assert at.session_state["run"].step_count == preset.steps
    assert f"The claim, decided at step {preset.steps:,}" in text()
    assert "**rnn** diverged at step" in text() and "**clipped_rnn**" in text()
    assert text().count("agrees") + text().count("differs from the claim") == len(preset.expect)
    button(at, "Step 25").click().run()  # past it: the page says when the claim was made
    assert at.session_state["run"].step_count == preset.steps + 25
    assert any(f"The claim was made at step {preset.steps:,}" in c.value for c in at.caption)


def test_settings_that_match_no_preset_promise_nothing():
    at = page(gap="47")
    assert not at.exception
    assert any("No claim for these settings" in m.value for m in at.markdown)


def test_several_seeds_train_together_and_the_cards_count_them():
    at = page(seeds="3", gap="10", hidden="8")
    assert not at.exception
    assert at.number_input(key="seeds").value == 3
    button(at, "Step 25").click().run()
    assert not at.exception
    run = at.session_state["run"]
    assert run.config.seeds == 3 and run.step_count == 25
    text = " ".join(m.value for m in at.markdown)
    assert text.count("of 3 seeds") == 4  # one card per contender
    assert "median over 3 seeds" in text
    assert "No claim for these settings" in text  # claims are tested one seed at a time


def test_a_seed_count_out_of_range_warns_and_falls_back():
    at = page(seeds="9")
    assert not at.exception
    assert any("`seeds`" in w.value for w in at.warning)
    assert at.session_state["run"].config.seeds == 1


def test_the_feedforward_contender_races_with_its_window_and_says_why_its_gradient_is_zero():
    at = page(task="recall", gap="20", window="10", contenders="feedforward,rnn")
    assert not at.exception
    assert at.number_input(key="window").value == 10
    button(at, "Step 25").click().run()
    assert not at.exception
    run = at.session_state["run"]
    assert run.config.contenders == ("rnn", "feedforward") and run.config.window == 10
    text = " ".join(m.value for m in at.markdown)
    assert "**feedforward**" in text and "exactly 0 (outside its window)" in text


def test_the_book_page_trains_charts_accuracy_by_distance_and_shows_samples():
    at = AppTest.from_file(BOOK_PAGE, default_timeout=90).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Doug saw Jane. Jane saw Spot. Spot saw Doug." in text and "Doug saw Doug." in text
    assert at.number_input(key="book_gap").value == 30
    run = at.session_state["book_run"]
    assert run.config == PRESETS["book"].config  # the page's default is the tested preset
    button(at, "Step 25").click().run()
    assert not at.exception
    assert at.session_state["book_run"].step_count == 25
    text = " ".join(m.value for m in at.markdown)
    assert "What they write (step 1)" in " ".join(h.value for h in at.subheader)
    assert "✓" in text or "✗" in text
    assert any("python -m models book --max-gap 30 --steps 1250 --seed 0" in c.value for c in at.code)
    assert any("The claim" in m.value or "What to watch" in m.value for m in at.markdown)


def test_the_book_page_in_chinese_writes_no_english_but_keys_and_the_books_words():
    at = AppTest.from_file(BOOK_PAGE, default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    button(at, "前进 25 步").click().run()
    assert not at.exception
    assert "儿童读物" in at.title[0].value
    assert "它们写出的句子（第 1 步）" in " ".join(h.value for h in at.subheader)
    assert english_left(at) == set()


def test_the_book_page_warns_about_a_bad_gap_and_keeps_the_run():
    at = AppTest.from_file(BOOK_PAGE, default_timeout=90).run()
    at.number_input(key="book_gap").set_value(12).run()
    assert not at.exception
    assert any("Reset" in i.value for i in at.info)  # the new setting applies on Reset
    assert at.session_state["book_run"].config.gap == 30


def test_the_sweep_page_in_chinese_and_its_bad_gaps_worded_there():
    at = AppTest.from_file(SWEEP_PAGE, default_timeout=60)
    at.query_params["lang"] = "zh"
    at.query_params["sweep_gaps"] = "5,x"
    at.run()
    assert not at.exception
    assert at.title[0].value == "临界点扫描"
    assert at.error[0].value == "这些设置无法运行：间隔必须是用逗号分隔的整数，得到的是 “5,x”。"
    assert english_left(at) == set()


def test_a_language_the_lab_does_not_speak_falls_back_with_a_warning():
    at = page(lang="fr")
    assert not at.exception
    assert [b.label for b in at.button] == ["Train", "Pause", "Step 25", "Reset"]  # the browser's language: English
    assert any("`lang`" in w.value and "'fr'" in w.value for w in at.warning)
    assert "lang" not in at.query_params


@pytest.mark.parametrize(
    ("script", "params", "warned"),
    [
        (BOOK_PAGE, {"book_gap": "1e999"}, "book_gap"),  # Streamlit's own binding raises on this one
        (BOOK_PAGE, {"book_gap": "500", "book_seed": "-1"}, "book_gap"),
        (SWEEP_PAGE, {"sweep_seeds": "1e999"}, "sweep_seeds"),
        (SWEEP_PAGE, {"sweep_task": "parity", "sweep_steps": "7"}, "sweep_task"),
    ],
)
def test_a_pages_own_bad_url_values_fall_back_with_a_warning(script, params, warned):
    at = AppTest.from_file(script, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert len(at.warning) == len(params) and any(f"`{warned}`" in w.value for w in at.warning)
    assert not set(params) & set(at.query_params)  # dropped before the widgets bound to them


def test_a_training_page_keeps_its_redraw_interval_until_the_servers_load_calls_for_another(monkeypatch):
    """The interval a page chose stays through a whole-page rerun (a click, a deciding step) while the load sits
    between the busy and the idle marks; it changes once the load crosses one."""
    from dashboard.panels import CHARTS_EVERY, TIMER_SPREAD
    from dashboard.server import HUB

    load = [0.9]
    monkeypatch.setattr(HUB, "load", lambda: load[0])
    monkeypatch.setattr(HUB, "spare_core", lambda: True)  # the server's load alone decides here
    at = page(preset="vanishing", seed="41")
    button(at, "Train").click().run()
    try:
        assert at.session_state["cadence"] == 0.75  # busy: the slower interval
        # The charts' timer, declared at CHARTS_EVERY less the page's own share, as its status timer is.
        share = at.session_state["timer_share"]
        charts_every = round(CHARTS_EVERY * (1 - TIMER_SPREAD * share), 3)
        assert at.session_state["charts_every"] == charts_every
        load[0] = 0.65  # between the marks: the page keeps its own
        assert at.run().session_state["cadence"] == 0.75
        load[0] = 0.3  # idle: the faster one fits again
        assert at.run().session_state["cadence"] == 0.5
        assert at.session_state["charts_every"] == charts_every  # the charts' interval does not follow the load
        load[0] = 0.65
        assert at.run().session_state["cadence"] == 0.5
    finally:
        button(at, "Pause").click().run()
