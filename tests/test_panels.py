"""The live panels' redraw turns (one redraw builds at a time, the page due soonest first), a redraw's messages
handed over to the event loop before its run ends, and a page's timers changed without rerunning it."""

from __future__ import annotations

import asyncio
import threading
import time

from dashboard.panels import RedrawTurns
from dashboard.server import handed_over


def _wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_of_the_waiting_redraws_the_one_due_soonest_goes_next_whatever_their_order_of_arrival():
    turns, order = RedrawTurns(), []

    def redraw(name: str, due: float) -> None:
        with turns.turn(due):
            order.append(name)

    with turns.turn(due=0.0):  # a redraw holds the turn
        waiting = []
        arriving = [("charts, due in 0.3 s", 0.3), ("status, due in 0.8 s", 0.8), ("status, due in 0.1 s", 0.1)]
        for count, (name, due) in enumerate([*arriving, ("charts, due in 1.5 s", 1.5)], 1):
            waiting.append(threading.Thread(target=redraw, args=(name, due)))
            waiting[-1].start()
            _wait_for(lambda count=count: turns.waiting() == count)
    for thread in waiting:
        thread.join(5)
    assert order == ["status, due in 0.1 s", "charts, due in 0.3 s", "status, due in 0.8 s", "charts, due in 1.5 s"]


def test_one_redraw_at_a_time_and_every_one_gets_its_turn():
    turns, inside, most, done = RedrawTurns(), [], [0], []

    def redraw(index: int) -> None:
        for _ in range(20):
            with turns.turn(due=time.monotonic() + (1.0 if index % 3 == 0 else 2.0)):
                inside.append(1)
                most[0] = max(most[0], len(inside))
                time.sleep(0.0005)
                inside.pop()
        done.append(index)

    threads = [threading.Thread(target=redraw, args=(i,)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(done) == list(range(9)) and most[0] == 1 and turns.waiting() == 0
    with turns.turn(due=0.0):  # and the turn is free again
        pass


def test_a_redraw_waits_until_the_event_loop_has_taken_the_messages_queued_before_it_and_no_longer_than_told():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    taken, release = [], threading.Event()
    try:
        loop.call_soon_threadsafe(lambda: (time.sleep(0.2), taken.append("a chart")))  # a backlogged loop
        handed_over(loop)
        assert taken == ["a chart"]
        loop.call_soon_threadsafe(lambda: (release.wait(10), taken.append("a status")))  # a loop stuck for 10 s
        handed_over(loop, timeout=0.1)
        assert taken == ["a chart"]  # it gave up waiting rather than hold the page
    finally:
        release.set()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
    handed_over(loop)  # a closed loop (the server stopping): nothing to wait for
    handed_over()  # outside a Streamlit server: nothing to wait for


def test_retime_tells_the_page_each_fragments_new_interval_or_says_it_cannot(monkeypatch):
    from types import SimpleNamespace

    from dashboard import server

    sent = []
    monkeypatch.setattr(server, "get_script_run_ctx", lambda: SimpleNamespace(enqueue=sent.append))
    assert server.retime({"status-fragment": 0.75, "charts-fragment": 1.5})
    assert [(m.WhichOneof("type"), m.auto_rerun.fragment_id, m.auto_rerun.interval) for m in sent] == [
        ("auto_rerun", "status-fragment", 0.75),
        ("auto_rerun", "charts-fragment", 1.5),
    ]  # what st.fragment(run_every=…) sends when declared: the page replaces that fragment's timer
    sent.clear()
    assert not server.retime({None: 0.75, "charts-fragment": 1.5}) and not sent  # a fragment never drawn: the
    # caller reruns the page instead, which declares both
    monkeypatch.setattr(server, "get_script_run_ctx", lambda: None)
    assert not server.retime({"status-fragment": 0.75})  # outside a script run


def test_a_fragment_knows_its_own_id_and_the_page_outside_has_none(monkeypatch):
    import sys

    from streamlit.testing.v1 import AppTest

    # A script run makes its page `__main__`; spawned processes of later tests would run this page's temporary
    # file (and fail): `__main__` is put back afterwards.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])

    def page():
        import streamlit as st

        from dashboard.server import fragment_id

        st.session_state["outside"] = fragment_id()

        @st.fragment
        def part() -> None:
            st.session_state["inside"] = fragment_id()

        part()

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert at.session_state["outside"] is None
    inside = at.session_state["inside"]
    assert isinstance(inside, str) and inside and at.run().session_state["inside"] == inside  # stable across runs


def test_the_server_freezes_what_it_imported_and_starts_the_forkserver_once(monkeypatch):
    """The first page run collects, then freezes the imported modules' objects out of the collector's reach, and
    starts the training processes' forkserver (not the first Train); later runs do neither (a full collection walked
    them all, holding the GIL ~150 ms)."""
    from dashboard import server

    calls = []
    monkeypatch.setattr(server, "_settled", threading.Event())
    monkeypatch.setattr(server.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(server.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(server.process, "warm_up", lambda: calls.append("forkserver"))
    server.settle_imports()
    server.settle_imports()
    assert calls == ["collect", "freeze", "forkserver"]


def test_each_pages_timers_run_a_little_faster_than_its_cadence_by_a_share_of_its_own(monkeypatch):
    """Pages that pressed Train together must not redraw in step for the whole run: each page's interval is its
    cadence shortened by a share of TIMER_SPREAD fixed by its session id (never longer: the promise holds)."""
    from types import SimpleNamespace

    from dashboard import panels

    intervals = {}
    for index in range(40):
        state: dict = {}
        context = SimpleNamespace(session_id=f"session-{index}")
        monkeypatch.setattr(panels, "st", SimpleNamespace(session_state=state))
        monkeypatch.setattr(panels, "get_script_run_ctx", lambda context=context: context)
        intervals[index] = panels.timer(0.75)
        assert panels.timer(0.75) == intervals[index] and panels.timer(0.5) < intervals[index]  # the page's own share
        assert panels.timer(None) is None  # a paused page has no timer
    assert all((1 - panels.TIMER_SPREAD) * 0.75 <= every <= 0.75 for every in intervals.values())
    assert len(set(intervals.values())) > 30  # forty pages, (nearly) forty periods
    assert max(intervals.values()) - min(intervals.values()) > 0.5 * panels.TIMER_SPREAD * 0.75


def test_the_chart_specs_validator_warms_once_in_the_background(monkeypatch):
    """The first page starts one spec build in a thread of its own; later pages start none."""
    from dashboard import panels

    built = []
    monkeypatch.setattr(panels, "_warmed", [])
    monkeypatch.setattr(panels, "_grad_norm", lambda *arguments: built.append(arguments))
    panels.warm_charts()
    panels.warm_charts()
    panels._warmed[0].join(5)
    assert len(panels._warmed) == 1 and built == [(1.0, ("rnn", "clipped_rnn", "lstm", "gru"), "en")]
