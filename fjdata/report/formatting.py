"""One number formatter per unit kind, for every figure a report prints.

- counts (家, 个, 项 …): integers with thousands separators — never "58.00 家";
- shares and growth rates (%): one decimal — "6.5%";
- money in 亿元: thousands separators, no decimals from 1,000 up, else one decimal — "9,926亿元";
- other measures (万元/人, 万吨标准煤 …): one decimal with separators;
- percentage points: one decimal — "1.6个百分点";
- probabilities: only as bands (:func:`fjdata.assess.judgements.probability_band`).

The unit is written once: a plan's own wording that already carries its unit ("超5000亿",
"年均增长6%", "保持在三分之一左右") gets none appended. English units (and their scale, e.g.
亿元 → bn yuan) come from the wording file (``units`` in ``wording/en.yaml``).
"""

from __future__ import annotations

import math
import re

from fjdata.assess.judgements import probability_band
from fjdata.core.wording import words

COUNT_UNITS = ("家", "个", "项", "条", "座", "台", "位", "人", "名", "所")  # the one list: charts and the workbook use it too
PERCENT = "%"
YI_YUAN = "亿元"


def unit_kind(unit: str) -> str:
    """count | percent | yi_yuan | measure."""
    if unit in COUNT_UNITS:
        return "count"
    if unit == PERCENT:
        return "percent"
    if unit == YI_YUAN:
        return "yi_yuan"
    return "measure"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _scaled(value: float, unit: str, lang: str) -> tuple[float, str, str]:
    """(value in the language's unit, unit text, kind) — English may rescale (亿元 → bn yuan)."""
    kind = unit_kind(unit)
    if lang == "zh":
        return value, unit, kind
    spec = words("en")["units"].get(unit)
    if spec is None:
        return value, unit, kind
    return value * float(spec.get("factor", 1)), str(spec.get("label", "")), str(spec.get("kind", kind))


def number(value: float | None, unit: str = "", lang: str = "zh") -> str:
    """The figure alone, in the precision of its unit kind (no unit)."""
    if value is None or _missing(value):
        return "—"
    v, _, kind = _scaled(value, unit, lang)
    if kind == "count":
        return f"{v:,.0f}"
    text = f"{v:,.1f}" if kind == "percent" or abs(v) < 1000 else f"{v:,.0f}"
    # English drops a decimal that says nothing ("500 bn yuan", "at least 80%"); Chinese keeps one decimal.
    return text.removesuffix(".0") if lang == "en" else text


def value(value: float | None, unit: str = "", lang: str = "zh", bound: str = "") -> str:
    """A figure with its unit written once, and "≥"/"≤" for a published floor or ceiling: "≥14,000家"."""
    if value is None or _missing(value):
        return "—"
    _, label, _ = _scaled(value, unit, lang)
    sign = {"lower": "≥", "upper": "≤"}.get(bound, "")
    text = number(value, unit, lang)
    if sign and text.endswith(".0"):
        text = text[:-2]  # "超七成" is ≥70%, not ≥70.0%: a published floor carries no decimals it did not have
    if not label:
        return sign + text
    if label == PERCENT or lang == "zh":
        return f"{sign}{text}{label}"
    return f"{sign}{text} {label}"


def points(value: float, lang: str = "zh") -> str:
    """A difference of two percentages: "1.6个百分点" / "1.6 percentage points"."""
    return words(lang)["units_text"]["points"].format(v=f"{abs(value):,.1f}")


def gap(amount: float, unit: str, gap_unit: str, lang: str = "zh") -> str:
    """The size of a gap (always positive) in its own unit: points for rates and shares."""
    if gap_unit == "百分点" or unit == PERCENT:
        return points(amount, lang)
    return value(abs(amount), unit, lang)


def share(ratio: float | None) -> str:
    """A share of the target reached: "95.3%" (one decimal; no decimals from 1,000% up)."""
    if ratio is None or _missing(ratio):
        return "—"
    return f"{ratio * 100:,.1f}%" if ratio < 10 else f"{ratio * 100:,.0f}%"


def times(ratio: float, lang: str = "zh") -> str:
    """A multiple: "4.4倍" / "4.4×"."""
    return words(lang)["units_text"]["times"].format(v=f"{ratio:,.1f}")


def probability(p: float | None, lang: str = "zh") -> str:
    """A model probability, only ever as a band (never 0 % or 100 %)."""
    return probability_band(p, lang)


def plan_wording(text: str, unit: str, has_value: bool) -> str:
    """The plan's own target wording with the unit added only where it ends on a bare number
    ("达750" → "达750个"); "超5000亿", "年均增长6%" and "三分之一左右" keep their own words."""
    if has_value and text[-1:].isdigit() and unit:
        return text + unit
    return text


def years(ys: tuple[int, ...] | list[int], lang: str = "zh") -> str:
    """Years as a list: "2023、2024" / "2023, 2024"."""
    return str(words(lang)["list_sep"]).join(str(y) for y in ys)


_BOUND = re.compile(r"([≥≤])(\d[\d,]*(?:\.\d+)?)(\s?)(%|[^\d\s,.;\uff1b\uff0c\u3002)\uff09]{0,6})")  # sign, number, unit


def _plain_number(text: str, unit: str, lang: str) -> str:
    """A bound's figure as prose says it: "15,000家" → "1.5万家"; "70.0%" → "70%"."""
    v = float(text.replace(",", ""))
    if lang == "zh" and v >= 10000 and (unit in COUNT_UNITS or unit == YI_YUAN):
        return f"{v / 10000:.2f}".rstrip("0").rstrip(".") + str(words(lang)["ten_thousand"])
    if v == int(v):
        return f"{int(v):,}"
    return text


def plain_bounds(text: str, lang: str = "zh") -> str:
    """Prose without symbols: "≥15,000家" → "超过1.5万家", "≥70.0%" → "超过70%" (the sources' own
    word for a published floor), "≤" → "不超过" ("more than" / "at most" in English)."""
    w = words(lang)["bound_words"]

    def repl(m: re.Match[str]) -> str:
        sign, num, space, unit = m.groups()
        return f"{w['lower' if sign == '≥' else 'upper']}{_plain_number(num, unit, lang)}{space}{unit}"

    return _BOUND.sub(repl, text)


_CJK = re.compile(r"[\u3400-\u9fff]")


def source_title(title: str, lang: str = "zh") -> str:
    """A source's title for the reader: Chinese as published; in English translated from the
    wording file's terms (``source_terms``) when every Chinese word has a translation, else marked
    as a Chinese source with its original title (which a reader needs to look it up)."""
    if lang == "zh" or not _CJK.search(title):
        return title
    w = words(lang)
    english = title
    for zh, en in w["source_terms"]:
        english = english.replace(zh, en)
    if not _CJK.search(english):
        return english
    return str(w["chinese_source"]).format(t=title)
