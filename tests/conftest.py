"""Shared fixtures. Every test runs with its own cache and an empty user-data folder, so no
test depends on what a developer has in .cache/ or data/user/."""

from __future__ import annotations

import ast
import contextlib
import csv
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

# One BLAS/OpenMP thread per test process and every child it starts (kernels, workers): tiny
# statsmodels fits on 2 cores are many times slower with a thread pool per process.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from fjdata.core import config
from fjdata.inputs.observations import COLUMNS
from fjdata.inputs.plan import get_plan

with contextlib.suppress(ImportError):
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)

ROOT = Path(__file__).resolve().parents[1]


def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder this test session's processes share: the base temporary folder, or under
    pytest-xdist (``-n``) the folder that holds every worker's own base (``PYTEST_XDIST_WORKER``
    is set in the workers only), so what one worker computed there the others find."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_session(factory: pytest.TempPathFactory, name: str, compute: Callable[[Path], dict[str, object]]) -> dict[str, object]:
    """``compute(folder)`` run once per test session, across all xdist workers: the first worker to
    ask runs it in ``folder`` (new, in the shared session folder) holding a lock, the others wait for
    the lock and read what it returned (JSON, kept beside ``folder``). Callers must not change ``folder``."""
    shared = session_folder(factory)
    done = shared / f"{name}.json"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not done.is_file():
            folder = shared / name
            shutil.rmtree(folder, ignore_errors=True)  # left by a worker whose run failed: start again
            folder.mkdir()
            result = compute(folder)
            tmp = done.with_suffix(".tmp")
            tmp.write_text(json.dumps(result), encoding="utf-8")
            tmp.replace(done)
    return dict(json.loads(done.read_text(encoding="utf-8")))


def _process(result: dict[str, object]) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(result["args"], int(str(result["returncode"])), str(result["stdout"]), str(result["stderr"]))


def _finished(proc: subprocess.CompletedProcess[str], folder: Path) -> dict[str, object]:
    return {"args": proc.args, "returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "folder": str(folder)}


@pytest.fixture(autouse=True, scope="session")
def _isolated_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each worker its own outputs and (absent) user data; one cache for the whole session, so a
    backtest one worker computed is read by the others (entries are written atomically)."""
    base = tmp_path_factory.mktemp("fjdata-env")
    saved = {k: os.environ.get(k) for k in ("FJDATA_CACHE", "FJDATA_USER_DATA", "FJDATA_EXTRA_DATA", "FJDATA_OUTPUTS")}
    os.environ["FJDATA_CACHE"] = str(session_folder(tmp_path_factory) / "fjdata-cache")
    os.environ["FJDATA_USER_DATA"] = str(base / "user")  # does not exist: no user files
    os.environ.pop("FJDATA_EXTRA_DATA", None)
    os.environ["FJDATA_OUTPUTS"] = str(base / "outputs")
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def plan_text() -> str:
    path = plan_text_file()
    if not path.is_file():
        pytest.skip(f"plan text not found at {path} (it is in ../shared/plan/ in CI); set FJDATA_PLAN_TEXT")
    return path.read_text(encoding="utf-8")


def write_csv(path: Path, rows: list[dict[str, object]], columns: tuple[str, ...] = COLUMNS) -> Path:
    """Write observation rows (missing columns become empty)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def obs_row(**overrides: object) -> dict[str, object]:
    """A valid observation row for tests (a test fixture, never shipped data)."""
    row: dict[str, object] = {
        "indicator_id": "green_parks",
        "region": "Fujian",
        "year": 2030,
        "value": 25,
        "unit": "个",
        "status": "final",
        "vintage": "test_fixture",
        "published": "2030-02-01",
        "source_title": "Test fixture (not real data)",
        "source_url": "https://example.invalid/test",
        "quote": "test fixture 25",
        "note": "",
        "bound": "",
    }
    row.update(overrides)
    return row


def plan_text_file() -> Path:
    """The default plan's full text (``FJDATA_PLAN_TEXT``, else the file its manifest names in
    ``shared/plan/``); only tests that check quotes read it, the package never does."""
    path = get_plan().text_path()
    return path if path is not None else config.project_root().parent / "shared" / "plan" / "-"


def docstring_ids(tree: ast.AST) -> set[int]:
    """``id()`` of every docstring constant in a parsed module (module, class and function docstrings)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                ids.add(id(first.value))
    return ids


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first, quick ones next, the readers of the session's shipped nightly last (their
    slow ones first): the nightly, started in the background with the session, is done by the time
    its readers run, and no xdist worker is left alone with a long test at the end (order within
    each group kept, so every worker collects the same order)."""

    def rank(item: pytest.Item) -> int:
        slow = item.get_closest_marker("slow") is None
        return 2 * ("shipped_run" in getattr(item, "fixturenames", ())) + slow

    items.sort(key=rank)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI (``CI=true``, as .ci/run is started) a skipped test is a failure: .ci/run installs
    everything the tests need, so a skip there means a missing install step, not an optional tool."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and os.environ.get("CI", "").lower() in ("1", "true") and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where .ci/run installs everything the tests need: {report.longrepr}"


def soffice() -> str:
    """LibreOffice's command: a failure in CI (.ci/run installs it), a skip elsewhere."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the LibreOffice tests: soffice not found (apt-get install libreoffice-calc-nogui; .ci/run does)")
        pytest.skip("LibreOffice (soffice) not found; apt-get install libreoffice-calc-nogui — skipped outside CI")
    return found


def libreoffice_convert(src: Path, target: str, outdir: Path) -> subprocess.CompletedProcess[str]:
    """``src`` converted by headless LibreOffice to ``target`` (an extension, or a filter such as
    ``csv:…``) into ``outdir``, with its own profile so parallel runs share no lock."""
    profile = (outdir / "lo-profile").as_uri()
    return subprocess.run(
        [soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", target, "--outdir", str(outdir), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def shipped_reports(shipped_run: tuple[subprocess.CompletedProcess[str], Path], names: tuple[str, ...]) -> Path:
    """The session's shipped run folder, once each of ``names`` is in it as HTML."""
    proc, folder = shipped_run  # the session's one nightly on the shipped data
    for name in names:
        assert (folder / f"{name}.html").is_file(), (name, proc.stdout[-3000:], proc.stderr[-3000:])
    return folder


def _shipped_nightly(factory: pytest.TempPathFactory, environ: dict[str, str]) -> dict[str, object]:
    """The session's one nightly on the shipped data (see :func:`shipped_run`), as :func:`once_per_session` keeps it."""
    from tests.test_nightly import make_home, nightly

    def run(folder: Path) -> dict[str, object]:
        home = make_home(folder)
        proc = nightly(home, environ=environ, cwd=ROOT)
        folders = [p for p in (home / "outputs").iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "latest"]
        assert len(folders) == 1, (proc.stdout[-3000:], proc.stderr[-3000:])
        return _finished(proc, folders[0])

    return once_per_session(factory, "shipped-run", run)


@pytest.fixture(autouse=True, scope="session")
def _warm_cache(tmp_path_factory: pytest.TempPathFactory, _isolated_env: None) -> None:
    """Under xdist, the session cache is filled with what ``fjdata.assess()`` computes (the backtest,
    the fits, every target) before the first test, by one worker while the others wait: otherwise
    every worker's first test that assesses computes it at the same time on the same cores. Run
    serially, the first test that needs it computes it, as before. Tests with their own cache
    folder (cold-cache tests) are not affected."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return

    def warm(_: Path) -> dict[str, object]:
        code = "import fjdata; fjdata.assess()"
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
        return {"returncode": done.returncode, "stderr": done.stderr[-3000:]}

    once_per_session(tmp_path_factory, "warm-cache", warm)  # a failure here shows again in the tests that assess


@pytest.fixture(autouse=True, scope="session")
def _shipped_run_started(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _warm_cache: None
) -> Iterator[Future[dict[str, object]] | None]:
    """When a collected test needs ``shipped_run``, its nightly starts with the session, in a thread
    that waits on the batch's processes, so the tests before the first one that reads it run
    meanwhile (with xdist: one worker's thread runs it, the others' threads wait for its lock). The
    environment is the session's as it is now, not what a test running meanwhile has patched."""
    if not any("shipped_run" in getattr(item, "fixturenames", ()) for item in request.session.items):
        yield None
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="shipped-run") as pool:
        yield pool.submit(_shipped_nightly, tmp_path_factory, dict(os.environ))


