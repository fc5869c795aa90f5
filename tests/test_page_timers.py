"""Pages that press Train together do not redraw in step: each status timer starts on a phase of its own, then
runs at the page's own interval, never slower than its cadence (a real server, spoken to as browsers do)."""

import asyncio
import time
from dataclasses import dataclass, field

import pytest

from benchmarks.app_server import app_server
from benchmarks.protocol import Session
from dashboard.panels import CHARTS_EVERY
from runs.hub import CADENCES

pytestmark = pytest.mark.slow


@dataclass
class TimedSession(Session):
    """A simulated browser that also keeps every timer the server declares: (fragment, interval), in order."""

    timers: list[tuple[str, float]] = field(default_factory=list)

    def _handle(self, message, now: float) -> None:
        if message.WhichOneof("type") == "auto_rerun":
            self.timers.append((message.auto_rerun.fragment_id, round(message.auto_rerun.interval, 3)))
        super()._handle(message, now)


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
    firsts, phased = [], []
    for session in sessions:
        assert not session.errors
        (status, first), (charts, charts_every), *later = session.timers  # declared by the run after Train
        assert charts != status, session.timers
        # The first status redraw sets the page's own interval, unless the first one already is (a page whose own
        # share of OPENING_SPREAD rounds to 0: one in about 700).
        again = [interval for fragment, interval in later if fragment == status]
        every = again[0] if again else first
        assert first <= every <= max(CADENCES), session.timers
        # The charts every CHARTS_EVERY seconds, less the same share of the page's own as its status interval.
        assert any(charts_every == pytest.approx(CHARTS_EVERY * every / c, abs=0.002) for c in CADENCES), session.timers
        firsts.append(first)
        phased.append(first < every)  # a shorter first interval: a phase of its own
    assert any(phased) and len(set(firsts)) == len(firsts)  # three pages, three phases
