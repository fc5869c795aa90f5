"""The server's one hub (runs.hub), told by Streamlit which sessions are connected and by the presets where each
configuration's claim is decided."""

from __future__ import annotations

import asyncio
import gc
import threading

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

try:  # where a fragment's id is kept (not public API: see fragment_id)
    from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState
except ImportError:
    ThreadState = None

from dashboard.presets import deciding_step
from runs import process
from runs.hub import Hub

_settled = threading.Event()


def settle_imports() -> None:
    """Once per server process: start the training processes' forkserver; collect, then freeze what is there (the
    modules the page imported: Streamlit, pandas, Altair, ours) out of the garbage collector's reach, as Python's
    documentation suggests for long-lived objects. A full collection then walks only what sessions made since: at
    forty sessions each one held the GIL for 130–170 ms, every page's redraw waiting, five times a minute."""
    if not _settled.is_set():
        _settled.set()
        gc.collect()
        gc.freeze()
        # Training processes fork from a forkserver that imports torch (about 2 s): start it with the first page,
        # not the first Train. Forty sessions that pressed Train as soon as their page showed waited those 2 s.
        process.warm_up()


def connected(session_id: str) -> bool | None:
    """Whether a session's browser tab is connected; None outside a Streamlit server (tests), which cannot say."""
    return Runtime.instance().is_active_session(session_id) if Runtime.exists() else None


def handed_over(loop: asyncio.AbstractEventLoop | None = None, timeout: float = 2.0) -> None:
    """Wait (at most `timeout` seconds) until the server's event loop has taken every message this script run has
    queued so far; a no-op outside a Streamlit server.

    A script run hands each message to the event loop as a callback. Under load those callbacks wait, and if the
    page's next rerun request is handled first, after this run has ended, Streamlit starts a new script runner and
    ignores the callbacks the ended one left (`AppSession`: "Ignoring event from non-current ScriptRunner"): the
    page never gets the end of this redraw. At forty sessions that lost up to 2 % of chart redraws (each page then
    waited two intervals, 3 s, for new charts). While this run waits, a request that comes finds it running and
    is queued for it, so nothing is dropped. (The event loop is Streamlit's own, not public API: if it cannot be
    found, nothing waits.)
    """
    if loop is None:
        try:
            loop = Runtime.instance()._get_async_objs().eventloop if Runtime.exists() else None
        except (AttributeError, RuntimeError):
            loop = None
    if loop is None or loop.is_closed():
        return
    taken = threading.Event()
    try:
        loop.call_soon_threadsafe(taken.set)  # runs after every callback queued before it
    except RuntimeError:  # the loop closed meanwhile (the server stops)
        return
    taken.wait(timeout)


def fragment_id() -> str | None:
    """The id of the fragment whose body runs now; None outside one (or where Streamlit keeps it elsewhere)."""
    if ThreadState is None:
        return None
    try:
        return ThreadState.get().fragment_id
    except (AttributeError, RuntimeError):
        return None


def retime(intervals: dict[str | None, float]) -> bool:
    """Tell the page to rerun each fragment (by id) every so many seconds from now on; False where that cannot be
    done (a fragment's id unknown, no script run), and the caller reruns the page, which declares them anew.

    It is the message `st.fragment(run_every=…)` sends when declared, which the page obeys whenever it comes (it
    replaces that fragment's timer). Declaring them anew means rerunning the whole page: at forty sessions the
    pages that changed interval together reran whole for seconds on end (benchmarks/RESULTS.md, 2026-11-28, fifth
    stop). (The messages are Streamlit's own, not public API.)
    """
    context = get_script_run_ctx()
    if context is None or None in intervals or not intervals:
        return False
    for fragment, seconds in intervals.items():
        message = ForwardMsg()
        message.auto_rerun.interval, message.auto_rerun.fragment_id = seconds, fragment
        try:
            context.enqueue(message)
        except AttributeError:
            return False
    return True


HUB = Hub(presence=connected, deciding=deciding_step)  # one per server process: every session's runs
