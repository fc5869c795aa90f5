"""Sidebar widgets, each bound to its URL parameter; they return plain values and never train anything."""

from __future__ import annotations

import streamlit as st

from dashboard import session
from dashboard.presets import DEFAULT_PRESET, PACES, PRESETS
from dashboard.state import SETTING_KEYS, defaults, values_of
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
        "Preset (workshop exercise)",
        list(PRESETS),
        index=list(PRESETS).index(base["preset"]),
        key="preset",
        bind=URL,
        on_change=apply_preset,
        help="Loads a tested configuration and its exercise. Changing a setting afterwards keeps the preset's text.",
    )
    bar.selectbox("Task", TASK_KEYS, index=TASK_KEYS.index(base["task"]), key="task", bind=URL)
    bar.number_input(
        "Gap (time steps to remember across)", *LIMITS.gap, value=base["gap"], step=10, key="gap", bind=URL
    )
    bar.multiselect(
        "Contenders", CONTENDER_KEYS, default=base["contenders"], key="contenders", bind=URL, help=_CONTENDERS_HELP
    )
    bar.number_input(
        "Number of seeds",
        *LIMITS.seeds,
        value=base["seeds"],
        key="seeds",
        bind=URL,
        help="One seed is an anecdote. With several, each contender is trained once per seed (seed, seed + 1, …) "
        "and the charts draw the median with a band: the range over up to three seeds, the middle half from four.",
    )
    with bar.expander("Advanced"):
        st.number_input("Hidden units", *LIMITS.hidden, value=base["hidden"], key="hidden", bind=URL)
        st.checkbox(
            "Equal parameter count",
            value=base["equal_params"],
            key="equal_params",
            bind=URL,
            help="Shrink the LSTM's and GRU's hidden layers so no contender has more weights than the RNN.",
        )
        st.number_input("Learning rate", *LIMITS.lr, value=base["lr"], step=0.001, format="%.6g", key="lr", bind=URL)
        st.selectbox(
            "Optimizer", OPTIMIZER_KEYS, index=OPTIMIZER_KEYS.index(base["optimizer"]), key="optimizer", bind=URL
        )
        st.number_input("Batch size", *LIMITS.batch, value=base["batch"], key="batch", bind=URL)
        st.number_input(
            "Clip threshold (clipped_rnn)",
            *LIMITS.clip,
            value=base["clip"],
            step=0.5,
            format="%.4g",
            key="clip",
            bind=URL,
            help="clipped_rnn rescales its gradient to this norm whenever it is larger (Pascanu et al. 2013).",
        )
        st.number_input(
            "Recurrent init scale (ρ at step 0)",
            *LIMITS.init_scale,
            value=base["init_scale"],
            step=0.25,
            format="%.4g",
            key="init_scale",
            bind=URL,
            help="Recurrent weights start orthogonal × this: 1 preserves norms, above 1 invites explosion.",
        )
        st.number_input(
            "Forget-gate bias (LSTM forget, GRU update)",
            *LIMITS.forget_bias,
            value=base["forget_bias"],
            step=0.5,
            format="%.4g",
            key="forget_bias",
            bind=URL,
            help="1 (Keras's default) makes gates remember at the start; PyTorch's default is 0.",
        )
        st.number_input(
            "Feed-forward window (inputs it sees)",
            *LIMITS.window,
            value=base["window"],
            key="window",
            bind=URL,
            help="The feedforward contender is an MLP over the last k inputs only: no state, no shared weights "
            "across time. Its weights grow with k; a cue further back than k steps cannot reach it.",
        )
        st.number_input(
            "Seed", *LIMITS.seed, value=base["seed"], key="seed", bind=URL,
            help="Weights, batches and validation set all derive from it; with several seeds, the first of them.",
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
        "Train", icon=":material/play_arrow:", type="primary", disabled=running or run is None,
        on_click=session.train, args=(config, slot), shortcut="T", width="stretch",
        help="Train continuously (shortcut T).",
    )  # fmt: skip
    pause.button(
        "Pause", icon=":material/pause:", disabled=not running, on_click=session.pause, args=(slot,),
        shortcut="P", width="stretch", help="Pause; every recorded step is kept (shortcut P).",
    )  # fmt: skip
    step.button(
        f"Step {session.STEP_BUTTON_STEPS}", icon=":material/skip_next:", disabled=run is None or running,
        on_click=session.step, args=(config, slot), shortcut="S", width="stretch",
        help=f"Train {session.STEP_BUTTON_STEPS} steps, then pause (shortcut S).",
    )  # fmt: skip
    reset.button(
        "Reset", icon=":material/restart_alt:", on_click=session.reset, args=(config, slot), width="stretch",
        help="Discard this run and start again, paused, from the current settings.",
    )  # fmt: skip


def pace(container, key: str = "pace") -> str:
    """How fast this session watches the run (it never changes the numbers); in lab and workshop mode."""
    base = defaults(st.session_state.get("preset", DEFAULT_PRESET))
    return container.selectbox(
        "Pace",
        list(PACES),
        index=list(PACES).index(base["pace"]) if key == "pace" else 0,
        format_func=lambda key: PACE_LABELS[key],
        key=key,
        bind=URL,
        help="Steps shown per second. Slow it down to watch an explosion happen; the numbers are the same.",
    )


PACE_LABELS = {key: "full speed" if rate is None else f"{rate:g} steps/s" for key, rate in PACES.items()}


_CONTENDERS_HELP = (
    "rnn: plain tanh RNN · clipped_rnn: the same RNN, gradient norm clipped · "
    "lstm: gated, additive cell state · gru: gated, interpolated state · "
    "feedforward: no recurrence, an MLP on the last k inputs (Advanced: window)"
)
