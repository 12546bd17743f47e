"""Where the trend leads: the judged series of an indicator and its projection.

The judged scale depends on what the series is (see :func:`judged_series`):

- growth rates (``rate``) are chained into a real index, base year = 100, projected on logs —
  never a CAGR of growth rates;
- yearly % changes (``yearly_change``, e.g. energy intensity) are chained into a level index,
  base year = 100, projected on logs, so cumulative reductions are judged in log form;
- shares are projected on the logit scale within their bounds, so forecasts and intervals
  stay inside 0–100;
- positive levels and counts are projected on logs, anything else on the natural scale.

Where the judged scale is the log, a method may instead be fitted to the levels when the backtest
found it forecasts better there (the policy's ``scales``, see :func:`variant_scale`).

``method="auto"`` is the equal-weight combination of the methods an :class:`AutoPolicy` names;
the policy (and every method's interval calibration) is passed in, never looked up here: the
backtest computes it (:func:`fjdata.forecast.backtest.auto_policy`) and
:mod:`fjdata.forecast.auto` joins the two for :func:`~fjdata.forecast.auto.project`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fjdata.core import config
from fjdata.forecast.models import Forecast, MethodUnavailable, calibrate, combine, fit_cached
from fjdata.inputs.indicators import indicator
from fjdata.inputs.observations import PLAN_REGION, series
from fjdata.inputs.plan import get_plan
from fjdata.inputs.transforms import chain_index

ExtraData = Sequence[str | Path] | str | Path | None


@dataclass(frozen=True, eq=False)
class JudgedSeries:
    """An indicator on the scale its targets are judged and projected on."""

    indicator_id: str
    values: pd.Series  # natural units of the judged scale, annual PeriodIndex
    scale: str  # model scale: natural | log | logit
    bounds: tuple[float, float] | None
    index_base_year: int | None  # set when values are a chained index (base = 100)
    raw: pd.Series  # the observed series as published (rates stay rates)

    @property
    def years(self) -> list[int]:
        return [int(p.year) for p in self.values.index]

    def describe(self, lang: str = "zh") -> str:
        if self.index_base_year is None:
            return ""
        return f"以{self.index_base_year}年为100的链式指数" if lang == "zh" else f"chained index, {self.index_base_year} = 100"


def judged_series(
    indicator_id: str,
    base_year: int | None = None,
    region: str = PLAN_REGION,
    vintage_rule: str = "consistent",
    as_of: int | None = None,
    extra_data: ExtraData = None,
) -> JudgedSeries:
    """An indicator on its judged scale; a chained index is based at ``base_year`` (default: the
    default plan's base year)."""
    ind = indicator(indicator_id)
    raw = series(indicator_id, region=region, vintage_rule=vintage_rule, as_of=as_of, extra_data=extra_data)
    if base_year is None:
        base_year = get_plan().base_year
    if ind.chain in ("growth_to_index", "change_to_level"):
        values = chain_index(raw, base_year) if len(raw) else raw
        if len(values) == 1:  # only the base point: no observation behind it
            values = values.iloc[0:0]
        return JudgedSeries(indicator_id, values, "log", None, base_year, raw)
    if ind.series_kind == "share":
        return JudgedSeries(indicator_id, raw, "logit", ind.bounds or (0.0, 100.0), None, raw)
    scale = "log" if len(raw) and bool((raw > 0).all()) else "natural"
    return JudgedSeries(indicator_id, raw, scale, None, None, raw)


@dataclass(frozen=True, eq=False)
class Projection:
    indicator_id: str
    judged: JudgedSeries
    forecast: Forecast | None  # None when no method could be fitted
    fits: tuple[Forecast, ...] = ()  # every method fitted (members of a combination included)
    skipped: dict[str, str] = field(default_factory=dict)  # method -> reason

    def frame(self) -> pd.DataFrame:
        """Forecast table: year, mean and intervals (natural units of the judged scale).

        Raises ``ValueError`` saying why when there is no forecast (never an empty table).
        """
        if self.forecast is None:
            reasons = "; ".join(f"{k}: {v}" for k, v in self.skipped.items()) or "no method was fitted"
            raise ValueError(f"no forecast for {self.indicator_id}: {reasons}")
        f = self.forecast
        return pd.DataFrame({"year": f.years, "mean": f.mean, "lo80": f.lo80, "hi80": f.hi80, "lo95": f.lo95, "hi95": f.hi95})


def variant_scale(variant: str | None, judged_scale: str) -> str:
    """The scale a method fits on: the judged one, or the natural scale where the backtest found
    that a method fitted to the levels of a log-judged series forecasts better (``"level"``).

    >>> variant_scale("level", "log"), variant_scale("level", "logit"), variant_scale(None, "log")
    ('natural', 'logit', 'log')
    """
    return "natural" if variant == LEVEL and judged_scale == "log" else judged_scale


LEVEL = "level"  # the variant of a method fitted to the levels of a series judged on logs
JUDGED = "judged"  # ... fitted on the judged scale


def fit_methods(
    judged: JudgedSeries,
    methods: Sequence[str],
    to_year: int,
    factors: Mapping[str, float] | None = None,
    scales: Mapping[str, str] | None = None,
) -> tuple[list[Forecast], dict[str, str]]:
    """Fit each method; ``factors`` (method → spread factor) calibrate the intervals and ``scales``
    (method → variant, see :func:`variant_scale`) say on which scale each is fitted."""
    fits: list[Forecast] = []
    skipped: dict[str, str] = {}
    years = judged.years
    values = judged.values.to_numpy(dtype=float)
    for method in methods:
        scale = variant_scale((scales or {}).get(method), judged.scale)
        try:
            fc = fit_cached(method, years, values, to_year, scale, judged.bounds)
            fits.append(calibrate(fc, factors.get(method, 1.0)) if factors else fc)
        except MethodUnavailable as exc:
            skipped[method] = str(exc)
    return fits, skipped


@dataclass(frozen=True)
class AutoPolicy:
    """What ``method="auto"`` means and how wide intervals are, decided elsewhere and passed in.

    ``members`` — the methods ``auto`` combines with equal weights (the backtest picks the set
    whose mean forecast erred least, see :func:`fjdata.forecast.backtest.auto_policy`); ``factors`` — per method (and
    ``"combination"``), the factor on the predictive spread that calibrates its intervals (1 when
    absent); ``scales`` — per method, ``"level"`` where the backtest found it better fitted to the
    levels of a series judged on logs (the judged scale when absent). Projection never looks these
    up, so it cannot depend on the backtest that sets them.

    >>> AutoPolicy(("drift",)).factor("theta")
    1.0
    """

    members: tuple[str, ...] = ("drift",)
    factors: Mapping[str, float] = field(default_factory=dict)
    scales: Mapping[str, str] = field(default_factory=dict)

    def factor(self, method: str) -> float:
        return float(self.factors.get(method, 1.0))

    def uncalibrated(self) -> AutoPolicy:
        """The same members with the model-based interval widths (every factor 1)."""
        return AutoPolicy(self.members, scales=self.scales)

    def key(self) -> dict[str, object]:
        """A cache-key form of the policy (JSON-able, order-stable)."""
        calibration, scales = dict(sorted(self.factors.items())), dict(sorted(self.scales.items()))
        return {"members": list(self.members), "calibration": calibration, "scales": scales}


def project_judged(judged: JudgedSeries, method: str | Sequence[str], to_year: int, policy: AutoPolicy) -> Projection:
    """Project a judged series with one method, a list to combine, or ``auto``.

    ``policy`` says which methods ``auto`` combines and by how much each method's intervals are
    widened (its calibration factors); pass ``policy.uncalibrated()`` for model-based widths."""
    settings = config.settings()
    sim = settings["simulation"]
    assert isinstance(sim, dict)
    factors = dict(policy.factors)
    if isinstance(method, str) and method not in ("auto", "combination"):
        fits, skipped = fit_methods(judged, [method], to_year, factors, policy.scales)
        return Projection(judged.indicator_id, judged, fits[0] if fits else None, tuple(fits), skipped)
    members: Sequence[str] = policy.members if isinstance(method, str) else list(method)
    raw, skipped = fit_methods(judged, members, to_year, None, policy.scales)
    fits = [calibrate(f, factors.get(f.method, 1.0)) for f in raw]
    if len(raw) >= 2:
        # The combination pools the raw members and is calibrated as a whole (its own backtest factor).
        combo = calibrate(combine(raw, int(sim["draws"]), int(sim["seed"])), factors.get("combination", 1.0))
        return Projection(judged.indicator_id, judged, combo, tuple(fits), skipped)
    if len(fits) == 1:
        return Projection(judged.indicator_id, judged, fits[0], tuple(fits), skipped)
    # Too short for every member: fall back to the simplest methods that still apply.
    for fallback in ("drift", "linear", "naive"):  # linear regresses on the year, so gaps are fine
        more, why = fit_methods(judged, [fallback], to_year, factors, policy.scales)
        skipped.update(why)
        if more:
            return Projection(judged.indicator_id, judged, more[0], tuple(more), skipped)
    return Projection(judged.indicator_id, judged, None, (), skipped)
