"""RNN Remedies Lab: four recurrent networks learn a long-gap task side by side, charted as they learn.

Run with `streamlit run dashboard/app.py`. The page is drawn by `main()` under the usual
`if __name__ == "__main__"` guard: training processes import this file (as multiprocessing does with a
parent's main module) and must draw nothing.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, for `models`

import streamlit as st

from dashboard import controls, explain, frames, panels, session, sweep
from dashboard.presets import PACES, PRESETS


def main() -> None:
    """Two pages: the lab (four contenders trained live) and the breaking-point sweep over gaps."""
    st.set_page_config(page_title="RNN Remedies Lab", page_icon=":material/timeline:", layout="wide")
    pages = [
        st.Page(lab, title="Lab", icon=":material/timeline:", default=True),
        st.Page(sweep.page, title="Sweep", icon=":material/stacked_line_chart:", url_path="sweep"),
    ]
    st.navigation(pages, position="top").run()


def lab() -> None:
    """The lab page, top to bottom."""
    url_warnings = session.check_url_once()
    workshop = session.workshop_mode()
    values = session.workshop_values() if workshop else controls.sidebar()
    config, problem = session.chosen_config(values)
    run = session.current_run(config)
    preset = PRESETS[values["preset"]]

    st.title(preset.title if workshop else "RNN Remedies Lab")
    st.caption(
        "A tanh RNN, the same RNN with gradient clipping, an LSTM and a GRU train on identical batches. "
        "Watch which ones carry information across the gap, and why."
    )
    for warning in url_warnings:
        st.warning(warning, icon="⚠️")

    if workshop:
        exercise(preset)
    else:
        with st.container(border=True):
            st.markdown(f"**Exercise — {preset.title}**  \n{preset.exercise.replace(chr(10), '  ' + chr(10))}")
            if config is not None and config != preset.config:
                st.caption("Settings differ from this preset's, so its expected outcome may not hold.")

    if problem:
        st.error(f"These settings cannot run: {problem}.")
    elif run is not None and run.config != config:
        st.info("Settings changed: they apply when you press **Reset** (the current run keeps its own settings).")

    train, pause, step, reset, pace = st.columns([1, 1, 1, 1, 1.3], vertical_alignment="bottom")
    pace_key = controls.pace(pace)
    if run is not None:
        run.set_pace(PACES[pace_key])
    running = run is not None and run.running
    train.button(
        "Train", icon=":material/play_arrow:", type="primary", disabled=running or run is None,
        on_click=session.train, args=(config,), shortcut="T", width="stretch",
        help="Train continuously (shortcut T).",
    )  # fmt: skip
    pause.button(
        "Pause", icon=":material/pause:", disabled=not running, on_click=session.pause, shortcut="P",
        width="stretch", help="Pause; every recorded step is kept (shortcut P).",
    )  # fmt: skip
    step.button(
        f"Step {session.STEP_BUTTON_STEPS}", icon=":material/skip_next:", disabled=run is None or running,
        on_click=session.step, args=(config,), shortcut="S", width="stretch",
        help=f"Train {session.STEP_BUTTON_STEPS} steps, then pause (shortcut S).",
    )  # fmt: skip
    reset.button(
        "Reset", icon=":material/restart_alt:", on_click=session.reset, args=(config,), width="stretch",
        help="Discard this run and start again, paused, from the current settings.",
    )  # fmt: skip

    if run is not None:
        panels.live(run)
        task = run.task
        explain.why(task.name, task.variant, run.sample)
        with st.expander("Export"):
            left, right = st.columns(2)
            left.download_button(
                "Metrics (CSV, long format)",
                data=lambda: frames.metrics_csv(run.snapshot()),
                file_name=f"rnn-lab-{run.config.task}-gap{run.config.gap}-seed{run.config.seed}.csv",
                mime="text/csv",
                on_click="ignore",
            )
            right.download_button(
                "Configuration (JSON)",
                data=frames.config_json(run.config, values["preset"]),
                file_name="rnn-lab-config.json",
                mime="application/json",
                on_click="ignore",
            )


def exercise(preset) -> None:
    """Workshop mode: the exercise in large type, the settings fixed; the claim shows at the deciding step."""
    first, second = preset.exercise.split("\n", 1)
    st.info(f"### {first}\n{second}", icon=":material/school:")
    st.sidebar.markdown(
        f"**Workshop mode**: the settings are preset **{preset.key}**'s, exactly as tested. "
        f"[Open the full lab](?preset={preset.key}) to change them."
    )


if __name__ == "__main__":
    main()
