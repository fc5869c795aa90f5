"""Every word the app writes, one table per language (`en`, `zh`): the same keys and the same placeholders.

Long texts are whole blocks per language, never sentences glued together. Keys in the URL, the CSV and the CLI,
and the contender and task keys (rnn, lstm, adding, …), stay as they are in every language.
"""

from __future__ import annotations

from dashboard.text import en, zh

LANGUAGES = {"en": "English", "zh": "中文"}
TABLES: dict[str, dict[str, str]] = {"en": en.TEXT, "zh": zh.TEXT}
DEFAULT = "en"
RAW = ("theory.text",)  # shown exactly as written (LaTeX braces), never filled with values


def words(language: str, key: str, /, **values: object) -> str:
    """The text for `key` in `language`, its placeholders filled from `values`."""
    text = TABLES[language][key]
    return text.format(**values) if values and key not in RAW else text


def from_locale(locale: str | None) -> str:
    """The language for a browser locale such as 'zh-CN' or 'en-GB' (English when it is neither)."""
    return "zh" if (locale or "").lower().startswith("zh") else DEFAULT