@pytest.fixture(scope="session")
def shipped_run(_shipped_run_started: Future[dict[str, object]] | None) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One whole nightly on the shipped data, in a throwaway project root, shared by every test that
    reads its outputs (the reports, PDFs, workbooks, index): the batch runs once per test session.
    Under xdist one worker runs it and the others read it (:func:`once_per_session`).
    Tests read it and never change it (a test that needs to change it copies it)."""
    assert _shipped_run_started is not None  # started for every session that collected a test using it
    result = _shipped_run_started.result()
    return _process(result), Path(str(result["folder"]))


_RUNS: dict[tuple[str, ...], tuple[subprocess.CompletedProcess[str], Path]] = {}
_RUN_FACTORY: list[pytest.TempPathFactory] = []


@pytest.fixture(autouse=True, scope="session")
def _run_once_shared(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Lets :func:`run_once` share its runs with the other xdist workers."""
    _RUN_FACTORY[:] = [tmp_path_factory]


def run_once(argv: list[str], folder: Path, before: list[str] | None = None) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``argv`` run in the empty ``folder`` (after ``before``, if given): the finished process and the
    folder it ran in, which may be the folder of an earlier test that typed the same command line.

    The same command line in an empty folder gives the same result, so it runs once per session and
    every test that types it checks that run: the README types some commands twice (``fjdata
    feasibility DRAFTS.yaml`` is ``… drafts/fujian-manufacturing-2030-example.yaml``), the
    defaults test types others as the README does (``fjdata data coverage``, ``fjdata backtest``),
    and the README's plain papermill command is the one tests/test_nightly.py checks the output of.
    Nothing may change the folder afterwards. Under xdist the first worker to type a command line
    runs it and the others read its result (:func:`once_per_session`); its folder stays where it ran."""
    key = tuple(a.replace(str(folder), "{folder}") for a in [*(before or []), "&&", *argv])
    if key not in _RUNS:

        def run(_: Path) -> dict[str, object]:
            if before:
                subprocess.run(before, cwd=folder, check=True, capture_output=True, timeout=300)
            return _finished(subprocess.run(argv, cwd=folder, check=False, capture_output=True, text=True, timeout=600), folder)

        name = "run-once-" + hashlib.sha256(json.dumps(key).encode()).hexdigest()[:16]
        result = once_per_session(_RUN_FACTORY[0], name, run)
        _RUNS[key] = _process(result), Path(str(result["folder"]))
    return _RUNS[key]
