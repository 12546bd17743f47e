"""Quick what-if: "what if 2025 were 32.5 %?" without writing a 16-column provenance CSV.

``what_if`` maps a target id or an indicator id to ``{year: value}``. Each value is turned into
one overlay row that replaces the figure the vintage rule would have chosen for that year (same
indicator, region and release, so the rule picks it), marked hypothetical in its source title, its
quote and its note. The rows live in a temporary file for the duration of one call and are never
written to the data folders; results computed from them carry a ``what_if`` column.
"""

from __future__ import annotations

import csv
import math
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from fjdata.core.errors import ArgumentError
from fjdata.inputs.indicators import catalogue
from fjdata.inputs.observations import COLUMNS, all_observations, series
from fjdata.inputs.plan import Plan, get_plan
from fjdata.inputs.registry import registry

WhatIf = Mapping[str, Mapping[int, float]] | None
HYPOTHETICAL = "假设值（what-if），不是数据 / hypothetical value (what-if), not data"
MARK = "hypothetical"


def _resolve(key: str, plan: str | Plan | None) -> tuple[str, str]:
    """(indicator id, region) of a target id or an indicator id (the plan's region)."""
    the_plan = get_plan(plan)
    for t in registry(the_plan):
        if t.target_id == key:
            return t.indicator_id, t.region or the_plan.region
    if key in catalogue():
        return key, the_plan.region
    raise ArgumentError(f"what_if: {key!r} is neither a target of {the_plan.plan_id} nor an indicator id")


def _values(key: str, years: Mapping[int, float]) -> list[tuple[int, float]]:
    if not isinstance(years, Mapping) or not years:
        raise ArgumentError(f"what_if[{key!r}] must map years to values, e.g. {{2025: 32.5}}")
    out = []
    for year, value in years.items():
        if isinstance(year, bool) or not isinstance(year, int) or isinstance(value, bool) or not isinstance(value, int | float):
            raise ArgumentError(f"what_if[{key!r}]: {year!r}: {value!r} is not a year and a number")
        if not math.isfinite(float(value)):
            raise ArgumentError(f"what_if[{key!r}]: {year}: {value!r} is not a finite number")
        out.append((year, float(value)))
    return out


def what_if_rows(what_if: WhatIf, plan: str | Plan | None = None) -> list[dict[str, str]]:
    """The overlay rows (observation schema) for ``what_if``: each in the release the vintage rule
    uses for its series, so that it replaces that release's figure for the year."""
    rows = []
    for key, years in (what_if or {}).items():
        iid, region = _resolve(key, plan)
        ind = catalogue()[iid]
        held = {s.year: s for s in series(iid, region=region).attrs.get("sources", ())}
        latest = held[max(held)] if held else None
        for year, value in _values(key, years):
            ref = held.get(year, latest)
            published = max(_published(iid, region, ref.year, ref.vintage) if ref else "", f"{year}-12-31")
            rows.append(
                {
                    "indicator_id": iid,
                    "region": region,
                    "year": str(year),
                    "value": repr(value),
                    "unit": ind.unit,
                    "status": ref.status if ref and ref.status != "derived" else "final",
                    "vintage": ref.vintage if ref else "what_if",
                    "published": published,
                    "source_title": HYPOTHETICAL,
                    "source_url": MARK,
                    "quote": f"{MARK}: {key} {year} = {value:g}",
                    "note": HYPOTHETICAL,
                }
            )
    return rows


def _published(iid: str, region: str, year: int, vintage: str) -> str:
    """When the release a what-if row joins was published (so the row is never older than it)."""
    rows = all_observations()
    hit = rows[(rows["indicator_id"] == iid) & (rows["region"] == region) & (rows["year"] == year) & (rows["vintage"] == vintage)]
    return str(hit["published"].max()) if len(hit) else ""


@contextmanager
def what_if_file(what_if: WhatIf, plan: str | Plan | None = None) -> Iterator[Path | None]:
    """A temporary overlay CSV holding the what-if rows (None when there are none); removed on exit."""
    rows = what_if_rows(what_if, plan)
    if not rows:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="fjdata-what-if-"))
    path = folder / "what_if.csv"
    try:
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def what_if_label(what_if: WhatIf, plan: str | Plan | None = None) -> dict[str, str]:
    """Indicator id → "hypothetical: c2_mfg_share_gdp 2025=32.5" (the ``what_if`` column of a frame)."""
    out: dict[str, list[str]] = {}
    for key, years in (what_if or {}).items():
        iid, _ = _resolve(key, plan)
        out.setdefault(iid, []).extend(f"{key} {y}={v:g}" for y, v in _values(key, years))
    return {iid: f"{MARK}: " + ", ".join(parts) for iid, parts in out.items()}
