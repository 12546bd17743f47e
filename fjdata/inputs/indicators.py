"""The indicator catalogue: what each observed series measures and how to chain it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fjdata.core import config
from fjdata.core.errors import RegistryError

SERIES_KINDS = ("level", "rate", "share", "count", "yearly_change", "period_average")
CHAINS = ("none", "growth_to_index", "change_to_level")
_ID = re.compile(r"^[a-z0-9_]+$")
_REQUIRED = ("indicator_id", "name_zh", "name_en", "unit", "series_kind", "chain", "definition")


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    name_zh: str
    name_en: str
    unit: str
    series_kind: str
    chain: str
    definition: str
    headline: bool = False
    bounds: tuple[float, float] | None = None
    file: str = ""
    # False where release families differ by definition (a census revision, a changed scope):
    # years the chosen family lacks are then left as gaps instead of spliced from another family.
    splice: bool = True
    # For ``period_average`` series: the rate series they average, and the first year averaged
    # (the row's ``year`` is the last year), e.g. 十四五期间年均增长 = 2021–2025.
    average_of: str | None = None
    period_start: int | None = None
    # How a year's figure is usually released (a key of ``releases`` in assessment.yaml).
    release: str = "report"

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en


def _parse_entry(raw: object, file: Path, pos: int) -> Indicator:
    label = f"#{pos}"
    if not isinstance(raw, dict):
        raise RegistryError(file, label, "-", "entry is not a mapping")
    label = f"#{pos} ({raw.get('indicator_id', '?')})"
    for key in _REQUIRED:
        if raw.get(key) in (None, ""):
            raise RegistryError(file, label, key, "missing")
    iid = str(raw["indicator_id"])
    if not _ID.match(iid):
        raise RegistryError(file, label, "indicator_id", f"'{iid}' is not an ASCII slug [a-z0-9_]")
    if raw["series_kind"] not in SERIES_KINDS:
        raise RegistryError(file, label, "series_kind", f"unknown '{raw['series_kind']}'; expected one of {SERIES_KINDS}")
    if raw["chain"] not in CHAINS:
        raise RegistryError(file, label, "chain", f"unknown '{raw['chain']}'; expected one of {CHAINS}")
    bounds = raw.get("bounds")
    if bounds is not None:
        if not (isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, int | float) for b in bounds)):
            raise RegistryError(file, label, "bounds", "must be a list [lo, hi] of two numbers")
        bounds = (float(bounds[0]), float(bounds[1]))
    if raw["series_kind"] == "period_average" and (not raw.get("average_of") or not isinstance(raw.get("period_start"), int)):
        raise RegistryError(
            file, label, "average_of", "a period_average series needs average_of (a rate indicator) and period_start (a year)"
        )
    if not isinstance(raw.get("splice", True), bool):
        raise RegistryError(file, label, "splice", "must be true or false")
    release = str(raw.get("release") or "report")
    releases = config.settings().get("releases", {})
    if isinstance(releases, dict) and release not in releases:
        raise RegistryError(file, label, "release", f"{release!r} is not one of {sorted(releases)}")
    return Indicator(
        indicator_id=iid,
        name_zh=str(raw["name_zh"]),
        name_en=str(raw["name_en"]),
        unit=str(raw["unit"]),
        series_kind=str(raw["series_kind"]),
        chain=str(raw["chain"]),
        definition=str(raw["definition"]),
        headline=bool(raw.get("headline", False)),
        bounds=bounds,
        file=file.name,
        splice=bool(raw.get("splice", True)),
        average_of=str(raw["average_of"]) if raw.get("average_of") else None,
        period_start=int(raw["period_start"]) if raw.get("period_start") is not None else None,
        release=release,
    )


def load_catalogue(directory: Path | None = None) -> dict[str, Indicator]:
    """Read every ``*.yaml`` in the catalogue folder; ids must be unique across files."""
    directory = directory or config.INDICATORS_DIR
    catalogue: dict[str, Indicator] = {}
    for file in sorted(directory.glob("*.yaml")):
        with file.open(encoding="utf-8") as fh:
            entries = config.parse_yaml(fh.read()) or []
        if not isinstance(entries, list):
            raise RegistryError(file, "-", "-", "top level must be a list of indicators")
        for pos, raw in enumerate(entries, start=1):
            ind = _parse_entry(raw, file, pos)
            if ind.indicator_id in catalogue:
                other = catalogue[ind.indicator_id].file
                raise RegistryError(file, f"#{pos} ({ind.indicator_id})", "indicator_id", f"duplicate id (also in {other})")
            catalogue[ind.indicator_id] = ind
    return catalogue


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Indicator]:
    """The shipped catalogue, loaded once per process: returns indicator id → :class:`Indicator`
    (definition, unit, series kind), the ids :func:`fjdata.series` and the draft files take.

    >>> catalogue()["rd_intensity"].unit
    '%'
    """
    return load_catalogue()


def indicator(indicator_id: str) -> Indicator:
    """One indicator of the catalogue; an unknown id raises ``KeyError`` with a did-you-mean.

    Parameters: ``indicator_id`` (a catalogue id). Returns the frozen :class:`Indicator`.

    >>> indicator("rd_intensity").unit
    '%'
    """
    try:
        return catalogue()[indicator_id]
    except KeyError:
        from fjdata.core.errors import did_you_mean

        hint = did_you_mean(indicator_id, catalogue())
        raise KeyError(
            f"unknown indicator {indicator_id!r}{hint} (not in {config.INDICATORS_DIR}; "
            f"fjdata.inputs.indicators.catalogue() lists all {len(catalogue())})"
        ) from None
