"""Sidebar widgets, each bound to its URL parameter; they return plain values and never train anything."""

from __future__ import annotations

import functools

import streamlit as st

from dashboard import language, session
from dashboard.language import t
from dashboard.presets import DEFAULT_PRESET, PACES, PRESETS
from dashboard.state import SETTING_KEYS, defaults, values_of
from dashboard.text import words
from models.config import CONTENDER_KEYS, LIMITS, OPTIMIZER_KEYS, TASK_KEYS, RunConfig
from runs.view import View

URL = "query-params"


def apply_preset() -> None:
    """Preset changed: every setting takes the preset's value (the URL follows through the bindings)."""
    preset = PRESETS[st.session_state["preset"]]
    for key, value in values_of(preset.config, preset.key).items():
        st.session_state[key] = value


def sidebar() -> dict[str, object]:
    """Draw the controls; return their values keyed as in the URL.

    Each widget's default is the chosen preset's value: the URL keeps only what differs from the preset.
    """
    base = defaults(st.session_state.get("preset", DEFAULT_PRESET))
    bar = st.sidebar
    bar.selectbox(
        t("control.preset"),
        list(PRESETS),
        index=list(PRESETS).index(base["preset"]),
        key="preset",
        bind=URL,
        on_change=apply_preset,
        help=t("control.preset.help"),
    )
    bar.selectbox(t("control.task"), TASK_KEYS, index=TASK_KEYS.index(base["task"]), key="task", bind=URL)
    bar.number_input(t("control.gap"), *LIMITS.gap, value=base["gap"], step=10, key="gap", bind=URL)
    bar.multiselect(
        t("control.contenders"),
        CONTENDER_KEYS,
        default=base["contenders"],
        key="contenders",
        bind=URL,
        help=t("control.contenders.help"),
    )
    bar.number_input(
        t("control.seeds"),
        *LIMITS.seeds,
        value=base["seeds"],
        key="seeds",
        bind=URL,
        help=t("control.seeds.help"),
    )
    with bar.expander(t("control.advanced")):
        st.number_input(t("control.hidden"), *LIMITS.hidden, value=base["hidden"], key="hidden", bind=URL)
        st.checkbox(
            t("control.equal_params"),
            value=base["equal_params"],
            key="equal_params",
            bind=URL,
            help=t("control.equal_params.help"),
        )
        st.number_input(t("control.lr"), *LIMITS.lr, value=base["lr"], step=0.001, format="%.6g", key="lr", bind=URL)
        st.selectbox(
            t("control.optimizer"),
            OPTIMIZER_KEYS,
            index=OPTIMIZER_KEYS.index(base["optimizer"]),
            key="optimizer",
            bind=URL,
        )
        st.number_input(t("control.batch"), *LIMITS.batch, value=base["batch"], key="batch", bind=URL)
        st.number_input(
            t("control.clip"),
            *LIMITS.clip,
            value=base["clip"],
            step=0.5,
            format="%.4g",
            key="clip",
            bind=URL,
            help=t("control.clip.help"),
        )
        st.number_input(
            t("control.init_scale"),
            *LIMITS.init_scale,
            value=base["init_scale"],
            step=0.25,
            format="%.4g",
            key="init_scale",
            bind=URL,
            help=t("control.init_scale.help"),
        )
        st.number_input(
            t("control.forget_bias"),
            *LIMITS.forget_bias,
            value=base["forget_bias"],
            step=0.5,
            format="%.4g",
            key="forget_bias",
            bind=URL,
            help=t("control.forget_bias.help"),
        )
        st.number_input(
            t("control.window"),
            *LIMITS.window,
            value=base["window"],
            key="window",
            bind=URL,
            help=t("control.window.help"),
        )
        st.number_input(
            t("control.seed"), *LIMITS.seed, value=base["seed"], key="seed", bind=URL, help=t("control.seed.help"),
        )  # fmt: skip
    return {key: st.session_state[key] for key in SETTING_KEYS}


def run_buttons(config: RunConfig | None, run: View | None, slot: str = session.LAB) -> None:
    """Train, Pause, Step and Reset for the run in session slot `slot`, and the pace it is watched at."""
    train, pause, step, reset, shown = st.columns([1, 1, 1, 1, 1.3], vertical_alignment="bottom")
    chosen = pace(shown, "pace" if slot == session.LAB else f"{slot}_pace")
    if run is not None:
        run.set_pace(PACES[chosen])
    running = run is not None and run.running
    train.button(
        t("button.train"), icon=":material/play_arrow:", type="primary", disabled=running or run is None,
        on_click=session.train, args=(config, slot), shortcut="T", width="stretch", help=t("button.train.help"),
    )  # fmt: skip
    pause.button(
        t("button.pause"), icon=":material/pause:", disabled=not running, on_click=session.pause, args=(slot,),
        shortcut="P", width="stretch", help=t("button.pause.help"),
    )  # fmt: skip
    step.button(
        t("button.step", steps=session.STEP_BUTTON_STEPS), icon=":material/skip_next:",
        disabled=run is None or running, on_click=session.step, args=(config, slot), shortcut="S", width="stretch",
        help=t("button.step.help", steps=session.STEP_BUTTON_STEPS),
    )  # fmt: skip
    reset.button(
        t("button.reset"), icon=":material/restart_alt:", on_click=session.reset, args=(config, slot),
        width="stretch", help=t("button.reset.help"),
    )  # fmt: skip


def pace(container, key: str = "pace") -> str:
    """How fast this session watches the run (it never changes the numbers); in lab and workshop mode."""
    base = defaults(st.session_state.get("preset", DEFAULT_PRESET))
    return container.selectbox(
        t("control.pace"),
        list(PACES),
        index=list(PACES).index(base["pace"]) if key == "pace" else 0,
        format_func=functools.partial(pace_label, language.current()),  # worded now, not when AppTest reads it
        key=key,
        bind=URL,
        help=t("control.pace.help"),
    )


def pace_label(lang: str, key: str) -> str:
    rate = PACES[key]
    return words(lang, "pace.full") if rate is None else words(lang, "pace.rate", rate=f"{rate:g}")
