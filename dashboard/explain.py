"""The general theory, one click away: true of every preset, each point tied to the chart that shows it."""

from __future__ import annotations

import streamlit as st

from dashboard import wording
from dashboard.language import t


def why(task: str, sample: dict[str, object]) -> None:
    """The theory (dashboard/text: `theory.text`), then this task's variant and one of its samples."""
    with st.expander(t("theory.title"), expanded=False):
        st.markdown(t("theory.text"))
        st.markdown(t("theory.task", name=wording.task(task, "name"), variant=wording.task(task, "variant")))
        st.code(t(f"sample.{task}", **sample), language=None, wrap_lines=True)
