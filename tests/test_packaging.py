"""Packaging: the two dependency lists agree; README's two commands; CI runs the test one."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

import yaml

from tests.conftest import ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower()


def test_pyproject_and_environment_yml_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_deps = {_name(d): d.replace(" ", "") for d in project["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda: dict[str, str] = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            conda[_name(item)] = item.replace(" ", "")
    conda.pop("python")
    conda.pop("pip")
    assert conda == pip_deps


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^```(?:bash|sh)\n(.+?)\n```", setup, flags=re.DOTALL | re.MULTILINE)
    assert commands == ["python3 tasks.py report", "python3 tasks.py test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 tasks.py test" in ci


def test_notebooks_are_committed_without_outputs() -> None:
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in cells if c["cell_type"] == "code"), nb.name


def test_console_script_and_kernel_are_installed() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "fjdata.cli", "targets", "--chapter", "2", "--format", "json"], capture_output=True, text=True, check=True
    )
    rows = json.loads(out.stdout)
    assert len(rows) == 20 and rows[0]["chapter"] == "2"
    from jupyter_client.kernelspec import KernelSpecManager

    assert "fjdata" in KernelSpecManager().find_kernel_specs()


def test_cli_targets_formats() -> None:
    csv = subprocess.run(
        [sys.executable, "-m", "fjdata.cli", "targets", "--format", "csv"], capture_output=True, text=True, check=True
    ).stdout
    assert csv.splitlines()[0].startswith("target_id,chapter,section")
    table = subprocess.run(
        [sys.executable, "-m", "fjdata.cli", "targets", "--chapter", "annex"], capture_output=True, text=True, check=True
    ).stdout
    assert "target_id" in table


def test_the_parameter_check_in_every_kernel_does_not_compile_the_iri_grammar() -> None:
    """Each report kernel's first cell imports fjdata.batch.params, which imports nbformat → jsonschema;
    jsonschema would import rfc3987_syntax (≈1.5 s compiling a grammar) that notebooks never need.
    Validation of a real notebook still works."""
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from fjdata.batch.params import notebook_parameters\n"
        "import nbformat\n"
        "nbformat.validate(nbformat.read('notebooks/chapter_report.ipynb', as_version=4))\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'), 'chapter' in notebook_parameters(Path('notebooks/chapter_report.ipynb')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["None", "True"]


def _pins(lock: str) -> dict[str, str]:
    from fjdata.core.stack import lock_pins

    return lock_pins((ROOT / "requirements" / lock).read_text(encoding="utf-8"))


def test_the_lock_files_pin_every_dependency_within_its_bounds_with_hashes() -> None:
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for lock, deps in (
        ("run.lock", project["dependencies"]),
        ("test.lock", project["dependencies"] + project["optional-dependencies"]["test"]),
    ):
        pins = _pins(lock)
        for dep in deps:
            req = Requirement(dep)
            name = re.sub(r"[-_.]+", "-", req.name).lower()
            assert name in pins, f"{lock} does not pin {req.name}: run python3 tasks.py lock"
            assert req.specifier.contains(pins[name], prereleases=True), f"{lock}: {name}=={pins[name]} is outside {dep}"
        text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
        assert text.count("==") == len(pins) and text.count("--hash=sha256:") >= len(pins)  # pip --require-hashes
    assert set(_pins("run.lock").items()) <= set(_pins("test.lock").items())  # the tests run the versions a report runs


def test_this_environment_holds_exactly_the_locked_versions() -> None:
    """What `python3 tasks.py test` installed is what the lock says, package by package (CI installs
    from it on a clean clone). A hand-upgraded package shows here with its name."""
    from fjdata.core.stack import lock_status

    if sys.version_info[:2] != (3, 11):
        import pytest

        pytest.skip("the locks are resolved for Python 3.11; tasks.py installs unlocked versions on another Python and says so")
    assert lock_status(ROOT / "requirements" / "test.lock")["differs"] == []
    assert lock_status()["differs"] == []
