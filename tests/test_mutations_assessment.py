"""Assessment edges pinned to hand-worked numbers, written to kill mutmut's survivors in
``fjdata/assess/assessment.py`` (``python3 tasks.py mutmut assessment``): the overall verdict's
order of rules, the distance to the target, the comparison of two views and the record's
``replace``. Each uses a hand-made series or a hand-built goal, so it runs in well under a second.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from fjdata.assess.assessment import Assessment, Dispute, Observed, _attainment, _overall, _view, assess_target, view_changes
from fjdata.assess.judgements import Goal, QuotaJudgement, Status
from fjdata.assess.view import View
from fjdata.core.errors import ArgumentError
from fjdata.forecast.projection import AutoPolicy, JudgedSeries
from fjdata.inputs.observations import SourceRef
from fjdata.inputs.registry import target
from fjdata.inputs.transforms import year_index

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
    assert view_changes([after], [after]) == []


# --- the record ------------------------------------------------------------------------------


def test_replace_takes_whole_fields_and_flat_columns_that_are_fields(firms: Assessment) -> None:
    b = firms.replace(as_of=2022, notes=("checked by hand",), n_obs=7)
    assert (b.as_of, b.notes, b.n_obs) == (2022, ("checked by hand",), 7)
    assert (firms.as_of, firms.n_obs) == (None, 3) and firms.notes != ("checked by hand",)
    assert b.progress == firms.progress and b.overall == firms.overall


def test_flat_names_read_through_the_nested_record(firms: Assessment) -> None:
    # 47 → 53 against 47 → 60 by mid-2023: P = 6/13, τ = 3/5 (a view in mid-2023 counts 2023 as its year).
    assert firms.base_used_year == 2020 and firms.base_used_value == 47.0 and firms.latest_value == 53.0
    assert firms.cn_progress == pytest.approx(6 / 13) and firms.goal_value == 60.0
    assert firms.years_used == (2021, 2022) and firms.target_id == "c2_firms_over_10bn"
    with pytest.raises(AttributeError, match="has no attribute 'as_off'"):
        _ = firms.as_off  # type: ignore[attr-defined]


def test_to_row_flattens_statuses_labels_lights_and_tuples(firms: Assessment) -> None:
    row = firms.replace(cn_status=Status.LAGGING, years_missing=(2024, 2025), notes=("a", "b"), fit_warnings=("w1", "w2")).to_row()
    assert (row["cn_status"], row["cn_label_zh"], row["cn_label_en"], row["cn_light"]) == ("lagging", "滞后", "lagging", "red")
    assert row["years_used"] == "2021,2022" and row["years_missing"] == "2024,2025" and row["quota_years_short"] == ""
    assert row["notes"] == "a | b" and row["fit_warnings"] == "w1 | w2" and row["disputes"] == ""
    assert row["latest_value"] == 53.0 and row["base_used_year"] == 2020


def test_a_view_and_loose_view_arguments_are_refused_together() -> None:
    v = View.of()
    assert _view(v, None, None, "auto", None, "consistent", None) is v
    for loose in [("fj14", None, "auto", None, "consistent", None), (None, 2022, "auto", None, "consistent", None),
                  (None, None, "drift", None, "consistent", None), (None, None, "auto", 0.1, "consistent", None),
                  (None, None, "auto", None, "latest", None), (None, None, "auto", None, "consistent", ["x.csv"])]:  # fmt: skip
        with pytest.raises(ArgumentError, match="not both"):
            _view(v, *loose)  # type: ignore[arg-type]
    assert _view(None, None, 2022, "auto", None, "consistent", None).as_of == 2022


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


def test_an_average_growth_target_compares_the_average_rate_with_the_target_rate() -> None:
    """≥ 6 % a year: +9.9 % then +5.696 % (index 116.16) average √(1.1616) − 1 = 7.78 %."""
    t = target("c2_above_size_va_growth")
    a = assess_target(t, judged=_chained(t.indicator_id, {2020: 100.0, 2021: 109.9, 2022: 116.16}), today=MID).assessment
    rate = (1.1616**0.5 - 1) * 100
    assert a.growth.rate == pytest.approx(rate) and a.latest.value == pytest.approx(116.16)
    assert (a.overall.attainment, a.overall.gap, a.overall.gap_unit) == (pytest.approx(rate / 6), pytest.approx(6 - rate), "百分点")
    assert a.goal_value == pytest.approx(100 * 1.06**5) and a.base.value == 100.0 and a.base.origin == "observed"


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
    assert a.notes == ("2025年数据尚未公布，模型值为对该年的估计 / the 2025 value is not yet published: the model value estimates it",)
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
    assert (a.overall.status, a.overall.basis, a.overall.final) == (Status.ACHIEVED, "final", True)
    assert a.forecast.status is Status.ACHIEVED and a.forecast.prob is None
