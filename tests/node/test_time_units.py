"""The time-unit table: every key is a unit quantity.py can read, every value one of five lengths,
and no common non-time unit or label word is a key."""

from __future__ import annotations

import re

import pytest

from node.attention.quantity import _UNIT, parse_quantity
from node.attention.time_units import DROPS, MARKS, TIME_UNITS, TOO_LONG

S, MIN, H, D, W = 1, 60, 3600, 86400, 604800

# Units and words that follow a number in a label and must never be read as a duration.
NOT_TIME = (
    "m", "t", "kg", "km", "st", "pcs", "mm", "ms", "mo", "yr", "yrs", "year", "month", "mth",
    "g", "l", "k", "v", "w", "a", "y", "j", "u", "µs", "ns", "us", "°c", "%", "kwh", "ha", "ft",
    "lb", "lbs", "oz", "mi", "cm", "mg", "ml", "pc", "pz", "stk", "pt", "ct", "psi", "bar", "hz",
    "rpm", "sek", "mnt", "dag", "den", "dan", "mp", "pv", "gun", "time", "saat", "sat", "dies",
    "para", "wiki", "saa", "jr", "dob", "год", "година", "分", "时", "時", "시", "주", "万",
    "$", "€", "usd", "eur", "x", "am", "pm",
)

# (language, word, seconds): a word written after a number in that language.
CASES = [
    ("en", "s", S), ("en", "secs", S), ("en", "minute", MIN), ("en", "hrs", H),
    ("en", "days", D), ("en", "weeks", W), ("en", "wk", W), ("en", "d", D),
    ("de", "std", H), ("de", "stunde", H), ("de", "tage", D), ("de", "wochen", W),
    ("nl", "uur", H), ("nl", "dagen", D), ("nl", "weken", W), ("nl", "minuut", MIN),
    ("af", "ure", H), ("af", "dae", D),
    ("fr", "heures", H), ("fr", "jours", D), ("fr", "sem", W),
    ("es", "días", D), ("es", "dias", D), ("es", "seg", S), ("es", "semana", W),
    ("pt", "horas", H), ("pt", "minuto", MIN),
    ("it", "ore", H), ("it", "giorni", D), ("it", "minuti", MIN),
    ("ca", "segons", S), ("ca", "hores", H),
    ("ro", "zile", D), ("ro", "oră", H),
    ("eu", "ordu", H), ("eu", "egun", D),
    ("sv", "timmar", H), ("sv", "dygn", D), ("sv", "veckor", W),
    ("no", "timer", H), ("no", "døgn", D), ("no", "uker", W),
    ("da", "uger", W), ("da", "dage", D),
    ("is", "klst", H), ("is", "vikur", W),
    ("fi", "tuntia", H), ("fi", "päivää", D), ("fi", "vrk", D), ("fi", "viikko", W),
    ("et", "tundi", H), ("et", "päeva", D), ("et", "nädal", W),
    ("hu", "perc", MIN), ("hu", "óra", H), ("hu", "nap", D), ("hu", "hét", W),
    ("pl", "godz", H), ("pl", "dni", D), ("pl", "minut", MIN), ("pl", "tyg", W),
    ("cs", "hodin", H), ("cs", "týdny", W), ("cs", "vteřin", S),
    ("sk", "hodín", H), ("sk", "týždne", W),
    ("sl", "ur", H), ("sl", "tednov", W),
    ("hr", "sati", H), ("hr", "tjedna", W), ("hr", "dana", D),
    ("lt", "val", H), ("lt", "dienų", D),
    ("lv", "stunda", H), ("lv", "nedēļa", W),
    ("sq", "orë", H), ("sq", "ditë", D),
    ("mt", "siegħa", H), ("mt", "ġimgħa", W),
    ("cy", "awr", H), ("cy", "munud", MIN),
    ("el", "ώρες", H), ("el", "λεπτά", MIN), ("el", "ημέρες", D),
    ("ru", "часов", H), ("ru", "сутки", D), ("ru", "недели", W), ("ru", "сек", S),
    ("uk", "хв", MIN), ("uk", "годин", H), ("uk", "днів", D), ("uk", "тижнів", W),
    ("be", "гадзін", H), ("bg", "часове", H), ("mk", "денови", D), ("sr", "сати", H),
    ("tr", "saniye", S), ("tr", "dakika", MIN), ("tr", "gün", D), ("tr", "hafta", W),
    ("az", "dəqiqə", MIN), ("uz", "soat", H), ("kk", "сағат", H), ("mn", "цаг", H),
    ("ar", "ساعات", H), ("ar", "دقيقة", MIN), ("ar", "أيام", D), ("ar", "أسبوع", W),
    ("fa", "ساعت", H), ("fa", "روز", D), ("fa", "هفته", W),
    ("ur", "گھنٹے", H), ("ur", "منٹ", MIN),
    ("hi", "ghante", H), ("hi", "din", D), ("bn", "ghonta", H),
    ("he", "שעות", H), ("he", "ימים", D), ("he", "דקות", MIN),
    ("id", "detik", S), ("id", "jam", H), ("id", "hari", D), ("id", "minggu", W),
    ("ms", "minit", MIN), ("tl", "oras", H), ("tl", "araw", D),
    ("vi", "giây", S), ("vi", "phút", MIN), ("vi", "giờ", H), ("vi", "ngày", D),
    ("vi", "tuan", W), ("th", "ชม", H),
    ("zh", "秒", S), ("zh", "分钟", MIN), ("zh", "小时", H), ("zh", "小時", H),
    ("zh", "天", D), ("zh", "周", W), ("zh", "个星期", W),
    ("ja", "分間", MIN), ("ja", "時間", H), ("ja", "日間", D), ("ja", "週間", W),
    ("ko", "초", S), ("ko", "분", MIN), ("ko", "시간", H), ("ko", "일", D), ("ko", "주일", W),
    ("sw", "siku", D),
    ("am", "ደቂቃ", MIN), ("am", "ሰዓት", H), ("am", "ሳምንት", W),
    ("hy", "րոպե", MIN), ("hy", "ժամ", H),
    ("ka", "წუთი", MIN), ("ka", "საათი", H), ("ka", "დღე", D),
]

