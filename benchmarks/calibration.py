"""Benchmark (not a test): are the model intervals honest?

Prints, per method, on the rolling-origin backtest of the headline series:

- raw coverage of the nominal 80 % and 95 % intervals (what the models claim);
- the calibration factor applied to the spread;
- coverage after calibration, in-sample (≈ 80 % by construction) and **leave one series out**
  (the factor estimated on the other series, scored on the held-out one: the honest figure);
- the goal: every method that can reach a report has 80 % coverage within 70–90 %.

    .venv/bin/python benchmarks/calibration.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fjdata.forecast.backtest import backtest_errors, calibration_from, summarise


def leave_one_series_out(errors: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for method, grp in errors.groupby("method"):
        hits80: list[bool] = []
        hits95: list[bool] = []
        for series_id in grp["indicator_id"].unique():
            k = calibration_from(errors[errors["indicator_id"] != series_id]).get(str(method), 1.0)
            held = grp[grp["indicator_id"] == series_id]
            hits80 += list(held["z80"] <= k)
            hits95 += list(held["z95"] <= k)
        rows.append({"method": method, "loso_coverage80": float(np.mean(hits80)), "loso_coverage95": float(np.mean(hits95))})
    return pd.DataFrame(rows)


def main() -> None:
    errors = backtest_errors()
    table = summarise(errors)[["method", "n", "coverage80", "coverage95", "calibration", "coverage80_calibrated", "coverage95_calibrated"]]
    table = table.merge(leave_one_series_out(errors), on="method")
    table["within_70_90"] = table["loso_coverage80"].between(0.70, 0.90)
    pd.set_option("display.width", 200)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nmethods with held-out 80 % coverage in 70–90 %: {int(table['within_70_90'].sum())} of {len(table)}")


if __name__ == "__main__":
    main()
