"""The three judgements of progress, as pure formulas (no data access).

(a) Chinese mid-term-evaluation practice: progress P against elapsed time τ (anchors.md §1.9).
(b) Eurostat / Open SDG growth ratio R = CAGR_actual / CAGR_required (anchors.md §1.2, §1.4).
(c) Model-based: probability that the target is met, from a forecast's predictive distribution.

All three work on the *judged scale*: the level itself for level/share/count targets, the
chained real index (base year = 100) for average-growth targets, and the level index
(base year = 100) for cumulative reductions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"


class Status(StrEnum):
    """Every status any judgement can give, with Chinese and English labels and a light."""

    ACHIEVED = "achieved"  # target year observed and met, or latest value already meets it
    ACHIEVED_EARLY = "achieved_early"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    LAGGING = "lagging"
    MISSED = "missed"
    SIGNIFICANT = "significant"
    MODERATE = "moderate"
    LIMITED = "limited"
    AWAY = "away"
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"
    NOT_APPLICABLE = "not_applicable"
    NOT_QUANTIFIED = "not_quantified"
    INSUFFICIENT = "insufficient"

    @property
    def zh(self) -> str:
        return _LABELS[self][0]

    @property
    def en(self) -> str:
        return _LABELS[self][1]

    @property
    def light(self) -> Light:
        return _LABELS[self][2]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


_LABELS: dict[Status, tuple[str, str, Light]] = {
    Status.ACHIEVED: ("已实现", "achieved", Light.GREEN),
    Status.ACHIEVED_EARLY: ("提前实现", "achieved early", Light.GREEN),
    Status.AHEAD: ("快于预期", "ahead of schedule", Light.GREEN),
    Status.ON_TRACK: ("基本符合预期", "broadly on schedule", Light.GREEN),
    Status.LAGGING: ("滞后", "lagging", Light.RED),
    Status.MISSED: ("未实现", "missed", Light.RED),
    Status.SIGNIFICANT: ("进展显著", "significant progress", Light.GREEN),
    Status.MODERATE: ("进展一般，需加快", "moderate progress, acceleration needed", Light.AMBER),
    Status.LIMITED: ("进展不足", "limited progress", Light.RED),
    Status.AWAY: ("背离目标", "moving away", Light.RED),
    Status.LIKELY: ("很可能实现", "likely to be met", Light.GREEN),
    Status.POSSIBLE: ("有可能实现", "may be met", Light.AMBER),
    Status.UNLIKELY: ("难以实现", "unlikely to be met", Light.RED),
    Status.NOT_APPLICABLE: ("不适用", "not applicable", Light.GREY),
    Status.NOT_QUANTIFIED: ("无量化目标值", "no numeric target", Light.GREY),
    Status.INSUFFICIENT: ("数据不足", "insufficient data", Light.GREY),
}


@dataclass(frozen=True)
class Goal:
    """A target on the judged scale."""

    base_year: int
    base: float
    target_year: int
    target: float
    op: str  # ≥ ≤ ≈ =
    band: float = 0.0  # half-width for ≈ / =

    @property
    def higher(self) -> bool:
        return self.op == "≥"

    @property
    def is_hold(self) -> bool:
        """A floor or ceiling the base already satisfies (e.g. ≥ 23 from 25): nothing to travel, keep it."""
        return self.op in ("≈", "=") or (self.op == "≥" and self.target <= self.base) or (self.op == "≤" and self.target >= self.base)

    def met(self, value: float) -> bool:
        if self.op == "≥":
            return value >= self.target
        if self.op == "≤":
            return value <= self.target
        return abs(value - self.target) <= self.band


def elapsed(base_year: int, latest_year: int, target_year: int) -> float:
    """τ = (t − b)/(T − b), clipped to [0, 1]."""
    return min(max((latest_year - base_year) / (target_year - base_year), 0.0), 1.0)


def progress_linear(base: float, latest: float, target: float) -> float:
    """P = (y_t − y_b)/(y* − y_b) for level, share and count targets."""
    return (latest - base) / (target - base)


def progress_log(base: float, latest: float, target: float) -> float:
    """P = ln(y_t/y_b)/ln(y*/y_b): average growth on a chained index, cumulative reductions.

    For a reduction target r*, y*/y_b = 1 − r*, which reproduces NDRC's 82.5 % for the 12th
    FYP energy-intensity target: ln(1 − 0.134)/ln(1 − 0.16) = 0.8252.
    """
    return math.log(latest / base) / math.log(target / base)


@dataclass(frozen=True)
class CnJudgement:
    status: Status
    progress: float | None
    elapsed: float | None


def judge_cn(goal: Goal, latest_year: int, latest: float, log_form: bool, tolerance: float) -> CnJudgement:
    """提前实现 / 快于预期 / 基本符合预期 / 滞后 (and 已实现 / 未实现 once the target year is observed)."""
    tau = elapsed(goal.base_year, latest_year, goal.target_year)
    final = latest_year >= goal.target_year
    if goal.is_hold:
        # Nothing to travel ("keep at about y*", or a floor already cleared): judge by the bound alone.
        inside = goal.met(latest)
        if final:
            return CnJudgement(Status.ACHIEVED if inside else Status.MISSED, None, tau)
        return CnJudgement(Status.ON_TRACK if inside else Status.LAGGING, None, tau)
    p = progress_log(goal.base, latest, goal.target) if log_form else progress_linear(goal.base, latest, goal.target)
    if goal.met(latest):
        return CnJudgement(Status.ACHIEVED if final else Status.ACHIEVED_EARLY, p, tau)
    if final:
        return CnJudgement(Status.MISSED, p, tau)
    if p >= tau + tolerance:
        return CnJudgement(Status.AHEAD, p, tau)
    if p <= tau - tolerance:
        return CnJudgement(Status.LAGGING, p, tau)
    return CnJudgement(Status.ON_TRACK, p, tau)


def judge_annual_quota(values: dict[int, float], goal: Goal, tolerance: float) -> CnJudgement:
    """A yearly quota (每年…N以上): P is the share of plan years so far that met it.

    Every observed plan year meeting the quota is 基本符合预期 (已实现 once the target year is
    observed); any year below it is 滞后 (未实现 at the end). ``tolerance`` is unused on purpose:
    a quota is met or not in each year.
    """
    del tolerance
    years = sorted(y for y in values if goal.base_year < y <= goal.target_year)
    if not years:
        return CnJudgement(Status.INSUFFICIENT, None, None)
    met = [goal.met(values[y]) for y in years]
    share = sum(met) / len(met)
    tau = elapsed(goal.base_year, years[-1], goal.target_year)
    final = years[-1] >= goal.target_year
    if all(met):
        return CnJudgement(Status.ACHIEVED if final else Status.ON_TRACK, share, tau)
    return CnJudgement(Status.MISSED if final else Status.LAGGING, share, tau)


@dataclass(frozen=True)
class SdgJudgement:
    status: Status
    ratio: float | None
    cagr_actual: float | None
    cagr_required: float | None


def cagr(start: float, end: float, years: int) -> float:
    return (end / start) ** (1.0 / years) - 1.0


def judge_sdg(goal: Goal, latest_year: int, latest: float, thresholds: dict[str, float]) -> SdgJudgement:
    """Growth ratio R with Open SDG categories; a target already met is reported as met."""
    if goal.met(latest):
        return SdgJudgement(Status.ACHIEVED, None, None, None)
    if goal.is_hold or min(goal.base, latest, goal.target) < 0:
        return SdgJudgement(Status.NOT_APPLICABLE, None, None, None)  # no growth path to compare with
    # Open SDG replaces zeros (only) by 0.001 so that the exponential model stays defined.
    base, value, target = (v if v > 0 else 1e-3 for v in (goal.base, latest, goal.target))
    if latest_year <= goal.base_year or target == base:
        return SdgJudgement(Status.NOT_APPLICABLE, None, None, None)
    actual = cagr(base, value, latest_year - goal.base_year)
    required = cagr(base, target, goal.target_year - goal.base_year)
    ratio = actual / required
    if ratio >= thresholds["high"]:
        status = Status.SIGNIFICANT
    elif ratio >= thresholds["med"]:
        status = Status.MODERATE
    elif ratio >= thresholds["low"]:
        status = Status.LIMITED
    else:
        status = Status.AWAY
    return SdgJudgement(status, ratio, actual, required)


def judge_probability(p: float, bands: dict[str, float]) -> Status:
    if p >= bands["green"]:
        return Status.LIKELY
    if p >= bands["amber"]:
        return Status.POSSIBLE
    return Status.UNLIKELY


def required_path(goal: Goal, years: list[int]) -> list[float]:
    """The constant-rate path from base to target (what CAGR_required implies), for charts."""
    if goal.base <= 0 or goal.target <= 0:
        step = (goal.target - goal.base) / (goal.target_year - goal.base_year)
        return [goal.base + step * (y - goal.base_year) for y in years]
    r = cagr(goal.base, goal.target, goal.target_year - goal.base_year)
    return [goal.base * (1 + r) ** (y - goal.base_year) for y in years]
