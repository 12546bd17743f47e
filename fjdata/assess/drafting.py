"""The drafting group's evidence for each candidate target of the next plan.

For every candidate of a draft file (see :mod:`fjdata.assess.feasibility` for the format) this puts
side by side what a drafter needs before writing a number into a plan:

- what happened last time: the previous plan's target on the same indicator, its outcome and the
  margin by which it was met or missed (from the final evaluation, :func:`fjdata.assess.assess`);
- the history, with the national series of the same indicator where one is held;
- the growth the candidate needs against the growth achieved over 5 and 10 years, its calibrated
  chance and the values reached with 50/75/90 % chance (:func:`fjdata.assess.feasibility.assess_draft`);
- consistency with the reference plans' targets (e.g. the national 十五五 outline): a provincial floor
  below the national floor of the same indicator is flagged.

Which plans count as "previous" and "reference" is written in the draft file
(``previous_plan``, ``reference_plans``), never in code.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fjdata.assess.assessment import Assessment, assessments
from fjdata.assess.feasibility import DraftFile, DraftTarget, Feasibility, assess_drafts, drafts_key, feasibility_row, read_draft_file
from fjdata.assess.judgements import Status
from fjdata.core.cache import cached, content_digest
from fjdata.forecast.projection import ExtraData
from fjdata.inputs.observations import series
from fjdata.inputs.plan import get_plan
from fjdata.inputs.registry import Target, registry

# Consistency of a candidate with a reference target
BELOW, ABOVE, SAME, NOT_COMPARABLE = "below", "above", "consistent", "not_comparable"
SAME_VALUE = 1e-9


@dataclass(frozen=True)
class LastTime:
    """The previous plan's target on the candidate's indicator, and how it ended."""

    target_id: str
    name_zh: str
    name_en: str
    target_text: str
    target_year: int
    status: Status
    outcome: float | None  # the average achieved (growth) or the latest value
    outcome_year: int | None
    unit: str
    margin: float | None  # how far beyond the target (+) or short of it (−), in margin_unit
    margin_unit: str
    growth: bool  # an average-growth target: the outcome is the average achieved over the plan years


@dataclass(frozen=True)
class Reference:
    """A reference plan's target and how the candidate stands against it."""

    target: Target
    region: str
    flag: str  # below | above | consistent | not_comparable
    same_indicator: bool  # False: the planner linked it (compare_to) across a different series


@dataclass(frozen=True)
class DraftEvidence:
    """Everything the target-setting report shows for one candidate."""

    feasibility: Feasibility
    last_time: tuple[LastTime, ...]
    references: tuple[Reference, ...]
    national: pd.Series | None  # the same indicator in the reference (national) plan's region, if held

    @property
    def target(self) -> DraftTarget:
        return self.feasibility.target


@dataclass(frozen=True)
class DraftReport:
    """A draft file read and every candidate's evidence."""

    draft: DraftFile
    items: tuple[DraftEvidence, ...]

    def frame(self, raw: bool = False) -> pd.DataFrame:
        """One row per candidate (see :func:`draft_frame`)."""
        return draft_frame(self.items, raw)


def _last_time(a: Assessment) -> LastTime:
    t = a.target
    growth = t.kind == "average_growth"
    outcome = a.growth.rate if growth else a.latest.value
    margin = None if a.overall.gap is None or math.isnan(a.overall.gap) else -a.overall.gap
    return LastTime(
        t.target_id,
        t.name_zh,
        t.name_en,
        t.target_text,
        t.target_year,
        a.overall.status,
        outcome,
        t.target_year if growth and outcome is not None else a.latest.year,
        "%" if growth else t.unit,
        margin,
        a.overall.gap_unit,
        growth,
    )


def _flag(d: DraftTarget, t: Target) -> str:
    """The candidate against a reference target of the same kind: below or above its floor/ceiling."""
    if t.target_value is None or t.kind != d.kind or t.target_op not in ("≥", "≤", "≈"):
        return NOT_COMPARABLE
    diff = d.target_value - t.target_value
    if abs(diff) <= SAME_VALUE:
        return SAME
    floor = t.target_op == "≥" or (t.target_op == "≈" and t.direction == "higher")
    if floor:
        return BELOW if diff < 0 else SAME
    return ABOVE if diff > 0 else SAME


