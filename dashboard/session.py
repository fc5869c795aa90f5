"""Per-browser-session state: the checked URL, the current run, and what the buttons do to it."""

from __future__ import annotations

import uuid

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import language, wording
from dashboard.presets import DEFAULT_PRESET, PRESETS
from dashboard.server import HUB
from dashboard.state import URL_KEYS, check_page_url, check_url, config_of, settings_of, values_of
from models.config import ConfigError, RunConfig
from runs.view import View

STEP_BUTTON_STEPS = 25  # one validation interval: enough for a new point on every curve
TAB_KEY = "tab"  # URL key: this browser tab's token, so a tab that reconnects as a new session follows its run


def check_url_once() -> list[str]:
    """On a session's first run, before any widget reads the URL: warn about bad values, use defaults.

    The widgets' URL binding would drop a bad value silently; writing the checked value into
    session state first makes the fallback the default, and the warning says so.
    """
    if "url_warnings" not in st.session_state:
        raw = {key: st.query_params.get_all(key) for key in st.query_params}
        values, warnings = check_url(raw, language.current())
        if any(key in URL_KEYS for key in raw):
            # Every setting, including those the URL leaves out: they take the URL's preset's values.
            for key, value in settings_of(values).items():
                st.session_state[key] = value
        st.session_state["url_warnings"] = warnings
        st.session_state["mode"] = values.get("mode", "lab")
        rejected = [key for key in raw if key in URL_KEYS and key not in values]
        if rejected:
            # Out of the URL before any widget binds to it: Streamlit 1.67's own binding raises OverflowError
            # on ?gap=1e999 (it catches only ValueError). The rerun binds to the cleaned URL; the warnings
            # and the values written above carry over.
            for key in rejected:
                del st.query_params[key]
            st.rerun()
    return st.session_state["url_warnings"]


def check_page_url_once(page: str, numbers: dict, choices: dict) -> list[str]:
    """A page's own URL settings, checked before its widgets bind: a bad value is dropped (Streamlit's binding
    would drop it silently, or raise on an infinite number) and the page says so for the rest of the session."""
    key = f"{page}_url_warnings"
    raw = {name: st.query_params.get_all(name) for name in st.query_params if name in numbers or name in choices}
    rejected, warnings = check_page_url(raw, numbers, choices, language.current())
    st.session_state[key] = st.session_state.get(key, []) + warnings
    if rejected:
        for name in rejected:
            del st.query_params[name]
        st.rerun()  # bind to the cleaned URL: within this run Streamlit's binding still reads the old value
    return st.session_state[key]


def workshop_mode() -> bool:
    return st.session_state.get("mode") == "workshop"


def workshop_values() -> dict[str, object]:
    """Workshop mode draws no settings: the URL's preset, exactly as tested."""
    preset = st.session_state.get("preset", DEFAULT_PRESET)
    return values_of(PRESETS[preset].config, preset)


def chosen_config(values: dict[str, object]) -> tuple[RunConfig | None, str]:
    """The configuration the widgets describe, or None and the reason it cannot run."""
    try:
        return config_of(values), ""
    except ConfigError as error:
        return None, wording.problem(error)


LAB, BOOK = "run", "book_run"  # the session-state slots of the lab's run and the children's book's


def current_run(config: RunConfig | None, slot: str = LAB) -> View | None:
    """The session's view of a run: the one this browser tab had before it reconnected as a new session, or
    one made from the settings the first time there are valid ones."""
    run = st.session_state.get(slot)
    if run is None and slot == LAB and "tab" not in st.session_state:
        ctx = get_script_run_ctx()
        token = st.query_params.get(TAB_KEY, "")
        run = HUB.rejoin(token, ctx.session_id) if token and ctx else None
        st.session_state["tab"] = token if run is not None else uuid.uuid4().hex[:12]
        st.query_params[TAB_KEY] = st.session_state["tab"]
        if run is not None:
            st.session_state[slot] = run
    if run is None and config is not None:
        run = st.session_state[slot] = new_run(config)
    return run


def new_run(config: RunConfig) -> View:
    """A view of the run for `config`: shared with every session that chose the very same settings."""
    ctx = get_script_run_ctx()
    return HUB.join(config, ctx.session_id if ctx else None, st.session_state.get("tab"))


def fresh_run(config: RunConfig | None, slot: str = LAB) -> View | None:
    """The run Train and Step act on: a view that has not shown a step yet follows the current settings."""
    run = st.session_state.get(slot)
    if config is not None and (run is None or (run.step_count == 0 and run.config != config)):
        if run is not None:
            run.close()
        run = st.session_state[slot] = new_run(config)
    return run


def train(config: RunConfig | None, slot: str = LAB) -> None:
    """Follow the run live. A fresh run takes its first step at once, so this rerun already draws charts."""
    run = fresh_run(config, slot)
    if run is not None:
        if run.run.step_count == 0:
            run.advance(1)
        run.start()


def pause(slot: str = LAB) -> None:
    run = st.session_state.get(slot)
    if run is not None:
        run.pause()


def step(config: RunConfig | None, slot: str = LAB) -> None:
    run = fresh_run(config, slot)
    if run is not None:
        run.advance(STEP_BUTTON_STEPS)


def reset(config: RunConfig | None, slot: str = LAB) -> None:
    """Leave the run (closing it if nobody else views it) and start over, paused, from the current settings."""
    run = st.session_state.pop(slot, None)
    if run is not None:
        run.close()
    if config is not None:
        st.session_state[slot] = new_run(config)
