"""The three judgements pinned on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fjdata.assess.judgements import (
    Goal,
    Light,
    Status,
    elapsed,
    judge_cn,
    judge_probability,
    judge_sdg,
    progress_linear,
    progress_log,
    required_path,
)
from fjdata.forecast.models import Forecast, combine
from fjdata.inputs.transforms import cagr

THR = {"high": 0.95, "med": 0.60, "low": 0.0}


def test_ndrc_825_percent_is_reproduced_by_the_log_form() -> None:
    # 12th FYP: energy intensity −16 % over 2011–15; −13.4 % after four years; NDRC said 82.5 %.
    p = progress_log(100.0, 100 * (1 - 0.134), 100 * (1 - 0.16))
    assert p == pytest.approx(0.8252, abs=5e-5)
    assert round(p, 3) == 0.825
    assert progress_log(100.0, 86.6, 84.0) != pytest.approx(0.134 / 0.16, abs=1e-3)  # not the linear ratio 0.8375
    j = judge_cn(Goal(2010, 100.0, 2015, 84.0, "≤"), 2014, 86.6, log_form=True, tolerance=0.05)
    assert j.elapsed == pytest.approx(0.8)
    assert j.status is Status.ON_TRACK  # 82.5 % vs 80 %: "caught up with the time requirement"


def test_progress_vs_elapsed_level_target() -> None:
    goal = Goal(2020, 47.0, 2025, 60.0, "≥")
    # 2022: 54 firms → P = 7/13 = 0.538; τ = 0.4 → ahead with δ = 0.05
    j = judge_cn(goal, 2022, 54.0, log_form=False, tolerance=0.05)
    assert j.progress == pytest.approx(7 / 13)
    assert j.elapsed == pytest.approx(0.4)
    assert j.status is Status.AHEAD
    assert judge_cn(goal, 2022, 52.5, False, 0.05).status is Status.ON_TRACK  # P = 5.5/13 = 0.423, |P − τ| < 0.05
    assert judge_cn(goal, 2022, 51.0, False, 0.05).status is Status.LAGGING  # P = 0.308 ≤ 0.35
    assert judge_cn(goal, 2022, 50.0, False, 0.05).status is Status.LAGGING  # P = 0.231 ≤ 0.35
    assert judge_cn(goal, 2023, 61.0, False, 0.05).status is Status.ACHIEVED_EARLY
    assert judge_cn(goal, 2025, 61.0, False, 0.05).status is Status.ACHIEVED
    assert judge_cn(goal, 2025, 59.0, False, 0.05).status is Status.MISSED


def test_progress_vs_elapsed_average_growth_on_a_chained_index() -> None:
    # 6 %/yr over 2020–25 → target index 100·1.06^5 = 133.82; realised 9.9 % and 5.7 %:
    index_2022 = 100 * 1.099 * 1.057
    goal = Goal(2020, 100.0, 2025, 100 * 1.06**5, "≥")
    j = judge_cn(goal, 2022, index_2022, log_form=True, tolerance=0.05)
    expected = math.log(1.099 * 1.057) / (5 * math.log(1.06))
    assert j.progress == pytest.approx(expected)
    assert j.progress == pytest.approx(0.5143, abs=1e-4)
    assert j.status is Status.AHEAD  # 0.515 ≥ 0.4 + 0.05


def test_approximate_targets_are_judged_by_their_band() -> None:
    goal = Goal(2020, 33.0, 2025, 100 / 3, "≈", band=1.0)
    assert judge_cn(goal, 2022, 34.0, False, 0.05).status is Status.ON_TRACK
    assert judge_cn(goal, 2022, 31.7, False, 0.05).status is Status.LAGGING
    assert judge_cn(goal, 2025, 31.7, False, 0.05).status is Status.MISSED
    assert judge_sdg(goal, 2022, 34.0, THR).status is Status.ACHIEVED
    assert judge_sdg(goal, 2022, 31.7, THR).status is Status.NOT_APPLICABLE


def test_growth_ratio_and_categories() -> None:
    goal = Goal(2020, 100.0, 2025, 150.0, "≥")
    required = cagr(100, 150, 5)
    assert required == pytest.approx(0.084472, abs=1e-6)
    cases = {  # latest value in 2022 → expected category
        100 * (1 + required) ** 2: Status.SIGNIFICANT,  # R = 1
        100 * (1 + 0.95 * required) ** 2: Status.SIGNIFICANT,  # R = 0.95 (edge, inclusive)
        100 * (1 + 0.94 * required) ** 2: Status.MODERATE,
        100 * (1 + 0.60 * required) ** 2: Status.MODERATE,  # edge
        100 * (1 + 0.59 * required) ** 2: Status.LIMITED,
        100.0: Status.LIMITED,  # R = 0
        95.0: Status.AWAY,
    }
    for value, status in cases.items():
        j = judge_sdg(goal, 2022, value, THR)
        assert j.status is status, (value, j)
    j = judge_sdg(goal, 2022, 100 * 1.05**2, THR)
    assert j.ratio == pytest.approx(0.05 / required)
    assert judge_sdg(goal, 2023, 151.0, THR).status is Status.ACHIEVED


def test_lower_is_better_is_symmetric() -> None:
    # Intensity to fall 14 % (index 100 → 86): a 2 %/yr fall vs 2.97 %/yr required.
    goal = Goal(2020, 100.0, 2025, 86.0, "≤")
    j = judge_sdg(goal, 2022, 100 * 0.98**2, THR)
    assert j.ratio == pytest.approx(-0.02 / cagr(100, 86, 5))
    assert j.status is Status.MODERATE
    assert judge_sdg(goal, 2022, 103.0, THR).status is Status.AWAY
    up = judge_sdg(Goal(2020, 100.0, 2025, 1 / 0.86 * 100, "≥"), 2022, 100 / 0.98**2, THR)
    assert up.ratio == pytest.approx(j.ratio, rel=0.02)


def test_elapsed_and_required_path() -> None:
    assert elapsed(2020, 2022, 2025) == pytest.approx(0.4)
    assert elapsed(2020, 2027, 2025) == 1.0
    path = required_path(Goal(2020, 100.0, 2025, 133.82255776, "≥"), [2020, 2021, 2025])
    assert path == pytest.approx([100.0, 106.0, 133.82255776])
    assert progress_linear(10, 15, 20) == 0.5


def test_probability_analytic_matches_simulation() -> None:
    # One normal predictive distribution: analytic P vs P from pooled draws of the same law.
    fc = Forecast(
        method="drift",
        scale="natural",
        bounds=None,
        years=(2025,),
        mean=(10.0,),
        lo80=(0,),
        hi80=(0,),
        lo95=(0,),
        hi95=(0,),
        n_obs=10,
        fit_years=(2010, 2019),
        loc=(10.0,),
        sd=(2.0,),
        df=None,
    )
    analytic = fc.probability(2025, 12.0, higher=True)
    assert analytic == pytest.approx(0.158655, abs=1e-6)  # 1 − Φ(1)
    simulated = combine([fc, fc], draws=200_000, seed=7)
    assert simulated.probability(2025, 12.0, higher=True) == pytest.approx(analytic, abs=0.005)
    # same seed, same answer
    again = combine([fc, fc], draws=200_000, seed=7)
    assert np.array_equal(simulated.samples, again.samples)


def test_probability_bands_and_lights() -> None:
    bands = {"green": 0.75, "amber": 0.40}
    assert judge_probability(0.75, bands) is Status.LIKELY
    assert judge_probability(0.4, bands) is Status.POSSIBLE
    assert judge_probability(0.39, bands) is Status.UNLIKELY
    assert Status.INSUFFICIENT.light is Light.GREY and Status.INSUFFICIENT.zh == "数据不足"
    assert (
        Status.LAGGING.zh == "滞后"
        and Status.AHEAD.zh == "快于预期"
        and Status.ON_TRACK.zh == "基本符合预期"
        and Status.ACHIEVED_EARLY.zh == "提前实现"
    )


def test_a_floor_already_cleared_at_the_base_is_a_level_to_hold() -> None:
    # "≥ 23" from a base of 25: breaking the floor is lagging, never "ahead" with P > 1.
    goal = Goal(2020, 25.0, 2025, 23.0, "≥")
    assert goal.is_hold
    assert judge_cn(goal, 2022, 22.0, False, 0.05).status is Status.LAGGING
    assert judge_cn(goal, 2022, 24.0, False, 0.05).status is Status.ON_TRACK
    assert judge_sdg(goal, 2022, 22.0, THR).status is Status.NOT_APPLICABLE
    ceiling = Goal(2020, 3.0, 2025, 5.0, "≤")
    assert judge_cn(ceiling, 2022, 6.0, False, 0.05).status is Status.LAGGING
    assert judge_cn(ceiling, 2025, 6.0, False, 0.05).status is Status.MISSED


def test_negative_values_have_no_growth_ratio() -> None:
    assert judge_sdg(Goal(2020, -5.0, 2025, 5.0, "≥"), 2022, -1.0, THR).status is Status.NOT_APPLICABLE
    zero_base = judge_sdg(Goal(2020, 0.0, 2025, 10.0, "≥"), 2022, 4.0, THR)  # zeros become 0.001 (Open SDG)
    assert zero_base.ratio is not None and zero_base.ratio > 0
