"""The engine's plain records in this session's words: verdicts, tallies, remedies, tasks, presets, errors."""

from __future__ import annotations

from dashboard.language import current, t
from dashboard.text import TABLES
from models.config import ConfigError
from models.records import VERDICT_TEXTS, Verdict, tally


def verdict(value: Verdict) -> str:
    return value.words(_verdict_texts())


def seeds_tally(verdicts: list[Verdict]) -> str:
    return tally(verdicts, _verdict_texts())


def _verdict_texts() -> dict[str, str]:
    table = TABLES[current()]
    return {key: table[f"verdict.{key}"] for key in VERDICT_TEXTS}


def remedy(contender: str) -> str:
    return t(f"remedy.{contender}")


def task(key: str, part: str) -> str:
    """A task's `name`, `variant`, `loss` (its loss's name) or `baseline` (what chance means)."""
    return t(f"task.{key}.{part}")


def preset(key: str, part: str) -> str:
    """A preset's `title`, `exercise`, `watch` or `claim`."""
    return t(f"preset.{key}.{part}")


def problem(error: ConfigError) -> str:
    """Why settings cannot run, in this session's language when the engine said it in data."""
    key = f"error.{error.code}"
    return t(key, **error.values) if error.code and key in TABLES[current()] else str(error)
