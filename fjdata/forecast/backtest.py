"""Rolling-origin backtest of the projection methods on the headline series.

For every headline series (on its judged scale) and every origin ``o`` with at least
``min_train`` observations up to ``o``, each method is fitted on years ≤ o and forecasts
1…``max_horizon`` years ahead. Reported per method:

- MASE: |error| ÷ Q, with Q the in-sample one-step naive MAE of the *whole* series,
  computed once per series (Hyndman & Koehler 2006, "Another look at measures of forecast
  accuracy", IJF 22(4));
- empirical coverage of the 80 % and 95 % intervals;
- for the combination, status accuracy: at each origin it predicts whether the series will
  be on the right side of a constant-rate path (the plan's required rate where a target uses
  the series, otherwise "no deterioration") and we check whether that came true.

For a series judged on logs every method whose fit differs on levels is scored on both scales,
and each method keeps the scale with the lower MASE on the forecasts both produced
(:func:`choose_variants`): the log scale compounds growth and overshoots after a slowdown, so the
choice is left to the evidence. ``auto_members`` turns the table into the rule behind
``method="auto"``: among the methods within 25 % of the best one's MASE, the set of up to four
whose equal-weight mean forecast has the lowest MASE on the forecasts all produced. MASE is scaled
once per series by the in-sample naive error of the whole series, as Hyndman recommends for
rolling origins (https://stats.stackexchange.com/questions/237585).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fjdata.core import config
from fjdata.core.cache import cached
from fjdata.core.parallel import ordered_map
from fjdata.forecast.models import (
    METHODS,
    REGISTRY,
    Forecast,
    MethodUnavailable,
    combine,
    fit_cached,
    fit_key,
    fits_since,
    import_fitters,
    known_fits,
    load_fits,
    remember_fits,
    save_fits,
    t_or_normal_ppf,
)
from fjdata.forecast.projection import JUDGED, LEVEL, AutoPolicy, JudgedSeries, judged_series, variant_scale
from fjdata.inputs.indicators import catalogue
from fjdata.inputs.observations import series_fingerprint
from fjdata.inputs.registry import registry
from fjdata.inputs.transforms import cagr, transform_value

BASELINE = "drift"
ANY = "any"  # the variant label of a forecast whose method has no level variant on its series


def headline_ids() -> list[str]:
    return [i.indicator_id for i in catalogue().values() if i.headline]


def _naive_mae(years: np.ndarray, values: np.ndarray) -> float:
    consecutive = np.diff(years) == 1
    diffs = np.abs(np.diff(values))[consecutive]
    return float(np.mean(diffs)) if len(diffs) else float("nan")


def _event_rate(indicator_id: str) -> tuple[float, bool]:
    """(required yearly rate on the judged scale, higher is better) for the status check."""
    for t in registry():
        if t.indicator_id != indicator_id or t.target_value is None or t.target_op not in ("≥", "≤"):
            continue
        if t.kind == "average_growth":
            return t.target_value / 100.0, True
        if t.kind == "cumulative_reduction":
            return (1 - t.target_value / 100.0) ** (1 / (t.target_year - t.base_year)) - 1, False
        if t.base_value and t.base_value > 0 and t.target_value > 0:
            return cagr(t.base_value, t.target_value, t.target_year - t.base_year), t.direction == "higher"
    higher = not indicator_id.startswith("energy_")
    return 0.0, higher


Rows = list[dict[str, object]]
Fitted = list[tuple[int, dict[tuple[str, str], Forecast], "Context"]]
# One unit of work: a series, the training lengths (origin indices) to fit and score, the longest
# horizon and the as-of year. A long series is cut into several, so two cores share the work evenly.
Task = tuple[str, tuple[int, ...], int, int | None]
ORIGINS_PER_TASK = 4


def _context(indicator_id: str, years: np.ndarray, values: np.ndarray) -> Context:
    return Context(
        indicator_id, dict(zip(years.tolist(), values.tolist(), strict=True)), _naive_mae(years, values), *_event_rate(indicator_id)
    )


def _training(judged: JudgedSeries) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(judged.years, dtype=int), judged.values.to_numpy(dtype=float)


def method_variants(judged_scale: str) -> list[tuple[str, str, str]]:
    """(method, variant, scale) the backtest scores: every method on the judged scale and, for a
    series judged on logs, every method whose fit differs on levels also on the natural scale."""
    out = []
    for m in METHODS:
        out.append((m, JUDGED, judged_scale))
        level = variant_scale(LEVEL, judged_scale)
        fitter = REGISTRY[m]
        if level != judged_scale and fitter.level_variant and fitter.model_scale(level) != fitter.model_scale(judged_scale):
            out.append((m, LEVEL, level))
    return out


def _origin_keys(judged: JudgedSeries, k: int, max_h: int) -> list[str]:
    years, values = _training(judged)
    to_year = int(years[k - 1]) + max_h
    return [fit_key(m, years[:k], values[:k], to_year, sc, judged.bounds) for m, _v, sc in method_variants(judged.scale)]


def score_origins(
    ctx: Context, years: np.ndarray, values: np.ndarray, scale: str, bounds: tuple[float, float] | None, ks: Sequence[int], max_h: int
) -> tuple[Rows, Fitted]:
    """Every method (and scale variant) fitted on the first k values for each k in ``ks`` (fits
    remembered by content) and scored on the values after it, up to ``max_h`` years ahead."""
    rows: Rows = []
    fitted: Fitted = []
    planned = method_variants(scale)
    variants = {(m, v) for m, v, _sc in planned}
    for k in ks:
        origin = int(years[k - 1])
        fits: dict[tuple[str, str], Forecast] = {}
        for method, variant, sc in planned:
            try:
                fits[(method, variant)] = fit_cached(method, years[:k], values[:k], origin + max_h, sc, bounds)
            except MethodUnavailable:
                continue
        for (method, variant), fc in fits.items():
            # A method with no level variant on this series counts under either choice.
            label = variant if (method, LEVEL) in variants else ANY
            rows += [{**r, "variant": label} for r in _score(ctx, origin, method, fc, max_h, float(values[k - 1]))]
        fitted.append((origin, fits, ctx))
    return rows, fitted


def _fit_and_score(task: Task) -> tuple[Rows, Fitted, set[str]]:
    """Every method at the task's origins of one series, fitted (or recalled) and scored; with the fit keys used."""
    indicator_id, ks, max_h, as_of = task
    judged = judged_series(indicator_id, as_of=as_of)
    years, values = _training(judged)
    ctx = _context(indicator_id, years, values)
    used = {key for k in ks for key in _origin_keys(judged, k, max_h)}
    rows, fitted = score_origins(ctx, years, values, judged.scale, judged.bounds, ks, max_h)
    return rows, fitted, used


