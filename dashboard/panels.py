"""The live part of the page: status, verdict cards, charts and gradient flow, redrawn from a snapshot."""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import math
import os
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator

import pandas as pd
import streamlit as st
from streamlit import dataframe_util
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import cards, charts, frames, language, wording
from dashboard.language import current, t
from dashboard.server import HUB, fragment_id, handed_over, retime
from models.config import RunConfig
from runs.live import MAX_STEPS, Snapshot
from runs.view import View

# The load test (benchmarks/load.py) sets this to read each session's progress off the server's clock.
PROGRESS_LOG = os.environ.get("RNN_LAB_PROGRESS_LOG") == "1"
CHARTS_EVERY = 1.5  # seconds between a training page's chart redraws, at any load: the 2-s promise (CHARTS_PROMISE)
# with room for a redraw's wait for its turn. (At twice the status interval, every second while the server had a
# core to spare, eight pages on one run kept the server at 0.24–0.32 of a core against 0.22–0.25, and the run
# trained at 0.944× its pace beside one page against 0.963× (pooled over eight and seven `benchmarks.load
# --alternate` runs): the server's work on the spare core slows the run on the other.)
FRESH = 0.8  # × the charts' interval: a step charted this recently is what a chart redraw draws (runs.live.chart_at)


def live(run: View, extra: Callable[[View, int], None] | None = None) -> None:
    """Redraw while the run trains; once when it is paused. Two fragments: the status line, and every CHARTS_EVERY
    seconds the verdict cards, the claim and the charts (which cost far more to send and to draw; the cards change
    only with a probe). A status redraw is then two messages, not twenty-two: at 40 sessions every page got 1.1–1.8
    status updates a second, against 1.0–1.3 with the cards in the status fragment.

    The status interval follows the server's load as measured now (`Hub.cadence`): when that calls for another
    one, the status redraw takes it and tells its timer (`server.retime`); the charts' interval stays. `extra`
    draws a page's own panels in the charts' fragment, at the charted step.
    """
    st.session_state["drawn_running"] = run.running
    cadence = HUB.cadence(st.session_state.get("cadence")) if run.running else None  # the page's own, unless the
    st.session_state["cadence"] = cadence  # load calls for another (a whole-page rerun for another reason keeps it)
    every = timer(cadence)
    first = every and round(every * (1 - OPENING_SPREAD * _share("opening")), 3)
    st.session_state["status_every"] = first  # the status timer's first interval: its own phase (see `_draw_progress`)
    charts_every = every and timer(CHARTS_EVERY)  # less the same share as the status timer: they drift together
    st.session_state["charts_every"] = charts_every  # the interval the charts' timer is declared with
    st.fragment(run_every=first)(_draw_progress)(run)
    st.fragment(run_every=charts_every)(_draw_charts)(run, extra)


TIMER_SPREAD = 0.1  # each page's timers run faster than its cadence by a share of this of its own (see `timer`)
OPENING_SPREAD = 0.75  # and its status timer's first interval is shorter by a share of this (see `live`)


def timer(cadence: float | None) -> float | None:
    """The page's status interval at `cadence`: shorter by a fixed share of TIMER_SPREAD, the page's own (from its
    session id), so that pages' timers do not stay in step.

    Forty pages that pressed Train together declared their timers within half a second of each other; at one
    interval for all (the slower one, kept while training fills every core) they fired together for the whole
    run, the redraw requests of forty pages queued at once every interval, and a status waited up to 1.9 s. So
    each page's status timer also starts on a phase of its own (its first interval is shorter by a share of
    OPENING_SPREAD, then `_draw_progress` sets the page's interval), and timers of slightly different periods
    do not fall into step again. The promise holds: each only runs faster.
    """
    return None if cadence is None else round(cadence * (1 - TIMER_SPREAD * _share("timer")), 3)


