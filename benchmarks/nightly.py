"""Benchmark of the nightly batch (not a test): prints wall times and ratios from one run.

    .venv/bin/python benchmarks/nightly.py [--workers N]

(a) ``fjdata nightly`` on the shipped data (CLI, as cron runs it);
(b) the naive loop: one ``papermill`` CLI call then one ``jupyter nbconvert --to html --no-input``
    CLI call per report, in sequence;
(c) the floor: as many notebooks as (a) runs, each only importing the libraries the reports
    import, executed with papermill with the same parallelism as (a) — launched as a command, as
    (a) is, so that both include starting Python and importing papermill once. Its kernels start
    from scratch, as papermill starts them; (a)'s are forked from a warm fork server
    (fjdata/batch/kernel_fork.py), so (a) can come close to (c) or beat it.

A warm-up run of (a) comes first and is reported as "cold": all three then see the same warm
fjdata cache (model fits, charts), which is the nightly steady state when data did not change.
Both runs of (a) write into one outputs folder, as cron's nightly does: the warm run orders its
reports by the durations the cold run recorded (longest first).
Goals: (a)/(b) ≤ 1/3, (a)/(c) ≤ 1.2 and first/warm ≤ 1.3 on a 2-core machine. Run it as a new
user's machine is: the thread variables are removed from the environment first (fjdata limits the
BLAS pools itself), ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` stay where the machine sets them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

KERNEL_NAME = "fjdata"  # as registered by tasks.py (fjdata.core.config.KERNEL_NAME)

BIN = Path(sys.executable).parent
FLOOR_IMPORTS = (
    "from IPython.display import HTML, display\n"
    "import fjdata\n"
    "from fjdata.report.chapter_report import ChapterReport\n"
    "from fjdata.report.explore import Exploration"
)


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_a(outputs: Path, workers: int) -> None:
    subprocess.run([str(BIN / "fjdata"), "nightly", "--outputs", str(outputs), "--workers", str(workers)], check=True, capture_output=True)


def run_b(work: Path) -> None:
    import yaml

    from fjdata.batch.params import load_batch, load_report

    for params_file in load_batch().reports:
        spec = load_report(params_file)
        pfile = work / f"{spec.name}.params.yaml"
        pfile.write_text(yaml.safe_dump(spec.parameters, allow_unicode=True), encoding="utf-8")
        out = work / f"{spec.name}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(spec.notebook),
                str(out),
                "-k",
                KERNEL_NAME,
                "-f",
                str(pfile),
                "--cwd",
                str(spec.notebook.parent),
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)], check=True, capture_output=True)


def _floor_one(path: str) -> None:
    import papermill as pm

    # Over IPC as (a)'s kernels are: parallel TCP kernels can race for a port (papermill #511) and
    # fail the run. Kernels start from scratch here: no fork server runs in this pool.
    pm.execute_notebook(
        path,
        path.replace(".ipynb", ".out.ipynb"),
        kernel_name=KERNEL_NAME,
        progress_bar=False,
        kernel_manager_class="fjdata.batch.kernel.IPCKernelManager",
    )


def run_c(work: Path, n: int, workers: int) -> None:
    subprocess.run(
        [sys.executable, __file__, "--floor", str(work), "--n", str(n), "--workers", str(workers)], check=True, capture_output=True
    )


def floor(work: Path, n: int, workers: int) -> None:
    """Runs in its own process and imports only papermill and nbformat: the least a batch needs."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # the same import-time saving (a) gets
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    paths = []
    for i in range(n):
        nb = new_notebook(
            cells=[new_code_cell(FLOOR_IMPORTS)],
            metadata={"kernelspec": {"name": KERNEL_NAME, "display_name": "fjdata", "language": "python"}},
        )
        path = work / f"floor_{i}.ipynb"
        nbformat.write(nb, path)
        paths.append(str(path))
    import multiprocessing

    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_floor_one, paths))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # internal: run (c) in this process
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.floor:
        floor(args.floor, args.n, args.workers)
        return 0
    from fjdata.batch.params import load_batch

    n_reports = len(load_batch().reports)
    work = Path(tempfile.mkdtemp(prefix="fjdata-bench-"))
    os.environ["FJDATA_CACHE"] = str(work / "cache")  # starts empty: the first run is truly cold
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ.pop(var, None)  # a clean environment, as on a new user's machine
    try:
        cold = timed(lambda: run_a(work / "runs", args.workers))
        a = timed(lambda: run_a(work / "runs", args.workers))
        (work / "b").mkdir()
        b = timed(lambda: run_b(work / "b"))
        (work / "c").mkdir()
        c = timed(lambda: run_c(work / "c", n_reports, args.workers))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"reports: {n_reports}, workers: {args.workers}, cores: {os.cpu_count()}")
    print(f"(a) fjdata nightly, warm cache : {a:7.1f} s   (first run, cold cache: {cold:.1f} s)")
    print(f"(b) naive papermill + nbconvert: {b:7.1f} s")
    print(f"(c) floor: import-only notebooks: {c:7.1f} s")
    print(f"(a)/(b) = {a / b:.3f}   goal ≤ 0.333  {'met' if a / b <= 1 / 3 else 'NOT met'}")
    print(f"(a)/(c) = {a / c:.3f}   goal ≤ 1.2    {'met' if a / c <= 1.2 else 'NOT met'}")
    print(f"first/warm = {cold / a:.3f}   goal ≤ 1.3    {'met' if cold / a <= 1.3 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
