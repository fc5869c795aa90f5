"""The server's one hub (runs.hub), told by Streamlit which sessions are connected and by the presets where each
configuration's claim is decided."""

from __future__ import annotations

from streamlit.runtime import Runtime

from dashboard.presets import deciding_step
from runs.hub import Hub


def connected(session_id: str) -> bool | None:
    """Whether a session's browser tab is connected; None outside a Streamlit server (tests), which cannot say."""
    return Runtime.instance().is_active_session(session_id) if Runtime.exists() else None


HUB = Hub(presence=connected, deciding=deciding_step)  # one per server process: every session's runs
