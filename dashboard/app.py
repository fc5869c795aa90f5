"""RNN Remedies Lab: four recurrent networks learn a long-gap task side by side, charted as they learn.

Run with `streamlit run dashboard/app.py`. The page is drawn by `main()` under the usual
`if __name__ == "__main__"` guard: training processes import this file (as multiprocessing does with a
parent's main module) and must draw nothing.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, for `models`

import streamlit as st

from dashboard import book, controls, explain, frames, language, panels, server, session, sweep, wording
from dashboard.language import t
from dashboard.presets import PRESETS, deciding_step
from models.cli import command


def main() -> None:
    """Three pages: the lab (four contenders trained live), the breaking-point sweep over gaps, and the
    children's book (the notes' sentence generator)."""
    st.set_page_config(page_title=t("app.title"), page_icon=":material/timeline:", layout="wide")
    server.settle_imports()
    panels.warm_charts()
    st.session_state["lang_warnings"] = language.switch()
    pages = [
        st.Page(lab, title=t("page.lab"), icon=":material/timeline:", default=True),
        st.Page(sweep.page, title=t("page.sweep"), icon=":material/stacked_line_chart:", url_path="sweep"),
        st.Page(book.page, title=t("page.book"), icon=":material/menu_book:", url_path="book"),
    ]
    st.navigation(pages, position="top").run()


def lab() -> None:
    """The lab page, top to bottom."""
    url_warnings = session.check_url_once() + st.session_state.get("lang_warnings", [])
    workshop = session.workshop_mode()
    values = session.workshop_values() if workshop else controls.sidebar()
    config, problem = session.chosen_config(values)
    run = session.current_run(config)
    preset = PRESETS[values["preset"]]

    st.title(wording.preset(preset.key, "title") if workshop else t("app.title"))
    st.caption(t("lab.caption"))
    for warning in url_warnings:
        st.warning(warning, icon="⚠️")

    if workshop:
        exercise(preset)
    else:
        with st.container(border=True):
            text = wording.preset(preset.key, "exercise").replace("\n", "  \n")
            st.markdown(t("lab.exercise", title=wording.preset(preset.key, "title"), exercise=text))
            if config is not None and config != preset.config:
                st.caption(t("lab.differs"))

    if problem:
        st.error(t("run.cannot", problem=problem))
    elif run is not None and run.config != config:
        st.info(t("run.changed"))

    controls.run_buttons(config, run)

    if run is not None:
        panels.live(run, extra=book.book_panels if run.config.task == "book" else None)
        explain.why(run.config.task, run.sample_values)
        panels.reproduce(command(run.config, max(run.step_count, deciding_step(run.config) or 1000)))
        with st.expander(t("export.title")):
            left, right = st.columns(2)
            left.download_button(
                t("export.csv"),
                data=lambda: frames.metrics_csv(run.snapshot()),
                file_name=f"rnn-lab-{run.config.task}-gap{run.config.gap}-seed{run.config.seed}.csv",
                mime="text/csv",
                on_click="ignore",
            )
            right.download_button(
                t("export.json"),
                data=frames.config_json(run.config, values["preset"]),
                file_name="rnn-lab-config.json",
                mime="application/json",
                on_click="ignore",
            )


def exercise(preset) -> None:
    """Workshop mode: the exercise in large type, the settings fixed; the claim shows at the deciding step."""
    first, second = wording.preset(preset.key, "exercise").split("\n", 1)
    st.info(f"### {first}\n{second}", icon=":material/school:")
    st.sidebar.markdown(t("workshop.sidebar", key=preset.key, lang=language.current()))


if __name__ == "__main__":
    main()
