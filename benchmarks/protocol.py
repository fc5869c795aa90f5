"""Simulated browsers: sessions that speak Streamlit's websocket protocol to a real server and render nothing.

A real browser opens `/_stcore/stream`, sends a rerun with the page's query string, keeps a timer for each
`st.fragment(run_every=…)` the server announces (an `auto_rerun` message) and sends that fragment's rerun
(`is_auto_rerun`) when it fires, and sends a button click as a rerun whose widget state holds the button's
trigger. A `Session` here does exactly that, decodes only what the load test reads (the status line, the
charts, the buttons, exceptions) and throws the rest away, so the cores serve the server rather than pages.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import statistics
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STATUS = re.compile(r"^\*\*(Training|Paused)\*\* · \*\*Step ([\d,]+)\*\*")
FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
# A fragment run that drew everything and then found another rerun waiting reports this instead (the status and
# charts timers fire together): it answered too. (Counted as unanswered, the charts' requests looked seconds late.)
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
RUN_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")


@dataclass
class Session:
    """One simulated browser tab on `url` with `query` (e.g. "preset=copy&mode=workshop")."""

    url: str
    query: str
    label: str = ""  # what the report groups it by (the preset)
    statuses: list[tuple[float, int, bool]] = field(default_factory=list)  # (time, step, training)
    charts: list[float] = field(default_factory=list)  # arrival times of metric chart updates
    answered: list[float] = field(default_factory=list)  # arrival times of finished fragment reruns
    waits: list[float] = field(default_factory=list)  # seconds from a fragment rerun's request to its answer
    received: list[tuple[float, int]] = field(default_factory=list)  # (time, bytes) of every message
    sent: int = 0  # fragment reruns requested
    full_runs: int = 0  # whole-page runs the server started (the first, clicks, and the app's own reruns)
    runs: int = 0  # script runs the server started (whole-page and fragment)
    unfinished: int = 0  # runs whose end never came: the next one started before their `script_finished`
    errors: list[str] = field(default_factory=list)
    trained_at: float | None = None  # when Train was clicked
    buttons: dict[str, str] = field(default_factory=dict)  # label -> widget id
    _page: str = ""
    _timers: dict[str, asyncio.Task] = field(default_factory=dict)
    _pending: dict[str, list[float]] = field(default_factory=dict)  # fragment -> times of unanswered requests
    _socket: object = None
    _drawn: set[int] = field(default_factory=set)
    _loaded: asyncio.Event = field(default_factory=asyncio.Event)
    _running: bool = False  # a run started and has not finished
    quiet: bool = False  # its timers fire without asking for reruns (see benchmarks.crowd.alternate)

    async def run(self, stop: asyncio.Event) -> None:
        """Open the page and keep it open (answering its timers) until `stop` is set."""
        address = self.url.replace("http://", "ws://") + "/_stcore/stream"
        try:
            async with websockets.connect(address, subprotocols=["streamlit"], max_size=None) as socket:
                self._socket = socket
                await self._rerun()
                receiver = asyncio.create_task(self._receive(socket))
                await stop.wait()
                receiver.cancel()
        except (OSError, websockets.WebSocketException) as error:
            self.errors.append(f"connection: {error!r}")
        finally:
            for timer in self._timers.values():
                timer.cancel()

    async def click(self, label: str) -> None:
        """Press the button labelled `label` once the page has drawn it."""
        await self._loaded.wait()
        await self._rerun(widgets={self.buttons[label]: True})
        if label == "Train":
            self.trained_at = time.monotonic()

    async def _rerun(self, fragment: str = "", widgets: dict[str, bool] | None = None) -> None:
        message = BackMsg()
        state = message.rerun_script
        state.query_string, state.page_script_hash = self.query, self._page
        if fragment:
            state.fragment_id, state.is_auto_rerun = fragment, True
            self.sent += 1
            self._pending.setdefault(fragment, []).append(time.monotonic())
        for widget_id, value in (widgets or {}).items():
            state.widget_states.widgets.add(id=widget_id, trigger_value=value)
        await self._socket.send(message.SerializeToString())

    async def _tick(self, fragment: str, interval: float) -> None:
        while True:  # the browser's setInterval: fires whether or not the last rerun was answered
            await asyncio.sleep(interval)
            if not self.quiet:
                await self._rerun(fragment)

    async def _receive(self, socket) -> None:
        async for data in socket:
            now = time.monotonic()
            self.received.append((now, len(data)))
            self._handle(ForwardMsg.FromString(data), now)

    def _handle(self, message: ForwardMsg, now: float) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self._page = message.new_session.page_script_hash
            self.runs += 1
            self.unfinished += self._running  # Streamlit dropped the rest of the last run's messages
            self._running = True
            if not message.metadata.run.fragment_ids:
                self.full_runs += 1
                self._cancel_timers()  # a full run starts: its fragments announce their timers again
        elif kind == "auto_rerun":
            fragment, interval = message.auto_rerun.fragment_id, message.auto_rerun.interval
            if fragment in self._timers:
                self._timers[fragment].cancel()
            self._timers[fragment] = asyncio.create_task(self._tick(fragment, interval))
        elif kind == "stop_auto_rerun":
            for fragment in message.stop_auto_rerun.fragment_ids:
                if fragment in self._timers:
                    self._timers.pop(fragment).cancel()
        elif kind == "script_finished":
            self._running = False
            fragments = message.metadata.run.fragment_ids
            if message.script_finished == FRAGMENT_DONE or (fragments and message.script_finished == EARLY_FOR_RERUN):
                self.answered.append(now)
                for fragment in fragments:  # one run answers all its requests so far
                    requests = self._pending.pop(fragment, [])
                    if requests:
                        self.waits.append(now - requests[0])
            elif message.script_finished == RUN_DONE and "Train" in self.buttons:
                self._loaded.set()
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element, now)

    def _element(self, element, now: float) -> None:
        kind = element.WhichOneof("type")
        if kind == "markdown":
            found = STATUS.match(element.markdown.body)
            if found:
                step = int(found.group(2).replace(",", ""))
                self.statuses.append((now, step, found.group(1) == "Training"))
        elif kind == "vega_lite_chart" and any(data.name == "training" for data in element.vega_lite_chart.datasets):
            # A metric chart (the training curves), which new steps change; a heatmap changes only with a probe.
            content = hash(element.vega_lite_chart.SerializeToString())
            if content not in self._drawn:  # a chart with new data (a redraw of the same one is no update)
                self._drawn.add(content)
                if not self.charts or now - self.charts[-1] > 0.05:  # the charts of one redraw count once
                    self.charts.append(now)
        elif kind == "button":
            self.buttons[element.button.label] = element.button.id
        elif kind == "exception":
            self.errors.append(f"{element.exception.type}: {element.exception.message}"[:300])

    def _cancel_timers(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    # --- what the report reads --------------------------------------------------------------------

    def step_at(self, moment: float) -> int:
        """The newest step this session had been shown at `moment`."""
        shown = [step for at, step, _ in self.statuses if at <= moment]
        return shown[-1] if shown else 0

    def reached(self, step: int) -> float | None:
        """Seconds from Train to the first status showing `step` (None: never, or not trained)."""
        if self.trained_at is None:
            return None
        return next((at - self.trained_at for at, shown, _ in self.statuses if shown >= step), None)

    def largest_gap(self, times: list[float], start: float, end: float, whole: bool = False) -> float:
        """The longest time within [start, end] without an update of this kind while the shown step advanced.

        Time when the status line's step stood still (the run waited for a slot) counts for nothing: no chart
        could have had anything new to show (see `moving`).
        """
        moving = self.moving(whole)
        inside = [start] + [at for at in times if start < at < end] + [end]
        return max(
            sum(max(0.0, min(b, stop) - max(a, begin)) for a, b in moving) for begin, stop in itertools.pairwise(inside)
        )

    def moving(self, whole: bool = False) -> list[tuple[float, float]]:
        """The stretches of time in which the run moved on, from the steps the status line showed.

        Between two statuses whose steps differ the run moved; but where it resumed after waiting for a slot (or
        stopped to wait), it moved for only part of that interval: as long as the steps gained take at its slow
        pace (the 25th percentile over intervals in which it moved throughout), at the interval's end (or start).
        Counting the whole interval (`whole`) put up to one status interval of waiting into every resume.
        """
        pairs = list(itertools.pairwise(self.statuses))
        moved = [later[1] > earlier[1] for earlier, later in pairs]
        throughout = [
            (later[1] - earlier[1]) / (later[0] - earlier[0])
            for index, (earlier, later) in enumerate(pairs)
            if 0 < index < len(pairs) - 1 and moved[index - 1] and moved[index] and moved[index + 1]
            and later[0] > earlier[0]
        ]  # fmt: skip
        pace = statistics.quantiles(throughout, n=4)[0] if len(throughout) >= 4 else None
        stretches = []
        for index, (earlier, later) in enumerate(pairs):
            if not moved[index]:
                continue
            begin, stop = earlier[0], later[0]
            if pace and not whole:
                needed = (later[1] - earlier[1]) / pace
                if index == 0 or not moved[index - 1]:  # it resumed inside this interval
                    begin = max(begin, stop - needed)
                elif index == len(pairs) - 1 or not moved[index + 1]:  # it stopped inside this interval
                    stop = min(stop, begin + needed)
            stretches.append((begin, stop))
        return stretches
