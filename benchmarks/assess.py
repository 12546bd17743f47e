"""Benchmark of the assessment engine (not a test): timings and the backtest accuracy table.

    .venv/bin/python benchmarks/assess.py

Prints the wall time of ``assess()`` over all targets and of the full backtest, each cold (empty
cache) and warm (cache filled), then the backtest table: MASE of every method and of the
combination, relative to drift, and the empirical coverage of the 80 % / 95 % intervals.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def timed(label: str, fn) -> object:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    print(f"{label:<34s}{time.perf_counter() - start:8.2f} s")
    return out


def main() -> int:
    cache = Path(tempfile.mkdtemp(prefix="fjdata-bench-cache-"))
    os.environ["FJDATA_CACHE"] = str(cache)
    import fjdata
    from fjdata.forecast.backtest import backtest_errors, summarise

    try:
        timed("backtest, cold (empty cache)", lambda: fjdata.backtest())
        timed("backtest, warm", lambda: fjdata.backtest())
        frame = timed("assess(), cold (backtest cached)", lambda: fjdata.assess())
        timed("assess(), warm", lambda: fjdata.assess())
        timed("assess(as_of=2022), cold", lambda: fjdata.assess(as_of=2022))
        shutil.rmtree(cache)
        timed("assess(), all cold (incl. backtest)", lambda: fjdata.assess())
        assert isinstance(frame, pd.DataFrame)
        print(f"\ntargets assessed: {len(frame)}")
        with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
            print("\nBacktest, pooled over the headline series (rolling origin, horizons 1–5):")
            print(fjdata.backtest().to_string(index=False))
            errors = backtest_errors()
            per = summarise(errors, by=["indicator_id"])
            print("\nMASE by series (rows) and method (columns):")
            print(per.pivot(index="indicator_id", columns="method", values="mase").to_string())
            print("\nMASE relative to drift by series:")
            print(per.pivot(index="indicator_id", columns="method", values="relative_to_drift").to_string())
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
