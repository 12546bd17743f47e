"""The coverage page of the nightly output: per target, which plan years we hold and from which
source tier, what is missing, and a link to the department questionnaire written beside it.

:func:`write_coverage_outputs` writes ``coverage.html`` (self-contained: inline CSS, no scripts,
no remote requests) and ``request_zh.xlsx`` into a run folder; :func:`coverage_rows` is the
table behind it, also used to measure coverage (``base`` and ``late`` columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fjdata.core.wording import words
from fjdata.department.data_needs import data_needs, needed_years
from fjdata.inputs.indicators import catalogue
from fjdata.inputs.observations import PLAN_REGION, observations
from fjdata.inputs.registry import Target, registry
from fjdata.inputs.source_quality import TIERS, tier_label, tier_rank
from fjdata.inputs.statements import Statement, statements
from fjdata.report.templating import render

QUESTIONNAIRE = "request_zh.xlsx"
PAGE = "coverage.html"
TIER_COLOURS = {
    "official_statistics": "#1b5e20",
    "department": "#2e7d32",
    "official_release": "#558b2f",
    "media": "#f9a825",
    "secondary_copy": "#ef6c00",
    "derived": "#6d4c41",
}


@dataclass(frozen=True)
class YearCell:
    year: int
    needed: bool  # part of the years the evaluation judges the target on
    tier: str | None  # best tier held for that year, None when missing
    status: str | None
    bound: bool
    asked: bool  # on the questionnaire

    @property
    def text(self) -> str:
        w = words("zh")["coverage"]  # the page is Chinese (English beside it where it explains)
        if self.tier is None:
            return str(w["missing"]) if self.needed else "·"
        mark = "p" if self.status == "preliminary" else ""
        return ("≥" if self.bound else "") + str(w["tier_short"].get(self.tier, "?")) + mark


@dataclass(frozen=True)
class CoverageRow:
    target: Target
    cells: tuple[YearCell, ...]
    base: bool  # a base-year value: observed, stated in the plan, or fixed by construction (index = 100, total = 0)
    late: bool  # a value for the target year or the year before
    missing: tuple[int, ...]
    asked: int  # questionnaire rows for this target
    statements: tuple[Statement, ...] = ()  # official statements on file (evidence, never a number)


def coverage_rows(extra_data: object = None) -> list[CoverageRow]:
    known = catalogue()
    frame = observations(region=PLAN_REGION, extra_data=extra_data)  # type: ignore[arg-type]
    asked = {(n.indicator_id, n.year) for n in data_needs(extra_data=extra_data)}
    said = statements()
    out = []
    for t in registry():
        ind = known[t.indicator_id]
        wanted = set(needed_years(t, ind))
        rows = frame[frame["indicator_id"] == t.indicator_id]
        cells = []
        for y in range(t.base_year, t.target_year + 1):
            held = rows[rows["year"] == y]
            if held.empty:
                cells.append(YearCell(y, y in wanted, None, None, False, (t.indicator_id, y) in asked))
                continue
            best = min(held.itertuples(), key=lambda r: (tier_rank(str(r.source_tier)), str(r.status) == "preliminary", bool(r.bound)))
            cells.append(YearCell(y, y in wanted, str(best.source_tier), str(best.status), bool(best.bound), (t.indicator_id, y) in asked))
        held_years = {c.year for c in cells if c.tier is not None}
        base = t.base_year in held_years or t.base_year not in wanted or t.base_value is not None
        late = bool(held_years & {t.target_year - 1, t.target_year})
        missing = tuple(c.year for c in cells if c.needed and c.tier is None)
        mine = tuple(s for s in said if s.target_id == t.target_id)
        out.append(CoverageRow(t, tuple(cells), base, late, missing, sum(1 for c in cells if c.asked), mine))
    return out


@dataclass(frozen=True)
class TrailRow:
    """One figure behind a target with the publication cited to readers and the research trail
    (repost site, repository, panel file, search) kept for the analyst: shown on this page only."""

    indicator_id: str
    year: int
    value: float
    publication: str
    unverified: bool
    provenance: str


def trail_rows(extra_data: object = None) -> list[TrailRow]:
    """The figures of the plan's target indicators that carry a research trail or are 来源待核实."""
    wanted = {t.indicator_id for t in registry()}
    frame = observations(region=PLAN_REGION, extra_data=extra_data)  # type: ignore[arg-type]
    frame = frame[frame["indicator_id"].isin(wanted) & ((frame["provenance"] != "") | (frame["source_check"] == "unverified"))]
    return [
        TrailRow(
            str(r["indicator_id"]),
            int(r["year"]),
            float(r["value"]),
            str(r["source_title"]),
            str(r["source_check"]) == "unverified",
            str(r["provenance"]),
        )
        for r in frame.sort_values(["indicator_id", "year"]).to_dict("records")
    ]


def coverage_html(rows: list[CoverageRow] | None = None, questionnaire: str = QUESTIONNAIRE) -> str:
    """The self-contained coverage page (``templates/coverage.html.j2``)."""
    rows = rows if rows is not None else coverage_rows()
    years = sorted({c.year for r in rows for c in r.cells})
    target_year = max((r.target.target_year for r in rows), default=0)
    zh = words("zh")["coverage"]
    return render(
        "coverage.html.j2",
        zh=zh,
        en=words("en")["coverage"],
        rows=rows,
        years=years,
        tiers=TIERS,
        colours=TIER_COLOURS,
        label=tier_label,
        questionnaire=questionnaire,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        both=sum(r.base and r.late for r in rows),
        late_label=zh["late_years"].format(y0=target_year - 1, y1=target_year),
        asked=sum(r.asked for r in rows),
        trail=trail_rows(),
    )


def write_coverage_outputs(folder: Path) -> list[str]:
    """Write ``request_zh.xlsx`` and ``coverage.html`` into a run folder; returns their names."""
    from fjdata.core.cache import atomic_write_bytes
    from fjdata.department.questionnaire import write_request

    write_request(folder / QUESTIONNAIRE, lang="zh")
    atomic_write_bytes(folder / PAGE, coverage_html().encode("utf-8"))
    return [PAGE, QUESTIONNAIRE]
