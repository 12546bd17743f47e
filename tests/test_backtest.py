"""Rolling-origin backtest: MASE scaling, coverage, the auto rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fjdata
from fjdata.forecast.backtest import BASELINE, _naive_mae, auto_members, backtest_errors, summarise
from fjdata.forecast.models import METHODS


def test_mase_scale_is_the_in_sample_naive_error_over_consecutive_years() -> None:
    years = np.array([2010, 2011, 2012, 2014, 2015])
    values = np.array([1.0, 3.0, 4.0, 10.0, 12.0])
    # consecutive pairs only: |3-1|, |4-3|, |12-10| → mean 5/3 (2012→2014 is not a one-step pair)
    assert _naive_mae(years, values) == pytest.approx(5 / 3)


def test_summary_formulas_on_a_hand_made_table() -> None:
    errors = pd.DataFrame(
        {
            "indicator_id": ["x"] * 4,
            "method": ["drift", "drift", "theta", "theta"],
            "forecast": [1.0, 2.0, 1.0, 2.0],
            "scaled_error": [2.0, 4.0, 1.0, 1.0],
            "in80": [True, False, True, True],
            "in95": [True, True, True, True],
            "predicted_meet": [True, True, True, False],
            "came_true": [True, False, True, False],
        }
    )
    table = summarise(errors).set_index("method")
    assert table.loc["drift", "mase"] == 3.0 and table.loc["theta", "mase"] == 1.0
    assert table.loc["theta", "relative_to_drift"] == pytest.approx(1 / 3)
    assert table.loc["drift", "coverage80"] == 0.5 and table.loc["theta", "status_accuracy"] == 1.0


def test_backtest_table_and_the_auto_rule() -> None:
    table = fjdata.backtest()
    assert {"method", "mase", "relative_to_drift", "coverage80", "coverage95", "status_accuracy", "n"} <= set(table.columns)
    assert BASELINE in set(table["method"])
    members = auto_members()
    errors = backtest_errors()
    # By brute force: every set of up to four methods, the MASE of its mean point forecast on the
    # forecasts all methods produced (scale = |error| ÷ scaled error of a row); smaller sets win ties.
    own = errors[errors["method"].isin(METHODS)]
    wide = own.pivot_table(index=["indicator_id", "origin", "horizon"], columns="method", values="forecast").dropna()
    first = own.groupby(["indicator_id", "origin", "horizon"])[["actual", "abs_error", "scaled_error"]].first().loc[wide.index]
    q = (first["abs_error"] / first["scaled_error"]).to_numpy()
    import itertools

    scores = {}
    single = {m: float(np.nanmean(np.abs(first["actual"].to_numpy() - wide[m].to_numpy()) / q)) for m in METHODS if m in wide}
    candidates = [m for m in single if single[m] <= 1.25 * min(single.values())]  # within 25 % of the best method
    for size in range(1, 5):
        for subset in itertools.combinations(candidates, size):
            err = np.abs(first["actual"].to_numpy() - wide[list(subset)].mean(axis=1).to_numpy()) / q
            scores[subset] = float(np.nanmean(err))
    best = min(scores, key=lambda k: (round(scores[k], 12), len(k)))
    assert tuple(members) == best
    assert scores[best] < min(scores[(m,)] for m in METHODS if (m,) in scores) or len(best) == 1
    if len(members) >= 2:
        assert "combination" in set(table["method"])
    assert table["n"].min() >= 20
    # Scored rows agree with their own bounds (the 95 % column is not the 80 % one, M6).
    in95_strictly = errors[errors["in95"] & ~errors["in80"]]
    assert not in95_strictly.empty, "some actuals fall between the 80 % and the 95 % bounds"


def test_drift_intervals_are_calibrated_on_a_simulated_random_walk() -> None:
    """On data that IS a random walk with drift, the 80 % and 95 % one-step intervals must cover
    about 80 % and 95 % of outcomes (binomial noise on 300 draws: ±0.07)."""
    import numpy as np

    from fjdata.forecast.models import fit_method

    rng = np.random.default_rng(20261129)
    hits80 = hits95 = 0
    n = 300
    for _ in range(n):
        path = 100 + np.cumsum(rng.normal(1.0, 2.0, 31))
        fc = fit_method("drift", list(range(1990, 2020)), path[:30], 2020)
        hits80 += fc.lo80[0] <= path[30] <= fc.hi80[0]
        hits95 += fc.lo95[0] <= path[30] <= fc.hi95[0]
    assert 0.72 <= hits80 / n <= 0.88
    assert 0.90 <= hits95 / n <= 0.99


def test_backtest_one_series_and_horizons() -> None:
    errors = backtest_errors("gdp_real_growth")
    assert set(errors["indicator_id"]) == {"gdp_real_growth"}
    assert set(errors["horizon"]) == {1, 2, 3, 4, 5}
    assert (errors["year"] == errors["origin"] + errors["horizon"]).all()


def test_mid_term_backtest_uses_only_data_known_then() -> None:
    errors = backtest_errors(as_of=2022)
    assert errors["year"].max() <= 2022
    from fjdata.forecast.backtest import _members_from

    assert auto_members(as_of=2022) == _members_from(errors)  # chosen on the 2022 errors, not today's
    assert len(errors) < len(backtest_errors())  # fewer origins were possible then


def test_each_method_keeps_the_scale_with_the_lower_mase_and_series_without_a_choice_count_for_both() -> None:
    from fjdata.forecast.backtest import ANY, choose_variants, policy_from

    def rows(series: str, method: str, variant: str, errors: list[float]) -> list[dict[str, object]]:
        return [
            {"indicator_id": series, "origin": 2015, "horizon": h, "method": method, "variant": variant, "scaled_error": e,
             "forecast": 1.0, "in80": True, "in95": True, "z80": 0.5, "z95": 0.4, "predicted_meet": True, "came_true": True}
            for h, e in enumerate(errors, start=1)
        ]  # fmt: skip

    scored = pd.DataFrame(
        rows("a", "drift", "judged", [2.0, 2.0])
        + rows("a", "drift", "level", [1.0, 1.0])
        + rows("a", "theta", "judged", [1.0, 1.0])
        + rows("a", "theta", "level", [1.5, 0.6])  # mean 1.05 > 1.0: stays on logs
        + rows("b", "drift", ANY, [3.0])  # a share: no level variant, kept whatever the choice
        + rows("b", "theta", ANY, [3.0])
    )
    assert choose_variants(scored) == {"drift": "level", "theta": "judged"}
    from fjdata.forecast.backtest import with_combination

    errors = with_combination(scored, [], draws=100, seed=1, max_h=2)
    assert sorted(zip(errors["indicator_id"], errors["method"], errors["variant"], strict=True)) == [
        ("a", "drift", "level"), ("a", "drift", "level"), ("a", "theta", "judged"), ("a", "theta", "judged"),
        ("b", "drift", ANY), ("b", "theta", ANY),
    ]  # fmt: skip
    assert policy_from(errors).scales == {"drift": "level"}


def test_the_detail_table_says_which_models_auto_combined_and_how_they_did() -> None:
    """The method note under the detail table names the members the backtest chose (in the reader's
    language, "fitted to levels" where the policy says so) and the combination's own backtest MASE
    relative to drift and its calibrated 80 % coverage, as summarise() computes them."""
    from fjdata.forecast.backtest import auto_policy, auto_record
    from fjdata.report.chapter_report import ChapterReport

    policy, record = auto_policy(), auto_record()
    assert record.members == policy.members and len(record.members) >= 2
    row = summarise(backtest_errors()).set_index("method").loc["combination"]
    assert record.relative_to_drift == pytest.approx(float(row["relative_to_drift"]))
    assert record.coverage80 == pytest.approx(float(row["coverage80_calibrated"]))
    assert set(record.levels) == {m for m in policy.members if policy.scales.get(m) == "level"}
    zh, en = (ChapterReport.build(chapter=2, lang=lang).detail_html() for lang in ("zh", "en"))
    words_zh = {
        "theta": "带漂移的指数平滑法",
        "arima": "自回归积分滑动平均模型",
        "ets": "指数平滑状态空间模型",
        "drift": "带漂移随机游走",
        "naive": "随机游走",
    }
    for m in record.members:
        assert words_zh[m] + ("（按原值拟合）" if m in record.levels else "") in zh
    assert f"平均误差为带漂移随机游走的{record.relative_to_drift:.2f}倍" in zh
    assert f"80%预测区间覆盖了{record.coverage80 * 100:.1f}%的实际值" in zh
    assert "equal-weight combination of" in en and f"was {record.relative_to_drift:.2f} times" in en
    # A method the user chose is not "chosen by the backtest": no note.
    assert "滚动回测选出" not in ChapterReport.build(chapter=2, methods="drift").detail_html()
