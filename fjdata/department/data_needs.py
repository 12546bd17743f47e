"""Which figures the final evaluation still needs, and why: the content of the department questionnaire.

A need is one (indicator, region, year) that some target is judged on and whose evidence is not
good enough. The years come from the registry, never from code: every target's indicator from
its ``base_year`` to its ``target_year`` — except where the base is fixed by construction (a
chained growth index is 100 in the base year; a "十四五期间" total is 0), where the years start
the year after the base. A year is needed when (reasons, in this order):

- ``missing``          — no observation at all;
- ``preliminary_only`` — every version is preliminary (初步数);
- ``floor_only``       — every version is a bound (超过/突破 N), not a value;
- ``low_tier``         — the best source is media, a secondary copy or a derivation (see
  :mod:`fjdata.inputs.source_quality`);
- ``conflict``         — the versions on file disagree (different values for one year).

Official statements are asked for every ``national_quota`` target (no number is published, so an
authority's word is the only evidence) and for every target whose target-year figure is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fjdata.inputs.indicators import Indicator, catalogue
from fjdata.inputs.observations import observations
from fjdata.inputs.registry import Target, registry
from fjdata.inputs.source_quality import LOW_TIERS, tier_rank

REASONS = ("missing", "preliminary_only", "floor_only", "low_tier", "conflict")
REASON_LABELS = {
    "missing": ("无数据", "missing"),
    "preliminary_only": ("仅有初步数", "preliminary figure only"),
    "floor_only": ("仅有下限（超过/突破）", "lower bound only (超过/突破)"),
    "low_tier": ("来源级别低（媒体/转载/推算）", "low source tier (media / copy / derived)"),
    "conflict": ("来源数值不一致", "sources disagree"),
    "unverified": ("来源待核实（仅见转引，请提供正式出处）", "source unverified (seen only in a copy; please give the publication)"),
}


@dataclass(frozen=True)
class HeldFigure:
    """A figure we hold, as shown to the department."""

    year: int
    value: float
    status: str
    bound: str
    source_title: str
    source_tier: str
    vintage: str
    unverified: bool = False  # 来源待核实: only a code file, panel or anonymous copy carries it


@dataclass(frozen=True)
class DataNeed:
    indicator_id: str
    region: str
    year: int
    target_ids: tuple[str, ...]
    reasons: tuple[str, ...]
    held: tuple[HeldFigure, ...]  # every version of that year (empty when missing)
    nearest: HeldFigure | None  # when missing: the closest year we do hold, for orientation

    @property
    def key(self) -> str:
        return row_key(self.indicator_id, self.region, self.year)

    def reason_text(self, lang: str = "zh") -> str:
        return "；".join(REASON_LABELS[r][0 if lang == "zh" else 1] for r in self.reasons)


@dataclass(frozen=True)
class StatementNeed:
    target_id: str
    year: int
    reason_zh: str
    reason_en: str

    @property
    def key(self) -> str:
        return f"{self.target_id}|{self.year}"


def row_key(indicator_id: str, region: str, year: int) -> str:
    """The stable key of a questionnaire row: ``indicator_id|region|year``."""
    return f"{indicator_id}|{region}|{year}"


def needed_years(t: Target, ind: Indicator) -> range:
    """Plan years a target is judged on (from the registry; the base is skipped when fixed by construction)."""
    fixed_base = ind.chain != "none" or t.kind in ("period_total", "annual_quota")
    return range(t.base_year + 1 if fixed_base else t.base_year, t.target_year + 1)


HELD_COLUMNS = ("year", "value", "status", "bound", "source_title", "source_tier", "vintage", "source_check")


def _held(rows: Sequence[Mapping[str, Any]]) -> tuple[HeldFigure, ...]:
    """The versions of one figure, oldest publication first (rows as records of the observations table)."""
    ordered = sorted(rows, key=lambda r: (r["published_date"], r["vintage"]))  # stable, as pandas' multi-column sort
    return tuple(
        HeldFigure(
            int(r["year"]),
            float(r["value"]),
            str(r["status"]),
            str(r["bound"]),
            str(r["source_title"]),
            str(r["source_tier"]),
            str(r["vintage"]),
            str(r["source_check"]) == "unverified",
        )
        for r in ordered
    )


def _reasons(held: tuple[HeldFigure, ...]) -> tuple[str, ...]:
    if not held:
        return ("missing",)
    out = []
    if all(h.status == "preliminary" for h in held):
        out.append("preliminary_only")
    if all(h.bound for h in held):
        out.append("floor_only")
    if all(h.unverified for h in held):
        out.append("unverified")
    if min(tier_rank(h.source_tier) for h in held) >= min(tier_rank(t) for t in LOW_TIERS):
        out.append("low_tier")
    if len({f"{h.value:.6g}" for h in held}) > 1:  # equal to six significant digits counts as the same figure
        out.append("conflict")
    return tuple(out)


def data_needs(
    chapter: str | int | None = None,
    years: Iterable[int] | None = None,
    targets: Iterable[Target] | None = None,
    extra_data: object = None,
) -> list[DataNeed]:
    """Every (indicator, year) the final evaluation needs and lacks, in registry order."""
    chosen = [t for t in (targets if targets is not None else registry()) if chapter is None or t.chapter == str(chapter)]
    wanted = set(years) if years is not None else None
    known = catalogue()
    frame = observations(region=None, extra_data=extra_data)  # type: ignore[arg-type]
    order: list[tuple[str, str, int]] = []
    users: dict[tuple[str, str, int], list[str]] = {}
    for t in chosen:
        for y in needed_years(t, known[t.indicator_id]):
            if wanted is not None and y not in wanted:
                continue
            key = (t.indicator_id, t.region, y)  # a target's series is in its own region
            if key not in users:
                users[key] = []
                order.append(key)
            users[key].append(t.target_id)
    # Records grouped by series once (in table order), not the table filtered once per needed year.
    by_series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    records: list[dict[str, Any]] = frame[["indicator_id", "region", "published_date", *HELD_COLUMNS]].to_dict("records")  # type: ignore[assignment]
    for r in records:
        by_series.setdefault((r["indicator_id"], r["region"]), []).append(r)
    out = []
    for iid, region, y in order:
        rows = by_series.get((iid, region), [])
        held = _held([r for r in rows if r["year"] == y])
        reasons = _reasons(held)
        if not reasons:
            continue
        nearest = None
        if not held and rows:
            # The closest year (the earlier of two equally close), its first publication.
            nearest = _held([min(rows, key=lambda r: (abs(r["year"] - y), r["year"], r["published_date"]))])[0]
        out.append(DataNeed(iid, region, y, tuple(users[(iid, region, y)]), reasons, held, nearest))
    return out


def statement_needs(
    needs: list[DataNeed], chapter: str | int | None = None, targets: Iterable[Target] | None = None
) -> list[StatementNeed]:
    """Targets for which an official statement (已完成/未完成) on the target year is asked."""
    chosen = [t for t in (targets if targets is not None else registry()) if chapter is None or t.chapter == str(chapter)]
    final_needed = {(tid, n.year) for n in needs for tid in n.target_ids}
    out = []
    for t in chosen:
        if t.kind == "national_quota":
            out.append(
                StatementNeed(
                    t.target_id,
                    t.target_year,
                    "国家下达指标的具体数值尚未收录，目前只能以官方表述为据",
                    "the assigned quota's number has not been collected; for now only an official statement can settle it",
                )
            )
        elif (t.target_id, t.target_year) in final_needed:
            out.append(
                StatementNeed(
                    t.target_id,
                    t.target_year,
                    f"{t.target_year}年数据尚缺或不足；如有官方完成情况表述请一并提供",
                    f"the {t.target_year} figure is missing or weak; an official statement on completion helps",
                )
            )
    return out