@dataclass(frozen=True)
class Context:
    indicator_id: str
    actual: dict[int, float]
    q: float  # MASE scale of the series
    rate: float  # constant yearly rate of the status event
    higher: bool


def _score(ctx: Context, origin: int, method: str, fc: Forecast, max_h: int, last: float) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    # The forecast's own 80 % / 95 % quantiles (t or normal), once per forecast rather than per row.
    q80, q95 = (t_or_normal_ppf(q, fc.df) for q in (0.90, 0.975))
    for h in range(1, max_h + 1):
        year = origin + h
        if year not in ctx.actual or year not in fc.years:
            continue
        i = fc.years.index(year)
        y = ctx.actual[year]
        threshold = last * (1 + ctx.rate) ** h
        p = fc.probability(year, threshold, ctx.higher)
        # Standardised error on the model scale, in units of the row's own 80 % / 95 % half-width:
        # ≤ 1 means inside. Scaling the spread by k moves the bound to k (see calibration()).
        z80 = z95 = np.nan
        if fc.sd and fc.sd[i] > 0:
            z = abs(transform_value(y, fc.scale, fc.bounds) - fc.loc[i]) / fc.sd[i]
            z80, z95 = z / q80, z / q95
        elif fc.samples is not None:
            # Pooled draws (natural scale): distance from the median in units of the half-width on y's side.
            med = float(np.median(fc.samples[:, i]))
            side80, side95 = (fc.hi80[i], fc.hi95[i]) if y >= med else (fc.lo80[i], fc.lo95[i])
            z80 = abs(y - med) / abs(side80 - med) if side80 != med else np.inf
            z95 = abs(y - med) / abs(side95 - med) if side95 != med else np.inf
        out.append(
            {
                "indicator_id": ctx.indicator_id,
                "origin": origin,
                "horizon": h,
                "year": year,
                "method": method,
                "actual": y,
                "forecast": fc.mean[i],
                "abs_error": abs(y - fc.mean[i]),
                "scaled_error": abs(y - fc.mean[i]) / ctx.q if ctx.q > 0 else np.nan,
                "scale": ctx.q,
                "in80": fc.lo80[i] <= y <= fc.hi80[i],
                "in95": fc.lo95[i] <= y <= fc.hi95[i],
                "z80": z80,
                "z95": z95,
                "p_meet": p,
                "predicted_meet": p >= 0.5,
                "came_true": bool(y >= threshold if ctx.higher else y <= threshold),
            }
        )
    return out


