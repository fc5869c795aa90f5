"""The Sweep page: steps to solve against the gap, per contender, over seeds, filled in as each gap finishes.

Each gap is a run of the server's hub (K seeds of every contender, stopping by itself at the budget), so a sweep
takes turns on the training slots with the lab's live runs, and identical units are shared between sessions.
Finished gaps go into the engine's result cache (`models.sweep`), which the CLI's sweep shares: a sweep done
before, here or in a terminal, is drawn at once.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import charts, frames, session, wording
from dashboard.language import current, t
from dashboard.panels import arrow, legend
from dashboard.server import HUB
from dashboard.text import TABLES
from models.config import LIMITS, TASK_KEYS, ConfigError, RunConfig
from models.sweep import default_cache, results_at

BUDGETS = (250, 500, 1000, 2000)
DEFAULT_GAPS = "10,20,50,100"
URL = "query-params"


def page() -> None:
    st.title(t("sweep.title"))
    st.caption(t("sweep.caption"))
    choices = {"sweep_task": (TASK_KEYS, TASK_KEYS[0]), "sweep_steps": (BUDGETS, 1000)}
    for warning in session.check_page_url_once("sweep", {"sweep_seeds": (LIMITS.seeds, 3)}, choices):
        st.warning(warning, icon="⚠️")
    with st.form("sweep_settings", border=True):
        left, middle, right, last = st.columns([1, 2, 1, 1])
        task = left.selectbox(t("sweep.task"), TASK_KEYS, key="sweep_task", bind=URL)
        gaps_text = middle.text_input(t("sweep.gaps"), DEFAULT_GAPS, key="sweep_gaps", bind=URL)
        seeds = right.number_input(t("sweep.seeds"), *LIMITS.seeds, value=3, key="sweep_seeds", bind=URL)
        budget = last.selectbox(t("sweep.budget"), BUDGETS, index=BUDGETS.index(1000), key="sweep_steps", bind=URL)
        started = st.form_submit_button(t("sweep.run"), icon=":material/play_arrow:", type="primary")
    try:
        gaps = parse_gaps(gaps_text)
        base = RunConfig(task=task, seeds=int(seeds))
    except ConfigError as error:
        st.error(t("run.cannot", problem=wording.problem(error)))
        return
    if started:
        start(base, gaps, int(budget))
    progress()


def parse_gaps(text: str) -> list[int]:
    low, high = LIMITS.gap
    try:
        gaps = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        message = f"gaps must be whole numbers separated by commas, got '{text[:40]}'"
        raise ConfigError(message, "gaps_format", value=text[:40]) from None
    if not gaps or not all(low <= gap <= high for gap in gaps):
        raise ConfigError(f"gaps must be whole numbers from {low} to {high}", "gaps_range", low=low, high=high)
    if len(gaps) > 12:
        raise ConfigError("at most 12 gaps at once", "gaps_count")
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
        st.info(t("sweep.start"))
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
    training = ", ".join(
        t("sweep.training", gap=gap, step=f"{view.step_count:,}", budget=f"{budget:,}")
        for gap, view in sweep["views"].items()
    )
    st.progress(done / total, text=t("sweep.progress", done=done, total=total) + (f" · {training}" if training else ""))
    results = [row for rows in sweep["results"].values() for row in rows]
    if not results:
        return
    st.markdown(legend(base.contenders), unsafe_allow_html=True)
    shown = [key for key in charts.ORDER if key in base.contenders]
    frame = frames.sweep_frame(results, budget, shown, TABLES[current()]["sweep.label"])
    rows = (frames.NOT_SOLVED, frames.NOT_SOLVED_STEP)
    spec = charts.sweep_chart(budget, tuple(sweep["gaps"]), rows, base.contenders, current()).to_dict()
    st.vega_lite_chart(charts.with_data(spec, **{charts.SWEEP: arrow(frame)}), width="stretch")
    last = base.seed + base.seeds - 1
    seeds = (
        t("sweep.seeds_range", first=base.seed, last=last) if base.seeds > 1 else t("sweep.seed_one", seed=base.seed)
    )
    st.caption(t("sweep.chart_caption", task=base.task, seeds=seeds, budget=f"{budget:,}"))
    gaps = ",".join(map(str, sweep["gaps"]))
    st.code(f"python -m models sweep --task {base.task} --gaps {gaps} --seeds {base.seeds} --steps {budget}", "bash")
    with st.expander(t("sweep.table")):
        columns = {name: t(f"sweep.column.{name}") for name in ("contender", "gap", "steps", "low", "high", "solved")}
        columns |= {"seeds": t("sweep.column.seeds"), "label": t("sweep.column.label")}
        st.dataframe(frame.drop(columns=["unsolved"]).rename(columns=columns), hide_index=True)
