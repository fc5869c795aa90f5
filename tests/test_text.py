"""The string tables: both languages say everything, with the same placeholders, and the page asks only for
keys that exist."""

import re
import string
from pathlib import Path

from dashboard.presets import PRESETS
from dashboard.text import LANGUAGES, RAW, TABLES, from_locale, words

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_both_languages_have_the_same_keys():
    english, chinese = set(TABLES["en"]), set(TABLES["zh"])
    assert english - chinese == set(), "missing in 中文"
    assert chinese - english == set(), "missing in English"


def test_every_text_has_the_same_placeholders_in_both_languages():
    keys = sorted(set(TABLES["en"]) - set(RAW))
    differ = [key for key in keys if fields(TABLES["zh"][key]) != fields(TABLES["en"][key])]
    assert differ == [] and len(keys) > 200


def test_the_page_asks_only_for_keys_that_exist():
    literal = re.compile(
        r"""\bt\(\s*"([a-z_.\-]+)"|words\(\s*\w+,\s*"([a-z_.\-]+)"|TABLES\[[^\]]+\]\["([a-z_.\-]+)"\]"""
    )
    used = set()
    for path in DASHBOARD.glob("*.py"):
        for match in literal.finditer(path.read_text()):
            used.add(next(group for group in match.groups() if group))
    assert len(used) > 100
    assert used - set(TABLES["en"]) == set()


def test_every_preset_and_verdict_is_worded_in_both_languages():
    for language in LANGUAGES:
        table = TABLES[language]
        for key in PRESETS:
            assert len(table[f"preset.{key}.exercise"].splitlines()) == 2  # the question, then what to press
            assert all(table[f"preset.{key}.{part}"] for part in ("title", "watch", "claim"))


def test_chinese_uses_the_standard_terms():
    everything = " ".join(TABLES["zh"].values())
    for term in ("循环神经网络", "长短期记忆网络", "门控循环单元", "梯度消失", "梯度爆炸", "梯度裁剪", "遗忘门"):
        assert term in everything, term


def test_placeholders_are_filled_and_the_locale_picks_the_language():
    assert words("zh", "button.step", steps=25) == "前进 25 步"
    assert words("en", "button.step", steps=25) == "Step 25"
    assert from_locale("zh-CN") == "zh" and from_locale("zh-Hant-TW") == "zh"
    assert from_locale("en-GB") == "en" and from_locale("fr-FR") == "en" and from_locale(None) == "en"


def test_a_redraw_looks_its_language_up_once_and_a_whole_page_run_sees_a_new_one(monkeypatch):
    from dashboard import language

    class Session(dict):
        looked = 0

        def get(self, key, default=None):
            Session.looked += 1
            return super().get(key, default)

    state = Session(lang="zh")
    monkeypatch.setattr(language, "get_script_run_ctx", lambda: object())  # inside a script run
    monkeypatch.setattr(language.st, "session_state", state)
    with language.pinned():
        assert [language.t("button.step", steps=25) for _ in range(60)] == ["前进 25 步"] * 60
        state["lang"] = "en"  # (the switch reruns the page whole: a redraw never sees it change)
        assert language.current() == "zh"
    assert Session.looked == 1
    assert language.t("button.step", steps=25) == "Step 25"  # the next run reads the new one