def references_for(d: DraftTarget, plans: Sequence[str]) -> tuple[Reference, ...]:
    """Reference targets on the candidate's indicator with the same target year, or named in its ``compare_to``."""
    out = []
    for plan_id in plans:
        plan = get_plan(plan_id)
        for t in registry(plan):
            same = t.indicator_id == d.indicator_id
            # Found by indicator only for the same horizon (a one-year target is not a 2030 benchmark);
            # a target the planner names in compare_to is always shown.
            if (same and t.target_year == d.target_year) or t.target_id in d.compare_to:
                out.append(Reference(t, t.region or plan.region, _flag(d, t), same))
    named = {r.target.target_id for r in out}
    unknown = [i for i in d.compare_to if i not in named]
    if unknown:
        raise KeyError(f"{d.name}: compare_to names {', '.join(unknown)}, not a target of {', '.join(plans) or 'any reference plan'}")
    return tuple(out)


def _national(d: DraftTarget, plans: Sequence[str], as_of: int | None, extra_data: ExtraData) -> pd.Series | None:
    """The candidate's indicator in the region of the first reference plan that is not the candidate's
    own region (the national plan's region for a provincial draft), if that series is held."""
    regions = [get_plan(p).region for p in plans if get_plan(p).region != d.region]
    if not regions:
        return None
    held = series(d.indicator_id, region=regions[0], as_of=as_of, extra_data=extra_data)
    return held if len(held) else None


def draft_report(
    draft: str | Path | DraftFile, method: str | Sequence[str] = "auto", as_of: int | None = None, extra_data: ExtraData = None
) -> DraftReport:
    """The evidence for every candidate of a draft file (the target-setting report's content).

    Parameters: ``draft`` (a YAML or XLSX draft file, or a :class:`DraftFile` already read),
    ``method``, ``as_of`` and ``extra_data`` (as for :func:`fjdata.assess`). Returns a
    :class:`DraftReport`: ``.items`` (one :class:`DraftEvidence` per candidate) and ``.frame()``.

    >>> from fjdata.core import config
    >>> r = draft_report(config.project_root() / "drafts" / "fifteenth-main-indicators-example.yaml")  # doctest: +SKIP
    >>> r.frame().loc[0, ["name", "previous_target", "previous_status"]].tolist()  # doctest: +SKIP
    ['规上工业增加值年均增长', '年均增长6%', 'achieved']
    """
    doc = draft if isinstance(draft, DraftFile) else read_draft_file(draft)
    file = None if isinstance(draft, DraftFile) else draft
    # Stored on disk on the draft's content (and the file's bytes), the view and the data: the
    # nightly's warm-up computes it, the report's kernel reads it.
    key = {**drafts_key(doc.targets, method, as_of, extra_data, file), "draft": content_digest(doc)}
    return cached("draft", key, lambda: _draft_report(doc, method, as_of, extra_data))


def _draft_report(doc: DraftFile, method: str | Sequence[str], as_of: int | None, extra_data: ExtraData) -> DraftReport:
    results = assess_drafts(list(doc.targets), method, as_of, extra_data)
    previous = assessments(as_of=as_of, extra_data=extra_data, plan=doc.previous_plan)
    items = []
    for f in results:
        d = f.target
        last = tuple(_last_time(a) for a in previous if a.target.indicator_id == d.indicator_id and a.target.kind != "national_quota")
        items.append(DraftEvidence(f, last, references_for(d, doc.reference_plans), _national(d, doc.reference_plans, as_of, extra_data)))
    return DraftReport(doc, tuple(items))


def _reference_text(r: Reference) -> str:
    t = r.target
    value = "" if t.target_value is None else f" {t.target_op} {t.target_value:g}"
    return f"{t.target_id} ({r.region}{value})"


def draft_frame(items: Sequence[DraftEvidence], raw: bool = False) -> pd.DataFrame:
    """The feasibility columns plus last time's target, outcome and margin and the consistency flags;
    the chance as a band (``probability`` as a number only with ``raw=True``)."""
    rows = []
    for e in items:
        row = feasibility_row(e.feasibility)
        if not raw:
            row.pop("probability")
        last = e.last_time[0] if e.last_time else None
        row.update(
            {
                "previous_target_id": last.target_id if last else "",
                "previous_target": last.target_text if last else "",
                "previous_outcome": last.outcome if last else math.nan,
                "previous_outcome_year": last.outcome_year if last else None,
                "previous_status": last.status.value if last else "",
                "previous_margin": last.margin if last else math.nan,
                "previous_margin_unit": last.margin_unit if last else "",
                "references": " | ".join(_reference_text(r) for r in e.references),
                "consistency": " | ".join(f"{r.target.target_id}: {r.flag}" for r in e.references),
            }
        )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    for col in ("target_year", "last_year", "previous_outcome_year"):
        if col in frame:
            frame[col] = frame[col].astype("Int64")
    return frame
