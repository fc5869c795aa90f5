"""One session's window on a shared run (runs.hub): following it live at its own pace, or stopped at a step."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from models.config import RunConfig
from runs.live import PUBLISH_EVERY, LiveRun, Snapshot

if TYPE_CHECKING:
    from runs.hub import Hub


@dataclass(eq=False)
class View:
    """One session's window on a shared run: whether it follows the run live, or the step it stopped at.

    A view follows at its own pace (steps shown per second; None: as fast as the run trains) and stops by
    itself at the run's deciding step, whatever other views do; Train then takes it past that step.
    """

    hub: Hub
    run: LiveRun
    session_id: str | None
    tab: str | None = None  # the browser tab's token (in its URL): a tab that reconnects as a new session adopts it
    following: bool = False
    until: int = 0  # the last step shown while not following
    pace: float | None = None  # steps shown per second while following; None: full speed
    past_hold: bool = False  # Train was pressed at the deciding step: go on past it
    id: int = field(default_factory=itertools.count().__next__)
    last_seen: float = field(default_factory=time.monotonic)
    _anchor: tuple[float, int] = (0.0, 0)  # (time, step shown) where following at this pace began
    _last_charted: int = -1  # the charted step this view's last chart redraw drew

    # What the page reads: the same names as a LiveRun's.
    @property
    def config(self) -> RunConfig:
        return self.run.config

    @property
    def task(self):
        return self.run.task

    @property
    def contenders(self) -> list[dict]:
        return self.run.contenders

    @property
    def sample_values(self) -> dict[str, object]:
        """One validation sample, as the values its task's sentence needs (the page words them)."""
        return self.run.sample

    @property
    def chance_loss(self) -> float:
        return self.run.chance_loss

    def _cap(self) -> int | None:
        """The deciding step, while this view has not been taken past it."""
        hold = self.run.hold_at
        return hold if hold is not None and not self.past_hold else None

    def shown_step(self) -> int:
        """The last step this session sees: the run's, at most the view's pace allows, never past the cap."""
        if not self.following:
            return min(self.until, self.run.step_count)
        head = self.run.published  # the same step for every follower: their charts are built once
        shown = head
        if self.pace is not None:
            since, start = self._anchor
            shown = start + int(self.pace * (time.monotonic() - since))
            grain = max(1, int(self.pace * PUBLISH_EVERY))  # paced views show whole grains: shared steps too
            shown = min(head, max(start, shown - shown % grain))
        cap = self._cap()
        return shown if cap is None else min(shown, cap)

    def chart_step(self, fresh: float = 1.0) -> int:
        """The last step this session sees charted: the shown step, at most `fresh` seconds behind it (one chart
        build every `fresh` seconds serves every session at that step); exact while paused and at the deciding
        step."""
        shown = self.shown_step()
        if not self.following or shown == self._cap():
            return shown
        # A redraw that waited its turn can come less than `fresh` after this page's last one: if that one drew the
        # charted step already, a newer one is due as soon as there is one (the turn's wait cost this page a chart).
        again = self.run.charted == self._last_charted
        charted = self._last_charted = min(shown, self.run.chart_at(PUBLISH_EVERY if again else fresh))
        if self.pace is None:
            return charted
        grain = max(1, int(self.pace * fresh))
        return max(shown - shown % grain, charted)

    @property
    def running(self) -> bool:
        if not self.following:
            return False
        shown = self.shown_step()
        if shown == self._cap():
            return False
        return self.run.running or shown < self.run.step_count

    @property
    def step_count(self) -> int:
        return self.shown_step()

    def snapshot(self, history: bool = True) -> Snapshot:
        shown, running = self.shown_step(), self.running
        snapshot = self.run.snapshot(shown, history)
        rate = snapshot.steps_per_second if self.pace is None else float(self.pace)
        return replace(
            snapshot,
            running=running,
            steps_per_second=rate if running else 0.0,
            waiting=snapshot.waiting if running else None,
        )

    def probe_history(self, until: int | None = None) -> list[dict]:
        return self.run.probe_history(self.shown_step() if until is None else until)

    def samples(self, until: int) -> list[dict]:
        """The newest sentences the models wrote up to `until` (a writing task's; empty otherwise)."""
        return self.run.samples_until(until)

    def snapshot_at(self, step: int) -> Snapshot:
        """The run's history up to `step` (for charts drawn at chart_step())."""
        return self.run.snapshot(step)

    def memo(self, key: tuple, build):
        return self.run.memo(key, build)

    def keep_alive(self) -> None:
        self.last_seen = time.monotonic()
        self.run.keep_alive()

    def wants_training(self) -> bool:
        """Following, and not stopped at the deciding step: the run should train for this view."""
        return self.following and not (self._cap() is not None and self.run.step_count >= self._cap())

    # What the buttons do.
    def set_pace(self, pace: float | None) -> None:
        if pace != self.pace:
            self._anchor = (time.monotonic(), self.shown_step())
            self.pace = pace

    def start(self) -> None:
        shown = self.shown_step()
        if self._cap() is not None and shown >= self._cap():
            self.past_hold = True
        self.following = True
        self._anchor = (time.monotonic(), shown)
        self.hub.update(self.run)

    def pause(self) -> None:
        self.until = self.shown_step()
        self.following = False
        if not self.hub.followed(self.run):
            self.hub.update(self.run)  # nobody follows: stop the process, then show every step it made
            if self.pace is None:
                cap = self._cap()
                self.until = self.run.step_count if cap is None else min(self.run.step_count, cap)

    def advance(self, steps: int) -> None:
        """Show `steps` more steps: from the run's history if it is ahead, else by training them now.

        Stops at the deciding step; a Step from there goes on past it.
        """
        self.until = self.shown_step()
        self.following = False
        cap = self._cap()
        if cap is not None and self.until >= cap:
            self.past_hold, cap = True, None
        if cap is not None:
            steps = min(steps, cap - self.until)
        ahead = self.run.step_count - self.until
        if ahead < steps and not self.hub.followed(self.run):
            self.run.advance_to(self.until + steps)
        self.until = min(self.until + steps, self.run.step_count)

    def close(self) -> None:
        self.hub.leave(self)
