"""The real nightly batch on the shipped data, its HTML in headless Chromium, and fault handling.

These tests run real papermill kernels (the ``fjdata`` kernel that ``tasks.py`` registers) and,
where Chromium is installed, open every exported HTML file in it. Outside CI a missing browser
skips the browser tests with a reason; under CI (``CI`` set) it is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook

from tests.conftest import ROOT, obs_row, run_once, write_csv

pytestmark = pytest.mark.slow
ARTIFACTS = ROOT / "outputs" / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def make_home(base: Path) -> Path:
    """A throwaway project root: copies of notebooks/, params/ and drafts/, its own outputs/."""
    shutil.copytree(ROOT / "notebooks", base / "notebooks")
    shutil.copytree(ROOT / "params", base / "params")
    shutil.copytree(ROOT / "drafts", base / "drafts")
    return base


def nightly(
    home: Path, *args: str, timeout: int = 900, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``fjdata nightly`` on ``home``, in ``environ`` (default: this process's) and ``cwd`` (default: this process's)."""
    env = {**(os.environ if environ is None else environ), "FJDATA_HOME": str(home), "FJDATA_OUTPUTS": str(home / "outputs")}
    return subprocess.run(
        [sys.executable, "-m", "fjdata.cli", "nightly", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def full_run(shipped_run: tuple[subprocess.CompletedProcess[str], Path]) -> tuple[subprocess.CompletedProcess[str], Path]:
    return shipped_run  # the session's one nightly on the shipped data (conftest)


def test_nightly_writes_every_report_tables_manifest_and_index(full_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, folder = full_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    batch = yaml.safe_load((ROOT / "params" / "nightly.yaml").read_text(encoding="utf-8"))
    m = manifest(folder)
    assert m["ok"] is True and len(m["reports"]) == len(batch["reports"])
    names = {r["name"] for r in m["reports"]}
    assert {
        "overview_zh",
        "chapter_1_zh",
        "chapter_2_zh",
        "chapter_3_zh",
        "chapter_4_zh",
        "chapter_5_zh",
        "annex_zh",
        "chapter_2_en",
    } <= names
    for r in m["reports"]:
        assert r["status"] == "success" and r["error"] is None and r["duration_s"] > 0
        assert r["data_hash"] == m["data_hash"] and len(m["data_hash"]) == 64
        assert (folder / r["html"]).is_file() and (folder / r["executed"]).is_file()
        assert "lang" in r["parameters"]
    for name in ("index.html", "assessment.csv", "assessment.xlsx", "manifest.json", "tables/assessment_chapter_2.csv"):
        assert (folder / name).is_file()
    table = (folder / "assessment.csv").read_text(encoding="utf-8-sig")
    assert table.count("c2_above_size_va_growth") == 2  # latest view and as-of-2022 view
    latest = folder.parent / "latest"
    assert latest.is_symlink() and latest.resolve() == folder.resolve()
    assert not list(folder.parent.glob(".staging-*"))


def test_the_run_records_the_software_it_ran_on(full_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """The manifest and the index name the versions, the lock file and the code: two runs that
    publish different numbers can be told apart."""
    import hashlib

    import numpy
    import statsmodels

    from fjdata.core.cache import code_fingerprint

    _, folder = full_run
    stack = manifest(folder)["stack"]
    assert stack["libraries"]["numpy"] == numpy.__version__ and stack["libraries"]["statsmodels"] == statsmodels.__version__
    assert stack["lock"]["sha256"] == hashlib.sha256((ROOT / "requirements" / "run.lock").read_bytes()).hexdigest()
    assert stack["lock"]["differs"] == [] and stack["code"] == code_fingerprint()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert f"numpy {numpy.__version__}" in index and "与锁定文件一致" in index and stack["lock"]["sha256"][:12] in index


def test_html_is_self_contained_with_code_hidden(full_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, folder = full_run
    for html_file in folder.glob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        for needle in ('src="http', "src='http", 'rel="stylesheet" href="http', "@import url(http", "require.min.js", "MathJax.js"):
            assert needle not in text, (html_file.name, needle)
        assert "ChapterReport.build" not in text and "from fjdata" not in text, html_file.name
    ch2 = (folder / "chapter_2_zh.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in ch2 and "data:image/png;base64," in ch2


def test_each_notebook_runs_with_plain_papermill(tmp_path: Path) -> None:
    # The README's command, as typed there (tests/test_readme_commands.py runs the same line: one run).
    argv = [str(Path(sys.executable).parent / "papermill"), str(ROOT / "notebooks" / "chapter_report.ipynb"), "out.ipynb"]
    proc, folder = run_once([*argv, "-k", "fjdata", "-p", "chapter", "3", "-p", "lang", "en"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    nb = nbformat.read(folder / "out.ipynb", as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Chapter 3" in html and "fj-scorecard" in html


@pytest.fixture(scope="module")
def optional_browser() -> Iterator[Any | None]:
    """Headless Chromium, or ``None`` outside CI when it is not installed (in CI it must be)."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: Chromium not found (install Debian's chromium; .ci/run does)")
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def browser(optional_browser: Any | None) -> Any:
    if optional_browser is None:
        pytest.skip("headless Chromium not found on PATH (apt-get install chromium); browser checks skipped outside CI")
    return optional_browser


def open_page(browser: Any, html: Path) -> tuple[Any, list[str], list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console: list[str] = []
    failed: list[str] = []
    remote: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto(html.as_uri(), wait_until="load")
    return page, console, failed, remote


def test_reports_render_in_headless_chromium(full_run: tuple[subprocess.CompletedProcess[str], Path], browser: Any) -> None:
    _, folder = full_run
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for html in sorted(folder.glob("*.html")):
        page, console, failed, remote = open_page(browser, html)
        assert console == [] and failed == [] and remote == [], (html.name, console, failed, remote)
        body = page.inner_text("body")
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"), html.name
        assert page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeCell .jp-InputArea-editor").count() == 0, html.name
        assert "import " not in body and "display(HTML" not in body, html.name
        if html.name == "index.html":
            assert "成功" in body and "chapter_2_zh" in page.content()
            page.screenshot(path=str(ARTIFACTS / "index.png"), full_page=True)
            continue
        if html.name.startswith(("chapter_", "annex", "overview")):
            assert page.locator("table.fj-scorecard").count() >= 1 or "未设定量化目标" in body or "no quantitative targets" in body, (
                html.name
            )
        if html.name.endswith("_zh.html"):
            assert "终期评估" in body or "进展评估" in body or "资料来源" in body or "候选目标" in body, html.name
            assert any("\u4e00" <= ch <= "\u9fff" for ch in body)
        if html.name == "chapter_2_zh.html":
            assert page.locator("table.fj-scorecard tbody tr").count() == 20
            assert page.locator("figure.fj-chart img").count() >= 5
            assert "规上工业增加值年均增长" in body and "终期评估" in body
            page.screenshot(path=str(ARTIFACTS / "chapter_2_zh.png"), full_page=True)
        if html.name == "chapter_2_en.html":
            assert "Final evaluation" in body and page.locator("figure.fj-chart img").count() >= 5
        if html.name in ("chapter_5_zh.html", "chapter_1_zh.html"):
            assert page.locator("figure.fj-chart img").count() >= 1  # context indicators
        page.close()


# --- faults ------------------------------------------------------------------------------


def _notebook(path: Path, body: str) -> None:
    nb = new_notebook(
        cells=[new_code_cell('lang = "zh"  # language', metadata={"tags": ["parameters"]}), new_code_cell(body)],
        metadata={"kernelspec": {"name": "fjdata", "display_name": "Python (fjdata)", "language": "python"}},
    )
    nbformat.write(nb, path)


def _params(home: Path, name: str, notebook: str, parameters: dict[str, Any], timeout: int | None = None) -> str:
    spec = {"notebook": notebook, "name": name, "parameters": parameters} | ({"timeout": timeout} if timeout else {})
    (home / "params" / f"{name}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return f"{name}.yaml"


def _batch(home: Path, reports: list[str], timeout: int = 600) -> Path:
    """A batch of ``reports`` with web pages only (``pdf: false``): what these drills check is the
    batch, and the session's shipped run checks the PDFs."""
    path = home / "params" / "batch.yaml"
    batch = {"workers": 2, "timeout": timeout, "retries": 0, "pdf": False, "reports": reports}
    path.write_text(yaml.safe_dump(batch), encoding="utf-8")
    return path


def _dated(outputs: Path) -> list[Path]:
    return sorted(p for p in outputs.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def yesterdays_run(outputs: Path, shipped: Path) -> Path:
    """``outputs`` as a clean run leaves it: a copy of the session's shipped run (whose own folder and
    ``latest`` link test_nightly_writes_every_report_tables_manifest_and_index checks) under its dated
    name, with ``latest`` pointing at it the way the batch links it."""
    outputs.mkdir(parents=True)
    yesterday = outputs / shipped.name
    shutil.copytree(shipped, yesterday, symlinks=True)
    (outputs / "latest").symlink_to(yesterday.name, target_is_directory=True)
    return yesterday


def test_faults_are_recorded_and_never_stop_the_others(
    tmp_path: Path, optional_browser: Any | None, shipped_run: tuple[subprocess.CompletedProcess[str], Path]
) -> None:
    """The fault drill runs everywhere; only its in-browser checks need Chromium."""
    home = make_home(tmp_path / "home")
    outputs = home / "outputs"
    good = _params(home, "good", "chapter_report.ipynb", {"chapter": "3", "lang": "zh"})
    # 1. yesterday: a clean run (the session's nightly on the shipped data, copied: no second clean batch)
    assert shipped_run[0].returncode == 0, shipped_run[0].stdout[-2000:] + shipped_run[0].stderr[-4000:]
    yesterday = yesterdays_run(outputs, shipped_run[1])
    assert _dated(outputs) == [yesterday]
    before = snapshot(yesterday)
    assert (outputs / "latest").resolve() == yesterday.resolve()

    # 2. tonight: a notebook that raises, one that times out, bad parameters, bad extra data
    _notebook(home / "notebooks" / "boom.ipynb", 'raise RuntimeError("boom on purpose")')
    _notebook(home / "notebooks" / "slow.ipynb", "import time\ntime.sleep(120)")
    bad_csv = write_csv(tmp_path / "bad.csv", [obs_row(value="n/a")])
    from fjdata.inputs.observations import series

    vintage = series("green_parks").attrs["sources"][-1].vintage  # join the series the analysis uses
    xss_csv = write_csv(
        tmp_path / "xss.csv",
        [
            obs_row(
                indicator_id="green_parks",
                year=2023,
                value=30,
                vintage=vintage,
                published="2024-02",
                source_title='<script>alert("pwned")</script> 测试来源',
            )
        ],
    )
    reports = [
        # first: its timeout (its own 10 s, the shortest allowed; the batch's is 600 s) runs beside the others on the second worker
        _params(home, "slow", "slow.ipynb", {"lang": "zh"}, timeout=10),
        good,
        _params(home, "boom", "boom.ipynb", {"lang": "zh"}),
        _params(home, "bad_params", "chapter_report.ipynb", {"chapter": "2", "langg": "zh"}),
        _params(home, "bad_data", "chapter_report.ipynb", {"chapter": "2", "extra_data": str(bad_csv)}),
        _params(home, "xss", "chapter_report.ipynb", {"chapter": "2", "extra_data": str(xss_csv)}),
    ]
    second = nightly(home, "--batch", str(_batch(home, reports)))
    assert second.returncode == 1
    tonight = [p for p in _dated(outputs) if p != yesterday]
    assert len(tonight) == 1
    m = {r["name"]: r for r in manifest(tonight[0])["reports"]}
    assert m["good"]["status"] == "success" and (tonight[0] / m["good"]["html"]).is_file()
    assert m["boom"]["status"] == "failed" and "RuntimeError: boom on purpose" in m["boom"]["error"]
    kept = nbformat.read(tonight[0] / m["boom"]["executed"], as_version=4)
    assert any("boom on purpose" in json.dumps(c.get("outputs", [])) for c in kept.cells)
    assert m["slow"]["status"] == "timeout" and (tonight[0] / m["slow"]["executed"]).is_file()
    assert m["bad_params"]["status"] == "invalid" and m["bad_params"]["attempts"] == 0
    assert "bad_params.yaml" in m["bad_params"]["error"] and "parameters.langg" in m["bad_params"]["error"]
    assert m["bad_data"]["status"] == "invalid" and "bad.csv:2: field 'value'" in m["bad_data"]["error"]
    assert m["xss"]["status"] == "success"
    html = (tonight[0] / m["xss"]["html"]).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in html and "<script>alert" not in html
    if optional_browser is not None:  # the only part that needs a browser
        page, console, failed, _ = open_page(optional_browser, tonight[0] / m["xss"]["html"])
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.reload()
        assert dialogs == [] and console == [] and failed == []
        assert '<script>alert("pwned")</script>' in page.inner_text("body")  # shown as text
        page.close()
    index = (tonight[0] / "index.html").read_text(encoding="utf-8")
    assert "boom on purpose" in index and "超时" in index
    # pdf: false in the batch file: no PDF, and the index says it was asked for (not a missing browser)
    assert manifest(tonight[0])["pdfs"] == {} and not list(tonight[0].glob("*.pdf"))
    assert "本次按设置未生成打印版PDF" in index
    assert (outputs / "latest").resolve() == yesterday.resolve()  # a failed run never becomes latest
    assert snapshot(yesterday) == before

    # 3. the faults fixed: the rerun succeeds, earlier outputs untouched
    _notebook(home / "notebooks" / "boom.ipynb", 'print("fixed")')
    _notebook(home / "notebooks" / "slow.ipynb", "import time\ntime.sleep(0.1)")
    _params(home, "bad_params", "chapter_report.ipynb", {"chapter": "2", "lang": "zh"})
    bad_csv.unlink()
    write_csv(bad_csv, [obs_row(value=31)])
    failed_run = snapshot(tonight[0])
    third = nightly(home, "--batch", str(_batch(home, reports)))
    assert third.returncode == 0, third.stdout + third.stderr
    newest = [p for p in _dated(outputs) if p not in (yesterday, tonight[0])]
    assert len(newest) == 1 and manifest(newest[0])["ok"] is True
    assert (outputs / "latest").resolve() == newest[0].resolve()
    assert snapshot(yesterday) == before and snapshot(tonight[0]) == failed_run

    # 4. a partial run (--only) succeeds but never becomes `latest`: it is not the whole batch
    # (the fixed one-cell notebook: what is checked is the batch, not what the report shows)
    partial = nightly(home, "--batch", str(_batch(home, reports)), "--only", "boom")
    assert partial.returncode == 0 and "latest NOT updated" in partial.stdout
    (only,) = [p for p in _dated(outputs) if p not in (yesterday, tonight[0], newest[0])]
    assert manifest(only)["ok"] is True and manifest(only)["complete_batch"] is False
    assert (outputs / "latest").resolve() == newest[0].resolve()


def test_the_longest_report_of_the_last_run_starts_first(tmp_path: Path) -> None:
    """Reports are handed to the workers longest first by the durations in ``latest/manifest.json``
    (one worker: they run in exactly that order); the new manifest still lists them in batch order."""
    home = make_home(tmp_path / "home")
    outputs = home / "outputs"
    for name in ("quick", "middle", "long"):
        _notebook(home / "notebooks" / f"{name}.ipynb", 'print("ok")')
    reports = [_params(home, name, f"{name}.ipynb", {"lang": "zh"}) for name in ("quick", "middle", "long")]
    batch = home / "params" / "batch.yaml"
    batch.write_text(yaml.safe_dump({"workers": 1, "timeout": 120, "retries": 0, "reports": reports}), encoding="utf-8")
    last = outputs / "2020-01-01"
    last.mkdir(parents=True)
    durations = {"quick": 1.0, "middle": 5.0, "long": 30.0}
    (last / "manifest.json").write_text(json.dumps({"reports": [{"name": n, "duration_s": d} for n, d in durations.items()]}))
    (outputs / "latest").symlink_to(last.name, target_is_directory=True)
    proc = nightly(home, "--batch", str(batch))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    (tonight,) = [p for p in _dated(outputs) if p != last]
    started = {n: nbformat.read(tonight / "notebooks" / f"{n}.ipynb", as_version=4).metadata.papermill.start_time for n in durations}
    assert sorted(started, key=started.__getitem__) == ["long", "middle", "quick"]
    assert [r["name"] for r in manifest(tonight)["reports"]] == ["quick", "middle", "long"]


def test_a_crashed_run_leaves_no_dated_folder(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    _notebook(home / "notebooks" / "slow.ipynb", "import time\ntime.sleep(120)")
    batch = _batch(home, [_params(home, "slow", "slow.ipynb", {"lang": "zh"})], timeout=300)
    env = {**os.environ, "FJDATA_HOME": str(home), "FJDATA_OUTPUTS": str(home / "outputs")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fjdata.cli", "nightly", "--batch", str(batch)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((home / "outputs").glob(".staging-*/notebooks/*.ipynb")):
        time.sleep(0.5)
    assert list((home / "outputs").glob(".staging-*")), "the run never started"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert _dated(home / "outputs") == []
    assert not (home / "outputs" / "latest").exists()


def test_bad_batch_file_fails_before_any_kernel(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    bad = home / "params" / "nightly.yaml"
    bad.write_text("workers: two\nreports: [overview.yaml]\n", encoding="utf-8")
    proc = nightly(home)
    assert proc.returncode == 2 and "nightly.yaml: key 'workers'" in proc.stderr
    assert not (home / "outputs").exists() or _dated(home / "outputs") == []
