"""Pages that press Train together do not redraw in step: each status timer starts on a phase of its own, then
runs at the page's own interval, never slower than its cadence (a real server, spoken to as browsers do)."""

import asyncio
import time
import zlib
from dataclasses import dataclass, field

import pytest

from benchmarks.app_server import app_server
from benchmarks.protocol import Session
from dashboard.panels import CHARTS_EVERY, OPENING_SPREAD, TIMER_SPREAD
from runs.hub import CADENCES

pytestmark = pytest.mark.slow


@dataclass
class TimedSession(Session):
    """A simulated browser that also keeps every timer the server declares: (fragment, interval), in order, and
    the session id the server gave it."""

    timers: list[tuple[str, float]] = field(default_factory=list)
    session_id: str = ""

    def _handle(self, message, now: float) -> None:
        if message.WhichOneof("type") == "auto_rerun":
            self.timers.append((message.auto_rerun.fragment_id, round(message.auto_rerun.interval, 3)))
        elif message.WhichOneof("type") == "new_session":
            self.session_id = message.new_session.initialize.session_id
        super()._handle(message, now)

    def share(self, kind: str) -> float:
        """The page's own share for `kind` (dashboard.panels._share), from its session id."""
        return zlib.crc32(f"{kind} {self.session_id}".encode()) / 2**32


async def _train_together(url: str, count: int, seconds: float) -> list[TimedSession]:
    stop = asyncio.Event()
    sessions = [TimedSession(url, "preset=vanishing&seed=7") for _ in range(count)]
    tasks = [asyncio.create_task(session.run(stop)) for session in sessions]
    await asyncio.wait_for(asyncio.gather(*(session._loaded.wait() for session in sessions)), timeout=120)
    await asyncio.gather(*(session.click("Train") for session in sessions))
    started = time.monotonic()
    while time.monotonic() - started < seconds and not all(len(s.timers) >= 3 for s in sessions):
        await asyncio.sleep(0.2)
    stop.set()
    await asyncio.gather(*tasks)
    return sessions


def test_pages_that_press_train_together_start_their_status_timers_on_phases_of_their_own():
    with app_server() as (url, _log, _pid):
        sessions = asyncio.run(_train_together(url, 3, 30.0))
    openings, phased = [], []
    for session in sessions:
        assert not session.errors
        (status, first), (charts, charts_every), *later = session.timers  # declared by the run after Train
        assert charts != status, session.timers
        # The page's interval at the cadence it started with, shortened by its own share of TIMER_SPREAD; its first
        # interval shorter still, by its own share of OPENING_SPREAD: a phase of its own, from its session id.
        opening, own = session.share("opening"), session.share("timer")
        intervals = [round(cadence * (1 - TIMER_SPREAD * own), 3) for cadence in CADENCES]
        every = next((i for i in intervals if first == round(i * (1 - OPENING_SPREAD * opening), 3)), None)
        assert every is not None, (session.timers, intervals, opening)
        # The first status redraw sets the page's own interval, unless the first one already is (a page whose own
        # share of OPENING_SPREAD rounds to 0: one in about 700).
        again = [interval for fragment, interval in later if fragment == status]
        assert again[0] == every if again else first == every, session.timers
        # The charts every CHARTS_EVERY seconds, less the same share of the page's own as its status interval.
        assert charts_every == round(CHARTS_EVERY * (1 - TIMER_SPREAD * own), 3), session.timers
        openings.append(opening)
        phased.append(first < every)
    # Three pages, three phases of their own. (Their first intervals, in milliseconds, may still coincide by chance:
    # about one run in a hundred.)
    assert any(phased) and len(set(openings)) == len(openings)