def _task_in_worker(task: Task) -> tuple[Rows, Fitted, set[str], dict[str, Forecast | str]]:
    """One task in a worker: its rows, fits and keys, and the new fits for the parent to remember."""
    before = known_fits()
    rows, fitted, used = _fit_and_score(task)
    return rows, fitted, used, fits_since(before)


def _run(indicator_ids: Sequence[str], as_of: int | None, use_cache: bool = True) -> pd.DataFrame:
    settings = config.settings()
    bt, sim = settings["backtest"], settings["simulation"]
    assert isinstance(bt, dict) and isinstance(sim, dict)
    min_train, max_h = int(bt["min_train"]), int(bt["max_horizon"])
    # Everything a worker needs is prepared here, before the workers are forked, so they inherit it:
    # each series, the fits stored for it (keyed by content: a stale bundle can only give fewer
    # hits, never a wrong fit) and, if anything is left to fit, the statsmodels classes.
    judged = {iid: judged_series(iid, as_of=as_of) for iid in indicator_ids}
    stored = {iid: load_fits(f"backtest:{iid}", use_cache) for iid in indicator_ids}
    tasks: list[Task] = []
    for iid, js in judged.items():
        ks = list(range(min_train, len(js.years)))
        tasks += [(iid, tuple(ks[i : i + ORIGINS_PER_TASK]), max_h, as_of) for i in range(0, len(ks), ORIGINS_PER_TASK)]
    # Only tasks with fits to make go to the workers (longest first, so two cores finish together);
    # the rest is scoring, done here without forking.
    known = known_fits()
    cold = [t for t in tasks if any(key not in known for k in t[1] for key in _origin_keys(judged[t[0]], k, max_h))]
    cold.sort(key=lambda t: -len(t[1]))
    if cold:
        import_fitters()
    done: dict[Task, tuple[Rows, Fitted, set[str]]] = {}
    # A cold backtest takes seconds: progress is shown on a terminal.
    for task, (r, f, used, new_fits) in zip(cold, ordered_map(_task_in_worker, cold, desc="backtest"), strict=True):
        remember_fits(new_fits)
        done[task] = (r, f, used)
    rows: Rows = []
    fitted: Fitted = []
    used_by: dict[str, set[str]] = {iid: set() for iid in indicator_ids}
    for task in tasks:  # in series and origin order, so the table is the same as a serial run's
        r, f, used = done.pop(task) if task in done else _fit_and_score(task)
        rows += r
        fitted += f
        used_by[task[0]] |= used
    for iid, used in used_by.items():
        if used - stored[iid]:
            save_fits(f"backtest:{iid}", stored[iid] | used, use_cache)
    if not rows:
        return pd.DataFrame()
    return with_combination(pd.DataFrame(rows), fitted, int(sim["draws"]), int(sim["seed"]), max_h)


