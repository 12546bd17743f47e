"""Tests that bite: each projection method pinned to reference numbers on one fixed series.

References are computed independently of fjdata in the test itself — closed forms for naive,
drift and the linear trend (Hyndman & Athanasopoulos, *FPP3* §5.5), and statsmodels called
directly, at the 80 % level, for Theta (its variance by hand), the ETS family and the ARIMA search — so these mutations fail:

- M1: drift fitted without its drift term (it becomes naive);
- M3: every "80 %" interval computed with the 97.5 % quantile (i.e. a 95 % interval);
- M6: backtest coverage of the 95 % interval scored with the 80 % bounds (``backtest._score``);
- M2: the as-of rule ignoring the publication-date cutoff (``observations._as_of_filter``).

The later sections pin, on hand-built forecasts with hand-worked numbers, what mutmut's survivors in
``fjdata/forecast/models.py`` showed untested (``python3 tasks.py mutmut models``): calibration of a
spread and of pooled draws, the combination, probabilities, what ``fit`` refuses, and bounded shares.
Score (mutmut 3.8.1, [tool.fjdata.mutmut.models]): 716 of 1078 mutants killed before, 987 after.
Most of the 90 survivors cannot change a result: dtype and ``zip(strict=…)`` arguments on arrays
that already have them, statsmodels' ``disp``/``cov_type``/case of option names, the period of an
annual Theta fit, a symmetric shock's sign. Left untested: the fit-store bundle (test_cache.py),
warning texts and a non-finite forecast.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fjdata.core.errors import ArgumentError
from fjdata.forecast.backtest import Context, _score
from fjdata.forecast.models import (
    Forecast,
    MethodUnavailable,
    calibrate,
    check_method,
    combine,
    contiguous_tail,
    fit_key,
    fit_method,
    simulate,
)
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


def _theta_reference(y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Theta by hand around statsmodels' point forecast: σ² the mean squared one-step error of SES with
    drift b0/2 started at the first value (Hyndman & Billah 2003), h-step variance σ²(1 + α²(h − 1))."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    res = ThetaModel(y, period=1, deseasonalize=False).fit(use_mle=False)
    alpha, drift = float(res.params["alpha"]), float(res.params["b0"]) / 2
    level, errors = y[0], []
    for value in y[1:]:
        errors.append(value - (level + drift))
        level = alpha * value + (1 - alpha) * (level + drift)
    sigma2 = float(np.mean(np.square(errors)))
    sd = np.sqrt(sigma2 * (1 + alpha**2 * np.arange(H)))
    return _normal(np.asarray(res.forecast(H, theta=2)), sd)


def test_theta_is_statsmodels_point_forecast_with_its_own_error_variance() -> None:
    # Before: the variance came from a second (ARIMA(0,1,1)) fit, as statsmodels' prediction_intervals
    # does — the costliest part of the method; now from the method's own one-step errors.
    _check(fit_method("theta", YEARS, Y, 2023), *_theta_reference(Y))


def _ets_forms(y: np.ndarray) -> dict[tuple[str, str | None, bool], object]:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for error in ("add",):
            for trend, damped in ((None, False), ("add", False), ("add", True)):
                model = ETSModel(
                    pd.Series(y, index=pd.RangeIndex(len(y))),
                    error=error,
                    trend=trend,
                    damped_trend=damped,
                    initialization_method="estimated",
                )
                out[(error, trend, damped)] = model.fit(disp=False)
    return out


# Growth slowing towards a ceiling: the damped trend has the lowest AICc here (additive trend on Y).
SLOWING = np.array([100.3, 109.8, 118.1, 124.1, 129.72, 133.62, 136.79, 139.76, 141.41, 143.39])


@pytest.mark.parametrize(("series", "scale", "damped"), [("Y", "log", False), ("Y", "natural", False), ("slowing", "natural", True)])
def test_ets_is_the_additive_error_form_with_the_lowest_aicc(series: str, scale: str, damped: bool) -> None:
    """Additive errors, trend none / additive / damped: the forecast is statsmodels' for the AICc winner."""
    y = Y if series == "Y" else SLOWING
    f = np.log if scale == "log" else np.asarray
    back = np.exp if scale == "log" else np.asarray
    fits = _ets_forms(f(y))
    best = min(fits, key=lambda k: fits[k].aicc)  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = fits[best].get_prediction(start=len(y), end=len(y) + H - 1)  # type: ignore[attr-defined]
        f80, f95 = pred.summary_frame(alpha=0.20), pred.summary_frame(alpha=0.05)
    assert best[2] == damped
    fc = fit_method("ets", YEARS, y, 2023, scale=scale)
    assert fc.params["aicc"] == pytest.approx(fits[best].aicc, rel=1e-6)  # type: ignore[attr-defined]
    assert (fc.params["trend"], fc.params["damped"]) == (float(best[1] is not None), float(best[2]))
    _check(fc, *[back(c.to_numpy()) for c in (f80["mean"], f80["pi_lower"], f80["pi_upper"], f95["pi_lower"], f95["pi_upper"])])


