"""RNN Remedies Lab: four recurrent networks learn a long-gap task side by side, charted as they learn.

Run with `streamlit run dashboard/app.py`. The page is drawn by `main()` under the usual
`if __name__ == "__main__"` guard: training processes import this file (as multiprocessing does with a
parent's main module) and must draw nothing.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, for `models`

import streamlit as st

from dashboard import book, controls, explain, frames, panels, session, sweep
from dashboard.presets import PRESETS, deciding_step
from models.cli import command


def main() -> None:
    """Three pages: the lab (four contenders trained live), the breaking-point sweep over gaps, and the
    children's book (the notes' sentence generator)."""
    st.set_page_config(page_title="RNN Remedies Lab", page_icon=":material/timeline:", layout="wide")
    pages = [
        st.Page(lab, title="Lab", icon=":material/timeline:", default=True),
        st.Page(sweep.page, title="Sweep", icon=":material/stacked_line_chart:", url_path="sweep"),
        st.Page(book.page, title="Children's book", icon=":material/menu_book:", url_path="book"),
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

    controls.run_buttons(config, run)

    if run is not None:
        panels.live(run, extra=book.book_panels if run.config.task == "book" else None)
        task = run.task
        explain.why(task.name, task.variant, run.sample)
        panels.reproduce(command(run.config, max(run.step_count, deciding_step(run.config) or 1000)))
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