def with_combination(scored: pd.DataFrame, fitted: Fitted, draws: int, seed: int, max_h: int) -> pd.DataFrame:
    """The scored table at each method's chosen scale variant, plus the auto combination pooled
    from the members chosen on it (second pass)."""
    variants = choose_variants(scored)
    errors = scored[(scored["variant"] == scored["method"].map(variants)) | (scored["variant"] == ANY)]
    members = _members_from(errors)
    combo_rows: list[dict[str, object]] = []
    if len(members) >= 2:
        for origin, fits, ctx in fitted:
            # A series with no level variant (judged on logit or natural scale) has the judged fit only.
            chosen = [fits.get((m, variants[m]), fits.get((m, JUDGED))) for m in members]
            if all(fc is not None for fc in chosen):
                combo = combine([fc for fc in chosen if fc is not None], draws, seed)
                combo_rows += _score(ctx, origin, "combination", combo, max_h, ctx.actual[origin])
    return pd.concat([errors, pd.DataFrame(combo_rows)], ignore_index=True)


TIE = 1e-9  # relative MASE difference below which two scale variants count as equal


def choose_variants(scored: pd.DataFrame) -> dict[str, str]:
    """Per method, the scale variant with the lower MASE on the forecasts both variants produced
    (the judged scale where there is no other, or on a tie: the level variant must be lower by more
    than rounding, :data:`TIE`)."""
    keys = ["indicator_id", "origin", "horizon"]
    out: dict[str, str] = {}
    for method, grp in scored.groupby("method"):
        judged = grp[grp["variant"] == JUDGED].set_index(keys)["scaled_error"]
        level = grp[grp["variant"] == LEVEL].set_index(keys)["scaled_error"]
        common = judged.index.intersection(level.index)
        better = len(common) and float(level.loc[common].mean()) < float(judged.loc[common].mean()) * (1 - TIE)
        out[str(method)] = LEVEL if better else JUDGED
    return out


def backtest_errors(indicator_id: str | None = None, use_cache: bool = True, as_of: int | None = None) -> pd.DataFrame:
    """Every scored forecast: one row per series × origin × horizon × method (data as of ``as_of``)."""
    ids = [indicator_id] if indicator_id else headline_ids()
    # Keyed on the backtested series only (and the targets that set their status events), so a
    # new figure for any other indicator does not re-run the backtest.
    events = [repr(t) for t in registry() if t.indicator_id in ids]
    key = {"ids": ids, "as_of": as_of, "series": series_fingerprint(ids), "events": events}
    return cached("backtest", key, lambda: _run(ids, as_of, use_cache), use_cache)


# The largest number of methods ``auto`` combines, and the fewest common forecasts on which a
# combination is chosen (fewer: the methods that beat drift, or drift alone).
MAX_MEMBERS = 4
CANDIDATE_SLACK = 1.25
MIN_COMMON_FORECASTS = 20


def _members_from(errors: pd.DataFrame) -> list[str]:
    """The equal-weight combination (of up to :data:`MAX_MEMBERS` methods, each on its chosen scale,
    among those whose own MASE is within :data:`CANDIDATE_SLACK` of the best method's) whose mean
    point forecast has the lowest MASE on the forecasts every method produced; a smaller set wins a
    tie. Combinations usually beat their best member (Makridakis & Hibon 2000; Petropoulos &
    Svetunkov 2020, "A simple combination of univariate models"), so the set is chosen, not one model.
    Too few common forecasts: the methods whose MASE beats drift's, or drift alone."""
    own = errors[errors["method"].isin(METHODS)]
    keys = ["indicator_id", "origin", "horizon"]
    wide = own.pivot_table(index=keys, columns="method", values="forecast", aggfunc="first").dropna()
    if len(wide) < MIN_COMMON_FORECASTS or "scale" not in own:
        return _beats_drift(errors)
    first = own.groupby(keys)[["actual", "scale"]].first().loc[wide.index]
    actual, scale = first["actual"].to_numpy(float), first["scale"].to_numpy(float)
    ok = scale > 0
    # Candidates: methods whose own MASE is within CANDIDATE_SLACK of the best one's, so that two poor
    # methods whose errors happen to cancel on a small sample are not paired.
    single = {m: float(np.mean(np.abs(actual[ok] - wide[m].to_numpy(float)[ok]) / scale[ok])) for m in METHODS if m in wide.columns}
    methods = [m for m in single if single[m] <= CANDIDATE_SLACK * min(single.values())]
    forecasts = wide[methods].to_numpy(float)[ok]
    best: tuple[float, int, tuple[str, ...]] | None = None
    for size in range(1, min(MAX_MEMBERS, len(methods)) + 1):
        for subset in itertools.combinations(range(len(methods)), size):
            mase = float(np.mean(np.abs(actual[ok] - forecasts[:, subset].mean(axis=1)) / scale[ok]))
            cand = (mase, size, tuple(methods[i] for i in subset))
            if best is None or cand[:2] < best[:2]:
                best = cand
    return list(best[2]) if best else _beats_drift(errors)


