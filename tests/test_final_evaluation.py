"""The final evaluation on the shipped data: every figure used, every verdict true.

Each test here pins one row of the "use every figure" issue on the data that ships, so a change
to the vintage rule, the average-growth rule, the single-point rule or the calibration that
brings the old behaviour back fails here.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fjdata
from fjdata.assess.assessment import Assessment, assess_target, view_changes
from fjdata.assess.judgements import Status, average_growth_from_rates, probability_band
from fjdata.assess.view import View
from fjdata.forecast.backtest import backtest_errors, calibration_from
from fjdata.forecast.models import calibrate, fit_method
from fjdata.inputs.registry import target

TODAY = date(2026, 11, 29)  # a view after the plan period (2021–2025) ended


@pytest.fixture(scope="module")
def final() -> dict[str, Assessment]:
    return {a.target_id: a for a in (assess_target(t, today=TODAY).assessment for t in fjdata.inputs.registry.registry())}


def test_average_growth_uses_every_observed_year_including_2025(final: dict[str, Assessment]) -> None:
    a = final["c2_above_size_va_growth"]  # shipped rates: 2021 9.9, 2022 5.7, 2025 6.5
    expected = ((1.099 * 1.057 * 1.065) ** (1 / 3) - 1) * 100
    assert a.avg_growth == pytest.approx(expected) and a.latest_year == 2025
    assert a.years_used == (2021, 2022, 2025) and a.years_missing == (2023, 2024)
    # 2023–24 would need to average below this for the five-year average to fall under 6 %.
    flip = (1.06**5 / (1.099 * 1.057 * 1.065)) ** 0.5 - 1
    assert a.avg_growth_flip == pytest.approx(flip * 100)
    assert a.overall_status is Status.ACHIEVED and a.overall_basis == "final" and a.final
    assert a.gap == pytest.approx(6.0 - expected) and a.gap_unit == "百分点"


def test_industrial_investment_uses_2023_and_2025(final: dict[str, Assessment]) -> None:
    a = final["c2_industrial_investment_growth"]  # 2021 11.6, 2023 12.3, 2025 6.1
    assert a.years_used == (2021, 2023, 2025) and a.years_missing == (2022, 2024)
    assert a.avg_growth == pytest.approx(((1.116 * 1.123 * 1.061) ** (1 / 3) - 1) * 100)
    assert a.overall_status is Status.ACHIEVED


def test_plan_owner_figure_wins_and_the_disagreement_is_carried(final: dict[str, Assessment]) -> None:
    a = final["c2_firms_over_10bn"]  # 2022: 58 (press conference) and 67 (工信厅 mid-term evaluation)
    assert a.latest_raw_value == 67 and a.latest_year == 2022
    assert a.overall_status is Status.ACHIEVED and a.overall_basis == "latest"
    (d,) = a.disputes
    assert d.year == 2022 and d.used_value == 67 and d.reason == "plan_owner" and [o[0] for o in d.others] == [58.0]


def test_later_final_floor_beats_earlier_preliminary_figures(final: dict[str, Assessment]) -> None:
    # 2024: ≥14,000 (preliminary), 14,800 (preliminary, a reading of the work report), ≥15,000 (later, final)
    refs = {r.year: r for r in fjdata.series("national_high_tech_enterprises").attrs["sources"]}
    used = refs[2024]
    assert used.value == 15000 and used.bound == "lower" and used.status == "final" and used.selection == "status"
    assert sorted(a.value for a in used.alternatives) == [14000.0, 14800.0]
    a = final["c2_national_hte"]
    assert a.latest_raw_value >= 15000 and a.latest_bound == "lower" and a.overall_status is Status.ACHIEVED


def test_sparse_share_splices_the_derived_2022_value() -> None:
    s = fjdata.series("sei_output_share")  # 2022 24.9 (derived, its own vintage), 2023 28.3
    assert dict(zip(s.index.year, s["value"].to_numpy(), strict=True)) == {2022: 24.9, 2023: 28.3}
    spliced = {r.year: r.spliced for r in s.attrs["sources"]}
    assert spliced == {2022: True, 2023: False}


@pytest.mark.parametrize(
    ("tid", "share", "gap"),
    [
        ("c2_engineering_research_centers", 128 / 140, 12.0),
        ("c3_petrochemical_scale", 9925.66 / 10000, 74.34),
    ],
)
def test_a_single_value_still_measures_distance(final: dict[str, Assessment], tid: str, share: float, gap: float) -> None:
    a = final[tid]
    assert a.attainment == pytest.approx(share) and a.gap == pytest.approx(gap)
    assert a.cn_status is Status.INSUFFICIENT  # progress needs a base; distance does not
    assert a.data_age == 3 and a.years_missing == (2025,)


def test_yearly_quota_met_every_year_with_its_weakest_multiple(final: dict[str, Assessment]) -> None:
    a = final["c4_key_tech_renovation_projects_yearly"]  # 500 a year; 1442 / 1704 / 2205
    assert a.cn_status is Status.MET_EVERY_YEAR and a.cn_progress is None
    assert a.quota_min_ratio == pytest.approx(1442 / 500) and a.years_missing == (2021, 2025)


def test_a_missing_target_year_is_estimated_not_forecast(final: dict[str, Assessment]) -> None:
    a = final["c2_mfg_share_gdp"]  # latest 2024; 2025 not yet collected
    assert a.period_over and not a.final and a.model_estimate
    assert a.model_status in (Status.PROBABLY_ACHIEVED, Status.UNCERTAIN, Status.PROBABLY_MISSED)
    assert a.years_missing == (2025,) and a.data_age == 1
    assert any("estimates it" in n for n in a.notes)


def test_mid_term_view_is_not_final() -> None:
    mid = {a.target_id: a for a in fjdata.assessments(as_of=2022)}
    a = mid["c2_above_size_va_growth"]
    assert not a.period_over and not a.final and a.years_missing == ()
    assert a.model_status not in (Status.PROBABLY_ACHIEVED, Status.UNCERTAIN, Status.PROBABLY_MISSED)


def test_view_changes_compare_all_judgements(final: dict[str, Assessment]) -> None:
    mid = fjdata.assessments(as_of=2022)
    changes = view_changes(mid, list(final.values()))
    mfg = [c for c in changes if c.target_id == "c2_mfg_share_gdp"]
    judged = {c.judgement for c in mfg}
    assert "cn_status" in judged  # (a) went from on schedule to lagging, not only (c)
    assert any(c.direction < 0 for c in mfg)


def test_view_changes_direction_on_a_hand_made_pair(final: dict[str, Assessment]) -> None:
    from dataclasses import replace

    a = final["c2_green_parks"]
    worse = replace(a, progress=replace(a.progress, status=Status.LAGGING))
    (c,) = view_changes([a], [worse])
    assert c.judgement == "cn_status" and c.direction == -1
    (d,) = view_changes([worse], [a])
    assert d.direction == 1


def test_average_growth_formula_reference_numbers() -> None:
    got = average_growth_from_rates({2021: 10.0, 2022: 2.0}, 2020, 2025, 5.0, period_over=True)
    assert got is not None
    assert got.rate == pytest.approx((math.sqrt(1.10 * 1.02) - 1) * 100)
    assert got.years_missing == (2023, 2024, 2025)
    assert got.flip_rate == pytest.approx(((1.05**5 / (1.10 * 1.02)) ** (1 / 3) - 1) * 100)
    running = average_growth_from_rates({2021: 10.0, 2023: 2.0}, 2020, 2025, 5.0, period_over=False)
    assert running is not None and running.years_missing == (2022,) and running.flip_rate is None


@pytest.mark.parametrize(
    ("p", "zh"), [(0.0, "<5%"), (0.049, "<5%"), (0.05, "5–25%"), (0.5, "50–75%"), (0.97, ">95%"), (1.0, ">95%"), (None, "—")]
)
def test_probability_bands_never_say_0_or_100(p: float | None, zh: str) -> None:
    assert probability_band(p) == zh


def test_calibration_widens_the_interval_by_the_factor() -> None:
    fc = fit_method("drift", list(range(2010, 2020)), [float(v) for v in np.linspace(100, 190, 10)], 2022, "log")
    wide = calibrate(fc, 2.0)
    half = np.log(fc.hi80) - np.log(fc.mean)
    assert np.allclose(np.log(wide.hi80) - np.log(wide.mean), 2 * half)
    assert wide.mean == fc.mean and wide.params["calibration"] == 2.0


def test_calibrated_intervals_cover_80_percent_out_of_sample() -> None:
    """Leave one series out: the factor from the other headline series gives 70–90 % coverage."""
    errors = backtest_errors()
    for method, rows in errors.groupby("method"):
        hits = []
        for series_id in rows["indicator_id"].unique():
            k = calibration_from(errors[errors["indicator_id"] != series_id]).get(str(method), 1.0)
            hits += list(rows.loc[rows["indicator_id"] == series_id, "z80"] <= k)
        assert 0.70 <= float(np.mean(hits)) <= 0.90, method
    raw = errors.groupby("method")["in80"].mean()
    assert (raw < 0.70).any()  # without calibration some method is overconfident: the test can fail


def test_assess_frame_carries_the_final_evaluation_columns() -> None:
    frame = fjdata.assess()
    for col in ("overall_status", "overall_label_zh", "attainment", "gap", "data_age", "years_missing", "disputes", "model_prob_band"):
        assert col in frame.columns
    assert not frame["model_prob_band"].isin(["0%", "100%"]).any()
    row = frame.set_index("target_id").loc["c2_firms_over_10bn"]
    assert "67" in row["disputes"] and "58" in row["disputes"]
    assert isinstance(frame, pd.DataFrame)


def test_a_published_period_average_takes_precedence(tmp_path: Path) -> None:
    from tests.conftest import obs_row, write_csv

    extra = write_csv(
        tmp_path / "avg.csv",
        [
            obs_row(
                indicator_id="above_size_industry_va_growth_avg_2021_2025",
                unit="%",
                year=2025,
                value=6.2,
                vintage="test_fixture",
                published="2026-02-01",
            )
        ],
    )
    a = assess_target(target("c2_above_size_va_growth"), View.of(extra_data=extra), today=TODAY).assessment
    assert a.avg_growth == pytest.approx(6.2) and a.avg_growth_published and a.final
    assert a.years_missing == () and a.avg_growth_flip is None
    assert a.overall_status is Status.ACHIEVED and a.gap == pytest.approx(-0.2)


def test_reports_print_no_model_probability_as_0_or_100_and_no_progress_as_p() -> None:
    from fjdata.report.chapter_report import ChapterReport

    for lang in ("zh", "en"):
        rep = ChapterReport.build("all", lang)
        text = rep.summary_html() + rep.narrative_html() + rep.detail_html()
        assert not re.search(r"P=\d", text)  # progress is "完成进度…", probabilities are bands
        assert not re.search(r"(概率|可能性|chance[^<]{0,20}?)\s*(?<![\d–.])(0|100)%", text)
        # The two model estimates of the final view print as their bands (制造业增加值占GDP比重 5–25 %,
        # 超百亿元企业 75–95 %); the extreme bands' wording (<5 %, >95 %) is pinned in the test above.
        assert "5–25%" in text and "75–95%" in text