def _reference_aicc(w: np.ndarray, p: int, q: int, c: bool) -> float:
    """The search's approximate AICc, written out: Hannan–Rissanen estimates (statsmodels), conditional
    one-step errors by an explicit loop, Gaussian likelihood at their mean square."""
    from statsmodels.tsa.arima.estimators.hannan_rissanen import hannan_rissanen

    x = w - w.mean() if c else w
    ar, ma = np.zeros(0), np.zeros(0)
    if p or q:
        est, _ = hannan_rissanen(x, ar_order=p, ma_order=q, demean=False)
        ar, ma = np.asarray(est.ar_params), np.asarray(est.ma_params)
        if any(np.abs(np.roots(np.r_[-ar[::-1], 1.0])) <= 1) or any(np.abs(np.roots(np.r_[ma[::-1], 1.0])) <= 1):
            return np.inf
    e = np.zeros(len(x))
    for t in range(len(x)):
        e[t] = (
            x[t]
            - sum(ar[i] * x[t - i - 1] for i in range(p) if t - i - 1 >= 0)
            - sum(ma[j] * e[t - j - 1] for j in range(q) if t - j - 1 >= 0)
        )
    e = e[p:]
    n, k = len(e), p + q + int(c) + 1
    return n * np.log(2 * np.pi * np.mean(e**2)) + n + 2 * k + 2 * k * (k + 1) / (n - k - 1)


ZIGZAG = np.array([10, 14, 9, 15, 10, 16, 11, 17, 12, 18.0])