def _beats_drift(errors: pd.DataFrame) -> list[str]:
    """Methods whose MASE beats drift's on the forecasts both produced (same series, origins, horizons)."""
    keys = ["indicator_id", "origin", "horizon"]
    drift = errors[errors["method"] == BASELINE].set_index(keys)["scaled_error"]
    if drift.empty:
        return [BASELINE]
    better = []
    for m in METHODS:
        if m == BASELINE:
            continue
        own = errors[errors["method"] == m].set_index(keys)["scaled_error"]
        common = own.index.intersection(drift.index)
        if len(common) and float(own.loc[common].mean()) < float(drift.loc[common].mean()):
            better.append(m)
    return better or [BASELINE]


def backtest(indicator_id: str | None = None, use_cache: bool = True, as_of: int | None = None) -> pd.DataFrame:
    """Accuracy table: per method, MASE, coverage of the 80/95 % intervals and n forecasts,
    pooled over the headline series (or one series), plus drift-relative MASE.

    Parameters: ``indicator_id`` (None for the headline series, or one catalogue id),
    ``use_cache``, ``as_of`` (None, or a year: only data known then). Returns one row per method.

    >>> "drift" in set(backtest()["method"])
    True
    """
    errors = backtest_errors(indicator_id, use_cache, as_of)
    if errors.empty:
        return pd.DataFrame(
            columns=[
                "method",
                "mase",
                "relative_to_drift",
                "coverage80",
                "coverage95",
                "coverage80_calibrated",
                "coverage95_calibrated",
                "calibration",
                "status_accuracy",
                "n",
            ]
        )
    return summarise(errors)


def summarise(errors: pd.DataFrame, by: Sequence[str] = (), factors: dict[str, float] | None = None) -> pd.DataFrame:
    """MASE, drift-relative MASE, interval coverage (raw, and after calibration with ``factors``,
    default: the factors estimated from ``errors`` itself), status accuracy and n, per method (and ``by``).

    The combination is pooled from uncalibrated members and calibrated as a whole."""
    keys = [*by, "method"]
    factors = calibration_from(errors) if factors is None else factors
    k = errors["method"].map(factors).fillna(1.0)
    if "z80" not in errors:  # a table scored without standardised errors: raw coverage only
        errors = errors.assign(z80=np.nan, z95=np.nan)
    errors = errors.assign(
        status_hit=errors["predicted_meet"] == errors["came_true"],
        in80_cal=np.where(errors["z80"].notna(), errors["z80"] <= k, errors["in80"]).astype(bool),
        in95_cal=np.where(errors["z95"].notna(), errors["z95"] <= k, errors["in95"]).astype(bool),
    )
    table = errors.groupby(keys, as_index=False).agg(
        mase=("scaled_error", "mean"),
        coverage80=("in80", "mean"),
        coverage95=("in95", "mean"),
        coverage80_calibrated=("in80_cal", "mean"),
        coverage95_calibrated=("in95_cal", "mean"),
        status_accuracy=("status_hit", "mean"),
        n=("forecast", "size"),
    )
    drift = table[table["method"] == BASELINE].set_index(list(by))["mase"] if by else None
    if drift is None:
        base = table.loc[table["method"] == BASELINE, "mase"]
        table["relative_to_drift"] = table["mase"] / (float(base.iloc[0]) if len(base) else np.nan)
    else:
        table["relative_to_drift"] = table["mase"] / table.set_index(list(by)).index.map(drift.to_dict()).to_numpy(dtype=float)
    table["calibration"] = table["method"].map(factors).fillna(1.0)
    order = {m: i for i, m in enumerate([*METHODS, "combination"])}
    return table.sort_values([*by, "method"], key=lambda c: c.map(order) if c.name == "method" else c).reset_index(drop=True)


