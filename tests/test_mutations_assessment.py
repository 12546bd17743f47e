"""Assessment edges pinned to hand-worked numbers, written to kill mutmut's survivors in
``fjdata/assess/assessment.py`` (``python3 tasks.py mutmut assessment``): the overall verdict's
order of rules, the distance to the target, each base rule of the goal, the comparison of two
views, official statements, sources and disputes, and the record's ``replace``/``to_row``. Each
uses a hand-made series or a hand-built goal, so the file runs in about two seconds.

Score (mutmut 3.8.1, the fast selection of [tool.fjdata.mutmut.assessment]): 714 of 1549 mutants
killed before these tests, 1281 of 1553 after (93.8 % of the 1366 the selection reaches). The 187
not reached are the plan-wide plumbing (assess, assessments, results, view_results, warm), which
only the whole-plan tests left out of the selection run. Of the 85 survivors most cannot change
behaviour: the zh and en probability bands are the same strings; max(years, default=…) is never
evaluated on an empty list; the settings are dicts; a "≈" probability ignores its direction; the
chart goal's and a few defaults' alternatives coincide on every target kind. The rest need data
the shipped plan does not have (a published period average, a national quota with a number).
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from fjdata.assess.assessment import (
    Assessment,
    Dispute,
    Observed,
    _attainment,
    _goal,
    _overall,
    _probability,
    _view,
    assess_target,
    view_changes,
)
from fjdata.assess.judgements import Goal, QuotaJudgement, Status
from fjdata.assess.view import View
from fjdata.core.errors import ArgumentError
from fjdata.forecast.models import Forecast
from fjdata.forecast.projection import AutoPolicy, JudgedSeries, Projection
from fjdata.inputs.observations import SourceRef
from fjdata.inputs.registry import target
from fjdata.inputs.statements import STATEMENT_COLUMNS
from fjdata.inputs.transforms import year_index
from tests.conftest import write_csv

MID = date(2023, 6, 30)  # a view taken while the 2021–2025 plan was running
FLOOR = Goal(2020, 47.0, 2025, 60.0, "≥")  # at least 60 by 2025, from 47 in 2020
CEILING = Goal(2020, 100.0, 2025, 80.0, "≤")  # at most 80
ABOUT = Goal(2020, 33.0, 2025, 33.3, "≈", 0.5)  # about 33.3, ±0.5 counts as met


POLICY = AutoPolicy(("drift", "linear"))  # what `auto` combines, fixed here instead of taken from the backtest


def _judged(iid: str, years: list[int], values: list[float], attrs: dict[str, object] | None = None) -> JudgedSeries:
    s = pd.Series(values, index=year_index(years), dtype=float)
    s.attrs.update(attrs or {})
    return JudgedSeries(iid, s, "log", None, None, s)


def _chained(iid: str, index: dict[int, float]) -> JudgedSeries:
    """A chained index (base year = 100) and the yearly rates (%) it is published as."""
    years = list(index)
    rates = {y: (index[y] / index[y - 1] - 1) * 100 for y in years[1:]}
    values = pd.Series(list(index.values()), index=year_index(years), dtype=float)
    return JudgedSeries(iid, values, "log", None, years[0], pd.Series(list(rates.values()), index=year_index(list(rates)), dtype=float))


def _ref(year: int, value: float, *, spliced: bool = False, other: float | None = None) -> SourceRef:
    alternatives = () if other is None else (SourceRef(year, other, "preliminary", "2023-03", "快报", "", "", False),)
    return SourceRef(year, value, "final", "2024-06", "年鉴", "", "", False, selection="newer", spliced=spliced, alternatives=alternatives)


@pytest.fixture(scope="module")
def firms() -> Assessment:
    """≥ 60 firms by 2025: 47 in 2020, 50 in 2021, 53 in 2022, judged in mid-2023."""
    t = target("c2_firms_over_10bn")
    return assess_target(t, judged=_judged(t.indicator_id, [2020, 2021, 2022], [47, 50, 53]), today=MID).assessment


# --- the distance to the target -------------------------------------------------------------


def test_attainment_of_a_floor_is_latest_over_target_and_the_gap_what_is_left() -> None:
    assert _attainment(FLOOR, 45.0, True) == pytest.approx((0.75, 15.0))
    assert _attainment(FLOOR, 66.0, True) == pytest.approx((1.1, -6.0))  # exceeded: the gap is negative
    assert _attainment(Goal(2020, -5.0, 2025, 0.0, "≥"), -2.0, True) == (None, 2.0)  # no share of a zero target


def test_attainment_of_a_ceiling_is_target_over_latest() -> None:
    assert _attainment(CEILING, 100.0, False) == pytest.approx((0.8, 20.0))  # 20 above the ceiling
    assert _attainment(CEILING, 64.0, False) == pytest.approx((1.25, -16.0))
    assert _attainment(CEILING, 0.0, False) == (None, -80.0)


def test_attainment_of_an_about_target_is_a_share_either_way() -> None:
    assert _attainment(ABOUT, 33.0, True) == pytest.approx((33.0 / 33.3, 0.3))
    assert _attainment(ABOUT, 33.0, False) == pytest.approx((33.0 / 33.3, 0.3))  # the direction does not matter
    assert _attainment(Goal(2020, 1.0, 2025, 0.0, "="), 0.5, True) == (None, -0.5)
    assert _attainment(Goal(2020, 1.0, 2025, 2.0, "="), 4.0, False) == (2.0, -2.0)  # "=" ignores the direction too


def test_attainment_of_targets_below_one() -> None:
    assert _attainment(Goal(2020, 0.1, 2025, 0.5, "≥"), 0.25, True) == (0.5, 0.25)  # a share written as a fraction
    assert _attainment(Goal(2020, 0.9, 2025, 0.4, "≤"), 0.5, False) == pytest.approx((0.8, 0.1))


# --- the overall verdict: the rules in their order ----------------------------------------------


def _verdict(goal: Goal | None = FLOOR, **kw: object) -> tuple[Status, str]:
    args: dict[str, object] = {
        "final": False,
        "final_value": None,
        "latest_met": False,
        "period_over": False,
        "cn_status": Status.INSUFFICIENT,
        "model_status": Status.INSUFFICIENT,
        "quota": None,
        "basic_band": 1.0,
    }
    return _overall(goal, **{**args, **kw})  # type: ignore[arg-type]


def test_no_goal_is_not_quantified_whatever_else_is_known() -> None:
    assert _verdict(None, final=True, final_value=99.0, latest_met=True, cn_status=Status.AHEAD) == (Status.NOT_QUANTIFIED, "none")


def test_a_quota_decides_before_any_value() -> None:
    met = QuotaJudgement(Status.MET_EVERY_YEAR, (2021,), (), (), 1.2)
    assert _verdict(final=True, final_value=10.0, quota=met) == (Status.MET_EVERY_YEAR, "quota")
    unknown = QuotaJudgement(Status.INSUFFICIENT, (), (), (), None)
    assert _verdict(quota=unknown, latest_met=True) == (Status.INSUFFICIENT, "none")


def test_the_final_value_decides_met_missed_or_broadly_met() -> None:
    assert _verdict(final=True, final_value=60.0) == (Status.ACHIEVED, "final")  # exactly on the floor
    assert _verdict(final=True, final_value=59.0, latest_met=True) == (Status.MISSED, "final")
    assert _verdict(ABOUT, final=True, final_value=34.3) == (Status.BASICALLY_ACHIEVED, "final")  # 1.0 off, band ±1.0
    assert _verdict(ABOUT, final=True, final_value=34.31) == (Status.MISSED, "final")
    assert _verdict(ABOUT, final=True, final_value=32.3) == (Status.BASICALLY_ACHIEVED, "final")  # below counts too
    assert _verdict(ABOUT, final=True, final_value=33.7) == (Status.ACHIEVED, "final")  # inside ±0.5
    exactly = Goal(2020, 8.0, 2025, 10.0, "=", 0.5)
    assert _verdict(exactly, final=True, final_value=11.0) == (Status.BASICALLY_ACHIEVED, "final")  # "=" is broadly met too
    # A floor is never "broadly" met, however close.
    assert _verdict(final=True, final_value=59.99) == (Status.MISSED, "final")
    # "final" without a value (an index implied by rates) falls through to the other rules.
    assert _verdict(final=True, final_value=None, latest_met=True, period_over=True) == (Status.ACHIEVED, "latest")


def test_a_met_latest_value_is_achieved_early_until_the_period_is_over() -> None:
    assert _verdict(latest_met=True) == (Status.ACHIEVED_EARLY, "latest")
    assert _verdict(latest_met=True, period_over=True, model_status=Status.UNLIKELY) == (Status.ACHIEVED, "latest")


@pytest.mark.parametrize("status", [Status.PROBABLY_ACHIEVED, Status.UNCERTAIN, Status.PROBABLY_MISSED])
def test_an_estimate_of_the_target_year_is_the_basis_after_the_period(status: Status) -> None:
    assert _verdict(model_status=status, cn_status=Status.AHEAD) == (status, "estimate")


@pytest.mark.parametrize("status", [Status.LIKELY, Status.POSSIBLE, Status.UNLIKELY])
def test_a_forecast_comes_before_progress(status: Status) -> None:
    assert _verdict(model_status=status, cn_status=Status.LAGGING) == (status, "forecast")


@pytest.mark.parametrize("status", [Status.AHEAD, Status.ON_TRACK, Status.LAGGING])
def test_progress_is_the_last_resort(status: Status) -> None:
    assert _verdict(cn_status=status) == (status, "progress")


@pytest.mark.parametrize("status", [Status.INSUFFICIENT, Status.NOT_QUANTIFIED, Status.ACHIEVED_EARLY, Status.MISSED])
def test_nothing_usable_is_insufficient(status: Status) -> None:
    assert _verdict(cn_status=status, model_status=status) == (Status.INSUFFICIENT, "none")


# --- two views compared ----------------------------------------------------------------------


def test_view_changes_give_the_direction_between_lights_and_zero_to_and_from_grey(firms: Assessment) -> None:
    before = firms.replace(cn_status=Status.LAGGING, sdg_status=Status.MODERATE, model_status=Status.POSSIBLE, overall_status=Status.AHEAD)
    after = firms.replace(
        cn_status=Status.ON_TRACK,  # red → green: better
        sdg_status=Status.LIMITED,  # amber → red: worse
        model_status=Status.INSUFFICIENT,  # amber → grey: no longer judged
        overall_status=Status.ACHIEVED_EARLY,  # green → green: a new label, no direction
    )
    got = {(c.judgement, c.before, c.after, c.direction) for c in view_changes([before], [after])}
    assert got == {
        ("overall_status", Status.AHEAD, Status.ACHIEVED_EARLY, 0),
        ("cn_status", Status.LAGGING, Status.ON_TRACK, 1),
        ("sdg_status", Status.MODERATE, Status.LIMITED, -1),
        ("model_status", Status.POSSIBLE, Status.INSUFFICIENT, 0),
    }
    assert [c.target_id for c in view_changes([before], [after])] == [firms.target_id] * 4
    # grey → a light is newly judged: no direction either; a target only in one view is skipped
    (c,) = view_changes([after.replace(sdg_status=Status.LIMITED)], [after.replace(model_status=Status.LIKELY)])
    assert (c.judgement, c.direction) == ("model_status", 0)
    assert view_changes([before.replace(target_id="other")], [after]) == []
    (first, *_) = view_changes([before], [after.replace(target_id="new"), after])  # a new target does not stop the rest
    assert first.target_id == firms.target_id
    assert view_changes([after], [after]) == []


# --- the record ------------------------------------------------------------------------------


def test_replace_takes_whole_fields_and_flat_columns_that_are_fields(firms: Assessment) -> None:
    c = firms.replace(overall=replace(firms.overall, gap=0.5))  # a whole part, not a flat column
    assert c.overall.gap == 0.5 and c.overall.status is firms.overall.status
    b = firms.replace(as_of=2022, notes=("checked by hand",), n_obs=7)
    assert (b.as_of, b.notes, b.n_obs) == (2022, ("checked by hand",), 7)
    assert (firms.as_of, firms.n_obs) == (None, 3) and firms.notes != ("checked by hand",)
    # nothing fitted: no method, no members, no warnings (an empty cell, not "None", in the table)
    assert (firms.forecast.method, firms.forecast.members, firms.fit_warnings) == (None, None, ())
    assert firms.to_row()["fit_warnings"] == "" and firms.judged_unit == "家"
    assert b.progress == firms.progress and b.overall == firms.overall


def test_flat_names_read_through_the_nested_record(firms: Assessment) -> None:
    # 47 → 53 against 47 → 60 by mid-2023: P = 6/13, τ = 3/5 (a view in mid-2023 counts 2023 as its year).
    assert firms.base_used_year == 2020 and firms.base_used_value == 47.0 and firms.latest_value == 53.0
    assert firms.cn_progress == pytest.approx(6 / 13) and firms.goal_value == 60.0
    assert firms.years_used == (2021, 2022) and firms.target_id == "c2_firms_over_10bn"
    with pytest.raises(AttributeError, match=r"^'Assessment' has no attribute 'as_off'$"):
        _ = firms.as_off  # type: ignore[attr-defined]


def test_to_row_flattens_statuses_labels_lights_and_tuples(firms: Assessment) -> None:
    row = firms.replace(cn_status=Status.LAGGING, years_missing=(2024, 2025), notes=("a", "b"), fit_warnings=("w1", "w2")).to_row()
    assert (row["cn_status"], row["cn_label_zh"], row["cn_label_en"], row["cn_light"]) == ("lagging", "滞后", "lagging", "red")
    assert row["years_used"] == "2021,2022" and row["years_missing"] == "2024,2025" and row["quota_years_short"] == ""
    assert row["notes"] == "a | b" and row["fit_warnings"] == "w1 | w2" and row["disputes"] == ""
    assert row["latest_value"] == 53.0 and row["base_used_year"] == 2020


def test_a_view_and_loose_view_arguments_are_refused_together(tmp_path: Path) -> None:
    v = View.of()
    assert _view(v, None, None, "auto", None, "consistent", None) is v
    for loose in [("fj14", None, "auto", None, "consistent", None), (None, 2022, "auto", None, "consistent", None),
                  (None, None, "drift", None, "consistent", None), (None, None, "auto", 0.1, "consistent", None),
                  (None, None, "auto", None, "latest", None), (None, None, "auto", None, "consistent", ["x.csv"])]:  # fmt: skip
        with pytest.raises(ArgumentError, match=r"^give either view= or the separate view arguments \(plan, as_of, method, …\), not both$"):
            _view(v, *loose)  # type: ignore[arg-type]
    extra = write_csv(tmp_path / "extra.csv", [])  # no rows: the view only records the file
    built = _view(None, "china-15th-fyp", 2022, "auto", 0.125, "consistent", [extra])
    assert (built.plan_id, built.as_of, built.tolerance, built.extra_data) == ("china-15th-fyp", 2022, 0.125, (str(extra),))


# --- whole assessments of hand-made series ----------------------------------------------------


def test_a_cumulative_reduction_on_a_chained_index_is_measured_in_percentage_points() -> None:
    """−13.5 % by 2025 from 2020 = 100; two years of −2 % each (index 96.04), judged after the period."""
    t = replace(target("c2_energy_intensity_above_size"), kind="cumulative_reduction", target_value=13.5, target_op="≤")
    a = assess_target(t, judged=_chained(t.indicator_id, {2020: 100.0, 2021: 98.0, 2022: 96.04})).assessment
    assert a.judged_unit == "指数" and a.goal_value == pytest.approx(86.5)
    assert (a.latest.year, a.latest.value, a.latest.raw_value) == (2022, pytest.approx(96.04), pytest.approx(-2.0))
    assert a.growth.rate == pytest.approx(-2.0) and not a.growth.published
    # the three missing years must average (86.5 / 96.04)^(1/3) − 1 = −3.43 % a year to reach the target
    assert a.growth.flip == pytest.approx(((0.865 / 0.9604) ** (1 / 3) - 1) * 100)
    assert a.trend.cagr_required == pytest.approx(0.865**0.2 - 1) and a.trend.cagr_actual == pytest.approx(-0.02)
    # 3.96 of the 13.5 points achieved
    assert (a.overall.attainment, a.overall.gap, a.overall.gap_unit) == (pytest.approx(3.96 / 13.5), pytest.approx(9.54), "百分点")
    assert (a.years_used, a.years_missing, a.data_age) == ((2021, 2022), (2023, 2024, 2025), 3)
    assert a.overall.period_over and not a.overall.final
    assert a.notes[0] == "年均增速基于2/5年的数据，缺2023、2024、2025年 / average over 2 of 5 years"
    # no model on two rates: the verdict rests on progress, P = ln 0.9604 / ln 0.865 = 0.279 against τ = 0.4
    assert (a.overall.status, a.overall.basis) == (Status.LAGGING, "progress")


def test_an_average_growth_target_compares_the_average_rate_with_the_target_rate() -> None:
    """≥ 6 % a year: +9.9 % then +5.696 % (index 116.16) average √(1.1616) − 1 = 7.78 %."""
    t = target("c2_above_size_va_growth")
    a = assess_target(t, judged=_chained(t.indicator_id, {2020: 100.0, 2021: 109.9, 2022: 116.16}), today=MID).assessment
    rate = (1.1616**0.5 - 1) * 100
    assert a.growth.rate == pytest.approx(rate) and a.latest.value == pytest.approx(116.16)
    assert (a.overall.attainment, a.overall.gap, a.overall.gap_unit) == (pytest.approx(rate / 6), pytest.approx(6 - rate), "百分点")
    assert a.goal_value == pytest.approx(100 * 1.06**5) and a.base.value == 100.0 and a.base.origin == "observed"
    # after the period, with 2023–2025 missing: the three years must average (1.06⁵ / 1.1616)^(1/3) − 1 = 4.83 %
    ended = assess_target(t, judged=_chained(t.indicator_id, {2020: 100.0, 2021: 109.9, 2022: 116.16})).assessment
    assert ended.growth.flip == pytest.approx(((1.06**5 / 1.1616) ** (1 / 3) - 1) * 100)


def test_a_forecast_carries_its_interval_members_and_the_result_its_chart_inputs() -> None:
    t = target("c2_firms_over_10bn")  # ≥ 60 by 2025; 44 … 56 rising by 3 a year
    judged = _judged(t.indicator_id, [2019, 2020, 2021, 2022, 2023], [44, 47, 50, 53, 56])
    r = assess_target(t, judged=judged, today=MID, policy=POLICY)
    f = r.assessment.forecast
    assert (f.method, f.members, f.year, f.estimate) == ("combination", "drift,linear", 2025, False)
    assert f.lo95 is not None and f.lo80 is not None and f.value is not None and f.hi80 is not None and f.hi95 is not None
    assert f.lo95 <= f.lo80 < f.value < f.hi80 < f.hi95
    assert f.status is Status.LIKELY and f.prob is not None and f.prob > 0.75
    assert r.assessment.overall.status is Status.LIKELY and r.assessment.overall.basis == "forecast"
    assert r.forecast is not None and r.forecast.samples is None  # small enough to cache
    assert r.goal == Goal(2020, 47.0, 2025, 60.0, "≥", 1.0)
    assert r.history.equals(judged.values) and r.raw is not None and r.raw.equals(judged.raw) and r.history_scale == ""
    assert r.assessment.notes == () and r.assessment.years_missing == () and r.assessment.data_age == 2


def test_after_the_period_the_model_estimates_the_unpublished_target_year() -> None:
    t = target("c2_firms_over_10bn")
    r = assess_target(t, judged=_judged(t.indicator_id, [2019, 2020, 2021, 2022, 2023], [44, 47, 50, 53, 56]), policy=POLICY)
    a = r.assessment
    assert a.forecast.estimate and a.forecast.status is Status.PROBABLY_ACHIEVED
    assert (a.overall.status, a.overall.basis, a.years_missing) == (Status.PROBABLY_ACHIEVED, "estimate", (2025,))
    assert a.notes == ("2025年数据尚未收录，模型值为对该年的估计 / the 2025 value has not been collected: the model value estimates it",)
    assert (a.overall.attainment, a.overall.gap, a.overall.gap_unit) == (pytest.approx(56 / 60), pytest.approx(4.0), "家")


def test_the_latest_points_status_bound_splice_and_disputes_come_from_the_sources() -> None:
    t = target("c2_firms_over_10bn")  # ≥ 60
    attrs = {
        "statuses": {2022: "preliminary"},
        "bounds": {2022: "lower"},  # "more than 61": still meets a floor
        "sources": (_ref(2020, 47.0, other=46.0), _ref(2021, 50.0), _ref(2022, 61.0, spliced=True, other=59.0)),
    }
    a = assess_target(t, judged=_judged(t.indicator_id, [2020, 2021, 2022], [47, 50, 61], attrs), today=MID).assessment
    assert a.latest == Observed(2022, 61.0, 61.0, "preliminary", "lower", True)
    r = assess_target(t, judged=_judged(t.indicator_id, [2020, 2021, 2022], [47, 50, 61], attrs), today=MID)
    assert r.sources == attrs["sources"]
    assert a.progress.status is Status.ACHIEVED_EARLY and a.overall.status is Status.ACHIEVED_EARLY
    assert "最新值为下限（“超过/突破”），判断偏保守 / the latest value is a lower bound, so judgements are conservative" in a.notes
    assert a.disputes == (
        Dispute(2020, 47.0, "年鉴", "2024-06", "newer", ((46.0, "2023-03", "preliminary", "快报"),)),
        Dispute(2022, 61.0, "年鉴", "2024-06", "newer", ((59.0, "2023-03", "preliminary", "快报"),)),
    )
    # "at most 61" proves nothing about a floor of 60: not met yet
    capped = {**attrs, "bounds": {2022: "upper"}}
    b = assess_target(t, judged=_judged(t.indicator_id, [2020, 2021, 2022], [47, 50, 61], capped), today=MID).assessment
    assert b.latest.bound == "upper" and b.overall.status is not Status.ACHIEVED_EARLY and b.overall.basis != "latest"
    # ... and neither does the progress call: 61 is only a ceiling of the true value
    assert (b.progress.status, b.trend.status) == (Status.INSUFFICIENT, Status.INSUFFICIENT)
    assert any("单侧界限" in n for n in b.notes)
    # A shortfall stays conclusive: "at most 49" against a floor of 60 (from 47 in 2020) is lagging whatever the true value
    low = {**capped, "sources": (_ref(2020, 47.0), _ref(2021, 48.0), _ref(2022, 49.0))}
    c = assess_target(t, judged=_judged(t.indicator_id, [2020, 2021, 2022], [47, 48, 49], low), today=MID).assessment
    assert c.progress.status is Status.LAGGING


def test_a_ceiling_met_only_as_a_lower_bound_is_not_met() -> None:
    t = replace(target("c2_firms_over_10bn"), target_op="≤", direction="lower", target_value=40.0)  # at most 40
    judged = _judged(t.indicator_id, [2020, 2021, 2022], [47.0, 44.0, 39.0], {"bounds": {2022: "lower"}})  # "more than 39"
    a = assess_target(t, judged=judged, today=MID).assessment
    assert a.overall.status is not Status.ACHIEVED_EARLY and a.overall.basis != "latest"
    plain = assess_target(t, judged=_judged(t.indicator_id, [2020, 2021, 2022], [47.0, 44.0, 39.0]), today=MID).assessment
    assert (plain.overall.status, plain.overall.basis) == (Status.ACHIEVED_EARLY, "latest")
    # 40 / 39 of the ceiling "reached", 1 below it
    assert (plain.overall.attainment, plain.overall.gap) == (pytest.approx(40 / 39), pytest.approx(-1.0))


def test_plan_years_run_from_the_year_after_the_base_to_the_target_year() -> None:
    t = target("c2_firms_over_10bn")
    years = [2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]
    a = assess_target(t, judged=_judged(t.indicator_id, years, [44, 47, 50, 53, 56, 58, 61, 64]), policy=POLICY).assessment
    assert a.years_used == (2021, 2022, 2023, 2024, 2025)  # not 2019–2020, not 2026 (after the target year)
    assert (a.latest.year, a.latest.value, a.forecast.method, a.forecast.value) == (2025, 61.0, "observed", 61.0)
    assert not a.forecast.estimate and a.forecast.year == 2025
    assert (a.overall.status, a.overall.basis, a.overall.final) == (Status.ACHIEVED, "final", True)
    assert a.forecast.status is Status.ACHIEVED and a.forecast.prob is None


# --- the goal on the judged scale, each base rule --------------------------------------------


def test_goal_of_a_quota_without_a_number_is_none() -> None:
    t = target("c2_energy_intensity_above_size")  # 完成国家下达指标
    assert _goal(t, _judged(t.indicator_id, [2020, 2021], [100.0, 98.0]), 1.5) == (
        None,
        "none",
        ["目标为“完成国家下达指标”，具体数值尚未收录 / target is the nationally assigned quota; its number has not been collected"],
    )


def test_goal_on_a_chained_index_starts_from_100() -> None:
    t = target("c2_above_size_va_growth")  # ≥ 6 % a year
    judged = _chained(t.indicator_id, {2020: 100.0, 2021: 105.0})
    assert _goal(t, judged, 1.5) == (Goal(2020, 100.0, 2025, 100 * 1.06**5, "≥"), "observed", [])
    falling = replace(t, direction="lower")  # an average fall: the index must end at or below the path
    assert _goal(falling, judged, 1.5)[0] == Goal(2020, 100.0, 2025, 100 * 1.06**5, "≤")
    cut = replace(t, kind="cumulative_reduction", target_value=13.5)
    assert _goal(cut, judged, 1.5) == (Goal(2020, 100.0, 2025, 86.5, "≤"), "observed", [])


def test_goal_of_a_period_total_starts_from_zero() -> None:
    t = target("c4_service_mfg_cultivated")  # 1000 over 2021–25
    goal, origin, notes = _goal(t, _judged(t.indicator_id, [2021, 2022], [200.0, 400.0]), 1.5)
    assert goal == Goal(2020, 0.0, 2025, 1000.0, t.target_op, 1.5) and origin == "definition"
    assert notes == ["期间累计目标：基期值为0 / total over the plan period: zero at the base year"]


def test_goal_of_a_yearly_quota_has_no_base() -> None:
    t = target("c4_key_tech_renovation_projects_yearly")  # 500 a year
    goal, origin, notes = _goal(t, _judged(t.indicator_id, [2020, 2021], [450.0, 600.0]), 1.5)
    assert goal is not None and math.isnan(goal.base) and origin == "none"
    assert (goal.base_year, goal.target_year, goal.target, goal.op, goal.band) == (2020, 2025, 500.0, t.target_op, 1.5)
    assert notes == ["年度指标：逐年对照每年的数量 / yearly quota: each plan year is compared with it"]


def test_goal_base_is_observed_then_stated_in_the_plan_then_the_nearest_year() -> None:
    t = replace(target("c2_firms_over_10bn"), base_value=None)  # ≥ 60 by 2025
    assert _goal(t, _judged(t.indicator_id, [2019, 2020, 2021], [44.0, 47.0, 50.0]), 1.5) == (
        Goal(2020, 47.0, 2025, 60.0, "≥", 1.5),
        "observed",
        [],
    )
    stated = replace(t, base_value=46.0)
    assert _goal(stated, _judged(t.indicator_id, [2019, 2021], [44.0, 50.0]), 1.5) == (
        Goal(2020, 46.0, 2025, 60.0, "≥", 1.5),
        "plan",
        ["基期值取自规划文本 / base value as stated in the plan"],
    )
    # 2018 and 2021 are within two years of 2020: the closer one, 2021, is the base
    nearest = _goal(t, _judged(t.indicator_id, [2018, 2021, 2023], [40.0, 50.0, 56.0]), 1.5)
    assert nearest == (
        Goal(2021, 50.0, 2025, 60.0, "≥", 1.5),
        "nearest",
        ["基期2020年无数据，以2021年为基期 / no 2020 value; 2021 used as base"],
    )
    # a tie between 2019 and 2021 goes to the earlier year; two years away still counts
    assert _goal(t, _judged(t.indicator_id, [2019, 2021, 2023], [44.0, 50.0, 56.0]), 1.5)[0] == Goal(2019, 44.0, 2025, 60.0, "≥", 1.5)
    assert _goal(t, _judged(t.indicator_id, [2018, 2023], [40.0, 56.0]), 1.5)[0] == Goal(2018, 40.0, 2025, 60.0, "≥", 1.5)


@pytest.mark.parametrize(
    ("years", "why"),
    [([2015, 2023], "2015 is more than two years from 2020"), ([2022], "the latest value cannot be its own base")],
)
def test_goal_without_a_base_keeps_the_target_and_says_none(years: list[int], why: str) -> None:
    t = replace(target("c2_firms_over_10bn"), base_value=None)
    goal, origin, notes = _goal(t, _judged(t.indicator_id, years, [40.0 + i for i in range(len(years))]), 1.5)
    assert goal is not None and math.isnan(goal.base) and origin == "none" and notes == [], why
    assert (goal.base_year, goal.target_year, goal.target, goal.op, goal.band) == (2020, 2025, 60.0, "≥", 1.5)


# --- the probability of meeting the target ----------------------------------------------------


def _normal_projection(loc: float, sd: float) -> Projection:
    """A forecast for 2025 whose predictive distribution is N(loc, sd²) on the natural scale."""
    fc = Forecast("drift", "natural", None, (2025,), (loc,), (loc,), (loc,), (loc,), (loc,), 5, (2019, 2023), loc=(loc,), sd=(sd,))
    return Projection("x", _judged("x", [2023], [loc]), fc)


def test_probability_of_a_floor_or_ceiling_is_one_tail() -> None:
    proj = _normal_projection(62.0, 2.0)  # P(X ≥ 60) = Φ(1) = 0.8413
    assert _probability(proj, FLOOR, True) == pytest.approx(0.8413447, abs=1e-6)
    assert _probability(proj, FLOOR, False) == pytest.approx(0.1586553, abs=1e-6)


@pytest.mark.parametrize("op", ["≈", "="])
def test_probability_of_an_about_target_is_the_band_around_it(op: str) -> None:
    # X ~ N(33, 1), target 33.3 ± 0.5: Φ(0.8) − Φ(−0.2) = 0.7881446 − 0.4207403
    goal = Goal(2020, 33.0, 2025, 33.3, op, 0.5)
    assert _probability(_normal_projection(33.0, 1.0), goal, True) == pytest.approx(0.3674043, abs=1e-6)
    assert _probability(_normal_projection(33.0, 1.0), goal, False) == pytest.approx(0.3674043, abs=1e-6)
    assert _probability(_normal_projection(40.0, 0.1), goal, True) == 0.0  # far outside the band


def test_to_row_writes_disputes_and_the_probability_band() -> None:
    t = target("c2_firms_over_10bn")
    once = _ref(2023, 56.0, other=55.5)
    twice = replace(once, alternatives=(*once.alternatives, replace(once.alternatives[0], value=54.0)))  # two other versions
    attrs = {"sources": (_ref(2020, 47.0, other=46.0), twice)}
    judged = _judged(t.indicator_id, [2019, 2020, 2021, 2022, 2023], [44, 47, 50, 53, 56], attrs)
    row = assess_target(t, judged=judged, today=MID, policy=POLICY).assessment.to_row()
    assert row["disputes"] == (
        "2020: 47 (2024-06, newer) vs 46 (2023-03, preliminary) | "
        "2023: 56 (2024-06, newer) vs 55.5 (2023-03, preliminary), 54 (2023-03, preliminary)"
    )
    assert row["model_prob"] > 0.95 and row["model_prob_band"] == ">95%"


def test_a_single_method_has_no_members() -> None:
    t = target("c2_firms_over_10bn")
    judged = _judged(t.indicator_id, [2019, 2020, 2021, 2022, 2023], [40, 47, 50, 53, 56])
    f = assess_target(t, judged=judged, today=MID, policy=AutoPolicy(("drift",))).assessment.forecast
    assert (f.method, f.members, f.status) == ("drift", None, Status.LIKELY)


def test_an_average_growth_observed_to_the_target_year_is_final_without_a_model_value() -> None:
    """+10 % then +5 % a year four times: √⁵(1.1 × 1.05⁴) − 1 = 5.98 % against ≥ 6 %: missed by 0.02 points."""
    t = target("c2_above_size_va_growth")
    index = {2020: 100.0, 2021: 110.0, 2022: 115.5, 2023: 121.275, 2024: 127.33875, 2025: 133.7056875}
    r = assess_target(t, judged=_chained(t.indicator_id, index))
    a = r.assessment
    rate = ((1.1 * 1.05**4) ** 0.2 - 1) * 100
    assert a.growth.rate == pytest.approx(rate) and (a.latest.year, a.latest.raw_value) == (2025, pytest.approx(5.0))
    assert (a.overall.status, a.overall.basis, a.overall.final) == (Status.MISSED, "final", True)
    assert (a.overall.attainment, a.overall.gap) == (pytest.approx(rate / 6), pytest.approx(6 - rate))
    # the index implied by the average rates is not an observed value: no model value is shown for it
    assert (a.forecast.method, a.forecast.status, a.forecast.value, a.forecast.year) == ("observed", Status.MISSED, None, None)
    assert r.history_scale == "chained index, 2020 = 100" and a.judged_scale == "以2020年为100的链式指数"


def test_an_about_target_just_outside_its_band_is_broadly_achieved() -> None:
    t = target("c2_mfg_share_gdp")  # about 33.33 %: ±1 counts as met, ±2 as broadly met
    judged = _judged(t.indicator_id, [2020, 2021, 2022, 2023, 2024, 2025], [33.0, 33.5, 33.2, 33.4, 33.3, 35.0])
    a = assess_target(t, judged=judged).assessment
    assert (a.overall.status, a.overall.basis, a.overall.gap) == (Status.BASICALLY_ACHIEVED, "final", pytest.approx(33.33 - 35.0))


def test_a_yearly_quota_without_plan_year_figures_is_insufficient_and_has_no_base() -> None:
    t = target("c4_key_tech_renovation_projects_yearly")
    a = assess_target(t, judged=_judged(t.indicator_id, [2019], [450.0])).assessment
    assert (a.progress.status, a.trend.status, a.overall.status) == (Status.INSUFFICIENT, Status.INSUFFICIENT, Status.INSUFFICIENT)
    assert a.base == Observed(None, None, origin="none") and a.years_missing == (2021, 2022, 2023, 2024, 2025)


def test_met_in_the_base_year_itself_is_already_met() -> None:
    t = target("c2_firms_over_10bn")  # ≥ 60; one figure, 61 in the base year
    a = assess_target(t, judged=_judged(t.indicator_id, [2020], [61.0]), today=MID).assessment
    assert (a.progress.status, a.trend.status) == (Status.ACHIEVED_EARLY, Status.ACHIEVED)
    assert a.notes[0] == "最新值已达到目标 / the latest value already meets the target"


def test_a_base_and_nothing_after_it_is_too_few_points() -> None:
    t = target("c2_firms_over_10bn")
    a = assess_target(t, judged=_judged(t.indicator_id, [2020], [47.0]), today=MID).assessment
    assert (a.progress.status, a.trend.status) == (Status.INSUFFICIENT, Status.INSUFFICIENT)
    assert a.notes[0] == "基期之后的观测值不足（共1个点）/ too few points from the base year on (1)"
    two = assess_target(t, judged=_judged(t.indicator_id, [2020, 2021], [47.0, 50.0]), today=MID).assessment
    assert two.progress.status is not Status.INSUFFICIENT and two.notes == (
        "模型判断至少需要4个观测值，现有2个 / model needs ≥4 points, has 2",
    )


def test_no_base_and_not_met_is_insufficient_with_the_reason() -> None:
    t = replace(target("c2_firms_over_10bn"), base_value=None)
    a = assess_target(t, judged=_judged(t.indicator_id, [2024], [50.0]), today=MID).assessment
    assert (a.progress.status, a.trend.status) == (Status.INSUFFICIENT, Status.INSUFFICIENT)
    assert a.notes[0] == "缺少基期值 / no base value"
    total = target("c4_service_mfg_cultivated")  # a base by definition (zero), but no figure yet
    b = assess_target(total, judged=_judged(total.indicator_id, [], []), today=MID).assessment
    assert b.notes[1] == "没有观测值 / no observation" and b.progress.status is Status.INSUFFICIENT
    assert a.base == Observed(None, None, origin="none")
    r = assess_target(t, judged=_judged(t.indicator_id, [2024], [50.0]), today=MID)
    assert r.goal is not None and r.goal.target == 60.0 and math.isnan(r.goal.base)  # the chart still draws the target


def test_met_when_the_period_is_over_is_achieved_not_early() -> None:
    t = target("c2_firms_over_10bn")
    a = assess_target(t, judged=_judged(t.indicator_id, [2020, 2021, 2022], [47.0, 50.0, 61.0])).assessment
    assert a.progress.status is Status.ACHIEVED and a.overall.status is Status.ACHIEVED


def test_no_data_leaves_the_latest_point_empty() -> None:
    t = target("c2_firms_over_10bn")
    a = assess_target(t, judged=_judged(t.indicator_id, [], []), today=MID).assessment
    assert a.latest == Observed(None, None, None, None, None, False)


def test_disputes_cover_the_base_and_every_year_an_average_uses() -> None:
    t = target("c2_above_size_va_growth")
    judged = _chained(t.indicator_id, {2020: 100.0, 2021: 110.0, 2022: 115.5, 2023: 121.275})
    judged.raw.attrs["sources"] = (_ref(2020, 100.0, other=99.0), _ref(2021, 10.0, other=9.5), _ref(2023, 5.0))
    a = assess_target(t, judged=judged, today=MID).assessment
    assert [d.year for d in a.disputes] == [2020, 2021]
    assert a.latest.year == 2023  # the last year the average uses


def test_a_quota_without_a_number_has_no_distance() -> None:
    t = target("c2_energy_intensity_above_size")
    a = assess_target(t, judged=_chained(t.indicator_id, {2020: 100.0, 2021: 98.0}), today=MID).assessment
    assert (a.overall.status, a.overall.attainment, a.overall.gap) == (Status.NOT_QUANTIFIED, None, None)


def test_a_fit_that_fails_everywhere_says_why() -> None:
    t = target("c2_firms_rd_share")  # a share, judged on the logit scale within (0, 100)
    s = pd.Series([0.0, 20.0, 25.0, 30.0], index=year_index([2020, 2021, 2022, 2023]), dtype=float)
    judged = JudgedSeries(t.indicator_id, s, "logit", (0.0, 100.0), None, s)
    a = assess_target(t, judged=judged, today=MID, policy=POLICY).assessment
    assert a.forecast.status is Status.INSUFFICIENT and a.forecast.method is None
    assert a.notes[-1] == (
        "没有可拟合的方法 / no method could be fitted: "
        "drift: a value sits on the bound of the share; linear: a value sits on the bound of the share; "
        "naive: a value sits on the bound of the share"
    )


def _statement(folder: Path, assertion: str) -> None:
    """A statement on the energy-intensity quota, as a department would return it (test data)."""
    (folder / "statements").mkdir(parents=True)
    row = {
        "target_id": "c2_energy_intensity_above_size",
        "year": 2025,
        "assertion": assertion,
        "speaker": "测试发言人",
        "published": "2026-03-01",
        "source_title": "测试来源",
        "source_url": "https://example.org/statement",
        "quote": "测试引文",
        "note": "",
    }
    # a later statement the other way about another quota: it must not decide this one
    other = {**row, "target_id": "c4_energy_dual_control_intensity", "published": "2026-04-01", "quote": "另一引文"}
    other["assertion"] = "not_completed" if assertion == "completed" else "completed"
    rows = [row, other]
    write_csv(folder / "statements" / "test.csv", rows, STATEMENT_COLUMNS)


@pytest.mark.parametrize(("assertion", "status"), [("completed", Status.ACHIEVED), ("not_completed", Status.MISSED)])
def test_an_official_statement_decides_a_quota_without_a_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, assertion: str, status: Status
) -> None:
    _statement(tmp_path, assertion)
    monkeypatch.setenv("FJDATA_USER_DATA", str(tmp_path))
    t = target("c2_energy_intensity_above_size")
    judged = _chained(t.indicator_id, {2020: 100.0, 2021: 98.0})
    a = assess_target(t, judged=judged).assessment
    assert (a.progress.status, a.overall.status, a.overall.basis) == (status, status, "statement")
    assert "测试发言人, 2026-03-01, 《测试来源》 https://example.org/statement: “测试引文”" in a.notes[-1]
    # a view as of 2024 does not know a statement about 2025
    before = assess_target(t, View.of(as_of=2024), judged=judged).assessment
    assert before.overall.basis != "statement" and before.as_of == 2024


def test_without_a_series_the_target_is_judged_on_the_series_its_view_selects() -> None:
    """The shipped data, read as the view says (as of a year, by a vintage rule), are what is judged."""
    from fjdata.forecast.projection import judged_series

    t = target("c2_above_size_va_growth")  # a chained index from yearly growth rates, 2020 = 100
    mid = assess_target(t, View.of(as_of=2022), policy=POLICY).assessment
    now = assess_target(t, View.of(), policy=POLICY).assessment
    assert mid.latest.year is not None and now.latest.year is not None and mid.latest.year <= 2022 < now.latest.year
    assert (mid.base.year, mid.base.value, mid.judged_unit) == (2020, 100.0, "指数")
    f = target("c2_firms_over_10bn")
    for rule in ("first", "latest"):
        a = assess_target(f, View.of(vintage_rule=rule), policy=POLICY).assessment
        assert a.latest.value == judged_series(f.indicator_id, f.base_year, region=f.region, vintage_rule=rule).values.iloc[-1]
