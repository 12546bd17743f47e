"""Shared fixtures. Every test runs with its own cache and an empty user-data folder, so no
test depends on what a developer has in .cache/ or data/user/."""

from __future__ import annotations

import ast
import contextlib
import csv
import os
import shutil
import subprocess
from collections.abc import Iterator
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


@pytest.fixture(autouse=True, scope="session")
def _isolated_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    base = tmp_path_factory.mktemp("fjdata-env")
    saved = {k: os.environ.get(k) for k in ("FJDATA_CACHE", "FJDATA_USER_DATA", "FJDATA_EXTRA_DATA", "FJDATA_OUTPUTS")}
    os.environ["FJDATA_CACHE"] = str(base / "cache")
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


@pytest.fixture(scope="session")
def shipped_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One whole nightly on the shipped data, in a throwaway project root, shared by every test that
    reads its outputs (the reports, PDFs, workbooks, index): the batch runs once per test session.
    Tests read it and never change it."""
    from tests.test_nightly import make_home, nightly

    home = make_home(tmp_path_factory.mktemp("shipped-run"))
    proc = nightly(home)
    folders = [p for p in (home / "outputs").iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "latest"]
    assert len(folders) == 1, (proc.stdout[-3000:], proc.stderr[-3000:])
    return proc, folders[0]


_RUNS: dict[tuple[str, ...], tuple[subprocess.CompletedProcess[str], Path]] = {}


def run_once(argv: list[str], folder: Path, before: list[str] | None = None) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``argv`` run in the empty ``folder`` (after ``before``, if given): the finished process and the
    folder it ran in, which may be the folder of an earlier test that typed the same command line.

    The same command line in an empty folder gives the same result, so it runs once per session and
    every test that types it checks that run: the README types some commands twice (``fjdata
    feasibility DRAFTS.yaml`` is ``… drafts/fujian-manufacturing-2030-example.yaml``), the
    defaults test types others as the README does (``fjdata data coverage``, ``fjdata backtest``),
    and the README's plain papermill command is the one tests/test_nightly.py checks the output of.
    Nothing may change the folder afterwards."""
    key = tuple(a.replace(str(folder), "{folder}") for a in [*(before or []), "&&", *argv])
    if key not in _RUNS:
        if before:
            subprocess.run(before, cwd=folder, check=True, capture_output=True, timeout=300)
        _RUNS[key] = subprocess.run(argv, cwd=folder, check=False, capture_output=True, text=True, timeout=600), folder
    return _RUNS[key]
