"""Units as a reader sees them: the catalogue's Chinese unit, its English name in English reports."""

from __future__ import annotations

from functools import lru_cache

from fjdata.core import config
from fjdata.core.wording import words
from fjdata.report.formatting import COUNT_UNITS


def unit_name(unit: str, lang: str) -> str:
    """The unit in the report's language (an unknown unit is shown as written)."""
    if lang == "zh":
        return unit
    names: dict[str, str] = words(lang)["unit_names"]  # English names of the catalogue's units
    return names.get(unit, unit)


def short_number(value: float, unit: str) -> str:
    """A figure for a chart label: counts as integers, large numbers with separators, else one decimal."""
    if unit in COUNT_UNITS or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def region_name(region: str, lang: str) -> str:
    """A region as a chart legend names it (fjdata/data/region_names.yaml; unknown: as written)."""
    entry = _region_names().get(region, {})
    return str(entry.get(lang, region))


@lru_cache(maxsize=1)
def _region_names() -> dict[str, dict[str, str]]:
    data = config.parse_yaml((config.DATA_DIR / "region_names.yaml").read_text(encoding="utf-8")) or {}
    return {str(k): {str(lk): str(lv) for lk, lv in v.items()} for k, v in data.items()}
