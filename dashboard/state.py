"""The configuration as URL parameters: one table of keys that drives the widgets, the URL and the config.

Widgets are bound to the URL with Streamlit's own `bind="query-params"`; this module checks a URL before the
widgets read it, so a bad value falls back to the default with a warning instead of vanishing silently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields

from dashboard.presets import DEFAULT_PRESET, PACES, PRESETS
from dashboard.text import DEFAULT, words
from models.config import CONTENDER_KEYS, LIMITS, OPTIMIZER_KEYS, TASK_KEYS, ConfigError, RunConfig

INTEGERS = ("gap", "hidden", "batch", "seed", "seeds", "window")
FLOATS = ("lr", "clip", "init_scale", "forget_bias")
CHOICES = {"preset": tuple(PRESETS), "task": TASK_KEYS, "optimizer": OPTIMIZER_KEYS, "pace": tuple(PACES)}
SETTING_KEYS = ("preset", "task", "gap", "contenders", "hidden", "equal_params", "lr", "optimizer", "batch", "clip")
SETTING_KEYS += ("init_scale", "forget_bias", "seed", "seeds", "window")  # the sidebar's: they decide the run
VIEW_KEYS = ("pace",)  # how this session watches the run; never changes its numbers
URL_KEYS = SETTING_KEYS + VIEW_KEYS
CONFIG_KEYS = tuple(f.name for f in fields(RunConfig) if f.name != "eval_every")
MODES = ("lab", "workshop")  # ?mode=workshop: the preset's exercise up front, no settings to change


def defaults(preset: str = DEFAULT_PRESET) -> dict[str, object]:
    """Widget values before anyone touches them: a preset's configuration (the default preset's if none).

    The URL names a preset and only the settings that differ from it, so `?preset=copy` is the copy
    exercise exactly as tested. The preset widget's own default is always the default preset.
    """
    return {**values_of(PRESETS[preset].config, preset), "preset": DEFAULT_PRESET}


def settings_of(parsed: Mapping[str, object]) -> dict[str, object]:
    """Every setting for checked URL values: what the URL gives, else its preset's value."""
    preset = str(parsed.get("preset", DEFAULT_PRESET))
    return {**defaults(preset), "preset": preset, **{key: parsed[key] for key in URL_KEYS if key in parsed}}


def values_of(config: RunConfig, preset: str) -> dict[str, object]:
    values: dict[str, object] = {key: getattr(config, key) for key in CONFIG_KEYS}
    values["contenders"] = list(config.contenders)
    values["preset"] = preset
    values["pace"] = PRESETS[preset].pace
    return values


def check_url(params: Mapping[str, list[str]], language: str = DEFAULT) -> tuple[dict[str, object], list[str]]:
    """Parse raw query parameters; return the valid values by key, and one warning per rejected one (worded in
    `language`).

    A rejected setting falls back to the URL's preset's value (the default preset's if none is valid).
    """
    values: dict[str, object] = {}
    warnings: list[str] = []
    preset = DEFAULT_PRESET
    for key, raw in sorted(params.items(), key=lambda item: item[0] != "preset"):  # the preset first
        if key == "mode":
            text = raw[-1].strip() if raw else ""
            if text in MODES:
                values[key] = text
            else:
                warnings.append(words(language, "warning.mode", value=_shown(text), choices=", ".join(MODES)))
            continue
        if key in ("tab", "lang") or key.startswith(("sweep_", "book_")):
            continue  # the browser tab's token (dashboard.session), the language, or another page's settings
        if key not in URL_KEYS:
            warnings.append(words(language, "warning.unknown", key=_shown(key)))
            continue
        if key == "contenders":
            unknown = [part for part in _contender_parts(raw) if part not in CONTENDER_KEYS]
            if unknown:
                shown = ", ".join(_shown(part) for part in unknown)
                choices = ", ".join(CONTENDER_KEYS)
                warnings.append(words(language, "warning.contenders", values=shown, choices=choices))
                raw = [part for part in _contender_parts(raw) if part in CONTENDER_KEYS]
        try:
            values[key] = parse(key, raw)
            preset = values[key] if key == "preset" else preset
        except ConfigError as error:
            default = _shown(defaults(preset)[key])
            problem = words(language, f"url.{error.code}", **error.values)
            warnings.append(words(language, "warning.value", key=key, problem=problem, default=default))
    return values, warnings


