"""Every command and example the README documents runs, as a user would type it, from a scratch
folder: the shell commands (with the README's placeholders replaced by real files), the Python
example, and ``--help`` of every ``fjdata`` command, plus each command that needs no argument run
with its defaults (``fjdata data coverage`` crashed that way once)."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, obs_row, run_once, write_csv

README = (ROOT / "README.md").read_text(encoding="utf-8")
FJDATA = [sys.executable, "-m", "fjdata.cli"]
# Documented commands run by other tests, and why not here.
ELSEWHERE = {
    "nightly": "the whole batch: tests/test_nightly.py runs it",
    "jupyter lab": "a server that runs until stopped: tests/test_jupyterlab.py drives it in Chromium",
}


def _shell_commands() -> list[str]:
    """``fjdata``/``papermill`` commands from the README's code blocks and inline code, deduplicated."""
    found: list[str] = []
    blocks = README.split("```")[1::2]  # the text inside each fence pair
    for block in blocks:
        found += [line.split(" #", 1)[0].strip() for line in block.splitlines() if line.startswith(".venv/bin/")]
    prose = "".join(README.split("```")[0::2])
    found += [" ".join(c.split()) for c in re.findall(r"`((?:\.venv/bin/)?(?:fjdata|papermill) [^`]+)`", prose)]
    commands = [re.sub(r"^\.venv/bin/", "", c) for c in found]
    return list(dict.fromkeys(commands))


def _elsewhere(command: str) -> str | None:
    return next((why for key, why in ELSEWHERE.items() if command.startswith(("fjdata " + key, key))), None)


COMMANDS = [c for c in _shell_commands() if not _elsewhere(c)]


def test_the_readme_documents_the_commands_this_test_runs() -> None:
    assert len(COMMANDS) >= 12, COMMANDS
    assert {"fjdata data coverage", "fjdata assess --as-of 2022", "fjdata backtest"} <= set(COMMANDS)
    assert all(_elsewhere(c) for c in set(_shell_commands()) - set(COMMANDS))


def _argv(command: str, folder: Path) -> list[str]:
    """The command with its placeholders replaced by real files in ``folder``."""
    figures = write_csv(folder / "my_figures.csv", [obs_row()])
    words = command.split()
    draft = str(ROOT / "drafts" / "fujian-manufacturing-2030-example.yaml")
    replace = {
        "FILE": draft if words[1] in ("draft", "feasibility") else str(figures),
        "my_figures.csv": str(figures),
        "DRAFTS.yaml": draft,
    }
    # Paths into the checkout (drafts/…, notebooks/…) as the README gives them, from the repository root.
    words = [replace.get(w, str(ROOT / w) if w.startswith(("drafts/", "notebooks/")) else w) for w in words]
    if words[0] == "papermill":
        return [str(Path(sys.executable).with_name("papermill")), *words[1:]]
    return [*FJDATA, *words[1:]]


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_each_documented_command_runs(command: str, tmp_path: Path) -> None:
    if "FILE.xlsx" in command or "filled.xlsx" in command:  # import needs a returned questionnaire: our own, unfilled
        request = [*FJDATA, "data", "request", "-o", "filled.xlsx"]
        done, _ = run_once([*FJDATA, "data", "import", "filled.xlsx"], tmp_path, before=request)
        assert done.returncode == 2 and "nothing is filled in" in done.stderr and "Traceback" not in done.stderr, done.stderr
        return
    done, folder = run_once(_argv(command, tmp_path), tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, f"{command}\n{done.stderr[-3000:]}"
    assert done.stdout.strip() or list(folder.iterdir()), f"{command} printed and wrote nothing"


def _subcommands() -> list[list[str]]:
    from fjdata.cli import parser

    paths: list[list[str]] = []

    def walk(p: argparse.ArgumentParser, path: list[str]) -> None:
        paths.append(path)
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])

    walk(parser(), [])
    return paths


def test_fjdata_help_runs_as_typed() -> None:
    done = subprocess.run([*FJDATA, "--help"], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("usage: fjdata"), done.stderr


@pytest.mark.parametrize("path", _subcommands(), ids=lambda p: " ".join(p) or "fjdata")
def test_every_command_has_help(path: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """The help of every command, from the parser the console script runs, in this process (the
    script's own start is the test above's, and the commands below run as typed)."""
    from fjdata.cli import main

    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    out = capsys.readouterr()
    assert done.value.code == 0 and out.out.startswith("usage: "), out.err


def _runs_with_defaults(path: list[str]) -> bool:
    """Leaf commands that need no argument (the nightly batch is tested on its own)."""
    from fjdata.cli import parser

    p = parser()
    for name in path:
        sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        p = sub.choices[name]
    leaf = not any(isinstance(a, argparse._SubParsersAction) for a in p._actions)
    required = any(a.required or (not a.option_strings and a.nargs not in ("?", "*")) for a in p._actions if a.dest != "help")
    return bool(path) and leaf and not required and path != ["nightly"]


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in _subcommands() if _runs_with_defaults(p)], ids=" ".join)
def test_every_command_runs_with_its_defaults(path: list[str], tmp_path: Path) -> None:
    done, _ = run_once([*FJDATA, *path], tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]


def test_the_python_example_runs() -> None:
    block = README.split("From Python:", 1)[1].split("```python\n", 1)[1].split("\n```", 1)[0]
    assert "fjdata.assess()" in block
    done = subprocess.run([sys.executable, "-c", block], cwd=ROOT, check=False, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
