"""Target-aware transforms: growth rates → chained index, yearly changes → levels, bounded scales."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def period(year: int) -> pd.Period:
    """An annual period (pandas ≥ 3 reads a bare integer as an ordinal, so pass a string)."""
    return pd.Period(str(int(year)), freq="Y")


def year_index(years: list[int]) -> pd.PeriodIndex:
    return pd.PeriodIndex([period(y) for y in years], dtype="period[Y-DEC]", name="year")


def by_year(s: pd.Series) -> dict[int, float]:
    """An annual series as {year: value}, missing values dropped."""
    clean = s.dropna()
    return {int(y): float(v) for y, v in zip(pd.PeriodIndex(clean.index).year, clean.to_numpy(dtype=float), strict=True)}


def chain_index(rates: pd.Series, base_year: int, base: float = 100.0) -> pd.Series:
    """Chain annual % rates into an index with ``index[base_year] = base``.

    ``I_t = I_{t-1} · (1 + g_t/100)``. The chain runs only through consecutive years: a gap
    ends it, because the level across a missing year is unknown. Years before the base are
    recovered backwards with ``I_{t-1} = I_t / (1 + g_t/100)``.
    """
    g = by_year(rates)
    out: dict[int, float] = {base_year: base}
    year = base_year
    while year + 1 in g:
        out[year + 1] = out[year] * (1 + g[year + 1] / 100.0)
        year += 1
    year = base_year
    while year in g:  # g[year] is the growth into `year`, so it gives the level of year-1
        out[year - 1] = out[year] / (1 + g[year] / 100.0)
        year -= 1
    idx = year_index(sorted(out))
    result = pd.Series([out[y] for y in sorted(out)], index=idx, name=f"{rates.name}_index")
    result.attrs = dict(rates.attrs)
    result.attrs["chained_from"] = rates.name
    result.attrs["index_base_year"] = base_year
    return result


def average_growth(index: pd.Series, start: int, end: int) -> float:
    """Realised average annual growth (%) between two years of a chained index."""
    levels = by_year(index)
    i0, i1 = levels[start], levels[end]
    return ((i1 / i0) ** (1.0 / (end - start)) - 1.0) * 100.0


def required_index(target_growth_pct: float, years: int, base: float = 100.0) -> float:
    """Index level implied by an average growth target: ``base · (1 + g*)^years``."""
    return base * (1.0 + target_growth_pct / 100.0) ** years


def to_model_scale(values: np.ndarray, scale: str, bounds: tuple[float, float] | None = None) -> np.ndarray:
    """Natural, log (positive series) or logit (series bounded by ``bounds``, e.g. shares)."""
    if scale == "natural":
        return values.astype(float)
    if scale == "log":
        return np.log(values.astype(float))
    if scale == "logit":
        lo, hi = bounds or (0.0, 100.0)
        p = (values.astype(float) - lo) / (hi - lo)
        return np.log(p / (1.0 - p))
    raise ValueError(f"unknown scale {scale!r}")


def from_model_scale(values: np.ndarray, scale: str, bounds: tuple[float, float] | None = None) -> np.ndarray:
    if scale == "natural":
        return values
    if scale == "log":
        return np.exp(values)
    if scale == "logit":
        lo, hi = bounds or (0.0, 100.0)
        return lo + (hi - lo) / (1.0 + np.exp(-values))
    raise ValueError(f"unknown scale {scale!r}")


def transform_value(value: float, scale: str, bounds: tuple[float, float] | None = None) -> float:
    """One value onto the model scale; values on or past a bound map to ±inf."""
    if scale == "log":
        return math.log(value) if value > 0 else -math.inf
    if scale == "logit":
        lo, hi = bounds or (0.0, 100.0)
        if value <= lo:
            return -math.inf
        if value >= hi:
            return math.inf
    return float(to_model_scale(np.array([value]), scale, bounds)[0])


def cagr(start: float, end: float, years: int) -> float:
    """Compound annual growth rate from ``start`` to ``end`` over ``years`` years (a ratio).

    >>> round(cagr(100, 150, 5), 6)
    0.084472
    """
    return (end / start) ** (1.0 / years) - 1.0
