"""Judgement rules pinned to hand-computed numbers (written to kill mutmut's survivors in
``judge_sdg`` and ``required_path``; see ``python3 tasks.py mutmut``)."""

from __future__ import annotations

import pytest

from fjdata.assess.judgements import Goal, Status, judge_sdg, required_path

THR = {"high": 0.95, "med": 0.60, "low": 0.0}


def test_required_path_is_the_constant_rate_path() -> None:
    goal = Goal(2020, 100.0, 2025, 100.0 * 1.06**5, "≥")
    assert required_path(goal, [2020, 2021, 2023, 2025]) == pytest.approx([100.0, 106.0, 100 * 1.06**3, 100 * 1.06**5], rel=1e-12)


def test_required_path_is_linear_from_zero() -> None:
    """A running total from zero has no growth rate: the path is a straight line."""
    assert required_path(Goal(2020, 0.0, 2025, 10.0, "≥"), [2020, 2021, 2024]) == pytest.approx([0.0, 2.0, 8.0])
    assert required_path(Goal(2020, -4.0, 2024, 4.0, "≥"), [2022, 2024]) == pytest.approx([0.0, 4.0])


@pytest.mark.parametrize(
    ("latest", "status", "ratio"),
    [
        (100 * 1.06**2, Status.SIGNIFICANT, 1.0),  # on the required path exactly
        (100 * 1.05**2, Status.MODERATE, 0.05 / (1.06 - 1)),  # 5 % a year against 6 %
        (100 * 1.02**2, Status.LIMITED, 0.02 / 0.06),
        (100 * 0.99**2, Status.AWAY, -0.01 / 0.06),
    ],
)
def test_growth_ratio_is_actual_over_required_cagr(latest: float, status: Status, ratio: float) -> None:
    goal = Goal(2020, 100.0, 2025, 100 * 1.06**5, "≥")
    j = judge_sdg(goal, 2022, latest, THR)
    assert j.status is status
    assert j.ratio == pytest.approx(ratio, rel=1e-9)
    assert j.cagr_required == pytest.approx(0.06, rel=1e-12)
    assert j.cagr_actual == pytest.approx((latest / 100) ** 0.5 - 1, rel=1e-12)


def test_growth_ratio_thresholds_split_the_categories() -> None:
    goal = Goal(2020, 100.0, 2025, 200.0, "≥")
    required = 2 ** (1 / 5) - 1
    edges = ((0.95, Status.SIGNIFICANT, Status.MODERATE), (0.60, Status.MODERATE, Status.LIMITED), (0.0, Status.LIMITED, Status.AWAY))
    for share, above, below in edges:
        for delta, status in ((1e-6, above), (-1e-6, below)):
            latest = 100 * (1 + (share + delta) * required) ** 2
            assert judge_sdg(goal, 2022, latest, THR).status is status, (share, delta)


def test_lower_is_better_uses_the_same_ratio() -> None:
    goal = Goal(2010, 100.0, 2015, 84.0, "≤")
    j = judge_sdg(goal, 2013, 90.0, THR)
    assert j.cagr_actual == pytest.approx(0.9 ** (1 / 3) - 1) and j.cagr_required == pytest.approx(0.84 ** (1 / 5) - 1)
    assert j.ratio == pytest.approx((0.9 ** (1 / 3) - 1) / (0.84 ** (1 / 5) - 1)) and j.status is Status.SIGNIFICANT


def test_zero_base_is_replaced_by_one_thousandth_as_in_open_sdg() -> None:
    j = judge_sdg(Goal(2020, 0.0, 2025, 10.0, "≥"), 2022, 1.0, THR)
    assert j.cagr_actual == pytest.approx((1 / 1e-3) ** 0.5 - 1) and j.cagr_required == pytest.approx((10 / 1e-3) ** 0.2 - 1)
    assert j.status is Status.SIGNIFICANT


@pytest.mark.parametrize(
    ("goal", "year", "latest"),
    [
        (Goal(2020, -5.0, 2025, 10.0, "≥"), 2022, 1.0),  # a negative value has no growth rate
        (Goal(2020, 100.0, 2025, 120.0, "≥"), 2020, 101.0),  # no year elapsed
        (Goal(2020, 25.0, 2025, 23.0, "≥"), 2022, 22.0),  # a floor the base already met: a level to hold
    ],
)
def test_growth_ratio_not_applicable(goal: Goal, year: int, latest: float) -> None:
    j = judge_sdg(goal, year, latest, THR)
    assert (j.status, j.ratio, j.cagr_actual, j.cagr_required) == (Status.NOT_APPLICABLE, None, None, None)


def test_a_met_target_is_achieved_before_anything_else() -> None:
    j = judge_sdg(Goal(2020, -5.0, 2025, 10.0, "≥"), 2020, 12.0, THR)
    assert (j.status, j.ratio) == (Status.ACHIEVED, None)
