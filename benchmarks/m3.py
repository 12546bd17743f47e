"""Benchmark (not a test): fjdata's methods and its ``auto`` policy on the M3 yearly series, beside
statsforecast's AutoETS, AutoTheta, AutoARIMA and their equal-weight combination when it is installed.

    .venv/bin/python benchmarks/m3.py [PATH] [--series N] [--workers W] [--origins K] [--no-peers]

PATH defaults to ``../shared/benchmarks/m3_yearly.csv`` (from the repository root). Each series is
split as the competition did: train = all but the last 6 values, test = the last 6. Everything our
engine decides is estimated on the training parts only, by the same rolling-origin backtest the
product runs on its own series (:func:`fjdata.forecast.backtest.score_origins`): the last ``K``
origins of each training part that leave 6 years inside it to score, give each method's scale
(judged log or level), the members of ``auto`` (those that beat drift) and the interval
calibration factors. The test values are used only for scoring.

Scores (the README's conventions): sMAPE, MASE (scale: in-sample mean |Δy| of the training part),
coverage of the 80 % / 95 % intervals, MSIS (the 95 % interval score over the same scale, M4's
definition) and CPU seconds (process time of the fits, summed over workers; ``auto`` includes the
policy's backtest). The last line reads ``auto: sMAPE=… MASE=… cover80=… cover95=… cpu_s=…``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / ".." / "shared" / "benchmarks" / "m3_yearly.csv"
H = 6
MIN_TRAIN = 8


@dataclass(frozen=True)
class Series:
    name: str
    train: np.ndarray
    test: np.ndarray

    @property
    def years(self) -> np.ndarray:
        return np.arange(2000, 2000 + len(self.train))  # M3 years are not all calendar years; only order matters

    @property
    def scale(self) -> float:
        return float(np.mean(np.abs(np.diff(self.train))))


# One forecast: (mean, lo80, hi80, lo95, hi95) arrays over the 6 test years, and its CPU seconds.
Result = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]


def read(path: Path, n: int | None) -> list[Series]:
    frame = pd.read_csv(path)
    out = []
    for name, grp in frame.groupby("series", sort=False):
        grp = grp.sort_values("year")
        out.append(
            Series(
                str(name), grp.loc[grp["part"] == "train", "value"].to_numpy(float), grp.loc[grp["part"] == "test", "value"].to_numpy(float)
            )
        )
    return out[:n] if n else out


def _judged(s: Series):  # type: ignore[no-untyped-def]
    from fjdata.forecast.projection import JudgedSeries
    from fjdata.inputs.transforms import year_index

    values = pd.Series(s.train, index=year_index(s.years.tolist()), dtype=float)
    return JudgedSeries(s.name, values, "log" if bool((s.train > 0).all()) else "natural", None, None, values)


def backtest_one(s: Series, origins: int) -> tuple[list[dict[str, object]], list[object], float]:
    """The rolling-origin backtest on one training part: its scored rows, fits and CPU seconds."""
    from fjdata.forecast.backtest import Context, score_origins

    start = time.process_time()
    years, values = s.years, s.train
    # Origins early enough that all 6 horizons are scored inside the training part (later origins
    # would judge the methods on 1–2-year forecasts only).
    ks = [k for k in range(len(values) - H - origins + 1, len(values) - H + 1) if k >= MIN_TRAIN]
    ctx = Context(s.name, dict(zip(years.tolist(), values.tolist(), strict=True)), s.scale, 0.0, True)
    judged = _judged(s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows, fitted = score_origins(ctx, years, values, judged.scale, None, ks, H)
    return rows, list(fitted), time.process_time() - start


def ours_one(s: Series, policy: object) -> dict[str, Result]:
    """Every method and ``auto`` on one series under ``policy``; per-method CPU from uncached fits."""
    from fjdata.forecast.models import METHODS, MethodUnavailable, calibrate, combine, fit_method
    from fjdata.forecast.projection import AutoPolicy, variant_scale

    assert isinstance(policy, AutoPolicy)
    judged = _judged(s)
    to_year = int(s.years[-1]) + H
    raw: dict[str, object] = {}
    out: dict[str, Result] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in METHODS:
            start = time.process_time()
            try:
                fc = fit_method(method, s.years, s.train, to_year, variant_scale(policy.scales.get(method), judged.scale))
            except MethodUnavailable:
                continue
            raw[method] = fc
            out[method] = (*_arrays(calibrate(fc, policy.factor(method))), time.process_time() - start)
        members = [raw[m] for m in policy.members if m in raw]
        start = time.process_time()
        from fjdata.core import config

        sim = config.settings()["simulation"]
        assert isinstance(sim, dict)
        if len(members) >= 2:
            auto = calibrate(combine(members, int(sim["draws"]), int(sim["seed"])), policy.factor("combination"))  # type: ignore[arg-type]
            arrays = _arrays(auto)
        else:
            fallback = policy.members[0] if policy.members[0] in out else "drift"
            arrays = out[fallback][:5]
        out["auto"] = (*arrays, time.process_time() - start + sum(out[m][5] for m in policy.members if m in out))
    return out


def _arrays(fc: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.asarray(getattr(fc, a), float) for a in ("mean", "lo80", "hi80", "lo95", "hi95"))  # type: ignore[return-value]


def statsforecast_one(s: Series) -> dict[str, Result]:
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    out: dict[str, Result] = {}
    for label, model in (("sf AutoETS", AutoETS), ("sf AutoTheta", AutoTheta), ("sf AutoARIMA", AutoARIMA)):
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = model(season_length=1).forecast(y=s.train, h=H, level=[80, 95])
        out[label] = (f["mean"], f["lo-80"], f["hi-80"], f["lo-95"], f["hi-95"], time.process_time() - start)
    parts = [out[k] for k in ("sf AutoETS", "sf AutoTheta", "sf AutoARIMA")]
    combo = tuple(np.mean([p[i] for p in parts], axis=0) for i in range(5))
    out["sf ETS+Theta+ARIMA"] = (*combo, sum(p[5] for p in parts))
    return out


def scores(series: Sequence[Series], results: Sequence[Result]) -> dict[str, float]:
    y = np.concatenate([s.test for s in series])
    scale = np.concatenate([np.full(H, s.scale) for s in series])
    mean, lo80, hi80, lo95, hi95 = (np.concatenate([r[i] for r in results]) for i in range(5))
    smape = 200 * np.abs(y - mean) / (np.abs(y) + np.abs(mean))
    alpha = 0.05
    msis = ((hi95 - lo95) + 2 / alpha * (lo95 - y) * (y < lo95) + 2 / alpha * (y - hi95) * (y > hi95)) / scale
    return {
        "sMAPE": float(np.mean(smape)),
        "MASE": float(np.mean(np.abs(y - mean) / scale)),
        "cover80": 100 * float(np.mean((lo80 <= y) & (y <= hi80))),
        "cover95": 100 * float(np.mean((lo95 <= y) & (y <= hi95))),
        "MSIS": float(np.mean(msis)),
        "cpu_s": float(sum(r[5] for r in results)),
    }


def _map(fn: Callable[[Series], object], items: Sequence[Series], workers: int) -> list[object]:
    from fjdata.core.parallel import ordered_map

    return list(ordered_map(fn, items, workers=workers))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--series", type=int, default=None, help="take the first N series")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--origins", type=int, default=2, help="backtest origins per training part (the last K with 6 years after them)")
    parser.add_argument("--no-peers", action="store_true", help="skip statsforecast even if it is installed")
    args = parser.parse_args(argv)
    series = read(args.path, args.series)

    from fjdata.core import config
    from fjdata.forecast.backtest import policy_from, summarise, with_combination
    from fjdata.forecast.models import METHODS, import_fitters

    import_fitters()
    wall = time.perf_counter()
    # 1. The policy, from the rolling-origin backtest on the training parts only.
    done = _map(partial(backtest_one, origins=args.origins), series, args.workers)
    rows = [r for d in done for r in d[0]]  # type: ignore[index]
    fitted = [f for d in done for f in d[1]]  # type: ignore[index]
    policy_cpu = float(sum(d[2] for d in done))  # type: ignore[index]
    start = time.process_time()
    sim = config.settings()["simulation"]
    assert isinstance(sim, dict)
    errors = with_combination(pd.DataFrame(rows), fitted, int(sim["draws"]), int(sim["seed"]), H)
    policy = policy_from(errors)
    policy_cpu += time.process_time() - start
    print(f"policy from {len(errors)} backtest forecasts on the training parts ({policy_cpu:.1f} CPU s):")
    print(f"  members {', '.join(policy.members)}; fitted on levels: {', '.join(sorted(policy.scales)) or 'none'}")
    print("  calibration " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(policy.factors.items())))
    with pd.option_context("display.width", 200):
        print(summarise(errors)[["method", "mase", "relative_to_drift", "coverage80", "calibration", "n"]].to_string(index=False))

    # 2. Every method and auto on the training parts, scored on the test values.
    ours = _map(partial(ours_one, policy=policy), series, args.workers)
    table: dict[str, dict[str, float]] = {}
    for method in [*METHODS, "auto"]:
        kept = [(s, r[method]) for s, r in zip(series, ours, strict=True) if method in r]  # type: ignore[operator, index]
        if len(kept) == len(series):
            table[method] = scores(series, [r for _s, r in kept])
    table["auto"]["cpu_s"] += policy_cpu
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        print("statsforecast is not installed: our methods only")
    if "statsforecast" in sys.modules and not args.no_peers:
        statsforecast_one(series[0])  # numba compiles on first use: not counted
        theirs = _map(statsforecast_one, series, args.workers)
        for label in theirs[0]:  # type: ignore[attr-defined]
            table[label] = scores(series, [r[label] for r in theirs])  # type: ignore[index]
    frame = pd.DataFrame(table).T
    print(f"\n{len(series)} series, h = 1…{H}, wall {time.perf_counter() - wall:.1f} s")
    print(frame.to_string(float_format=lambda v: f"{v:.2f}"))
    if "sf ETS+Theta+ARIMA" in table:
        ref = table["sf ETS+Theta+ARIMA"]
        a = table["auto"]
        print(
            f"\nauto ÷ statsforecast combination: sMAPE {a['sMAPE'] / ref['sMAPE']:.3f}, MASE {a['MASE'] / ref['MASE']:.3f}, "
            f"MSIS {a['MSIS'] / ref['MSIS']:.3f}, CPU {a['cpu_s'] / ref['cpu_s']:.3f}"
        )
    a = table["auto"]
    print(f"auto: sMAPE={a['sMAPE']:.2f} MASE={a['MASE']:.2f} cover80={a['cover80']:.1f} cover95={a['cover95']:.1f} cpu_s={a['cpu_s']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
