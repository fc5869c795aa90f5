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
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STATUS = re.compile(r"^\*\*(Training|Paused)\*\* · \*\*Step ([\d,]+)\*\*")
FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
RUN_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")


@dataclass
class Session:
    """One simulated browser tab on `url` with `query` (e.g. "preset=copy&mode=workshop")."""

    url: str
    query: str
    label: str = ""  # what the report groups it by (the preset)
    statuses: list[tuple[float, int, bool]] = field(default_factory=list)  # (time, step, training)
    charts: list[float] = field(default_factory=list)  # arrival times of chart updates
    answered: list[float] = field(default_factory=list)  # arrival times of finished fragment reruns
    waits: list[float] = field(default_factory=list)  # seconds from a fragment rerun's request to its answer
    received: list[tuple[float, int]] = field(default_factory=list)  # (time, bytes) of every message
    sent: int = 0  # fragment reruns requested
    full_runs: int = 0  # whole-page runs the server started (the first, clicks, and the app's own reruns)
    errors: list[str] = field(default_factory=list)
    trained_at: float | None = None  # when Train was clicked
    buttons: dict[str, str] = field(default_factory=dict)  # label -> widget id
    _page: str = ""
    _timers: dict[str, asyncio.Task] = field(default_factory=dict)
    _pending: dict[str, list[float]] = field(default_factory=dict)  # fragment -> times of unanswered requests
    _socket: object = None
    _drawn: set[int] = field(default_factory=set)
    _loaded: asyncio.Event = field(default_factory=asyncio.Event)

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
            if message.script_finished == FRAGMENT_DONE:
                self.answered.append(now)
                for fragment in message.metadata.run.fragment_ids:  # one run answers all its requests so far
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
        elif kind == "vega_lite_chart":
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

    def largest_gap(self, times: list[float], start: float, end: float) -> float:
        """The longest time within [start, end] without an update of this kind while the shown step advanced.

        Time when the status line's step stood still (the run waited for a slot) counts for nothing: no chart
        could have had anything new to show.
        """
        moving = [
            (earlier[0], later[0])
            for earlier, later in itertools.pairwise(self.statuses)
            if later[1] > earlier[1] and earlier[0] < end and later[0] > start
        ]
        inside = [start] + [at for at in times if start < at < end] + [end]
        return max(
            sum(max(0.0, min(b, stop) - max(a, begin)) for a, b in moving) for begin, stop in itertools.pairwise(inside)
        )