def _contender_parts(raw: list[str]) -> list[str]:
    """Both ?contenders=rnn&contenders=gru (the widget's form) and ?contenders=rnn,gru (the CLI's)."""
    return [part.strip() for item in raw for part in item.split(",") if part.strip()]


def parse(key: str, raw: list[str]) -> object:
    """One URL parameter's value, typed and range-checked against the engine's limits."""
    if key == "contenders":
        keys = _contender_parts(raw)
        for contender in keys:
            if contender not in CONTENDER_KEYS:
                raise _problem("not_one_of", value=_shown(contender), choices=", ".join(CONTENDER_KEYS))
        if not keys:
            raise _problem("choose_one", choices=", ".join(CONTENDER_KEYS))
        return list(dict.fromkeys(keys))
    text = raw[-1].strip() if raw else ""
    if key in CHOICES:
        if text not in CHOICES[key]:
            raise _problem("not_one_of", value=_shown(text), choices=", ".join(CHOICES[key]))
        return text
    if key == "equal_params":
        if text.lower() not in ("true", "false"):
            raise _problem("not_bool", value=_shown(text))
        return text.lower() == "true"
    return parse_number(text, getattr(LIMITS, key), key in INTEGERS)


def parse_number(text: str, bounds: tuple[float, float], whole: bool) -> int | float:
    """A number from the URL, checked against `bounds` (a ConfigError that says why, otherwise)."""
    low, high = bounds
    try:
        number = int(text) if whole else float(text)
    except ValueError:
        raise _problem("not_whole" if whole else "not_number", value=_shown(text)) from None
    if not (math.isfinite(number) and low <= number <= high):
        raise _problem("outside", value=_shown(text), low=f"{low:g}", high=f"{high:g}")
    return number


def check_page_url(
    params: Mapping[str, list[str]],
    numbers: Mapping[str, tuple[tuple[int, int], int]],
    choices: Mapping[str, tuple[tuple, object]],
    language: str = DEFAULT,
) -> tuple[list[str], list[str]]:
    """A page's own settings in the URL (the Sweep's, the book's): whole numbers by key -> (bounds, default) and
    choices by key -> (options, default). Returns the keys to drop before their widgets bind, and a warning each."""
    rejected, warnings = [], []
    for key, raw in params.items():
        text = raw[-1].strip() if raw else ""
        try:
            if key in numbers:
                parse_number(text, numbers[key][0], whole=True)
            elif key in choices and text not in [str(option) for option in choices[key][0]]:
                raise _problem("not_one_of", value=_shown(text), choices=", ".join(map(str, choices[key][0])))
        except ConfigError as error:
            default = _shown(numbers[key][1] if key in numbers else choices[key][1])
            problem = words(language, f"url.{error.code}", **error.values)
            rejected.append(key)
            warnings.append(words(language, "warning.value", key=key, problem=problem, default=default))
    return rejected, warnings


def _problem(code: str, **values: str) -> ConfigError:
    """A rejected URL value: the English message, and the code and values to word it in another language."""
    return ConfigError(words(DEFAULT, f"url.{code}", **values), code, **values)


def url_of(values: Mapping[str, object]) -> dict[str, str | list[str]]:
    """The query parameters for these values, leaving out what equals the preset's value (as the binding does)."""
    base = defaults(str(values["preset"]))
    params: dict[str, str | list[str]] = {}
    for key in URL_KEYS:
        value = values[key]
        if value == base[key]:
            continue
        if isinstance(value, list):
            params[key] = [str(item) for item in value]
        elif isinstance(value, bool):
            params[key] = str(value).lower()
        else:
            params[key] = str(value)
    return params


def config_of(values: Mapping[str, object]) -> RunConfig:
    """The engine configuration for the widget values (raises ConfigError for e.g. no contenders)."""
    chosen = {key: values[key] for key in CONFIG_KEYS}
    chosen["contenders"] = tuple(key for key in CONTENDER_KEYS if key in values["contenders"])
    return RunConfig(**chosen)


def _shown(value: object) -> str:
    """A value quoted for a message, short and without markup."""
    text = str(value)
    text = text if len(text) <= 40 else text[:37] + "…"
    return "'" + text.replace("`", "'").replace("<", "‹").replace(">", "›") + "'"
