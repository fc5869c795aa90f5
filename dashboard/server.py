"""The server's one hub (runs.hub), told by Streamlit which sessions are connected and by the presets where each
configuration's claim is decided."""

from __future__ import annotations

import asyncio
import threading

from streamlit.runtime import Runtime

from dashboard.presets import deciding_step
from runs.hub import Hub


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


HUB = Hub(presence=connected, deciding=deciding_step)  # one per server process: every session's runs