_UNIT_RE = re.compile(_UNIT)


def test_cases_span_enough_languages() -> None:
    assert len(CASES) >= 60
    assert len({lang for lang, _, _ in CASES}) >= 25


@pytest.mark.parametrize(("lang", "word", "seconds"), CASES)
def test_word_length_in_seconds(lang: str, word: str, seconds: int) -> None:
    assert TIME_UNITS.get(word) == seconds, (lang, word)


def test_keys_are_readable_units() -> None:
    for key in TIME_UNITS:
        assert key == key.lower(), key
        assert 1 <= len(key) <= 6, key
        assert _UNIT_RE.fullmatch(key), key


def test_every_key_reads_as_its_seconds() -> None:
    # A decimal body: single letters after whole digits are codes to quantity.py (12 A, 825T).
    # quantity format 2 reads a duration in any of these units as seconds.
    for key, seconds in TIME_UNITS.items():
        assert parse_quantity(f"1.5 {key}") == (1.5 * seconds, "s"), key


def test_whole_number_strings_read_as_table_units() -> None:
    # "7d" (no space) is a hex id to quantity.py, so the glued day form needs a space or a decimal.
    for text, number, unit in (("5 Tage", 5, "tage"), ("8 Stunden", 8, None), ("30 Minuten", 30, None),
                               ("30 min", 30, "min"), ("2h", 2, "h"), ("7 d", 7, "d"), ("3 小时", 3, "小时")):
        got = parse_quantity(text)
        if unit is None:  # a seven-letter word: not a unit to quantity.py (see DROPS)
            assert got is None, text
        else:
            assert unit in TIME_UNITS, text
            assert got == (number * TIME_UNITS[unit], "s"), text


def test_values_are_the_five_lengths() -> None:
    assert set(TIME_UNITS.values()) <= {S, MIN, H, D, W}
    assert all(type(v) is int for v in TIME_UNITS.values())


@pytest.mark.parametrize("word", NOT_TIME)
def test_non_time_unit_is_not_a_key(word: str) -> None:
    assert word not in TIME_UNITS


def test_not_time_list_is_long_enough() -> None:
    assert len(set(NOT_TIME)) >= 25


def test_drops_are_disjoint_and_explained() -> None:
    assert not set(DROPS) & set(TIME_UNITS)
    assert all(isinstance(why, str) and why for why in DROPS.values())
    for word, why in DROPS.items():
        if why == TOO_LONG:
            assert len(word) > 6, word
            assert not _UNIT_RE.fullmatch(word), word
        elif why == MARKS:
            assert not _UNIT_RE.fullmatch(word), word
    for word in ("minutes", "seconds", "sekunden", "stunden", "semaine", "settimana"):
        assert DROPS.get(word) == TOO_LONG
    for word in ("m", "t", "ms", "mo", "month", "year", "sek", "st"):
        assert word in DROPS
