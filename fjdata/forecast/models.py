"""Projection methods returning one typed :class:`Forecast`: the two random walks by their
closed-form maximum likelihood, the trends, Theta, ETS and ARIMA fitted with statsmodels.

Every method fits an annual series on a *model scale* (natural, log or logit — chosen by the
caller from the target kind, see :mod:`fjdata.forecast.projection`) and returns point forecasts with
80 % and 95 % prediction intervals on the natural scale, plus the predictive distribution on
the model scale so that probabilities can be computed analytically.

Each method is a small class behind one interface (:class:`ForecastMethod`: ``name``, ``min_obs``,
``fit``), listed in :data:`REGISTRY`; :data:`METHODS` and :data:`MIN_OBS` are read from it.
Minimum observations per method are deliberate: damped ETS and ARIMA estimate 4–5 parameters and
are unstable on fewer than eight points (ConvergenceWarnings on short series are routine; see the
statsmodels ETS and ARIMA documentation, https://www.statsmodels.org/stable/tsa.html).

A fit depends only on the method, the exact observations, the horizon, the scale and the bounds,
so :func:`fit_cached` remembers fits by that content (and :func:`save_fits` / :func:`load_fits`
keep them per series in the cache): views that share a past share its fits.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
from scipy import special

from fjdata.core.cache import load, store
from fjdata.core.errors import ArgumentError, choice_error
from fjdata.inputs.transforms import from_model_scale, to_model_scale, transform_value

Z80 = float(special.ndtri(0.90))
Z95 = float(special.ndtri(0.975))


# The Student-t and normal distribution functions as scipy.special ufuncs: the same numbers as
# scipy.stats.t and scipy.stats.norm (which call them), without their per-call overhead (~100 µs),
# which a backtest pays tens of thousands of times.
def t_or_normal_cdf(z: float, df: float | None) -> float:
    """P(Z ≤ z) for Student-t with ``df`` degrees of freedom, or the standard normal when ``df`` is None.

    >>> round(t_or_normal_cdf(1.0, None), 4), round(t_or_normal_cdf(1.0, 5.0), 4)
    (0.8413, 0.8184)
    """
    return float(special.stdtr(df, z) if df else special.ndtr(z))


def t_or_normal_ppf(q: float, df: float | None) -> float:
    """The ``q`` quantile of Student-t with ``df`` degrees of freedom, or of the standard normal when ``df`` is None.

    >>> round(t_or_normal_ppf(0.975, None), 4), round(t_or_normal_ppf(0.975, 5.0), 4)
    (1.96, 2.5706)
    """
    return float(special.stdtrit(df, q) if df else special.ndtri(q))


@dataclass(frozen=True, eq=False)
class Forecast:
    """Point forecasts and intervals of one method for the years after the last observation."""

    method: str
    scale: str  # scale of loc/sd/samples: natural | log | logit
    bounds: tuple[float, float] | None
    years: tuple[int, ...]
    mean: tuple[float, ...]  # natural scale (a median where the scale is log/logit)
    lo80: tuple[float, ...]
    hi80: tuple[float, ...]
    lo95: tuple[float, ...]
    hi95: tuple[float, ...]
    n_obs: int
    fit_years: tuple[int, int]
    params: Mapping[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    loc: tuple[float, ...] = ()  # model scale
    sd: tuple[float, ...] = ()  # model scale
    df: float | None = None  # Student-t degrees of freedom, None = normal
    samples: np.ndarray | None = None  # (draws, horizon) on `scale`, for simulated forecasts
    members: tuple[str, ...] = ()  # methods pooled in a combination

    def at(self, year: int) -> dict[str, float]:
        i = self.years.index(year)
        return {"mean": self.mean[i], "lo80": self.lo80[i], "hi80": self.hi80[i], "lo95": self.lo95[i], "hi95": self.hi95[i]}

    def probability(self, year: int, threshold: float, higher: bool) -> float:
        """P(value in ``year`` ≥ threshold) if ``higher`` else P(value ≤ threshold)."""
        i = self.years.index(year)
        thr = transform_value(threshold, self.scale, self.bounds)
        if self.samples is not None:
            col = self.samples[:, i]
            return float(np.mean(col >= thr) if higher else np.mean(col <= thr))
        if not self.sd:
            raise ValueError(f"{self.method} forecast kept no predictive distribution (draws dropped for storage)")
        if self.sd[i] <= 0:  # a certain forecast: met when it is on the right side of the threshold or on it, as draws count ties
            return float(self.loc[i] >= thr if higher else self.loc[i] <= thr)
        cdf = t_or_normal_cdf((thr - self.loc[i]) / self.sd[i], self.df)
        return 1.0 - cdf if higher else cdf


class MethodUnavailable(Exception):
    """The method cannot be fitted on this series (too short, non-positive, failed to fit)."""


def _captured(
    fn: Callable[[], tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]],
) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float], tuple[str, ...]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            loc, sd, df, params = fn()
    msgs = tuple(dict.fromkeys(f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught))
    if not (np.all(np.isfinite(loc)) and np.all(np.isfinite(sd))):
        raise MethodUnavailable("non-finite forecast")
    return loc, np.maximum(sd, 0.0), df, params, msgs


def _arima(y: np.ndarray, h: int, order: tuple[int, int, int], trend: str | None) -> tuple[np.ndarray, np.ndarray, float, dict[str, float]]:
    from statsmodels.tsa.arima.model import ARIMA

    # No parameter covariance: only the point forecast, its variance and AICc are used, and the
    # numerical Hessian behind the default covariance costs a tenth of the fit.
    res = ARIMA(y, order=order, trend=trend).fit(cov_type="none")
    fc = res.get_forecast(h)
    params = {str(k): float(v) for k, v in zip(res.model.param_names, np.atleast_1d(res.params), strict=True)}
    aicc = float(res.aicc) if np.isfinite(res.aicc) else float("inf")
    params["aicc"] = aicc
    return np.asarray(fc.predicted_mean, float), np.asarray(fc.se_mean, float), aicc, params


def _differences(y: np.ndarray, max_d: int = 2) -> int:
    """How many differences (1 or 2) make ``y`` level-stationary: KPSS at 5 % on the first
    difference and, if rejected, the second, as Hyndman & Khandakar's auto.arima does (JSS 27(3),
    2008, §3.2), with their short bandwidth ⌊4·(n/100)^¼⌋ lags. At least one: on 8–30 yearly
    points the test cannot tell a trend from a level, and a stationary model pulls a trending
    indicator back to its sample mean (on the M3 yearly series, d ≥ 1 took the ARIMA member's sMAPE
    from 17.7 to 16.9; ``benchmarks/m3.py``)."""
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import kpss

    d, z = 1, np.diff(y)
    while d < max_d and len(z) > 3 and np.ptp(z) > 0:
        # A p-value beyond KPSS's table is reported at the table's edge (0.01 or 0.1) with a warning
        # that says nothing about the forecast; it is not passed on to the fit's warnings.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InterpolationWarning)
            p = kpss(z, regression="c", nlags=int(4 * (len(z) / 100) ** 0.25), result_object=True).pvalue
        if p >= 0.05:
            break
        d, z = d + 1, np.diff(z)
    return d


# The largest AR / MA order the search visits: yearly series of 8–40 points support little more.
ARIMA_MAX_PQ = 2
Order = tuple[int, int, bool]  # (p, q, with constant)


def _stable(coefs: np.ndarray) -> bool:
    """Whether 1 − c₁z − … − cₚzᵖ has every root outside the unit circle (stationary AR / invertible MA)."""
    if len(coefs) == 0 or not np.any(coefs):
        return True
    return bool(np.all(np.abs(np.roots(np.r_[-coefs[::-1], 1.0])) > 1.0 + 1e-6))


def _innovations(x: np.ndarray, ar: np.ndarray, ma: np.ndarray) -> np.ndarray:
    """Conditional one-step errors of ARMA(p, q) on the zero-mean series ``x``, values and errors
    before the start taken as 0: eₜ = xₜ − Σφᵢxₜ₋ᵢ − Σθⱼeₜ₋ⱼ, the first p dropped (they lack their lags).

    >>> _innovations(np.array([1.0, 2.0, 3.0]), np.array([1.0]), np.array([])).tolist()
    [1.0, 1.0]
    """
    from scipy.signal import lfilter

    return np.asarray(lfilter(np.r_[1.0, -ar], np.r_[1.0, ma], x), float)[len(ar) :]


def _approximate_aicc(w: np.ndarray, p: int, q: int, constant: bool) -> float:
    """AICc of ARMA(p, q) (with a mean if ``constant``) on the differenced series ``w``, with the
    Hannan–Rissanen estimates (two regressions, no optimiser; Brockwell & Davis, *Introduction to Time
    Series and Forecasting*, §5.1.4) and the Gaussian likelihood of their conditional one-step errors
    (as auto.arima's approximation uses the conditional sum of squares). ∞ where the estimates are not
    stationary and invertible, or the series is too short for the order."""
    from statsmodels.tsa.arima.estimators.hannan_rissanen import hannan_rissanen

    k = p + q + int(constant) + 1
    if len(w) - p - k - 1 <= 0 or len(w) <= 2 * max(p, q) + 3:
        return float("inf")
    x = w - float(np.mean(w)) if constant else w
    ar, ma = np.zeros(0), np.zeros(0)
    if p or q:
        try:
            est, _ = hannan_rissanen(x, ar_order=p, ma_order=q, demean=False)
        except (ValueError, np.linalg.LinAlgError):
            return float("inf")
        ar, ma = np.asarray(est.ar_params, float), np.asarray(est.ma_params, float)
        if not (np.all(np.isfinite(ar)) and np.all(np.isfinite(ma)) and _stable(ar) and _stable(-ma)):
            return float("inf")
    e = _innovations(x, ar, ma)
    n, sigma2 = len(e), float(np.mean(e**2))
    if not sigma2 > 0:
        return float("inf")
    return n * math.log(2 * math.pi * sigma2) + n + 2 * k + 2 * k * (k + 1) / (n - k - 1)


def _arima_order(y: np.ndarray) -> tuple[int, Order]:
    """(d, (p, q, constant)) by Hyndman & Khandakar's stepwise search on AICc: d from KPSS, then from
    (0,d,0), (1,d,0) and (0,d,1) to a neighbour (p ± 1, q ± 1 or the constant toggled) while AICc
    falls, p, q ≤ :data:`ARIMA_MAX_PQ`; the constant is the drift where d = 1 and absent where d = 2.
    Candidates are scored by :func:`_approximate_aicc`, so the search costs milliseconds and only the
    chosen order is fitted by maximum likelihood."""
    d = _differences(y)
    w = np.diff(y, n=d)
    constants = (True, False) if d < 2 else (False,)
    seen: dict[Order, float] = {}

    def visit(order: Order) -> float:
        p, q, c = order
        if not (0 <= p <= ARIMA_MAX_PQ and 0 <= q <= ARIMA_MAX_PQ) or c not in constants:
            return float("inf")
        if order not in seen:
            seen[order] = _approximate_aicc(w, p, q, c)
        return seen[order]

    for p, q in ((0, 0), (1, 0), (0, 1)):
        visit((p, q, constants[0]))
    best = min(seen, key=seen.__getitem__)
    while True:
        p, q, c = best
        steps = [(p - 1, q, c), (p + 1, q, c), (p, q - 1, c), (p, q + 1, c), (p, q, not c)]
        better = [s for s in steps if visit(s) < seen[best]]
        if not better:
            return d, best
        best = min(better, key=seen.__getitem__)


def _arima_search(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
    """ARIMA(p,d,q) with the order from :func:`_arima_order`, fitted by exact maximum likelihood."""
    d, (p, q, c) = _arima_order(y)
    loc, sd, _aicc, params = _arima(y, h, (p, d, q), "t" if c else None)
    return loc, sd, None, {**params, "p": float(p), "d": float(d), "q": float(q), "drift": float(c)}


def _ols_trend(x: np.ndarray, y: np.ndarray, x_new: np.ndarray) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    res = OLS(y, add_constant(x - x[0])).fit()
    pred = res.get_prediction(add_constant(x_new - x[0], has_constant="add"))
    se_obs = np.sqrt(pred.se_mean**2 + res.scale)
    params = {"const": float(res.params[0]), "slope": float(res.params[1]), "sigma": float(math.sqrt(res.scale))}
    return np.asarray(pred.predicted_mean, float), np.asarray(se_obs, float), float(res.df_resid), params


def theta_residuals(y: np.ndarray, alpha: float, drift: float) -> np.ndarray:
    """One-step in-sample errors of simple exponential smoothing with drift, the model the Theta
    method (θ = 2) is (Hyndman & Billah 2003, "Unmasking the Theta method", IJF 19(2)): the level
    starts at the first value, ŷₜ = ℓₜ₋₁ + b, ℓₜ = α·yₜ + (1 − α)·ŷₜ, with b half the OLS slope.

    >>> theta_residuals(np.array([1.0, 2.0, 3.0]), 1.0, 0.5).tolist()
    [0.5, 0.5]
    """
    level = float(y[0])
    errors = np.empty(len(y) - 1)
    for t in range(1, len(y)):
        pred = level + drift
        errors[t - 1] = y[t] - pred
        level = alpha * y[t] + (1 - alpha) * pred
    return errors


def _theta(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    res = ThetaModel(y, period=1, deseasonalize=False).fit(use_mle=False)
    loc = np.asarray(res.forecast(h, theta=2), float)
    alpha = float(res.params["alpha"])
    b0 = float(res.params["b0"])
    # The variance from the method's own one-step errors (no second, ARIMA, fit), and the h-step
    # variance of simple exponential smoothing, σ²·(1 + α²(h − 1)) (FPP3 §5.5, table of h-step
    # standard deviations; Hyndman & Billah 2003 for the SES-with-drift form).
    resid = theta_residuals(y, alpha, b0 / 2)
    sigma2 = float(np.mean(resid**2))
    sd = np.sqrt((1 + alpha**2 * np.arange(h)) * sigma2)
    return loc, sd, None, {"b0": b0, "alpha": alpha, "sigma2": sigma2}


# The ETS forms the search visits: additive errors with no, additive or damped additive trend.
# Multiplicative errors are left out: on the log scale, where most series are judged, additive
# errors are multiplicative ones, and each extra form is another optimisation per fit.
ETS_FORMS: tuple[tuple[str | None, bool], ...] = ((None, False), ("add", False), ("add", True))


def _ets_winner(fits: list[tuple[float, str | None, bool, Any, np.ndarray]]) -> tuple[float, str | None, bool, Any]:
    """(AICc, trend, damped, results) of the lowest-AICc form whose results object can be built (a form
    whose results cannot be is passed over, as a full fit of it would have been)."""
    for aicc, trend, damped, model, fitted in sorted(fits, key=lambda f: f[0]):
        with contextlib.suppress(ValueError, np.linalg.LinAlgError):
            return aicc, trend, damped, model.smooth(fitted)
    raise MethodUnavailable("no ETS form could be fitted")


def _ets_auto(y: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
    """The additive-error ETS form (trend, damped) in :data:`ETS_FORMS` with the lowest AICc, its
    point forecast and statsmodels' analytic h-step spread.

    Each form is fitted for its parameters only (``return_params``), scored by statsmodels' own AICc
    of its log-likelihood, and only the winner is smoothed into a results object: the same numbers
    as fitting all three in full, for a sixth less CPU (the results object, with its numerical
    Hessian, is most of a form's cost after the optimiser)."""
    import pandas as pd
    from statsmodels.tools.eval_measures import aicc as aicc_of
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    fits = []
    for trend, damped in ETS_FORMS:
        # A RangeIndex on the endog: get_prediction needs an index, and it carries no frequency warnings.
        model = ETSModel(
            pd.Series(y, index=pd.RangeIndex(len(y))), error="add", trend=trend, damped_trend=damped, initialization_method="estimated"
        )
        try:
            fitted = np.asarray(model.fit(disp=False, return_params=True), float)
            # As ETSResults counts it: every parameter is free, plus the error variance.
            aicc = float(aicc_of(model.loglike(fitted), model.nobs, len(fitted) + 1))
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(aicc):
            fits.append((aicc, trend, damped, model, fitted))
    aicc, trend, damped, res = _ets_winner(fits)
    frame = res.get_prediction(start=len(y), end=len(y) + h - 1).summary_frame(alpha=0.05)
    loc = frame["mean"].to_numpy(float)
    sd = (frame["pi_upper"].to_numpy(float) - frame["pi_lower"].to_numpy(float)) / (2 * Z95)
    params = {str(k): float(v) for k, v in zip(res.param_names, res.params, strict=True)}
    params.update({"aicc": aicc, "trend": float(trend is not None), "damped": float(damped)})
    return loc, sd, None, params


def import_fitters() -> None:
    """Import the statsmodels classes the methods use, once, before forking workers (each would
    otherwise import them again, a second or so per worker)."""
    from statsmodels.regression.linear_model import OLS  # noqa: F401
    from statsmodels.tools.eval_measures import aicc  # noqa: F401
    from statsmodels.tsa.arima.estimators.hannan_rissanen import hannan_rissanen  # noqa: F401
    from statsmodels.tsa.arima.model import ARIMA  # noqa: F401
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: F401
    from statsmodels.tsa.forecasting.theta import ThetaModel  # noqa: F401
    from statsmodels.tsa.stattools import kpss  # noqa: F401


def contiguous_tail(years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The longest run of consecutive years ending at the last observation."""
    start = len(years) - 1
    while start > 0 and years[start] - years[start - 1] == 1:
        start -= 1
    return years[start:], values[start:]


class ForecastMethod(ABC):
    """One projection method behind the common interface: a ``name``, the fewest observations it
    needs (``min_obs``) and :meth:`fit`. Subclasses say on which scale they model a series
    (:meth:`model_scale`) and compute location and spread on that scale (:meth:`predict`);
    :meth:`fit` does the rest the same way for every method (sorting, gaps, bounds, intervals).

    >>> REGISTRY["drift"].fit(range(2015, 2021), [1.0, 2, 3, 4, 5, 6], 2022).years
    (2021, 2022)
    """

    name: ClassVar[str]
    min_obs: ClassVar[int]
    # State-space methods need consecutive years; a regression on the year takes gaps in its stride.
    uses_gaps: ClassVar[bool] = False
    # Whether the backtest also scores the method on the levels of a series judged on logs.
    level_variant: ClassVar[bool] = True

    def model_scale(self, scale: str) -> str:
        """The scale this method fits on when the series' judged scale is ``scale``."""
        return scale

    @abstractmethod
    def predict(self, years: np.ndarray, z: np.ndarray, to_year: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
        """(location, spread, Student-t df or None, parameters) on the model scale for the years after the last one."""

    def fit(
        self,
        years: Sequence[int] | np.ndarray | range,
        values: Sequence[float] | np.ndarray,
        to_year: int,
        scale: str = "natural",
        bounds: tuple[float, float] | None = None,
    ) -> Forecast:
        """Fit on (years, natural-scale values) and forecast every year up to ``to_year``.

        Raises :class:`MethodUnavailable` saying why when the method does not apply."""
        yrs = np.asarray(years, dtype=int)
        vals = np.asarray(values, dtype=float)
        order = np.argsort(yrs)
        yrs, vals = yrs[order], vals[order]
        scale = self.model_scale(scale)
        if scale == "log" and np.any(vals <= 0):
            raise MethodUnavailable("log scale needs positive values")
        if scale == "logit" and bounds and np.any((vals <= bounds[0]) | (vals >= bounds[1])):
            raise MethodUnavailable("a value sits on the bound of the share")
        if not self.uses_gaps:
            yrs, vals = contiguous_tail(yrs, vals)
        if len(vals) < self.min_obs:
            raise MethodUnavailable(f"{self.name} needs at least {self.min_obs} consecutive observations, has {len(vals)}")
        last = int(yrs[-1])
        if to_year <= last:
            raise MethodUnavailable(f"nothing to forecast: last observation {last} ≥ {to_year}")
        z = to_model_scale(vals, scale, bounds)
        try:
            loc, sd, df, params, msgs = _captured(lambda: self.predict(yrs, z, to_year))
        except MethodUnavailable:
            raise
        except Exception as exc:  # statsmodels raises many types on degenerate input
            raise MethodUnavailable(f"{self.name} failed to fit: {type(exc).__name__}: {exc}") from exc
        return _forecast(self.name, scale, bounds, yrs, loc, sd, df, params, msgs, to_year)


def _random_walk(z: np.ndarray, horizon: int, with_drift: bool) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
    """The closed-form maximum-likelihood random walk (with the mean step as drift, or none): the
    last value plus h steps, variance h·σ² with σ² the mean squared deviation of the steps."""
    h = np.arange(1, horizon + 1)
    steps = np.diff(z)
    drift = float(np.mean(steps)) if with_drift else 0.0
    sigma2 = float(np.mean((steps - drift) ** 2))
    params = {"drift": drift, "sigma2": sigma2} if with_drift else {"sigma2": sigma2}
    return float(z[-1]) + h * drift, np.sqrt(h * sigma2), None, params


class Naive(ForecastMethod):
    """Random walk, ARIMA(0,1,0): the last value, intervals widening with √h.

    Its maximum-likelihood fit has a closed form, so it is computed directly rather than by a
    numerical optimiser: σ² is the mean squared step, the h-step variance hσ² (Hyndman &
    Athanasopoulos, *FPP3* §5.5, "Benchmark methods" and the table of h-step standard deviations).

    >>> REGISTRY["naive"].fit(range(2018, 2021), [1.0, 3, 2], 2022).mean
    (2.0, 2.0)
    """

    name = "naive"
    min_obs = 2
    level_variant = False  # its point forecast is the last value on either scale: MASE cannot choose

    def predict(self, years: np.ndarray, z: np.ndarray, to_year: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
        return _random_walk(z, to_year - int(years[-1]), with_drift=False)


class Drift(ForecastMethod):
    """Random walk with drift, ARIMA(0,1,0) with a constant step: the average step carried forward.

    Closed-form maximum likelihood, as for :class:`Naive`: the drift is the mean step
    (y_T − y_1)/(T − 1), σ² the mean squared deviation of the steps from it, the h-step forecast
    y_T + h·drift with variance hσ² (*FPP3* §5.5), the same model statsmodels' ARIMA(0,1,0) with a
    trend estimates by numerical optimisation.

    >>> REGISTRY["drift"].fit(range(2018, 2021), [1.0, 3, 4], 2022).mean
    (5.5, 7.0)
    """

    name = "drift"
    min_obs = 3

    def predict(self, years: np.ndarray, z: np.ndarray, to_year: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
        return _random_walk(z, to_year - int(years[-1]), with_drift=True)


class Linear(ForecastMethod):
    """OLS trend on the year, natural scale (logit for a share); Student-t intervals."""

    name = "linear"
    min_obs = 3
    uses_gaps = True

    def model_scale(self, scale: str) -> str:
        return "logit" if scale == "logit" else "natural"

    def predict(self, years: np.ndarray, z: np.ndarray, to_year: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
        return _ols_trend(years.astype(float), z, np.arange(int(years[-1]) + 1, to_year + 1, dtype=float))


class LogLinear(Linear):
    """OLS trend on the log of the series: a constant growth rate."""

    name = "loglinear"

    def model_scale(self, scale: str) -> str:
        if scale == "logit":
            raise MethodUnavailable("loglinear does not apply to a bounded share (logit scale is used)")
        return "log"


class Theta(ForecastMethod):
    """The Theta method (Assimakopoulos & Nikolopoulos), θ = 2, no seasonality."""

    name = "theta"
    min_obs = 5

    def predict(self, years: np.ndarray, z: np.ndarray, to_year: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
        return _theta(z, to_year - int(years[-1]))


class Ets(ForecastMethod):
    """Exponential smoothing with additive errors, the trend (none, additive or damped additive)
    chosen by AICc (Hyndman et al. 2002, "A state space framework for automatic forecasting using
    exponential smoothing methods", IJF 18(3)); see :data:`ETS_FORMS`."""

    name = "ets"
    min_obs = 8

    def predict(self, years: np.ndarray, z: np.ndarray, to_year: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
        return _ets_auto(z, to_year - int(years[-1]))


class Arima(ForecastMethod):
    """ARIMA(p,d,q) chosen by AICc: d by KPSS, then a stepwise search over p, q ≤ 2 with or without
    drift (:func:`_arima_order`), the chosen order fitted by maximum likelihood."""

    name = "arima"
    min_obs = 8

    def predict(self, years: np.ndarray, z: np.ndarray, to_year: int) -> tuple[np.ndarray, np.ndarray, float | None, dict[str, float]]:
        return _arima_search(z, to_year - int(years[-1]))


# The methods by name, in the order tables list them. Minimum observations are deliberate (module docstring).
REGISTRY: Mapping[str, ForecastMethod] = MappingProxyType(
    {m.name: m for m in (Naive(), Drift(), Linear(), LogLinear(), Theta(), Ets(), Arima())}
)
METHODS: tuple[str, ...] = tuple(REGISTRY)
MIN_OBS: Mapping[str, int] = MappingProxyType({name: m.min_obs for name, m in REGISTRY.items()})


def method_named(method: str) -> ForecastMethod:
    """The registered method called ``method``; an unknown name lists the valid ones.

    >>> method_named("theta").min_obs
    5
    """
    if method not in REGISTRY:
        raise choice_error("method", method, METHODS)
    return REGISTRY[method]


def fit_method(
    method: str,
    years: Sequence[int] | np.ndarray,
    values: Sequence[float] | np.ndarray,
    to_year: int,
    scale: str = "natural",
    bounds: tuple[float, float] | None = None,
) -> Forecast:
    """Fit one method on (years, natural-scale values) and forecast every year up to ``to_year``.

    OLS trends use every observation (gaps are fine); the state-space methods use the longest
    run of consecutive years ending at the last observation.
    """
    return method_named(method).fit(years, values, to_year, scale, bounds)


# Fits already made in this process, by content (see fit_key): the as-of backtest, a second view
# and the projections reuse them. Bounded; entries are small (no draws).
_FITS: dict[str, Forecast | str] = {}
_FITS_MAX = 20_000  # ~2 kB each: a long notebook session stays small


def fit_key(
    method: str,
    years: Sequence[int] | np.ndarray,
    values: Sequence[float] | np.ndarray,
    to_year: int,
    scale: str,
    bounds: tuple[float, float] | None,
) -> str:
    """A content key of one fit: the method, the exact observations (bytes), the horizon, scale and bounds.

    >>> a = fit_key("drift", [2019, 2020], [1.0, 2.0], 2022, "log", None)
    >>> b = fit_key("drift", [2019, 2020], [1.0, 2.5], 2022, "log", None)
    >>> a == fit_key("drift", (2019, 2020), (1.0, 2.0), 2022, "log", None), a == b
    (True, False)
    """
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(years, dtype=np.int64).tobytes())
    digest.update(b"|")
    digest.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    digest.update(repr((method, int(to_year), scale, bounds)).encode())
    return digest.hexdigest()


def fit_cached(
    method: str,
    years: Sequence[int] | np.ndarray,
    values: Sequence[float] | np.ndarray,
    to_year: int,
    scale: str = "natural",
    bounds: tuple[float, float] | None = None,
) -> Forecast:
    """:func:`fit_method`, remembered in this process per (series content, origin, horizon, method).

    A fit depends only on these, so a view that sees the same past (the as-of backtest) reuses
    every fit, and a changed observation re-fits only the origins whose training data include it
    (with :func:`load_fits` / :func:`save_fits` across processes). A method that does not apply is
    remembered too (and raises :class:`MethodUnavailable` again).
    """
    key = fit_key(method, years, values, to_year, scale, bounds)
    hit = _FITS.get(key)
    if hit is None:
        try:
            hit = fit_method(method, years, values, to_year, scale, bounds)
        except MethodUnavailable as exc:
            hit = str(exc)
        if len(_FITS) >= _FITS_MAX:
            _FITS.clear()
        _FITS[key] = hit
    if isinstance(hit, str):
        raise MethodUnavailable(hit)
    return hit


def fits_since(known: set[str]) -> dict[str, Forecast | str]:
    """The fits remembered in this process that are not in ``known`` (a worker hands them back)."""
    return {k: v for k, v in _FITS.items() if k not in known}


def known_fits() -> set[str]:
    return set(_FITS)


def remember_fits(fits: Mapping[str, Forecast | str]) -> None:
    """Add fits made elsewhere (a worker process, an earlier run) to this process's memory."""
    _FITS.update(fits)


FITS_PER_SERIES = 4000  # a stored bundle keeps at most this many fits (the newest)


@lru_cache(maxsize=1)
def fit_code_fingerprint() -> str:
    """What a stored fit depends on besides its inputs: this module, the transforms and the versions
    of the numerical libraries. Stored fits are keyed on it, not on the whole package's source, so
    editing a report or a rule keeps them; editing a method, or upgrading statsmodels, does not.

    >>> len(fit_code_fingerprint())
    16
    """
    import scipy
    import statsmodels

    from fjdata.inputs import transforms

    digest = hashlib.sha256()
    for module_file in (__file__, transforms.__file__):
        digest.update(Path(str(module_file)).read_bytes())
    digest.update(f"numpy {np.__version__} scipy {scipy.__version__} statsmodels {statsmodels.__version__}".encode())
    return digest.hexdigest()[:16]


def load_fits(series: str, use_cache: bool = True) -> set[str]:
    """Remember the fits stored for ``series`` (one authenticated cache entry per series); returns their keys.

    The entry is keyed by the series' name only: its fits are keyed by content inside, so a stale
    bundle can never give a wrong fit, only fewer hits."""
    if not use_cache or os.environ.get("FJDATA_NO_CACHE"):
        return set()
    hit, value = load("fits", {"series": series}, code=fit_code_fingerprint())
    if not hit or not isinstance(value, dict):
        return set()
    remember_fits(value)
    return set(value)


def save_fits(series: str, keys: set[str], use_cache: bool = True) -> None:
    """Store the remembered fits with these keys as the bundle of ``series`` (newest kept)."""
    if not use_cache:
        return
    bundle = {k: _FITS[k] for k in keys if k in _FITS}
    if len(bundle) > FITS_PER_SERIES:
        bundle = dict(list(bundle.items())[-FITS_PER_SERIES:])
    store("fits", {"series": series}, bundle, code=fit_code_fingerprint())


def _forecast(
    method: str,
    scale: str,
    bounds: tuple[float, float] | None,
    yrs: np.ndarray,
    loc: np.ndarray,
    sd: np.ndarray,
    df: float | None,
    params: dict[str, float],
    msgs: tuple[str, ...],
    to_year: int,
) -> Forecast:
    q80 = t_or_normal_ppf(0.90, df)
    q95 = t_or_normal_ppf(0.975, df)

    def back(a: np.ndarray) -> tuple[float, ...]:
        return tuple(float(v) for v in from_model_scale(a, scale, bounds))

    return Forecast(
        method=method,
        scale=scale,
        bounds=bounds,
        years=tuple(range(int(yrs[-1]) + 1, to_year + 1)),
        mean=back(loc),
        lo80=back(loc - q80 * sd),
        hi80=back(loc + q80 * sd),
        lo95=back(loc - q95 * sd),
        hi95=back(loc + q95 * sd),
        n_obs=len(yrs),
        fit_years=(int(yrs[0]), int(yrs[-1])),
        params=params,
        warnings=msgs,
        loc=tuple(float(v) for v in loc),
        sd=tuple(float(v) for v in sd),
        df=df,
    )


def calibrate(fc: Forecast, factor: float) -> Forecast:
    """Widen (factor > 1) or narrow a method's predictive spread by ``factor`` on its model scale.

    The factor comes from the rolling-origin backtest (:func:`fjdata.forecast.backtest.calibration`): the
    one that makes the method's past 80 % intervals cover 80 % of what happened, a split-conformal
    correction of the interval width (Vovk et al.; Hyndman & Athanasopoulos, *FPP3* §5.5 on
    interval coverage). Point forecasts do not change.
    """
    if factor == 1.0:
        return fc
    if fc.samples is not None:
        # A pooled (combination) forecast: stretch the draws about their median, year by year.
        med = np.median(fc.samples, axis=0)
        draws = med + factor * (fc.samples - med)
        if fc.bounds is not None:
            draws = np.clip(draws, *fc.bounds)
        q = np.quantile(draws, [0.025, 0.10, 0.90, 0.975], axis=0)
        return replace(
            fc,
            samples=draws,
            lo95=tuple(map(float, q[0])),
            lo80=tuple(map(float, q[1])),
            hi80=tuple(map(float, q[2])),
            hi95=tuple(map(float, q[3])),
            params={**fc.params, "calibration": float(factor)},
        )
    if not fc.sd:
        return fc
    loc = np.asarray(fc.loc)
    sd = np.asarray(fc.sd) * factor
    out = _forecast(
        fc.method,
        fc.scale,
        fc.bounds,
        np.asarray([fc.fit_years[0], fc.years[0] - 1]),
        loc,
        sd,
        fc.df,
        dict(fc.params),
        fc.warnings,
        fc.years[-1],
    )
    return replace(out, n_obs=fc.n_obs, fit_years=fc.fit_years, params={**fc.params, "calibration": float(factor)})


def simulate(fc: Forecast, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draws from a method's predictive distribution, on the natural scale: (draws, horizon)."""
    if fc.samples is not None:
        return from_model_scale(fc.samples, fc.scale, fc.bounds)
    loc = np.asarray(fc.loc)
    sd = np.asarray(fc.sd)
    shocks = rng.standard_t(fc.df, size=(draws, len(loc))) if fc.df else rng.standard_normal((draws, len(loc)))
    return from_model_scale(loc + shocks * sd, fc.scale, fc.bounds)


def combine(members: Sequence[Forecast], draws: int, seed: int) -> Forecast:
    """Equal-weight combination: mean of point forecasts; intervals and probabilities from
    pooled draws (equal numbers from each member, fixed seed, so runs are reproducible)."""
    if not members:
        raise MethodUnavailable("no member forecasts to combine")
    years = members[0].years
    if any(m.years != years for m in members):
        raise ValueError("members forecast different years")
    rng = np.random.default_rng(seed)
    per = max(draws // len(members), 1)
    pooled = np.vstack([simulate(m, per, rng) for m in members])
    mean = np.mean([np.asarray(m.mean) for m in members], axis=0)
    q = np.quantile(pooled, [0.025, 0.10, 0.90, 0.975], axis=0)
    return Forecast(
        method="combination",
        scale="natural",
        bounds=members[0].bounds,
        years=years,
        mean=tuple(float(v) for v in mean),
        lo80=tuple(float(v) for v in q[1]),
        hi80=tuple(float(v) for v in q[2]),
        lo95=tuple(float(v) for v in q[0]),
        hi95=tuple(float(v) for v in q[3]),
        n_obs=max(m.n_obs for m in members),
        fit_years=(min(m.fit_years[0] for m in members), max(m.fit_years[1] for m in members)),
        params={"draws": float(pooled.shape[0]), "seed": float(seed)},
        warnings=tuple(dict.fromkeys(w for m in members for w in m.warnings)),
        samples=pooled,
        members=tuple(m.method for m in members),
    )


def check_method(method: str | Sequence[str]) -> None:
    """``"auto"``, ``"combination"``, one of the methods, or a non-empty list of methods.

    >>> check_method(["drift", "theta"])
    >>> check_method("thta")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.core.errors.ArgumentError: method 'thta' is not valid (did you mean 'theta'?); valid choices: auto, ...
    """
    valid = ["auto", "combination", *METHODS]
    if isinstance(method, str):
        if method not in valid:
            raise choice_error("method", method, valid)
        return
    items = list(method)
    if not items:
        raise ArgumentError(f"method list is empty; give one or more of {', '.join(METHODS)}")
    for m in items:
        if m not in METHODS:
            raise choice_error("method", m, METHODS)
