"""The package bar: ruff and mypy pass on the code as committed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def test_ruff() -> None:
    out = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-3000:]


def test_mypy() -> None:
    out = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-3000:]


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(BIN), "PYTHONPATH": str(root), "HOME": str(root)}
    return subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=root, capture_output=True, text=True, check=False, env=env)


def lint_with_an_added_import(tmp_path: Path, module: str, imported: str) -> subprocess.CompletedProcess[str]:
    """import-linter on a copy of the package where ``module`` (a path under fjdata/) also imports ``imported``."""
    shutil.copytree(ROOT / "fjdata", tmp_path / "fjdata", ignore=shutil.ignore_patterns("data", "plans", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "fjdata" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\nimport {imported}  # noqa\n", encoding="utf-8")
    return _lint_imports(tmp_path)


def test_stages_import_one_way() -> None:
    out = _lint_imports(ROOT)
    assert out.returncode == 0, out.stdout[-3000:]
    assert "0 broken" in out.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    # The contract bites: a core module that reaches up into the report stage is refused.
    out = lint_with_an_added_import(tmp_path, "core/errors.py", "fjdata.report.charts")
    assert out.returncode != 0
    assert "fjdata.core.errors -> fjdata.report.charts" in out.stdout
