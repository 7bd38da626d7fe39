"""The vocabulary written once (xxgeo.vocab) and the one string table (xxgeo.i18n + xxgeo/locale/strings.toml)."""

import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xxgeo import vocab
from xxgeo.errors import NotFound
from xxgeo.i18n import strings, tr, value_text
from xxgeo.schema import CATEGORIES, LOC_PRECISION_LABELS
from xxgeo.views.errors import error_text

VIEWS = Path(__file__).resolve().parent.parent / "xxgeo" / "views"


@pytest.mark.parametrize("word", ["是", "公开", "可公开", "对外公开", "yes", "Y", " TRUE ", "t", "1", "√", "✓", True,
                                  np.True_])
def test_yes_words(word):
    assert vocab.to_bool(word) is True


@pytest.mark.parametrize("word", ["否", "不公开", "内部", "不", "no", "N", "False", "f", "0", "×", "✗", False,
                                  np.False_])
def test_no_words(word):
    assert vocab.to_bool(word) is False


@pytest.mark.parametrize("empty", [None, "", "  ", float("nan"), np.nan, pd.NA])
def test_empty_is_the_default(empty):
    assert vocab.to_bool(empty) is None
    assert vocab.to_bool(empty, pd.NA) is pd.NA


def test_unknown_word_is_the_default_not_a_guess():
    assert vocab.to_bool("也许") is None and vocab.to_bool("maybe", False) is False


def test_bool_word():
    assert vocab.bool_word(True) == "是" and vocab.bool_word(False) == "否"
    assert vocab.bool_word(np.True_, "en") == "yes" and vocab.bool_word(pd.NA) is None


def test_fmt_wan_both_languages():
    assert vocab.fmt_wan(3200) == "3,200 万元"
    assert vocab.fmt_wan(3200, "en") == "3,200 ×10k CNY"
    assert vocab.fmt_wan(125000) == "125,000 万元（12.50 亿元）"
    assert vocab.fmt_wan(125000, "en") == "125,000 ×10k CNY (12.50 ×100M CNY)"
    assert vocab.fmt_wan(10000, with_unit=False) == "10,000（1.00 亿元）"
    assert vocab.fmt_wan(1234.5, with_unit=False) == "1,234.50"
    assert vocab.fmt_wan(None) == "未注明" and vocab.fmt_wan(float("nan"), "en") == "not stated"


def test_mu_per_km2():
    assert vocab.MU_PER_KM2 == 1500  # 1 km² = 1,000,000 m²; 1 亩 = 10000/15 m²
    assert vocab.km2_to_mu(10.95) == pytest.approx(16425)
    assert vocab.area_text(10.95) == "10.95 km²（16,425 亩）"
    assert vocab.area_text(10.95, "en") == "10.95 km² (16,425 mu)"
    assert vocab.area_text(None) == "未注明"


def test_category_names_cover_every_category_in_both_languages():
    assert set(vocab.CATEGORY_EN) == set(CATEGORIES)
    for c in CATEGORIES:
        en = vocab.category_text(c, "en")
        assert en and en != c and re.fullmatch(r"[A-Za-z &-]+", en), c
        assert vocab.category_text(c) == c and value_text(c, "en") == en
        assert vocab.category_both(c) == f"{c} {en}"
    assert len(set(vocab.CATEGORY_EN.values())) == len(CATEGORIES)


def test_precision_labels_match_the_schema_and_have_english():
    assert {k: zh for k, (zh, _en) in vocab.PRECISION.items()} == LOC_PRECISION_LABELS
    for code, zh in LOC_PRECISION_LABELS.items():
        assert vocab.precision_label(code) == zh
        assert vocab.precision_label(code, "en") == value_text(zh, "en") != zh


def test_status_words():
    assert vocab.status_text("在建;新建", "en") == "under construction; new"
    assert vocab.status_both("在建;谋划") == "在建 under construction；谋划 planned"
    assert vocab.status_text("在建") == "在建"


def _fields(s: str) -> set:
    return {f for _, f, _, _ in string.Formatter().parse(s) if f}


def test_string_table_pairs_are_complete_and_share_placeholders():
    table = strings()
    assert len(table) > 150
    for key, (zh, en) in table.items():
        assert zh.strip() and en.strip(), key
        # the English may leave out a Chinese-only value (the county's Chinese name, a layer's Chinese label)
        assert _fields(en) <= _fields(zh) and _fields(zh) - _fields(en) <= {"county", "label"}, key


def test_every_key_the_views_use_is_in_the_table():
    used = set()
    for py in VIEWS.glob("*.py"):
        src = py.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b(?:t|tt|tr|ctx\.t)\(\s*["']([a-z_0-9]+(?:\.[A-Za-z_0-9:]+)+|[a-z_]+)["']""", src))
    assert len(used) > 100
    missing = sorted(k for k in used if k not in strings())
    assert not missing


def test_dynamic_keys_are_in_the_table():
    from xxgeo.export import FORMATS
    from xxgeo.mapping import BASEMAPS
    from xxgeo.schema import ROLES
    from xxgeo.views.data import CRS_CHOICES
    from xxgeo.views.indicators import SECTIONS
    from xxgeo.views.shell import VIEWS as APP_VIEWS

    keys = [f"format.{f}" for f in FORMATS] + [f"crs.{c or 'auto'}" for c in CRS_CHOICES]
    keys += [f"basemap.{b}" for b in BASEMAPS]
    keys += [f"indicators.section_{s}" for s in SECTIONS] + [f"view.{v}" for v in APP_VIEWS]
    keys += [f"role.{r}" for r in ROLES] + [f"history.col_{c}" for c in ("at", "user", "layer", "feature_id",
                                                                         "action", "before", "after")]
    assert [k for k in keys if k not in strings()] == []


def test_views_hold_no_second_translation_mechanism():
    for py in VIEWS.glob("*.py"):
        src = py.read_text(encoding="utf-8")
        assert "zh_en" not in src, py.name
        assert not re.search(r"""lang\s*[!=]=\s*["'](en|zh)["']""", src) or py.name in ("shell.py", "errors.py"), \
            py.name
        assert "except Exception" not in src, py.name


def test_tr_formats_and_falls_back_to_the_key():
    assert tr("period.from", "zh", year=2021) == "2021起" and tr("period.from", "en", year=2021) == "from 2021"
    assert tr("no.such.key") == "no.such.key"


def test_error_text_is_english_in_english_mode():
    exc = NotFound("没有名为“火星”的园区。", english="There is no park called “Mars”.")
    assert error_text(exc, "en") == "There is no park called “Mars”."
    assert error_text(exc, "zh") == "没有名为“火星”的园区。"
    assert error_text(NotFound("只有中文。"), "en") == "只有中文。"