@pytest.mark.parametrize("series", ["Y", "zigzag"])
def test_arima_order_is_a_local_minimum_of_the_approximate_aicc_and_the_forecast_is_statsmodels(series: str) -> None:
    """d is KPSS's at 5 % (short bandwidth), at least 1; the chosen (p, q, drift) scores no worse than any
    neighbour (p ± 1, q ± 1, drift toggled; p, q ≤ 2) on the approximate AICc; the forecast and intervals
    are statsmodels' maximum-likelihood ARIMA for that order."""
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.stattools import kpss

    y = Y if series == "Y" else ZIGZAG
    fc = fit_method("arima", YEARS, y, 2023)
    d = int(fc.params["d"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z, expected_d = np.diff(y), 1
        while expected_d < 2 and kpss(z, regression="c", nlags=int(4 * (len(z) / 100) ** 0.25), result_object=True).pvalue < 0.05:
            z, expected_d = np.diff(z), expected_d + 1
    assert d == expected_d
    w = np.diff(y, n=d)
    chosen = (int(fc.params["p"]), int(fc.params["q"]), bool(fc.params["drift"]))
    p, q, c = chosen
    best = _reference_aicc(w, p, q, c)
    assert np.isfinite(best)
    for nb in ((p - 1, q, c), (p + 1, q, c), (p, q - 1, c), (p, q + 1, c), (p, q, not c)):
        if 0 <= nb[0] <= 2 and 0 <= nb[1] <= 2 and (nb[2] is False or d < 2) and len(w) > 2 * max(nb[0], nb[1]) + 3:
            assert best <= _reference_aicc(w, *nb) + 1e-9, nb
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ARIMA(y, order=(p, d, q), trend="t" if c else None).fit(cov_type="none")
    assert fc.params["aicc"] == pytest.approx(ref.aicc, rel=1e-6)
    pred = ref.get_forecast(H)
    c80, c95 = np.asarray(pred.conf_int(alpha=0.20)), np.asarray(pred.conf_int(alpha=0.05))
    _check(fc, np.asarray(pred.predicted_mean), c80[:, 0], c80[:, 1], c95[:, 0], c95[:, 1])


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


# --- calibration, combination and probabilities on hand-built forecasts ---------------------
# (written to kill mutmut's survivors in fjdata/forecast/models.py: `python3 tasks.py mutmut models`)

Z95 = stats.norm.ppf(0.975)


def _hand(
    loc: list[float], sd: list[float], *, scale: str = "natural", bounds: tuple[float, float] | None = None, **kw: object
) -> Forecast:
    """A forecast for 2024… whose predictive distribution is N(loc, sd²) (or Student-t, ``df=``) on ``scale``."""
    years = tuple(range(2024, 2024 + len(loc)))
    args: dict[str, object] = {"n_obs": 9, "fit_years": (2015, 2023), "params": {"a": 1.0}, "warnings": ("w",), **kw}
    points = (tuple(loc),) * 5  # the mean and the four interval ends: not what these tests read
    return Forecast("drift", scale, bounds, years, *points, loc=tuple(loc), sd=tuple(sd), **args)  # type: ignore[arg-type]


def test_calibration_by_one_or_without_a_spread_changes_nothing() -> None:
    fc = _hand([10.0], [1.0])
    assert calibrate(fc, 1.0) is fc
    bare = Forecast("naive", "natural", None, (2024,), (1.0,), (1.0,), (1.0,), (1.0,), (1.0,), 3, (2021, 2023))
    assert calibrate(bare, 2.0) is bare


def test_calibration_scales_the_spread_and_keeps_the_point_forecast() -> None:
    fc = _hand([10.0, 12.0], [1.0, 2.0])
    wide = calibrate(fc, 1.5)  # sd 1.5 and 3: 80 % = ±1.2816 sd, 95 % = ±1.96 sd
    assert wide.mean == (10.0, 12.0) and wide.loc == (10.0, 12.0) and wide.sd == pytest.approx((1.5, 3.0))
    assert wide.lo80 == pytest.approx((10 - 1.5 * Z80, 12 - 3 * Z80)) and wide.hi80 == pytest.approx((10 + 1.5 * Z80, 12 + 3 * Z80))
    assert wide.lo95 == pytest.approx((10 - 1.5 * Z95, 12 - 3 * Z95)) and wide.hi95 == pytest.approx((10 + 1.5 * Z95, 12 + 3 * Z95))
    assert (wide.years, wide.n_obs, wide.fit_years, wide.method, wide.scale, wide.df) == (
        (2024, 2025),
        9,
        (2015, 2023),
        "drift",
        "natural",
        None,
    )
    assert wide.params == {"a": 1.0, "calibration": 1.5} and wide.warnings == ("w",)


def test_calibration_of_a_student_t_forecast_uses_its_quantiles_on_the_model_scale() -> None:
    # t with 5 degrees of freedom: 90 % quantile 1.4759, 97.5 % quantile 2.5706 (printed tables)
    fc = _hand([np.log(100.0)], [0.1], scale="log", df=5.0)
    narrow = calibrate(fc, 0.5)
    assert narrow.mean == pytest.approx((100.0,)) and narrow.df == 5.0
    assert narrow.lo80 == pytest.approx((100 * np.exp(-0.05 * 1.4759),), rel=1e-4)
    assert narrow.hi95 == pytest.approx((100 * np.exp(0.05 * 2.5706),), rel=1e-4)


def test_calibration_of_pooled_draws_stretches_them_about_their_median_year_by_year() -> None:
    draws = np.column_stack([np.arange(101.0), np.arange(101.0) + 100])  # medians 50 and 150
    fc = replace(_hand([50.0, 150.0], [1.0, 1.0]), samples=draws)
    wide = calibrate(fc, 2.0)
    # quantiles 2.5/10/90/97.5 of 0…100 are 2.5, 10, 90, 97.5; stretched ×2 about 50: −45, −30, 130, 145
    assert (wide.lo95, wide.lo80, wide.hi80, wide.hi95) == (
        pytest.approx((-45.0, 55.0)),
        pytest.approx((-30.0, 70.0)),
        pytest.approx((130.0, 230.0)),
        pytest.approx((145.0, 245.0)),
    )
    assert wide.samples is not None and wide.samples[0].tolist() == [-50.0, 50.0] and wide.mean == (50.0, 150.0)
    assert wide.params == {"a": 1.0, "calibration": 2.0}
    bounded = calibrate(replace(fc, bounds=(-40.0, 240.0)), 2.0)  # a share cannot leave its bounds
    assert bounded.lo95 == pytest.approx((-40.0, 55.0)) and bounded.hi95 == pytest.approx((145.0, 240.0))


def test_probability_from_the_normal_the_t_and_a_point_mass() -> None:
    fc = _hand([10.0], [2.0])
    assert fc.probability(2024, 12.0, True) == pytest.approx(0.1586553, abs=1e-6)  # 1 − Φ(1)
    assert fc.probability(2024, 12.0, False) == pytest.approx(0.8413447, abs=1e-6)
    assert _hand([10.0], [2.0], df=5.0).probability(2024, 12.0, True) == pytest.approx(0.1816, abs=1e-4)  # t₅ tail at 1
    sure = _hand([10.0, 20.0], [0.0, 0.0])  # no spread: the point forecast is certain
    assert (sure.probability(2025, 19.0, True), sure.probability(2025, 21.0, True)) == (1.0, 0.0)
    assert (sure.probability(2025, 19.0, False), sure.probability(2025, 21.0, False)) == (0.0, 1.0)
    # a certain forecast exactly on the threshold meets it, either way (ties count as met, as with draws)
    assert (sure.probability(2025, 20.0, True), sure.probability(2025, 20.0, False)) == (1.0, 1.0)
    assert _hand([np.log(100.0)], [0.1], scale="log").probability(2024, 100.0, True) == pytest.approx(0.5)  # the median


def test_probability_from_draws_counts_ties_as_met() -> None:
    fc = replace(_hand([2.5], [1.0]), samples=np.array([[1.0], [2.0], [3.0], [4.0]]))
    assert fc.probability(2024, 3.0, True) == 0.5 and fc.probability(2024, 2.0, False) == 0.5


def test_probability_without_a_distribution_says_why() -> None:
    bare = Forecast("combination", "natural", None, (2024,), (1.0,), (1.0,), (1.0,), (1.0,), (1.0,), 3, (2021, 2023))
    with pytest.raises(ValueError, match=r"^combination forecast kept no predictive distribution \(draws dropped for storage\)$"):
        bare.probability(2024, 1.0, True)


def test_at_gives_the_point_and_the_intervals_of_one_year() -> None:
    fc = Forecast("drift", "natural", None, (2024, 2025), (1.0, 2.0), (0.5, 1.5), (1.5, 2.5), (0.2, 1.2), (1.8, 2.8), 5, (2019, 2023))
    assert fc.at(2025) == {"mean": 2.0, "lo80": 1.5, "hi80": 2.5, "lo95": 1.2, "hi95": 2.8}


def test_combination_pools_equal_draws_and_averages_the_points() -> None:
    a = _hand([10.0, 11.0], [0.0, 0.0], fit_years=(2014, 2023), n_obs=10, warnings=("w1", "w2"))
    b = _hand([np.log(20.0), np.log(21.0)], [0.0, 0.0], scale="log", fit_years=(2016, 2022), n_obs=7, warnings=("w2", "w3"))
    c = combine([a, b], draws=5, seed=7)  # 5 // 2 = 2 draws each: 10, 10, 20, 20 in the first year
    assert c.samples is not None and sorted(c.samples[:, 0].tolist()) == pytest.approx([10.0, 10.0, 20.0, 20.0])
    assert c.mean == pytest.approx((np.mean([10.0, np.log(20.0)]), np.mean([11.0, np.log(21.0)])))  # members' own means
    assert (c.lo95[0], c.lo80[0], c.hi80[0], c.hi95[0]) == pytest.approx((10.0, 10.0, 20.0, 20.0))
    assert (c.method, c.scale, c.years, c.members) == ("combination", "natural", (2024, 2025), ("drift", "drift"))
    assert (c.n_obs, c.fit_years) == (10, (2014, 2023))
    assert c.params == {"draws": 4.0, "seed": 7.0} and c.warnings == ("w1", "w2", "w3")
    one_each = combine([a, b], draws=2, seed=7)
    assert one_each.samples is not None and one_each.samples.shape == (2, 2)


def test_combination_draws_student_t_members_with_heavier_tails() -> None:
    normal = combine([_hand([0.0], [1.0])], draws=20_000, seed=1)
    cauchy = combine([_hand([0.0], [1.0], df=1.0)], draws=20_000, seed=1)  # t₁: 97.5 % quantile 12.7
    assert normal.hi95[0] == pytest.approx(Z95, abs=0.1) and cauchy.hi95[0] > 8


def test_combination_refuses_nothing_and_mismatched_years() -> None:
    with pytest.raises(MethodUnavailable, match=r"^no member forecasts to combine$"):
        combine([], draws=10, seed=1)
    with pytest.raises(ValueError, match=r"^members forecast different years$"):
        combine([_hand([1.0], [1.0]), _hand([1.0, 2.0], [1.0, 1.0])], draws=10, seed=1)


def test_check_method_names_the_valid_choices() -> None:
    check_method("auto")
    check_method("combination")
    check_method(["drift", "theta"])
    with pytest.raises(ArgumentError, match=r"method 'thta' is not valid \(did you mean 'theta'\?\)"):
        check_method("thta")
    with pytest.raises(ArgumentError, match=r"^method list is empty; give one or more of naive, drift, linear, loglinear, theta"):
        check_method([])
    with pytest.raises(ArgumentError, match="method 'auto' is not valid"):
        check_method(["drift", "auto"])  # a list names methods, not the automatic choice


# --- what fit() refuses, and what it hands on ---------------------------------------------------


def test_fit_refuses_values_a_scale_cannot_take() -> None:
    years = [2016, 2017, 2018, 2019, 2020]
    with pytest.raises(MethodUnavailable, match=r"^log scale needs positive values$"):
        fit_method("drift", years, [1.0, 2.0, 0.0, 3.0, 4.0], 2022, "log")
    assert fit_method("drift", years, [0.5, 0.6, 0.7, 0.8, 0.9], 2022, "log").mean[0] > 0.9  # below 1 is fine
    for on_bound in ([0.0, 20.0, 30.0, 40.0, 50.0], [60.0, 70.0, 80.0, 90.0, 100.0]):
        with pytest.raises(MethodUnavailable, match=r"^a value sits on the bound of the share$"):
            fit_method("drift", years, on_bound, 2022, "logit", (0.0, 100.0))
    with pytest.raises(MethodUnavailable, match=r"^loglinear does not apply to a bounded share \(logit scale is used\)$"):
        fit_method("loglinear", years, [10.0, 20.0, 30.0, 40.0, 50.0], 2022, "logit", (0.0, 100.0))


def test_fit_keeps_a_share_inside_its_bounds_and_forecasts_only_later_years() -> None:
    fc = fit_method("drift", [2016, 2017, 2018, 2019, 2020], [90.0, 94.0, 96.0, 97.5, 98.5], 2023, "logit", (0.0, 100.0))
    assert fc.bounds == (0.0, 100.0) and fc.years == (2021, 2022, 2023)
    assert all(0.0 < v < 100.0 for v in fc.lo95 + fc.hi95)
    with pytest.raises(MethodUnavailable, match=r"^nothing to forecast: last observation 2020 ≥ 2020$"):
        fit_method("drift", [2016, 2017, 2018, 2019, 2020], [1.0, 2.0, 3.0, 4.0, 5.0], 2020)
    # unsorted input is sorted first: the forecast starts after the latest year, not the last listed
    assert fit_method("drift", [2019, 2020, 2016, 2017, 2018], [4.0, 5.0, 1.0, 2.0, 3.0], 2022).mean == pytest.approx((6.0, 7.0))


def test_fit_needs_exactly_min_obs_points() -> None:
    assert fit_method("drift", [2019, 2020, 2021], [1.0, 2.0, 4.0], 2022).n_obs == 3  # drift: three points are enough
    with pytest.raises(MethodUnavailable, match="needs at least 3"):
        fit_method("drift", [2020, 2021], [1.0, 2.0], 2022)
    with pytest.raises(ArgumentError, match=r"^method 'drfit' is not valid"):
        fit_method("drfit", [2020, 2021], [1.0, 2.0], 2022)


def test_closed_form_parameters_are_reported() -> None:
    d = np.diff(Y)
    naive = fit_method("naive", YEARS, Y, 2023)
    assert naive.params == pytest.approx({"sigma2": float(np.mean(d**2))})
    drift = fit_method("drift", YEARS, Y, 2023)
    step = (Y[-1] - Y[0]) / 9
    assert drift.params == pytest.approx({"drift": step, "sigma2": float(np.mean((d - step) ** 2))})
    slope, const = np.polyfit(np.arange(10.0), Y, 1)
    resid = Y - (const + slope * np.arange(10.0))
    linear = fit_method("linear", YEARS, Y, 2023)
    assert linear.params == pytest.approx({"const": const, "slope": slope, "sigma": float(np.sqrt(resid @ resid / 8))})


def test_state_space_methods_use_the_consecutive_tail() -> None:
    assert contiguous_tail(np.array([2015, 2017, 2018, 2019]), np.array([1.0, 2.0, 3.0, 4.0]))[0].tolist() == [2017, 2018, 2019]
    assert contiguous_tail(np.array([2017, 2018, 2019]), np.array([2.0, 3.0, 4.0]))[1].tolist() == [2.0, 3.0, 4.0]
    assert contiguous_tail(np.array([2015, 2019]), np.array([1.0, 4.0]))[0].tolist() == [2019]


def test_a_fit_key_is_the_content_whatever_the_container() -> None:
    assert fit_key("drift", [2019, 2020], [1, 2], 2022, "log", None) == fit_key(
        "drift", np.array([2019.0, 2020.0]), (1.0, 2.0), 2022, "log", None
    )


def test_fits_since_are_the_ones_a_worker_made(monkeypatch: pytest.MonkeyPatch) -> None:
    from fjdata.forecast import models

    monkeypatch.setattr(models, "_FITS", {"old": "failed"})
    models.remember_fits({"new": "failed too"})
    assert models.fits_since({"old"}) == {"new": "failed too"} and models.known_fits() == {"old", "new"}


# --- a share between its bounds: every step transforms with the series' own bounds ------------


def test_a_bounded_share_is_fitted_forecast_and_calibrated_on_its_own_logit() -> None:
    """Bounds (0, 200): z = ln(v / (200 − v)) is 0, ln 1.5, ln 7/3, ln 3, ln 4 for 100 … 160; drift = ln 4 / 4,
    so 2021 is at z = 1.25 ln 4 = ln 4√2 and the median back on the scale is 200 · 4√2 / (1 + 4√2) = 169.96."""
    fc = fit_method("drift", [2016, 2017, 2018, 2019, 2020], [100.0, 120.0, 140.0, 150.0, 160.0], 2022, "logit", (0.0, 200.0))
    r = 4 * np.sqrt(2)
    assert fc.bounds == (0.0, 200.0) and fc.mean[0] == pytest.approx(200 * r / (1 + r))
    assert fc.loc[0] == pytest.approx(np.log(r))
    wide = calibrate(fc, 2.0)
    z_lo = np.log(r) - 2 * Z80 * fc.sd[0]
    assert wide.bounds == (0.0, 200.0) and wide.lo80[0] == pytest.approx(200 / (1 + np.exp(-z_lo)))


def test_probability_and_draws_of_a_bounded_share_use_its_bounds() -> None:
    fc = _hand([0.0], [1.0], scale="logit", bounds=(0.0, 200.0))  # median 100; z = 1 at 200e / (1 + e) = 146.2
    assert fc.probability(2024, 100.0, True) == pytest.approx(0.5)
    assert fc.probability(2024, 200 * np.e / (1 + np.e), True) == pytest.approx(0.1586553, abs=1e-6)
    pooled = replace(_hand([0.0], [0.0], scale="logit"), bounds=(0.0, 200.0), samples=np.zeros((3, 1)))
    assert simulate(pooled, 10, np.random.default_rng(1)).ravel().tolist() == pytest.approx([100.0] * 3)  # the draws themselves
    c = combine([replace(fc, sd=(0.0,))], draws=4, seed=1)
    assert c.bounds == (0.0, 200.0) and c.samples is not None and c.samples[:, 0].tolist() == pytest.approx([100.0] * 4)


def test_combination_quantiles_are_the_pooled_ones() -> None:
    normal = combine([_hand([0.0], [1.0])], draws=20_000, seed=1)
    assert (normal.lo95[0], normal.lo80[0], normal.hi80[0], normal.hi95[0]) == pytest.approx((-Z95, -Z80, Z80, Z95), abs=0.05)


def test_theta_intervals_widen_with_alpha_squared_when_smoothing_is_strong() -> None:
    """A zigzag series: the SES weight α is far from 1, so each later year adds α²·σ² of variance."""
    zigzag = np.array([10, 14, 9, 15, 10, 16, 11, 17, 12, 18.0])
    fc = fit_method("theta", YEARS, zigzag, 2023)
    assert fc.params["alpha"] < 0.5
    _check(fc, *_theta_reference(zigzag))


def test_remembered_fits_are_told_apart_by_their_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    from fjdata.forecast import models

    monkeypatch.setattr(models, "_FITS", {})
    shares = [100.0, 120.0, 140.0, 150.0, 160.0]
    narrow = models.fit_cached("drift", [2016, 2017, 2018, 2019, 2020], shares, 2022, "logit", (0.0, 200.0))
    wide = models.fit_cached("drift", [2016, 2017, 2018, 2019, 2020], shares, 2022, "logit", (0.0, 400.0))
    assert narrow.bounds == (0.0, 200.0) and wide.bounds == (0.0, 400.0) and narrow.mean != wide.mean
    assert len(models._FITS) == 2
