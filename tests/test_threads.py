"""One BLAS thread wherever fjdata fits, checked in processes whose environment does not set the
thread variables beforehand (the test session does: see conftest), as on a user's machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from fjdata.core.threads import BLAS_THREAD_VARS
from tests.conftest import ROOT

PROBE = textwrap.dedent(
    """
    import json, sys
    import numpy, scipy.linalg
    from threadpoolctl import threadpool_info
    from fjdata.core.parallel import ordered_map

    def pools(_=None):
        return sorted({(p["filepath"].rsplit("/", 1)[-1], p["num_threads"]) for p in threadpool_info()})

    out = {"parent_before": pools()}
    out["workers"] = list(ordered_map(pools, range(4), workers=2))
    out["serial"] = list(ordered_map(pools, range(1), workers=1))
    out["parent_after"] = pools()
    if sys.argv[1:] == ["nightly"]:
        from fjdata.core.threads import limit_this_process
        limit_this_process()
        out["limited"] = pools()
    print(json.dumps(out))
    """
)


def _run(*args: str) -> dict[str, list[list[list[object]]]]:
    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREAD_VARS}
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = "3"  # a user's own setting: more than one thread
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def _threads(pools: list[list[object]]) -> set[object]:
    return {n for _, n in pools}


def test_forked_workers_and_serial_fits_run_one_blas_thread_while_the_user_keeps_theirs() -> None:
    out = _run()
    assert len(out["parent_before"]) >= 2, out  # numpy's and scipy's OpenBLAS are both seen
    assert min(_threads(out["parent_before"])) > 1  # OpenBLAS takes 3, or as many as there are cores (≥ 2 here)
    for pools in [*out["workers"], *out["serial"]]:
        assert _threads(pools) == {1}, out
    assert out["parent_after"] == out["parent_before"]  # restored after the serial fits


def test_a_process_fjdata_owns_is_limited_for_good() -> None:
    out = _run("nightly")
    assert _threads(out["limited"]) == {1}
