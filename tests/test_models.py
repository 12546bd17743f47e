"""Projection methods: typed results, intervals, short series, gaps, bounds, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from fjdata.forecast.auto import project, project_series
from fjdata.forecast.models import METHODS, MIN_OBS, MethodUnavailable, combine, fit_method
from fjdata.forecast.projection import JudgedSeries
from fjdata.inputs.transforms import year_index

YEARS = list(range(2008, 2021))
GROWING = [100 * 1.07**i * (1 + 0.01 * ((-1) ** i)) for i in range(len(YEARS))]


@pytest.mark.parametrize("method", METHODS)
def test_every_method_returns_ordered_intervals(method: str) -> None:
    fc = fit_method(method, YEARS, GROWING, 2025, scale="log")
    assert fc.method == method and fc.years == (2021, 2022, 2023, 2024, 2025)
    assert fc.n_obs >= MIN_OBS[method]
    # On the model (log) scale an 80 % half-width is z(0.90)/z(0.975) of the 95 % one (t for OLS).
    from scipy import stats

    q = (stats.t.ppf(0.90, fc.df) / stats.t.ppf(0.975, fc.df)) if fc.df else stats.norm.ppf(0.90) / stats.norm.ppf(0.975)
    f = np.log if fc.scale == "log" else np.asarray  # linear fits on the natural scale
    loc = f(np.asarray(fc.mean))
    ratio = (f(np.asarray(fc.hi80)) - loc) / (f(np.asarray(fc.hi95)) - loc)
    assert ratio == pytest.approx(np.full(5, q), rel=1e-6)
    assert (fc.mean[-1] > GROWING[-1] * 1.05) == (method != "naive")  # the 7 %/year trend is carried forward


def test_methods_are_deterministic() -> None:
    a = project("gdp_real_growth", method="auto", to_year=2028)
    b = project("gdp_real_growth", method="auto", to_year=2028)
    assert a.forecast is not None and b.forecast is not None
    assert a.forecast.mean == b.forecast.mean and a.forecast.lo95 == b.forecast.lo95


@pytest.mark.parametrize("n", [2, 3, 5])
def test_short_series_end_in_a_defined_result(n: int) -> None:
    judged = JudgedSeries("green_parks", _series(YEARS[:n], GROWING[:n]), "log", None, None, _series(YEARS[:n], GROWING[:n]))
    proj = project_series(judged, "auto", 2025)
    if n >= 3:
        assert proj.forecast is not None and proj.forecast.method in ("drift", "combination", "theta")
    else:
        assert proj.forecast is not None and proj.forecast.method == "naive"
    assert set(proj.skipped) <= set(METHODS)
    for why in proj.skipped.values():
        assert "needs at least" in why or "failed" in why


def test_one_point_is_insufficient_not_an_exception() -> None:
    judged = JudgedSeries("green_parks", _series([2020], [5.0]), "log", None, None, _series([2020], [5.0]))
    proj = project_series(judged, "auto", 2025)
    assert proj.forecast is None and "naive" in proj.skipped


def test_gaps_use_the_consecutive_tail_for_state_space_methods() -> None:
    years = [2005, 2006, 2007, 2010, 2011, 2012, 2013, 2014, 2015]
    values = [1.0, 1.1, 1.2, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0]
    assert fit_method("drift", years, values, 2020).fit_years == (2010, 2015)
    assert fit_method("linear", years, values, 2020).fit_years == (2005, 2015)  # OLS regresses on the year
    with pytest.raises(MethodUnavailable, match="consecutive"):
        fit_method("ets", years, values, 2020)


def test_share_near_its_bound_stays_inside() -> None:
    years = list(range(2012, 2021))
    share = [90.0, 92.0, 94.0, 95.5, 96.8, 97.6, 98.3, 98.8, 99.2]
    for method in ("drift", "linear", "theta", "ets", "arima"):
        fc = fit_method(method, years, share, 2025, scale="logit", bounds=(0.0, 100.0))
        assert max(fc.hi95) < 100.0 and min(fc.lo95) > 0.0, method
        assert fc.probability(2025, 99.0, higher=True) > 0.5


def test_combination_is_reproducible_and_pools_members() -> None:
    members = [fit_method(m, YEARS, GROWING, 2025, scale="log") for m in ("drift", "theta", "arima")]
    a = combine(members, draws=6000, seed=1)
    b = combine(members, draws=6000, seed=1)
    assert a.members == ("drift", "theta", "arima") and a.mean == b.mean and a.lo95 == b.lo95
    assert a.mean[-1] == pytest.approx(np.mean([m.mean[-1] for m in members]))
    # intervals are quantiles of the pooled draws, so probabilities at their ends are 10 % / 90 %
    assert a.probability(2025, a.hi80[-1], True) == pytest.approx(0.10, abs=0.005)
    assert a.probability(2025, a.lo80[-1], True) == pytest.approx(0.90, abs=0.005)


def _series(years: list[int], values: list[float]):  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.Series(values, index=year_index(years), dtype=float)


def test_charts_never_bridge_gaps() -> None:
    from fjdata.report.charts import consecutive_runs

    runs = consecutive_runs([2013, 2021, 2022, 2024], [1.0, 2.0, 3.0, 4.0])
    assert runs == [([2013], [1.0]), ([2021, 2022], [2.0, 3.0]), ([2024], [4.0])]
