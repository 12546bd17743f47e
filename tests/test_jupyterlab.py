"""JupyterLab for real: start ``jupyter lab`` on 127.0.0.1 with a token and throwaway settings,
open ``notebooks/explore.ipynb`` in headless Chromium, run every cell on the ``fjdata`` kernel
and check that tables and images render and that no cell shows an error.

Outside CI a missing Chromium skips this test with the reason; under CI (``CI`` set) it fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the JupyterLab test: Chromium not found (apt-get install chromium fonts-noto-cjk; .ci/run does)")
        pytest.skip("headless Chromium not found at /usr/bin/chromium (apt-get install chromium fonts-noto-cjk); skipped outside CI")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server on a copy of notebooks/, with its own config, runtime and settings."""
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root)
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell (JupyterLab 4 virtualises cells off screen by default).
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}), encoding="utf-8")
    token = secrets.token_hex(16)
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    cmd = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:  # CI containers run as root
        cmd.append("--allow-root")
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("jupyter lab did not start: " + (tmp_path / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield f"{url}/lab/tree/explore.ipynb?token={token}", root
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_explore_notebook_runs_in_jupyterlab_in_headless_chromium(lab: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    url, root = lab
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            # Wait for the fjdata kernel to be ready, then run every cell and save.
            page.wait_for_function(
                "() => { const w = window.jupyterapp.shell.currentWidget; return w && w.sessionContext && w.sessionContext.session"
                " && w.sessionContext.session.kernel && w.sessionContext.session.kernel.name === 'fjdata'"
                " && w.sessionContext.session.kernel.status === 'idle'; }",
                timeout=180_000,
            )
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(
                "() => { const w = window.jupyterapp.shell.currentWidget;"
                " const cells = w.content.widgets.filter(c => c.model.type === 'code');"
                " const failed = document.querySelector(\".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']\");"
                " const done = failed || cells.every(c => c.model.executionCount !== null);"
                " return w.sessionContext.session.kernel.status === 'idle' && done; }",
                timeout=600_000,
                polling=1000,
            )
            page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert errors.count() == 0, errors.first.inner_text()[:2000]
            assert page.locator(".jp-OutputArea-output").count() >= 6
            assert page.locator(".jp-OutputArea-output table").count() >= 3, "observations, methods, backtest tables"
            assert page.locator(".jp-OutputArea-output img").count() >= 1, "the methods chart"
            page.wait_for_timeout(1000)
        finally:
            browser.close()
    nb = nbformat.read(root / "explore.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
