"""Report kernels forked from a fork server (fjdata/batch/kernel_fork.py) behave as kernels started
from scratch: same working folder, argv, import path, environment, signal dispositions and BLAS
threads; their own process group, so an interrupt or a kill reaches the kernel and never the batch;
and they die with the worker that owns them.

Each test drives real kernels from a separate Python process (a stand-in for a nightly pool worker),
so the fork server, the subreaper setting and the signals never touch the test process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from fjdata.batch import kernel_fork

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux only")]

FACTS = """
import json, os, signal, sys, threading
import numpy, scipy.linalg  # loaded, so their BLAS pools show
from threadpoolctl import threadpool_info
print(json.dumps({
    "pid": os.getpid(), "ppid": os.getppid(), "pgid": os.getpgid(0), "cwd": os.getcwd(),
    "argv0": os.path.basename(sys.argv[0]), "argv_rest": sys.argv[1:2], "path": sys.path,
    "parent_env": os.environ.get("JPY_PARENT_PID"), "probe_env": os.environ.get("FJDATA_PROBE"),
    "blas": sorted({p["num_threads"] for p in threadpool_info()}),
    "signals": {s.name: repr(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD, signal.SIGHUP)},
    "main": sys.modules["__main__"].__name__, "preloaded": "fjdata.report.chapter_report" in sys.modules,
}))
"""

DRIVER = """
import asyncio, json, os, sys, time
import papermill as pm
from fjdata.batch import kernel_fork
from fjdata.core.threads import limit_this_process

mode, notebook, out, cwd = sys.argv[1:5]
limit_this_process()
if mode == "fork":
    kernel_fork.start_server()
    assert kernel_fork.server() is not None, "no fork server"
manager = "fjdata.batch.kernel.IPCKernelManager"
if notebook == "-":  # start a kernel, say its pid, and wait to be killed
    from fjdata.batch.kernel import IPCKernelManager
    km = IPCKernelManager(kernel_name="fjdata")
    asyncio.run(km.start_kernel(cwd=cwd))
    print(json.dumps({"kernel": km.provisioner.pid, "me": os.getpid()}), flush=True)
    time.sleep(600)
try:
    pm.execute_notebook(notebook, out, kernel_name="fjdata", progress_bar=False, cwd=cwd, kernel_manager_class=manager,
                        execution_timeout=float(os.environ.get("PROBE_TIMEOUT", "120")))
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "me": os.getpid(), "pgid": os.getpgid(0)}), flush=True)
else:
    print(json.dumps({"ok": True, "me": os.getpid(), "pgid": os.getpgid(0)}), flush=True)
"""


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(source))]
    nb.metadata["kernelspec"] = {"name": "fjdata", "display_name": "Python (fjdata)", "language": "python"}
    nbformat.write(nb, path)
    return path


def _env(**extra: str) -> dict[str, str]:
    """A new user's environment (no thread variables), with ``extra``."""
    drop = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "FJDATA_FORK_KERNELS")
    return {k: v for k, v in os.environ.items() if k not in drop} | extra


def _drive(tmp_path: Path, mode: str, notebook: Path, **env: str) -> tuple[dict[str, object], Path]:
    out = tmp_path / f"{mode}-out.ipynb"
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, mode, str(notebook), str(out), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(**env),
        check=False,
        start_new_session=True,
    )  # fmt: skip  (its own session: a signal sent to the worker's group never reaches pytest)
    assert proc.returncode == 0, (mode, proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1]), out


def _facts(out: Path) -> dict[str, object]:
    nb = nbformat.read(out, as_version=4)
    return dict(json.loads(nb.cells[0].outputs[0]["text"]))


def test_a_forked_kernel_is_set_up_as_a_kernel_started_from_scratch(tmp_path: Path) -> None:
    notebook = _notebook(tmp_path / "facts.ipynb", FACTS)
    fresh_run, fresh_out = _drive(tmp_path, "fresh", notebook, FJDATA_PROBE="fresh")
    forked_run, forked_out = _drive(tmp_path, "fork", notebook, FJDATA_PROBE="fork")
    fresh, forked = _facts(fresh_out), _facts(forked_out)
    assert forked["preloaded"] is True and fresh["preloaded"] is False  # one was forked, the other started from scratch
    for facts, run in ((fresh, fresh_run), (forked, forked_run)):
        # The worker's child, named as its parent, in a process group of its own (not the worker's)
        assert facts["ppid"] == run["me"] and facts["parent_env"] == str(run["me"])
        assert facts["pgid"] != run["pgid"]
    assert forked["probe_env"] == "fork" and fresh["probe_env"] == "fresh"  # the environment the manager passed
    same = ("cwd", "argv0", "argv_rest", "path", "blas", "signals", "main")
    assert {k: forked[k] for k in same} == {k: fresh[k] for k in same}
    assert forked["cwd"] == str(tmp_path) and forked["blas"] == [1]


def test_a_timed_out_cell_stops_the_forked_kernel_and_never_the_worker(tmp_path: Path) -> None:
    """On a timeout nbclient interrupts the kernel and then kills it, by process group: the group
    must be the kernel's own (a kernel still in the worker's group would take the batch with it)."""
    notebook = _notebook(tmp_path / "sleep.ipynb", "import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(120)")
    run, out = _drive(tmp_path, "fork", notebook, PROBE_TIMEOUT="3")
    assert run["error"] in ("PapermillExecutionError", "CellTimeoutError", "TimeoutError"), run
    kernel_pid = int(nbformat.read(out, as_version=4).cells[0].outputs[0]["text"].split()[0])
    assert not _alive(kernel_pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def test_a_forked_kernel_dies_with_its_worker(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, "fork", "-", "-", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(),
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        kernel = int(info["kernel"])
        assert _alive(kernel) and kernel != proc.pid
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(kernel) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(kernel)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_kernels_start_the_usual_way_where_forking_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FJDATA_FORK_KERNELS", "0")
    assert not kernel_fork.enabled()
    monkeypatch.setenv("FJDATA_FORK_KERNELS", "1")
    assert kernel_fork.enabled()
    assert kernel_fork.server() is None  # the test process never started one
    assert kernel_fork.kernel_arguments([sys.executable, "-m", "other_kernel", "-f", "c.json"]) is None
    assert kernel_fork.kernel_arguments([sys.executable, "-c", "pass"]) is None


def test_a_report_kernel_is_shut_down_without_an_interrupt(tmp_path: Path) -> None:
    """jupyter_client interrupts a kernel on its way to a shutdown; an idle report kernel then logged
    ``KeyboardInterrupt caught in kernel`` every few runs. The shutdown sends no SIGINT; an explicit
    interrupt (a cell timeout) still does."""
    import asyncio

    from fjdata.batch.kernel import IPCKernelManager

    async def run() -> tuple[list[int], list[int]]:
        km = IPCKernelManager(kernel_name="fjdata")
        sent: list[int] = []
        real = km._async_signal_kernel

        async def record(signum: int) -> None:
            sent.append(signum)
            await real(signum)

        km._async_signal_kernel = record  # type: ignore[method-assign]
        await km.start_kernel(cwd=str(tmp_path))
        client = km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=120)  # idle, as a report's kernel is when papermill is done
            await km.interrupt_kernel()
            await client.wait_for_ready(timeout=120)
            explicit = list(sent)
        finally:
            client.stop_channels()
            await km.shutdown_kernel()
        return explicit, sent[len(explicit) :]

    explicit, on_shutdown = asyncio.run(run())
    assert explicit == [signal.SIGINT] and signal.SIGINT not in on_shutdown
