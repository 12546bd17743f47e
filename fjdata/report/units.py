"""Units as a reader sees them: the catalogue's Chinese unit, its English name in English reports."""

from __future__ import annotations

from functools import lru_cache

import yaml

from fjdata.core import config

# English names of the catalogue's units (fjdata/data/indicators/*.yaml, plan targets files).
UNIT_EN = {
    "%": "%",
    "百分点": "pp",
    "家": "firms",
    "个": "count",
    "项": "projects",
    "条": "routes",
    "座": "count",
    "台": "units",
    "位": "rank",
    "岁": "years",
    "年": "years",
    "亿元": "100 mn yuan",
    "万元": "10,000 yuan",
    "万元/人": "10,000 yuan per person",
    "万吨标准煤": "10,000 t coal equivalent",
    "吨标准煤/万元": "t coal equivalent per 10,000 yuan",
    "Mt": "Mt",
}

COUNT_UNITS = ("家", "个", "项", "条", "座", "台", "位")


def unit_name(unit: str, lang: str) -> str:
    """The unit in the report's language (an unknown unit is shown as written)."""
    return unit if lang == "zh" else UNIT_EN.get(unit, unit)


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
    data = yaml.safe_load((config.DATA_DIR / "region_names.yaml").read_text(encoding="utf-8")) or {}
    return {str(k): {str(lk): str(lv) for lk, lv in v.items()} for k, v in data.items()}
