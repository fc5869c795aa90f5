"""The Children's book page: the lecture notes' "RNN principle", four word-level models trained live side by side.

The run is an ordinary run of the server's hub (task `book`): the same Train/Pause/Step/Reset, the same sharing of
identical runs between sessions and the same training slots as the lab. On top of the lab's charts it draws the
next-name accuracy by distance and the sentences each model writes.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, controls, frames, panels, session, wording
from dashboard.language import current, t
from dashboard.panels import arrow, legend
from dashboard.presets import deciding_step
from dashboard.text import TABLES
from models.book_cli import command as book_command
from models.config import LIMITS, RECURRENT_KEYS, ConfigError, RunConfig
from models.tasks.book import read_sentences
from models.trainer import SAMPLE_EVERY
from runs.view import View

DEFAULT_GAP = 30  # where the tanh RNN fails to learn the rule and LSTM and GRU learn it (tests/test_presets.py)
URL = "query-params"
URL_NUMBERS = {"book_gap": (LIMITS.gap, DEFAULT_GAP), "book_seed": (LIMITS.seed, 0)}  # checked before they bind


def page() -> None:
    st.title(t("book.title"))
    st.markdown(t("book.notes"))
    with st.expander(t("book.more"), expanded=False):
        st.markdown(t("book.more.text"))
    url_warnings = session.check_page_url_once("book", URL_NUMBERS, {})
    config, problem = settings()
    run = session.current_run(config, session.BOOK)
    for warning in url_warnings + st.session_state.get("lang_warnings", []):
        st.warning(warning, icon="⚠️")
    if problem:
        st.error(t("run.cannot", problem=problem))
    elif run is not None and run.config != config:
        st.info(t("run.changed"))
    controls.run_buttons(config, run, session.BOOK)
    if run is not None:
        panels.live(run, extra=book_panels)
        panels.reproduce(book_command(run.config, max(run.step_count, deciding_step(run.config) or 1500)))


def settings() -> tuple[RunConfig | None, str]:
    """The gap setting (and the seed), bound to the URL; the rest is the lab's defaults."""
    left, right, _ = st.columns([2, 1, 3])
    gap = left.number_input(
        t("book.gap"), *LIMITS.gap, value=DEFAULT_GAP, key="book_gap", bind=URL, help=t("book.gap.help")
    )
    seed = right.number_input(t("book.seed"), *LIMITS.seed, value=0, key="book_seed", bind=URL)
    try:
        return RunConfig(task="book", gap=int(gap), contenders=RECURRENT_KEYS, seed=int(seed)), ""
    except ConfigError as error:
        return None, wording.problem(error)


def book_panels(run: View, step: int) -> None:
    """Next-name accuracy by distance, and the sentences each model wrote most recently."""
    task, contenders = run.task, run.config.contenders
    bins = tuple(task.distance_bins)
    probes = run.probe_history(step)
    st.subheader(t("book.distance"))
    data = run.memo(
        ("distance", len(probes), probes[-1]["step"] if probes else 0),
        lambda: arrow(frames.distance_frame(probes, list(bins))),
    )
    spec = _distance_spec(bins, task.baseline.accuracy, contenders, current())
    st.vega_lite_chart(charts.with_data(spec, **{charts.DISTANCE: data}), width="stretch")
    st.caption(t("book.distance.caption"))
    written = run.samples(step)
    if not written:
        return
    st.subheader(t("book.written", step=f"{written[0]['step']:,}"))
    st.markdown(legend(contenders), unsafe_allow_html=True)
    first_seed = min(sample["seed"] for sample in written)
    for column, sample in zip(st.columns(len(contenders)), _in_order(written, contenders, first_seed), strict=True):
        column.markdown(f"**{sample['contender']}**")
        column.markdown("  \n".join(_marked(words) for words in sample["samples"]))
    st.caption(t("book.written.caption", every=SAMPLE_EVERY))


def _in_order(written: list[dict], contenders: tuple[str, ...], seed: int) -> list[dict]:
    by_key = {sample["contender"]: sample for sample in written if sample["seed"] == seed}
    return [by_key.get(key, {"contender": key, "samples": []}) for key in contenders]


def _marked(words: list[str]) -> str:
    """Each sentence marked right or wrong, a long run of adjectives shortened (the count in this language)."""
    cut = TABLES[current()]["book.adjectives"]
    return " ".join(f"{'✓' if s.right else '✗'} {s.collapsed(run=cut)}" for s in read_sentences(words))


@panels.cached_spec
def _distance_spec(bins: tuple[str, ...], baseline: float, contenders: tuple[str, ...], lang: str) -> dict:
    return panels.prepared(charts.distance_chart(bins, baseline, contenders, lang))
