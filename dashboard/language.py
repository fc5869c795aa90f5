"""This session's language: the URL's `lang`, else the browser's locale; per session, never process-wide."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.text import DEFAULT, LANGUAGES, from_locale, words

KEY = "lang"  # the URL parameter and the widget's key
_PINNED: ContextVar[str | None] = ContextVar("rnn_lab_language", default=None)


def current() -> str:
    """The language this session reads (before the switch is drawn: the URL's, else the browser's); English
    outside a session (tests calling the page's pure functions)."""
    pinned = _PINNED.get()
    if pinned is not None:
        return pinned
    if get_script_run_ctx() is None:
        return DEFAULT
    chosen = st.session_state.get(KEY)
    if chosen in LANGUAGES:
        return chosen
    asked = st.query_params.get(KEY)
    return asked if asked in LANGUAGES else from_locale(_locale())


@contextlib.contextmanager
def pinned() -> Iterator[None]:
    """Within the block the language is looked up once: a redraw asks for it some sixty times, each a look into
    session state (4 % of the server's time at forty sessions). The language changes only with a whole-page run."""
    token = _PINNED.set(current())
    try:
        yield
    finally:
        _PINNED.reset(token)


def t(key: str, /, **values: object) -> str:
    """The text for `key` in this session's language."""
    return words(current(), key, **values)


def switch() -> list[str]:
    """The English / 中文 switch in the sidebar, bound to the URL; a warning for a `lang` it cannot use."""
    warnings = []
    asked = st.query_params.get(KEY)
    if asked is not None and asked not in LANGUAGES:
        del st.query_params[KEY]  # before the widget binds to it, so the fallback is the browser's language
        warnings.append(words(from_locale(_locale()), "warning.lang", value=asked[:20], choices=", ".join(LANGUAGES)))
    default = asked if asked in LANGUAGES else from_locale(_locale())
    st.sidebar.segmented_control(
        "Language · 语言", list(LANGUAGES), default=default, format_func=LANGUAGES.get, key=KEY, bind="query-params",
        required=True,
    )  # fmt: skip
    return warnings


def _locale() -> str | None:
    try:
        return st.context.locale
    except AttributeError:  # outside a browser session (AppTest without a context)
        return None


__all__ = ["DEFAULT", "KEY", "current", "pinned", "switch", "t"]
