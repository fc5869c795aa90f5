"""The Sweep page: steps to solve against the gap, per contender, over seeds, filled in as each gap finishes.

Each gap is a run of the server's hub (K seeds of every contender, stopping by itself at the budget), so a sweep
takes turns on the training slots with the lab's live runs, and identical units are shared between sessions.
Finished gaps go into the engine's result cache (`models.sweep`), which the CLI's sweep shares: a sweep done
before, here or in a terminal, is drawn at once.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import charts, frames
from dashboard.panels import arrow, legend
from dashboard.server import HUB
from models.config import LIMITS, TASK_KEYS, ConfigError, RunConfig
from models.sweep import default_cache, results_at

BUDGETS = (250, 500, 1000, 2000)
DEFAULT_GAPS = "10,20,50,100"
URL = "query-params"


def page() -> None:
    st.title("Breaking-point sweep")
    st.caption(
        "Where does each architecture stop learning? Every contender is trained to the same budget at each gap, "
        "once per seed, and the chart shows the step at which it was solved (90% of validation answers right): "
        "look for the gap past which a contender no longer solves the task, and for whether the steps it needs "
        "grow with the gap (Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016)."
    )
    with st.form("sweep_settings", border=True):
        left, middle, right, last = st.columns([1, 2, 1, 1])
        task = left.selectbox("Task", TASK_KEYS, key="sweep_task", bind=URL)
        gaps_text = middle.text_input("Gaps (comma-separated)", DEFAULT_GAPS, key="sweep_gaps", bind=URL)
        seeds = right.number_input("Seeds", *LIMITS.seeds, value=3, key="sweep_seeds", bind=URL)
        budget = last.selectbox("Budget (steps)", BUDGETS, index=BUDGETS.index(1000), key="sweep_steps", bind=URL)
        started = st.form_submit_button("Run sweep", icon=":material/play_arrow:", type="primary")
    try:
        gaps = parse_gaps(gaps_text)
        base = RunConfig(task=task, seeds=int(seeds))
    except ConfigError as error:
        st.error(f"These settings cannot run: {error}.")
        return
    if started:
        start(base, gaps, int(budget))
    progress()


def parse_gaps(text: str) -> list[int]:
    low, high = LIMITS.gap
    try:
        gaps = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise ConfigError(f"gaps must be whole numbers separated by commas, got '{text[:40]}'") from None
    if not gaps or not all(low <= gap <= high for gap in gaps):
        raise ConfigError(f"gaps must be whole numbers from {low} to {high}")
    if len(gaps) > 12:
        raise ConfigError("at most 12 gaps at once")
    return gaps


def start(base: RunConfig, gaps: list[int], budget: int) -> None:
    """Serve every gap kept from an earlier sweep at once; join a hub run, stopping at the budget, for the rest."""
    stop()
    cache, ctx = default_cache(), get_script_run_ctx()
    sweep = {"base": base, "gaps": gaps, "budget": budget, "results": {}, "views": {}}
    for gap in gaps:
        config = base.with_changes(gap=gap)
        kept = [cache.get(config, seed, budget) for seed in range(base.seed, base.seed + base.seeds)]
        if all(rows is not None for rows in kept):
            sweep["results"][gap] = [row.to_dict() for rows in kept for row in rows]
            continue
        view = HUB.join(config, ctx.session_id if ctx else None, st.session_state.get("tab"), hold_at=budget)
        if view.run.step_count == 0:
            view.advance(1)
        view.start()
        sweep["views"][gap] = view
    st.session_state["sweep"] = sweep


def stop() -> None:
    for view in st.session_state.get("sweep", {}).get("views", {}).values():
        view.close()


@st.fragment(run_every=1.0)
def progress() -> None:
    """Collect the gaps that reached the budget, and draw what is known."""
    sweep = st.session_state.get("sweep")
    if sweep is None:
        st.info("Choose a task, gaps and seeds, then **Run sweep**. Gaps swept before are drawn at once.")
        return
    base, budget, cache = sweep["base"], sweep["budget"], default_cache()
    for gap, view in list(sweep["views"].items()):
        view.keep_alive()
        if view.step_count >= budget:
            config = view.config
            rows = results_at(config, budget, view.probe_history(budget))
            for seed in range(config.seed, config.seed + config.seeds):
                cache.put(config, seed, budget, [row for row in rows if row.seed == seed])
            sweep["results"][gap] = [row.to_dict() for row in rows]
            view.close()
            del sweep["views"][gap]
    done, total = len(sweep["results"]), len(sweep["gaps"])
    training = ", ".join(f"gap {gap}: step {view.step_count:,}/{budget:,}" for gap, view in sweep["views"].items())
    st.progress(done / total, text=f"{done} of {total} gaps done" + (f" · {training}" if training else ""))
    results = [row for rows in sweep["results"].values() for row in rows]
    if not results:
        return
    st.markdown(legend(base.contenders), unsafe_allow_html=True)
    shown = [key for key in charts.ORDER if key in base.contenders]
    frame = frames.sweep_frame(results, budget, shown)
    rows = (frames.NOT_SOLVED, frames.NOT_SOLVED_STEP)
    spec = charts.sweep_chart(budget, tuple(sweep["gaps"]), rows, base.contenders).to_dict()
    st.vega_lite_chart(charts.with_data(spec, **{charts.SWEEP: arrow(frame)}), width="stretch")
    seeds = f"seeds {base.seed}–{base.seed + base.seeds - 1}" if base.seeds > 1 else f"seed {base.seed}"
    st.caption(
        f"{base.task}, {seeds} at every gap, {budget:,} steps each, other settings at their defaults. "
        "Points: the median step at which the seeds that solved it first did; bars: their range. "
        "Crosses at the top: no seed solved it within the budget. The same sweep from a terminal: "
        f"`python -m models sweep --task {base.task} --gaps {','.join(map(str, sweep['gaps']))} "
        f"--seeds {base.seeds} --steps {budget}`."
    )
    with st.expander("Table"):
        st.dataframe(frame.drop(columns=["unsolved"]), hide_index=True)