def _share(kind: str) -> float:
    """A number in [0, 1) of this page's own for `kind`, the same at every rerun: from its session id."""
    key = f"{kind}_share"
    if key not in st.session_state:
        context = get_script_run_ctx()
        name = context.session_id if context is not None else ""
        st.session_state[key] = zlib.crc32(f"{kind} {name}".encode()) / 2**32
    return st.session_state[key]


STATUS_PROMISE, CHARTS_PROMISE = 1.0, 2.0  # seconds: each page gets a fresh status and new charts at least this often


class RedrawTurns:
    """One redraw builds at a time; of the redraws waiting, the one whose page is due soonest goes next.

    The rest wait their turn, blocked (not holding the GIL): with forty sessions' threads all runnable, the
    server's event loop, which sends every message, waited seconds for the GIL. A redraw is due when its page's
    last redraw of that kind plus its promise runs out (a status every STATUS_PROMISE seconds, charts every
    CHARTS_PROMISE): earliest due first is the order that keeps the latest page least late. (Statuses first, with
    charts let in after a fixed patience, served charts in order of arrival: at forty sessions a chart redraw
    waited up to 2.4 s for its turn while pages that had just had theirs went before it.)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._waiting: list[tuple[float, int, threading.Event]] = []  # a heap: (due, arrival, handed the turn)
        self._arrivals = itertools.count()

    @contextlib.contextmanager
    def turn(self, due: float) -> Iterator[None]:
        """Wait for the turn (at once if no redraw builds now); `due`, on the `time.monotonic` clock, orders the
        waiting ones."""
        with self._lock:
            ready = None
            if self._busy:
                ready = threading.Event()
                heapq.heappush(self._waiting, (due, next(self._arrivals), ready))
            self._busy = True
        if ready is not None:
            ready.wait()  # the redraw before hands the turn over
        try:
            yield
        finally:
            with self._lock:
                if self._waiting:
                    heapq.heappop(self._waiting)[2].set()
                else:
                    self._busy = False

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)


REDRAWS = RedrawTurns()


def _one_at_a_time(kind: str, promise: float, prepare: Callable | None = None) -> Callable:
    """The redraw takes its turn, due `promise` seconds after this page's last redraw of `kind` (at once if none);
    `prepare` (with the redraw's arguments) runs first, outside the turn: what takes long but sends nothing."""

    def wrap(draw: Callable) -> Callable:
        @functools.wraps(draw)
        def drawn(*arguments) -> None:
            if prepare is not None:
                prepare(*arguments)
            key = f"drawn_{kind}_at"
            last = st.session_state.get(key)
            with REDRAWS.turn(time.monotonic() if last is None else last + promise), language.pinned():
                try:
                    draw(*arguments)
                finally:
                    st.session_state[key] = time.monotonic()
            if _fragment_rerun():
                handed_over()  # outside the turn: the next request finds this run going, not its messages lost

        return drawn

    return wrap


@_one_at_a_time("status", STATUS_PROMISE)
def _draw_progress(run: View) -> None:
    if not _fragment_rerun():  # declared in a whole-page run: its id holds for the fragment reruns that follow
        st.session_state["fragment_status"] = fragment_id()
    run.keep_alive()
    snapshot = run.snapshot(history=False)  # the status and cards never read the per-step records
    if PROGRESS_LOG:
        preset = st.session_state.get("preset")
        sys.stderr.write(f"rnn-lab-progress {run.session_id} {preset} {snapshot.step} {time.time():.3f}\n")
    if st.session_state.get("drawn_running") != snapshot.running:
        # The run paused itself (deciding step, step limit, all diverged), or another session's click changed it
        # while this page was drawn: redraw the page, its buttons and its timers.
        st.rerun()
    status_line(snapshot)
    cadence = st.session_state.get("cadence")
    if cadence is None or not _fragment_rerun():
        return
    changed = False
    if time.monotonic() - st.session_state.get("cadence_at", 0) > 5:
        chosen = HUB.cadence(cadence)  # asked at every redraw, one change in 5 s at most (and Hub.cadence paces them)
        if chosen != cadence:
            st.session_state["cadence"], st.session_state["cadence_at"] = chosen, time.monotonic()
            changed = True
    # This fragment's timer now, at a new cadence or after its first interval (the charts' does not change).
    every = timer(st.session_state["cadence"])
    if st.session_state.get("status_every") != every:
        told = retime({st.session_state.get("fragment_status"): every})
        st.session_state["status_every"] = every
        if changed and not told:
            st.rerun()  # the page declares the fragments again at the new interval (a first interval that cannot
            # be changed is only shorter: it stays)


def _chart_specs(run: View, extra: Callable[[View, int], None] | None = None) -> None:
    """Build the chart specs this run's charts redraw uses, if they are not cached yet (see `cached_spec`).

    Outside the redraw's turn: a run's first charts redraw built its specs with Altair, 2.5 s at forty sessions,
    while every other page's redraw waited for the turn (every page's status stopped for that long, a few
    seconds after Train). Built here, the other pages go on redrawing meanwhile.
    """
    _metric_specs(run)
    _radius(run.config.contenders, current())


_warmed: list[threading.Thread] = []


def warm_charts() -> None:
    """Once per server process, in the background: build one chart spec, so that Altair loads and compiles its
    Vega-Lite schema validator (about a second) before the first charts redraw rather than during it."""
    if not _warmed:
        contenders = RunConfig().contenders
        _warmed.append(threading.Thread(target=_grad_norm, args=(1.0, contenders, "en"), daemon=True))
        _warmed[0].start()


@_one_at_a_time("charts", CHARTS_PROMISE, prepare=_chart_specs)
def _draw_charts(run: View, extra: Callable[[View, int], None] | None) -> None:
    every = st.session_state.get("charts_every")  # as `live` declared the timer (None: the run was not training)
    snapshot = run.snapshot(history=False)  # the cards and the claim read only the verdicts and probes
    left, right = st.columns([3, 2], gap="medium")
    with left:
        cards.verdict_cards(run, snapshot)
    with right:
        cards.claim_panel(run, snapshot)
    # Fresh enough that each redraw finds a newer charted step than the last one (the interval's timer drifts).
    charted = run.chart_step(FRESH * every if every else 1.0)
    if charted == 0:
        st.info(t("charts.first"))
    else:
        metric_charts(run, charted)
        if extra is not None:
            extra(run, charted)
        gradient_flow(run, charted)


def _fragment_rerun() -> bool:
    """This script run reruns only a fragment (not the whole page)."""
    context = get_script_run_ctx()
    return bool(context and context.fragment_ids_this_run)


def status_line(snapshot: Snapshot) -> None:
    minutes, seconds = divmod(int(snapshot.elapsed), 60)
    state = t("status.training") if snapshot.running else t("status.paused")
    rate = t("status.rate", rate=f"{snapshot.steps_per_second:,.1f}") if snapshot.running else "—"
    if snapshot.running and snapshot.waiting is not None:
        rate = t("status.waiting", ahead=snapshot.waiting)
    line = t(
        "status.line", state=state, step=f"{snapshot.step:,}", rate=rate, minutes=minutes, seconds=f"{seconds:02d}"
    )
    shared = t("status.shared", others=snapshot.viewers - 1) if snapshot.viewers > 1 else ""
    st.markdown(line + shared, help=t("status.help"))
    if snapshot.message:
        st.warning(t(f"run_message.{snapshot.message}", limit=f"{MAX_STEPS:,}"))


def metric_charts(run: View, step: int) -> None:
    """Loss, gradient norm and accuracy up to `step`."""
    contenders, task = run.config.contenders, run.config.task
    specs = _metric_specs(run)
    probes = run.probe_history(step)
    validated = validation(run, probes)

    def build() -> dict[str, dict[str, bytes]]:
        snapshot = run.snapshot_at(step)
        diverged = {key: v.step for key, v in snapshot.verdicts.items() if v.status == "diverged" and v.step}
        data = {
            charts.TRAINING: frames.training_frame(snapshot.steps, chance_loss=run.chance_loss),
            charts.DIVERGED: frames.diverged_frame(diverged),
            charts.VALIDATION: validated,
        }
        return {name: payload(spec, data) for name, spec in specs.items()}

    # Sessions sharing a run draw the same data: build it once per charted step, for all of them. (The specs'
    # words follow each session's language; the columns they read do not.)
    data = run.memo(("metrics", step), build)
    st.markdown(legend(contenders), unsafe_allow_html=True)
    left, middle, right = st.columns(3)
    left.markdown(t("chart.loss", loss_name=wording.task(task, "loss")))
    left.vega_lite_chart(charts.with_data(specs["loss"], **data["loss"]), width="stretch")
    middle.markdown(t("chart.grad_norm"))
    middle.vega_lite_chart(charts.with_data(specs["grad_norm"], **data["grad_norm"]), width="stretch")
    right.markdown(t("chart.accuracy.adding" if task == "adding" else "chart.accuracy"))
    right.vega_lite_chart(charts.with_data(specs["accuracy"], **data["accuracy"]), width="stretch")
    st.caption(
        t(
            "chart.caption",
            explanation=wording.task(task, "baseline"),
            chance=f"{run.chance_loss:.4g}",
            ceiling=f"{frames.LOSS_CEILING:g}",
            grad_ceiling=f"{frames.GRAD_CEILING:.0e}",
        )
    )


def _metric_specs(run: View) -> dict[str, dict]:
    """The loss, gradient-norm and accuracy charts' specs for this run, in this session's language (cached)."""
    contenders, lang = run.config.contenders, current()
    return {
        "loss": _curve("loss", run.chance_loss, True, contenders, lang),
        "grad_norm": _grad_norm(run.config.clip, contenders, lang),
        "accuracy": _curve("accuracy", run.task.baseline.accuracy, False, contenders, lang),
    }


# Validated specs, built once per setting: a redraw then only attaches frames (see charts.with_data). A spec takes
# Altair a tenth of a second to build and validate: sessions asking for one at once wait for a single build.
_SPEC_LOCK = threading.Lock()


def cached_spec(build) -> Callable:
    cached = functools.lru_cache(maxsize=64)(build)

    @functools.wraps(build)
    def spec(*arguments) -> dict:
        with _SPEC_LOCK:
            return cached(*arguments)

    return spec


def prepared(chart) -> dict:
    """The chart's spec with its inline datasets (Altair hoists the rules' data) as Arrow bytes, converted once."""
    spec = chart.to_dict()
    inline = spec.get("datasets", {})
    return {**spec, "datasets": {name: arrow(pd.DataFrame(rows)) for name, rows in inline.items()}}


@cached_spec
def _curve(metric: str, baseline: float, log: bool, contenders: tuple[str, ...], lang: str) -> dict:
    return prepared(charts.curve_chart(metric, baseline, log, contenders, lang))


@cached_spec
def _grad_norm(clip: float, contenders: tuple[str, ...], lang: str) -> dict:
    return prepared(charts.grad_norm_chart(clip, contenders, lang))


@cached_spec
def _heatmap(decades: tuple[int, int], lang: str) -> dict:
    return prepared(charts.gradient_heatmap((10.0 ** decades[0], 10.0 ** decades[1]), lang))


@cached_spec
def _radius(contenders: tuple[str, ...], lang: str) -> dict:
    return prepared(charts.radius_chart(contenders, lang))


def legend(contenders: tuple[str, ...]) -> str:
    """One line naming each contender in its colour and dash, shared by every chart on the page."""
    items = [
        f"{cards.swatch(key)} " + t("legend.item", key=f"<b>{key}</b>", dash=t(f"dash.{charts.DASH_NAMES[key]}"))
        for key in contenders
    ]
    return "&nbsp;&nbsp;&nbsp;".join(items)


def gradient_flow(run: View, step: int) -> None:
    """The gradient reaching each input time step, per validation step up to `step`; and ρ."""
    probes = run.probe_history(step)
    if not probes:
        return
    st.subheader(t("flow.title"))
    flow = run.memo(("gradients", *_probes_key(probes)), lambda: _gradient_data(probes))
    if flow is None:
        st.info(t("flow.none"))
        return
    gradients, decades, shown = flow
    for column, key in zip(st.columns(len(shown)), shown, strict=True):
        column.markdown(f"{cards.swatch(key)} **{key}**", unsafe_allow_html=True)
        heatmap = _heatmap(decades, current())
        column.vega_lite_chart(charts.with_data(heatmap, gradients=gradients[key]), width="stretch")
    caption = t(
        "flow.caption", decades=decades[1] - decades[0], below=_box(charts.BELOW_COLOUR), limit=charts.DECADES,
        zero=_box(charts.ZERO_COLOUR),
    )  # fmt: skip
    st.markdown(f"<small style='color:#555'>{caption}</small>", unsafe_allow_html=True)
    left, right = st.columns([2, 1])
    left.markdown(t("radius.title"))
    radius = _radius(run.config.contenders, current())
    validated = validation(run, probes)
    data = run.memo(("radius", *_probes_key(probes)), lambda: payload(radius, {charts.VALIDATION: validated}))
    left.vega_lite_chart(charts.with_data(radius, **data), width="stretch")
    right.caption(t("radius.caption"))


def _box(colour: str) -> str:
    return (
        f"<span style='display:inline-block;width:0.9em;height:0.9em;background:{colour};vertical-align:middle'></span>"
    )


def validation(run: View, probes: list[dict]) -> pd.DataFrame:
    """The validation frame (loss, accuracy and ρ per probe) for `probes`, the run's probes up to a step: the
    metric charts and the ρ chart draw it, built once for both and for every session at that step."""
    return run.memo(("validation", *_probes_key(probes)), lambda: frames.probe_frame(probes, run.chance_loss))


def _probes_key(probes: list[dict]) -> tuple[int, int]:
    return len(probes), probes[-1]["step"] if probes else 0


def payload(spec: dict, data: dict[str, pd.DataFrame]) -> dict[str, bytes]:
    """The frames `spec` reads, each cut to the columns it reads (charts.fields_read), as the Arrow bytes Streamlit
    sends: a chart no longer carries its neighbours' columns."""
    wanted, fields = charts.data_names(spec), charts.fields_read(spec)
    return {
        name: arrow(frame[[column for column in frame.columns if column in fields]])
        for name, frame in data.items()
        if name in wanted
    }


def _gradient_data(probes: list[dict]) -> tuple[dict, tuple[int, int], list[str]] | None:
    """Each contender's heatmap rows (its chart is sent only its own), the colour scale's decades and the
    contenders shown."""
    gradients = frames.gradient_frame(probes)
    positive = gradients["grad"][gradients["grad"] > 0]
    if positive.empty:
        return None
    # One colour scale for all contenders, rounded out to whole decades so the spec rarely changes, spanning at
    # most DECADES: an underflowing gradient (1e-40) would otherwise wash out the fade the chart is about.
    top = math.ceil(math.log10(positive.max()))
    decades = (max(math.floor(math.log10(positive.min())), top - charts.DECADES), top)
    decades = (decades[0], max(decades[1], decades[0] + 1))
    parts = dict(tuple(gradients.groupby("contender", sort=False)))
    shown = [key for key in charts.ORDER if key in parts]
    mine = {key: arrow(parts[key].drop(columns="contender")) for key in shown}  # a heatmap is sent its own rows
    return mine, decades, shown


def arrow(frame) -> bytes:
    """A frame as the Arrow IPC bytes Streamlit sends for a chart's dataset: converted once, not per chart, and
    narrowed (frames.narrowed)."""
    return dataframe_util.convert_pandas_df_to_arrow_bytes(frames.narrowed(frame))


def reproduce(command: str) -> None:
    """The terminal command that computes this run's numbers again."""
    st.markdown(t("reproduce"))
    st.code(command, language="bash", wrap_lines=True)