def auto_members(use_cache: bool = True, as_of: int | None = None) -> list[str]:
    """The rule behind ``method="auto"``: methods with MASE below drift's on common forecasts."""
    errors = backtest_errors(None, use_cache, as_of)
    if errors.empty:
        return [BASELINE]
    return _members_from(errors)


# Fewer scored forecasts than this and a method keeps its model-based width (factor 1).
MIN_CALIBRATION_FORECASTS = 20
CALIBRATION_LIMITS = (0.5, 10.0)


def calibration_from(errors: pd.DataFrame) -> dict[str, float]:
    """Per method, the factor k on the predictive spread that makes its backtest 80 % intervals
    cover 80 %: the 80th percentile of |error| in units of the method's own 80 % half-width.

    A split-conformal width correction (Vovk, Gammerman & Shafer 2005; Angelopoulos & Bates 2021,
    "A Gentle Introduction to Conformal Prediction", §1): the quantile of past nonconformity scores
    sets the width. Bounded to :data:`CALIBRATION_LIMITS`.
    """
    out: dict[str, float] = {}
    if errors.empty or "z80" not in errors:
        return out
    for method, grp in errors.groupby("method"):
        z = grp["z80"].dropna().to_numpy(dtype=float)
        if len(z) >= MIN_CALIBRATION_FORECASTS:
            out[str(method)] = float(np.clip(np.quantile(z, 0.8), *CALIBRATION_LIMITS))
    return out


def calibration(use_cache: bool = True, as_of: int | None = None) -> dict[str, float]:
    """The interval calibration factors every projection applies (data as of ``as_of``)."""
    return calibration_from(backtest_errors(None, use_cache, as_of))


def auto_policy(as_of: int | None = None, calibrated: bool = True, use_cache: bool = True) -> AutoPolicy:
    """The policy projections are given: ``auto``'s members and the calibration factors, both from
    the backtest on data as of ``as_of`` (so a mid-term view never benefits from later errors).

    >>> auto_policy(calibrated=False).factors
    {}
    """
    return policy_from(backtest_errors(None, use_cache, as_of), calibrated)


@dataclass(frozen=True)
class AutoRecord:
    """What ``auto`` is and how it did, for a report's method note: its members (``levels``: those
    fitted to the levels of log-judged series) and, in the rolling-origin backtest, the MASE of the
    combination (or single method) relative to drift and its calibrated 80 % coverage."""

    members: tuple[str, ...]
    levels: tuple[str, ...]
    relative_to_drift: float
    coverage80: float
    n: int


def auto_record(as_of: int | None = None, use_cache: bool = True) -> AutoRecord:
    """The :class:`AutoRecord` of the backtest on data as of ``as_of``.

    >>> r = auto_record()
    >>> 0 < r.relative_to_drift < 2 and 0 <= r.coverage80 <= 1 and len(r.members) >= 1
    True
    """
    errors = backtest_errors(None, use_cache, as_of)
    policy = policy_from(errors)
    if errors.empty:
        return AutoRecord(policy.members, (), float("nan"), float("nan"), 0)
    table = summarise(errors).set_index("method")
    row = "combination" if len(policy.members) >= 2 and "combination" in table.index else policy.members[0]
    levels = tuple(m for m in policy.members if policy.scales.get(m) == LEVEL)
    rel, cov, n = table.loc[row, ["relative_to_drift", "coverage80_calibrated", "n"]].to_numpy(dtype=float)
    return AutoRecord(policy.members, levels, float(rel), float(cov), int(n))


def policy_from(errors: pd.DataFrame, calibrated: bool = True) -> AutoPolicy:
    """The policy a scored table (:func:`with_combination`) implies: the members of ``auto``, each
    method's scale variant and, if ``calibrated``, its interval factor."""
    if errors.empty:
        return AutoPolicy((BASELINE,))
    scales = {str(m): LEVEL for m in errors.loc[errors["variant"] == LEVEL, "method"].unique()}
    return AutoPolicy(tuple(_members_from(errors)), calibration_from(errors) if calibrated else {}, scales)
