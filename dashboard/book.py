"""The Children's book page: the lecture notes' "RNN principle", four word-level models trained live side by side.

The run is an ordinary run of the server's hub (task `book`): the same Train/Pause/Step/Reset, the same sharing of
identical runs between sessions and the same training slots as the lab. On top of the lab's charts it draws the
next-name accuracy by distance and the sentences each model writes.
"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, controls, frames, panels, session
from dashboard.panels import arrow, legend
from models.book_cli import command as book_command
from models.config import LIMITS, RECURRENT_KEYS, ConfigError, RunConfig
from models.tasks.book import read_sentences
from models.trainer import SAMPLE_EVERY
from runs.view import View

DEFAULT_GAP = 30  # where the tanh RNN fails to learn the rule and LSTM and GRU learn it (tests/test_presets.py)
URL = "query-params"


def page() -> None:
    st.title("The children's book")
    notes()
    config, problem = settings()
    run = session.current_run(config, session.BOOK)
    if problem:
        st.error(f"These settings cannot run: {problem}.")
    elif run is not None and run.config != config:
        st.info("Settings changed: they apply when you press **Reset** (the current run keeps its own settings).")
    controls.run_buttons(config, run, session.BOOK)
    if run is not None:
        panels.live(run, extra=book_panels)
        panels.reproduce(book_command(run.config, max(run.step_count, 1500)))


def notes() -> None:
    st.markdown(
        "The lecture notes tell the RNN principle with a children's-book generator trained on sentences like "
        "**“Doug saw Jane. Jane saw Spot. Spot saw Doug.”** Its mistakes show what a network without memory "
        "does: **“Doug saw Doug.”** (the name after *saw* chosen without knowing who did the seeing) and "
        "**“Jane saw Spot saw Doug saw …”** (no idea that a sentence is over)."
    )
    with st.expander("What the models learn here, and why the notes' own corpus is too easy", expanded=False):
        st.markdown(
            "A model that sees only the last word cannot know who is seeing: after *saw* it names Doug, Jane or "
            "Spot equally often, so **1 object in 3 is right** — exactly, whatever it is trained on. That is the "
            "dashed line on the accuracy charts. Any recurrent network fixes the notes' corpus as written: the "
            "subject is only two words back.\n\n"
            "So this page puts **0 to G adjectives** (G is the setting below) between *saw* and the object: "
            "“Doug saw big red happy Jane.” Each object is the **next name in the cycle Doug → Jane → Spot → Doug**; "
            "subjects and adjectives are random. The models read whole runs of sentences word by word and predict "
            "every next word. Only the object follows from an earlier word — the subject, n + 2 words back — so "
            "accuracy is scored there: of the three names, is the likeliest the right one? The loss counts every "
            "word, most of which no model can predict (the next subject, the adjectives), so it moves little; "
            "the verdicts follow the accuracy."
        )


def settings() -> tuple[RunConfig | None, str]:
    """The gap setting (and the seed), bound to the URL; the rest is the lab's defaults."""
    left, right, _ = st.columns([2, 1, 3])
    gap = left.number_input(
        "G: most adjectives between “saw” and the name",
        *LIMITS.gap,
        value=DEFAULT_GAP,
        key="book_gap",
        bind=URL,
        help="Each sentence has 0 to G adjectives, uniformly. At 30 the plain RNN does not learn the rule within "
        "1,500 steps while the LSTM and GRU do; at 10 all four learn it.",
    )
    seed = right.number_input("Seed", *LIMITS.seed, value=0, key="book_seed", bind=URL)
    try:
        return RunConfig(task="book", gap=int(gap), contenders=RECURRENT_KEYS, seed=int(seed)), ""
    except ConfigError as error:
        return None, str(error)


def book_panels(run: View, step: int) -> None:
    """Next-name accuracy by distance, and the sentences each model wrote most recently."""
    task, contenders = run.task, run.config.contenders
    bins = tuple(task.distance_bins)
    probes = run.probe_history(step)
    st.subheader("Who names the right object, by distance")
    data = run.memo(("distance", step), lambda: arrow(frames.distance_frame(probes, list(bins))))
    spec = _distance_spec(bins, task.baseline.accuracy, contenders)
    st.vega_lite_chart(charts.with_data(spec, **{charts.DISTANCE: data}), width="stretch")
    st.caption(
        "At the latest validation step: the share of objects whose name the model finds likeliest, by how many "
        "adjectives stand between *saw* and the name. A line flat at the dashed rule has learnt nothing about the "
        "subject; a model that remembers stays up however long the run of adjectives."
    )
    written = run.samples(step)
    if not written:
        return
    st.subheader(f"What they write (step {written[0]['step']:,})")
    st.markdown(legend(contenders), unsafe_allow_html=True)
    first_seed = min(sample["seed"] for sample in written)
    for column, sample in zip(st.columns(len(contenders)), _in_order(written, contenders, first_seed), strict=True):
        column.markdown(f"**{sample['contender']}**")
        column.markdown("  \n".join(_marked(words) for words in sample["samples"]))
    st.caption(
        f"Every {SAMPLE_EVERY} steps each model writes three samples from a random first name, one word at a time, "
        "drawing each word from its own prediction (so a model that gives a wrong name 10% of its belief writes it "
        "about 1 time in 10). All four draw with the same dice: where their sentences part, their beliefs differ. "
        "✓ the object is the next name after the subject; ✗ it is not, or the sentence is not one."
    )


def _in_order(written: list[dict], contenders: tuple[str, ...], seed: int) -> list[dict]:
    by_key = {sample["contender"]: sample for sample in written if sample["seed"] == seed}
    return [by_key.get(key, {"contender": key, "samples": []}) for key in contenders]


def _marked(words: list[str]) -> str:
    sentences = read_sentences(words)
    return " ".join(f"{'✓' if s.right else '✗'} {s.collapsed()}" for s in sentences)


@panels.cached_spec
def _distance_spec(bins: tuple[str, ...], baseline: float, contenders: tuple[str, ...]) -> dict:
    return panels.prepared(charts.distance_chart(bins, baseline, contenders))
