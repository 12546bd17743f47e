"""Benchmark under load (not a test): every ratio below is measured in ONE run of this script.

    .venv/bin/python benchmarks/load.py [--skip-nightly] [--blas]

1. ``assess()``: cold (empty cache, backtest included), warm, and after one change to the data
   (a user row added: the data fingerprint changes, so results and backtest are recomputed).
2. ``fjdata nightly``: the first run on an empty cache, a warm run, and a warm run with a second
   batch running beside it (two cron jobs overlapping).
3. ``--blas``: a cold backtest with the BLAS/OpenMP pools at their default size against one
   thread per process (what fjdata sets for its workers, kernels and tests).

Each measurement runs in a fresh process, as cron and a notebook kernel would.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BIN = Path(sys.executable).parent
ROW = (
    "indicator_id,region,year,value,unit,status,vintage,published,source_title,source_url,quote,note,inputs,formula,bound\n"
    "manufacturing_va_share_gdp,Fujian,2025,33.5,%,preliminary,bench,2026-01-20,benchmark row (not data),https://example.invalid/b,33.5,,,,\n"
)
# A figure for a series outside the backtest: only the targets on that series are re-judged.
ROW_LOCAL = (
    "indicator_id,region,year,value,unit,status,vintage,published,source_title,source_url,quote,note,inputs,formula,bound\n"
    "green_parks,Fujian,2025,36,个,preliminary,bench,2026-01-20,benchmark row (not data),https://example.invalid/b,36,,,,\n"
)
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def timed_process(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def timed_cmd(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=False, env=env, capture_output=True)
    return time.perf_counter() - start


def bench_assess(work: Path) -> None:
    env = {**os.environ, "FJDATA_CACHE": str(work / "cache-a"), "FJDATA_USER_DATA": str(work / "user")}
    code = "import fjdata; fjdata.assess(); fjdata.assess(as_of=2022)"
    cold = timed_process(code, env)
    warm = timed_process(code, env)
    (work / "user").mkdir()
    (work / "user" / "local.csv").write_text(ROW_LOCAL, encoding="utf-8")
    local = timed_process(code, env)
    (work / "user" / "new.csv").write_text(ROW, encoding="utf-8")
    changed = timed_process(code, env)
    print(
        f"assess() + assess(as_of=2022), fresh process each:  cold {cold:6.1f} s   warm {warm:6.1f} s   "
        f"after one new figure: on a target-only series {local:6.1f} s, on a backtested (headline) series {changed:6.1f} s"
    )
    print(
        f"   ratios: cold/warm = {cold / warm:5.2f}   target-only change/warm = {local / warm:5.2f}   "
        f"headline change/warm = {changed / warm:5.2f}"
    )


def bench_nightly(work: Path) -> None:
    env = {**os.environ, "FJDATA_CACHE": str(work / "cache-n")}
    first = timed_cmd([str(BIN / "fjdata"), "nightly", "--outputs", str(work / "n1")], env)
    warm = timed_cmd([str(BIN / "fjdata"), "nightly", "--outputs", str(work / "n2")], env)
    with ThreadPoolExecutor(2) as pool:
        start = time.perf_counter()
        pair = list(pool.map(lambda o: timed_cmd([str(BIN / "fjdata"), "nightly", "--outputs", str(work / o)], env), ["n3", "n4"]))
        both = time.perf_counter() - start
    print(
        f"fjdata nightly (all reports):  first, empty cache {first:6.1f} s   warm {warm:6.1f} s   "
        f"warm beside a second batch {pair[0]:6.1f} s / {pair[1]:6.1f} s (both done in {both:.1f} s)"
    )
    print(
        f"   ratios: first/warm = {first / warm:5.2f}   beside-another/warm = {max(pair) / warm:5.2f}   "
        f"two batches/one = {both / warm:5.2f}"
    )


def bench_blas(work: Path) -> None:
    code = "import fjdata; fjdata.backtest()"
    default = {k: v for k, v in os.environ.items() if k not in THREAD_VARS} | {"FJDATA_CACHE": str(work / "cache-b1")}
    single = {**os.environ, **dict.fromkeys(THREAD_VARS, "1"), "FJDATA_CACHE": str(work / "cache-b2")}
    t_default = timed_process(code, default)
    t_single = timed_process(code, single)
    print(f"cold backtest:  default BLAS threads {t_default:6.1f} s   one thread {t_single:6.1f} s   ratio {t_default / t_single:5.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-nightly", action="store_true")
    ap.add_argument("--blas", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fjdata-load-"))
    print(f"cores: {os.cpu_count()}   python {sys.version.split()[0]}")
    try:
        bench_assess(work)
        if not args.skip_nightly:
            bench_nightly(work)
        if args.blas:
            bench_blas(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
