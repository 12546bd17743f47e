"""Assessment: every target covered, three judgements side by side, defined edge cases."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

import fjdata
from fjdata.assess.assessment import assess_target
from fjdata.assess.judgements import Status
from fjdata.forecast.projection import JudgedSeries
from fjdata.inputs.registry import registry, target
from fjdata.inputs.transforms import year_index

# Mid-plan: a view taken in mid-2023, when the 2021–2025 plan was still running.
MID = date(2023, 6, 30)


def _judged(
    iid: str,
    years: list[int],
    values: list[float],
    scale: str = "log",
    bounds: tuple[float, float] | None = None,
    index_base: int | None = None,
) -> JudgedSeries:
    s = pd.Series(values, index=year_index(years), dtype=float)
    raw = s
    if index_base is not None:  # a chained index: the published series is the yearly rates
        rates = {y: (values[i] / values[i - 1] - 1) * 100 for i, y in enumerate(years) if i and years[i - 1] == y - 1}
        raw = pd.Series(list(rates.values()), index=year_index(list(rates)), dtype=float)
    return JudgedSeries(iid, s, scale, bounds, index_base, raw)


def test_assess_covers_every_target_with_defined_results() -> None:
    frame = fjdata.assess()
    assert len(frame) == len(registry()) and frame["target_id"].is_unique
    for col in (
        "cn_status",
        "sdg_status",
        "model_status",
        "latest_year",
        "latest_value",
        "n_obs",
        "model_method",
        "model_lo80",
        "model_hi95",
        "model_prob",
    ):
        assert col in frame.columns
    for col in ("cn", "sdg", "model"):  # each label and light is the one of its status (no column mix-up)
        for status, label, light in zip(frame[f"{col}_status"], frame[f"{col}_label_en"], frame[f"{col}_light"], strict=True):
            assert (Status(status).en, Status(status).light.value) == (label, light)
    assert frame["model_status"].nunique() >= 3  # the model does not say the same thing of every target
    # no NaN that nobody explains: a missing probability comes with a status that says why
    unexplained = frame[
        frame["model_prob"].isna() & ~frame["model_status"].isin(["insufficient", "not_quantified"]) & (frame["model_method"] != "observed")
    ]
    assert unexplained.empty
    insufficient = frame[(frame["cn_status"] == "insufficient")]
    assert (insufficient["notes"].str.len() > 0).all()


def test_as_of_mid_term_runs_and_uses_only_old_data() -> None:
    mid = fjdata.assess(as_of=2022)
    assert len(mid) == len(registry())
    assert (mid["latest_year"].dropna() <= 2022).all()


def test_chapter_filter_and_determinism() -> None:
    a = fjdata.assess(chapter=2, use_cache=False)
    b = fjdata.assess(chapter=2, use_cache=False)
    assert len(a) == 20
    pd.testing.assert_frame_equal(a, b)


def test_target_already_met() -> None:
    t = target("c2_national_hte")  # 8000 by 2025; the plan's 2020 base is 6200
    res = assess_target(t, judged=_judged(t.indicator_id, [2020, 2021, 2022, 2023], [6200, 8900, 10000, 12000]), today=MID)
    a = res.assessment
    assert a.cn_status is Status.ACHIEVED_EARLY and a.sdg_status is Status.ACHIEVED
    assert a.model_status is Status.LIKELY and a.model_prob is not None and a.model_prob > 0.75


def test_lower_is_better_cumulative_reduction() -> None:
    t = replace(target("c2_energy_intensity_above_size"), kind="cumulative_reduction", target_value=13.5, target_op="≤", target_text="13.5")
    # a level index, base 2020 = 100, falling 2 % a year vs 2.86 %/yr needed
    judged = _judged(t.indicator_id, [2018, 2019, 2020, 2021, 2022], [104.1, 102.0, 100.0, 98.0, 96.04], index_base=2020)
    a = assess_target(t, judged=judged, today=MID).assessment
    assert a.goal_value == pytest.approx(86.5)
    assert a.cn_progress == pytest.approx(math.log(0.9604) / math.log(0.865))
    assert a.cn_status is Status.LAGGING  # 0.278 vs τ 0.4
    assert a.sdg_status is Status.MODERATE  # R = 0.02/0.0286 = 0.70
    assert a.model_status in (Status.POSSIBLE, Status.UNLIKELY)


def test_national_quota_is_not_quantified_but_projected() -> None:
    t = target("c2_energy_intensity_above_size")
    judged = _judged(t.indicator_id, list(range(2015, 2023)), [110, 107, 105, 103, 101.5, 100, 98, 97], index_base=2020)
    a = assess_target(t, judged=judged).assessment
    assert a.cn_status is Status.NOT_QUANTIFIED and a.sdg_status is Status.NOT_QUANTIFIED and a.model_status is Status.NOT_QUANTIFIED
    assert a.model_value is not None and a.model_prob is None


@pytest.mark.parametrize("n", [2, 3, 5])
def test_short_series(n: int) -> None:
    t = target("c2_firms_over_10bn")
    years = [2020, 2021, 2022, 2023, 2024][:n]
    a = assess_target(t, judged=_judged(t.indicator_id, years, [47, 50, 53, 56, 59][:n]), today=MID).assessment
    assert a.cn_status is not Status.INSUFFICIENT and a.sdg_status is not Status.INSUFFICIENT
    if n < 4:
        assert a.model_status is Status.INSUFFICIENT and "model needs ≥4" in " ".join(a.notes)
    else:
        assert a.model_prob is not None and 0 <= a.model_prob <= 1


def test_series_with_gaps_and_nearest_base() -> None:
    t = target("c2_firms_rd_share")  # 40 % by 2025, no 2020 value anywhere
    a = assess_target(
        t, judged=_judged(t.indicator_id, [2017, 2019, 2021, 2023], [25.0, 28.9, 34.3, 37.0], "logit", (0.0, 100.0)), today=MID
    ).assessment
    assert a.base_origin == "nearest" and a.base_used_year == 2019
    assert a.cn_elapsed == pytest.approx((2023 - 2019) / (2025 - 2019))
    assert a.model_status is not Status.INSUFFICIENT


def test_share_near_bound_and_approximate_target() -> None:
    t = target("c2_mfg_share_gdp")  # 保持在三分之一左右
    a = assess_target(
        t, judged=_judged(t.indicator_id, [2019, 2020, 2021, 2022, 2023], [33.0, 33.5, 33.2, 33.4, 33.3], "logit", (0.0, 100.0)), today=MID
    ).assessment
    assert a.cn_status is Status.ON_TRACK and a.sdg_status is Status.ACHIEVED
    assert a.model_hi95 is not None and a.model_hi95 < 100


def test_outcome_in_the_target_year_is_graded_as_observed() -> None:
    t = target("c2_firms_over_10bn")
    a = assess_target(t, judged=_judged(t.indicator_id, [2020, 2022, 2025], [47, 55, 58])).assessment
    # An observed outcome is not a model probability: none is given.
    assert a.model_method == "observed" and a.model_status is Status.MISSED and a.model_prob is None
    assert a.cn_status is Status.MISSED
    assert a.overall_status is Status.MISSED and a.overall_basis == "final" and a.final
    assert a.attainment == pytest.approx(58 / 60) and a.gap == pytest.approx(2.0) and a.data_age == 0


def test_annual_quota() -> None:
    t = target("c4_key_tech_renovation_projects_yearly")  # 500 a year
    a = assess_target(t, judged=_judged(t.indicator_id, [2022, 2023, 2024], [1442, 1704, 2205])).assessment
    # Met 2.9–4.4× in every observed year: "met every year", no progress ratio or elapsed time.
    assert a.cn_status is Status.MET_EVERY_YEAR and a.cn_progress is None and a.cn_elapsed is None
    assert a.quota_min_ratio == pytest.approx(1442 / 500) and a.quota_years_short == ()
    assert a.years_missing == (2021, 2025) and a.overall_status is Status.MET_EVERY_YEAR
    assert a.sdg_status is Status.NOT_APPLICABLE
    b = assess_target(t, judged=_judged(t.indicator_id, [2021, 2022], [450, 600]), today=MID).assessment
    assert b.cn_status is Status.LAGGING and b.quota_years_short == (2021,)
    c = assess_target(t, judged=_judged(t.indicator_id, [2021, 2022], [450, 600])).assessment
    assert c.cn_status is Status.MISSED  # the plan is over and 2021 fell short
    full = assess_target(t, judged=_judged(t.indicator_id, list(range(2021, 2026)), [600, 700, 800, 900, 1000])).assessment
    assert full.cn_status is Status.ACHIEVED and full.years_missing == ()


def test_no_data_is_insufficient_everywhere() -> None:
    t = target("c2_enterprise_key_labs")
    a = assess_target(t, judged=_judged(t.indicator_id, [], [])).assessment
    assert a.model_status is Status.INSUFFICIENT and a.n_obs == 0 and a.latest_year is None


def test_already_met_without_a_base_value() -> None:
    t = target("c2_green_parks")  # ≥ 20; no 2020 value, no plan baseline for all levels
    a = assess_target(t, judged=_judged(t.indicator_id, [2024], [34.0]), today=MID).assessment
    assert a.cn_status is Status.ACHIEVED_EARLY and a.sdg_status is Status.ACHIEVED
    ended = assess_target(t, judged=_judged(t.indicator_id, [2024], [34.0])).assessment
    assert ended.cn_status is Status.ACHIEVED and ended.overall_status is Status.ACHIEVED and ended.overall_basis == "latest"
    assert ended.data_age == 1 and ended.attainment == pytest.approx(34 / 20)
    assert a.model_status is Status.INSUFFICIENT  # one point: the model still says so


def test_period_total_starts_from_zero() -> None:
    t = target("c4_service_mfg_cultivated")  # 1000 over 2021–25
    a = assess_target(t, judged=_judged(t.indicator_id, [2021, 2022, 2023], [200.0, 400.0, 600.0]), today=MID).assessment
    assert a.base_origin == "definition" and a.base_used_value == 0.0 and a.base_used_year == 2020
    assert a.cn_progress == pytest.approx(0.6) and a.cn_elapsed == pytest.approx(0.6)
    assert a.cn_status is Status.ON_TRACK


def test_chained_index_counts_only_observed_rates() -> None:
    t = target("c2_above_size_va_growth")
    judged = _judged(t.indicator_id, [2020, 2021, 2022], [100.0, 109.9, 116.16], index_base=2020)  # two rates
    a = assess_target(t, judged=judged, today=MID).assessment
    assert a.n_obs == 2 and a.model_status is Status.INSUFFICIENT
    assert a.cn_status is Status.AHEAD


def test_national_quota_with_few_points_is_not_quantified() -> None:
    t = target("c2_energy_intensity_above_size")
    a = assess_target(t, judged=_judged(t.indicator_id, [2020, 2021], [100.0, 98.0], index_base=2020)).assessment
    assert a.model_status is Status.NOT_QUANTIFIED
