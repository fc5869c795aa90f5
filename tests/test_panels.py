"""The live panels' redraw turns: one redraw builds at a time, a status redraw before a waiting chart redraw."""

from __future__ import annotations

import threading
import time

from dashboard.panels import RedrawTurns


def _wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_waiting_status_redraw_goes_before_chart_redraws_that_waited_less_than_the_patience():
    turns, order, inside = RedrawTurns(patience=30.0), [], []

    def redraw(name: str, urgent: bool) -> None:
        with turns.turn(urgent):
            inside.append(name)
            order.append(name)
            time.sleep(0.01)
            inside.remove(name)

    with turns.turn(urgent=False):  # a chart redraw holds the turn
        charts = [threading.Thread(target=redraw, args=(f"chart {i}", False)) for i in range(3)]
        for thread in charts:
            thread.start()
        time.sleep(0.05)  # the chart redraws wait first
        status = threading.Thread(target=redraw, args=("status", True))
        status.start()
        _wait_for(lambda: turns._waiting_urgent == 1)
    for thread in [*charts, status]:
        thread.join(5)
    assert order[0] == "status" and sorted(order[1:]) == ["chart 0", "chart 1", "chart 2"]


def test_one_redraw_at_a_time_and_every_one_gets_its_turn():
    turns, inside, most = RedrawTurns(), [], [0]

    def redraw(urgent: bool) -> None:
        for _ in range(20):
            with turns.turn(urgent):
                inside.append(1)
                most[0] = max(most[0], len(inside))
                time.sleep(0.0005)
                inside.pop()

    threads = [threading.Thread(target=redraw, args=(i % 3 == 0,)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads) and most[0] == 1


def test_a_chart_redraw_that_waited_past_the_patience_goes_before_newer_statuses():
    turns, order = RedrawTurns(patience=0.05), []

    def redraw(name: str, urgent: bool) -> None:
        with turns.turn(urgent):
            order.append(name)

    with turns.turn(urgent=True):  # a status redraw holds the turn
        chart = threading.Thread(target=redraw, args=("chart", False))
        chart.start()
        _wait_for(lambda: turns._waiting_urgent == 1)  # past its patience, it queues with the statuses
        statuses = [threading.Thread(target=redraw, args=(f"status {i}", True)) for i in range(3)]
        for thread in statuses:
            thread.start()
        _wait_for(lambda: turns._waiting_urgent == 4)
    for thread in [chart, *statuses]:
        thread.join(5)
    assert len(order) == 4 and "chart" in order[:2]  # not starved behind every status that came later
