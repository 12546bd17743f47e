"""Tests that bite: each projection method pinned to reference numbers on one fixed series.

References are computed independently of fjdata in the test itself — closed forms for naive,
drift and the linear trend (Hyndman & Athanasopoulos, *FPP3* §5.5), and statsmodels called
directly, at the 80 % level, for Theta, damped-trend ETS and ARIMA — so these mutations fail:

- M1: drift fitted without its drift term (it becomes naive);
- M3: every "80 %" interval computed with the 97.5 % quantile (i.e. a 95 % interval);
- M6: backtest coverage of the 95 % interval scored with the 80 % bounds (``backtest._score``);
- M2: the as-of rule ignoring the publication-date cutoff (``observations._as_of_filter``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fjdata.forecast.backtest import Context, _score
from fjdata.forecast.models import Forecast, fit_method
from fjdata.inputs.observations import observations
from tests.conftest import write_csv

YEARS = list(range(2011, 2021))
Y = np.array([100, 104, 109, 112, 118, 121, 127, 133, 136, 142.0])
H = 3
Z80 = stats.norm.ppf(0.90)
REL = 1e-4


def _check(fc: Forecast, mean: np.ndarray, lo80: np.ndarray, hi80: np.ndarray, lo95: np.ndarray, hi95: np.ndarray) -> None:
    assert fc.years == (2021, 2022, 2023)
    assert np.asarray(fc.mean) == pytest.approx(mean, rel=REL)
    assert np.asarray(fc.lo80) == pytest.approx(lo80, rel=REL)
    assert np.asarray(fc.hi80) == pytest.approx(hi80, rel=REL)
    assert np.asarray(fc.lo95) == pytest.approx(lo95, rel=REL)
    assert np.asarray(fc.hi95) == pytest.approx(hi95, rel=REL)


def _normal(mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, ...]:
    z95 = stats.norm.ppf(0.975)
    return mean, mean - Z80 * sd, mean + Z80 * sd, mean - z95 * sd, mean + z95 * sd


def test_naive_is_the_last_value_with_random_walk_intervals() -> None:
    sigma = np.sqrt(np.mean(np.diff(Y) ** 2))  # MLE of the step variance, no drift
    h = np.arange(1, H + 1)
    _check(fit_method("naive", YEARS, Y, 2023), *_normal(np.full(H, Y[-1]), sigma * np.sqrt(h)))


def test_drift_extrapolates_the_average_step() -> None:
    """Random walk with drift: ŷ(T+h) = y_T + h·(y_T − y_1)/(T − 1), sd = σ√h (kills M1)."""
    d = np.diff(Y)
    drift = (Y[-1] - Y[0]) / (len(Y) - 1)
    sigma = np.sqrt(np.mean((d - drift) ** 2))
    h = np.arange(1, H + 1)
    _check(fit_method("drift", YEARS, Y, 2023), *_normal(Y[-1] + h * drift, sigma * np.sqrt(h)))
    # Reference numbers, for a reader: 146.667, 151.333, 156.000.
    assert fit_method("drift", YEARS, Y, 2023).mean == pytest.approx((146.6667, 151.3333, 156.0), rel=1e-5)


def test_linear_trend_matches_the_ols_prediction_interval() -> None:
    x = np.arange(len(Y), dtype=float)
    xn = np.arange(len(Y), len(Y) + H, dtype=float)
    slope, const = np.polyfit(x, Y, 1)
    resid = Y - (const + slope * x)
    n = len(Y)
    s2 = resid @ resid / (n - 2)
    se = np.sqrt(s2 * (1 + 1 / n + (xn - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()))
    mean = const + slope * xn
    t80, t95 = stats.t.ppf(0.90, n - 2), stats.t.ppf(0.975, n - 2)
    _check(fit_method("linear", YEARS, Y, 2023), mean, mean - t80 * se, mean + t80 * se, mean - t95 * se, mean + t95 * se)


def test_loglinear_is_the_linear_trend_on_logs() -> None:
    x = np.arange(len(Y), dtype=float)
    xn = np.arange(len(Y), len(Y) + H, dtype=float)
    ly = np.log(Y)
    slope, const = np.polyfit(x, ly, 1)
    resid = ly - (const + slope * x)
    n = len(Y)
    se = np.sqrt(resid @ resid / (n - 2) * (1 + 1 / n + (xn - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()))
    m = const + slope * xn
    t80, t95 = stats.t.ppf(0.90, n - 2), stats.t.ppf(0.975, n - 2)
    _check(
        fit_method("loglinear", YEARS, Y, 2023),
        np.exp(m),
        np.exp(m - t80 * se),
        np.exp(m + t80 * se),
        np.exp(m - t95 * se),
        np.exp(m + t95 * se),
    )


def test_theta_matches_statsmodels_at_both_levels() -> None:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    res = ThetaModel(Y, period=1, deseasonalize=False).fit(use_mle=False)
    mean = np.asarray(res.forecast(H, theta=2))
    pi80 = np.asarray(res.prediction_intervals(H, theta=2, alpha=0.20))
    pi95 = np.asarray(res.prediction_intervals(H, theta=2, alpha=0.05))
    _check(fit_method("theta", YEARS, Y, 2023), mean, pi80[:, 0], pi80[:, 1], pi95[:, 0], pi95[:, 1])


def test_damped_ets_matches_statsmodels_at_both_levels() -> None:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(
        pd.Series(Y, index=pd.RangeIndex(len(Y))), error="add", trend="add", damped_trend=True, initialization_method="estimated"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(disp=False)
        pred = res.get_prediction(start=len(Y), end=len(Y) + H - 1)
        f80, f95 = pred.summary_frame(alpha=0.20), pred.summary_frame(alpha=0.05)
    _check(
        fit_method("ets_damped", YEARS, Y, 2023),
        f80["mean"].to_numpy(),
        f80["pi_lower"].to_numpy(),
        f80["pi_upper"].to_numpy(),
        f95["pi_lower"].to_numpy(),
        f95["pi_upper"].to_numpy(),
    )


def test_arima_is_the_better_small_model_by_aicc() -> None:
    from statsmodels.tsa.arima.model import ARIMA

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = [ARIMA(Y, order=o, trend="t").fit() for o in ((1, 1, 0), (0, 1, 1))]
    best = min(fits, key=lambda r: r.aicc)
    fc = best.get_forecast(H)
    c80, c95 = np.asarray(fc.conf_int(alpha=0.20)), np.asarray(fc.conf_int(alpha=0.05))
    _check(fit_method("arima", YEARS, Y, 2023), np.asarray(fc.predicted_mean), c80[:, 0], c80[:, 1], c95[:, 0], c95[:, 1])


def test_80_percent_interval_is_narrower_than_95_by_the_normal_ratio() -> None:
    """On the natural scale, half-widths of a normal forecast are in the ratio z(0.90)/z(0.975)."""
    fc = fit_method("drift", YEARS, Y, 2023)
    ratio = (np.asarray(fc.hi80) - fc.mean) / (np.asarray(fc.hi95) - fc.mean)
    assert ratio == pytest.approx(np.full(H, Z80 / stats.norm.ppf(0.975)), rel=1e-9)


# --- backtest scoring (M6) -----------------------------------------------------------------


def _forecast(mean: float, lo80: float, hi80: float, lo95: float, hi95: float) -> Forecast:
    return Forecast("drift", "natural", None, (2021,), (mean,), (lo80,), (hi80,), (lo95,), (hi95,), 5, (2016, 2020), loc=(mean,), sd=(1.0,))


@pytest.mark.parametrize(
    ("actual", "in80", "in95"),
    [(100.0, True, True), (101.5, False, True), (98.5, False, True), (103.0, False, False), (96.0, False, False)],
)
def test_backtest_scores_each_interval_with_its_own_bounds(actual: float, in80: bool, in95: bool) -> None:
    ctx = Context("x", {2021: actual}, 1.0, 0.0, True)
    (scored,) = _score(ctx, 2020, "drift", _forecast(100.0, 99.0, 101.0, 98.0, 102.0), 1, 100.0)
    assert (scored["in80"], scored["in95"]) == (in80, in95)
    assert scored["abs_error"] == pytest.approx(abs(actual - 100.0))


# --- the as-of rule (M2) -------------------------------------------------------------------


def test_as_of_drops_figures_published_after_the_following_year(tmp_path: Path) -> None:
    """A 2022 figure published in 2024 was unknown at the mid-term (end of 2023); one
    published in March 2023 was known. Both years are ≤ 2022, so only the publication date
    can tell them apart."""
    base = {
        "indicator_id": "green_parks",
        "region": "Fujian",
        "unit": "个",
        "status": "final",
        "source_title": "Test fixture (not real data)",
        "source_url": "https://example.invalid/t",
        "quote": "q",
    }
    rows = [
        {**base, "year": 2022, "value": 11, "vintage": "late_release", "published": "2024-03"},
        {**base, "year": 2021, "value": 10, "vintage": "timely_release", "published": "2023-03"},
        {**base, "year": 2022, "value": 12, "vintage": "timely_release", "published": "2023-03"},
    ]
    path = write_csv(tmp_path / "asof.csv", rows)
    seen = observations("green_parks", as_of=2022, extra_data=path)
    user = seen[seen["user_supplied"]]
    assert set(zip(user["year"], user["vintage"], strict=True)) == {(2021, "timely_release"), (2022, "timely_release")}
    everything = observations("green_parks", extra_data=path)
    assert (2022, "late_release") in set(zip(everything["year"], everything["vintage"], strict=True))
