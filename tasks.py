#!/usr/bin/env python3
"""Set-up and entry points that need nothing but Python ≥ 3.11 and pip.

    python3 tasks.py report   # install into .venv, then run the nightly batch on the shipped data
    python3 tasks.py test     # install into .venv (with test tools), then run the whole test suite (xdist workers)
    python3 tasks.py install  # only install (what the two above do first)
    python3 tasks.py golden   # rewrite tests/golden/*.csv, the published numbers the tests compare with
    python3 tasks.py lock     # re-resolve requirements/*.lock from pyproject.toml (then test, and note it in CHANGELOG.md)
    python3 tasks.py mutmut [TARGET]  # optional: mutation testing of one target, then the score

``mutmut`` targets (``python3 tasks.py mutmut models``; further arguments go to ``mutmut run``,
e.g. mutant names such as ``'fjdata.forecast.models.x_calibrate*'`` to run a subset):

    judgements  (default) judgements.py and transforms.py against their unit tests: [tool.mutmut]
    assessment  assess/assessment.py against tests/test_assessment.py and friends
    models      forecast/models.py against tests/test_models.py and friends

A target other than the default is a table [tool.fjdata.mutmut.TARGET] in pyproject.toml whose keys
(only_mutate, pytest_add_cli_args_test_selection) replace those of [tool.mutmut] for that run.

The virtual environment lives in ``.venv`` next to this file and holds exactly the versions of
``requirements/run.lock`` (report) or ``requirements/test.lock`` (test), hash-checked. Installation
is skipped when pyproject.toml and the lock file have not changed since the last one (a stamp file
records their hash).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


LOCKS = ROOT / "requirements"
LOCKED_PYTHON = (3, 11)  # the lock files are resolved for this Python (the tested one)


def lock_file(extras: str) -> Path:
    """The lock file for an install: the runtime set, or the runtime set with the test tools."""
    return LOCKS / ("test.lock" if "test" in extras else "run.lock")


def install(extras: str) -> None:
    """Create .venv and install exactly the locked versions (hash-checked), then fjdata itself.

    On a Python other than the one the locks were resolved for, the lower bounds of pyproject.toml
    are used instead, and a warning says that the versions are not the tested ones."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may be started by an older python3
        sys.exit(f"fjdata needs Python ≥ 3.11; this is {sys.version.split()[0]}")
    lock = lock_file(extras)
    locked = sys.version_info[:2] == LOCKED_PYTHON
    content = (ROOT / "pyproject.toml").read_bytes() + (lock.read_bytes() if locked else b"") + extras.encode()
    want = hashlib.sha256(content).hexdigest()
    stamp = VENV / ".fjdata-installed"
    have = stamp.read_text().split() if stamp.is_file() else []
    if want in have:
        return
    if not PY.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    if locked:
        run(PY, "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps", "-r", lock)
        run(PY, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    else:
        print(
            f"warning: {lock.name} is resolved for Python {'.'.join(map(str, LOCKED_PYTHON))}; this is "
            f"{sys.version.split()[0]}, so the newest allowed versions are installed, not the tested ones",
            file=sys.stderr,
        )
        run(PY, "-m", "pip", "install", "--quiet", "-e", f".{extras}")
    if "mutation" in extras:
        run(PY, "-m", "pip", "install", "--quiet", "mutmut>=3.2")
    # A named kernel inside the venv, so papermill and JupyterLab find it (papermill #251, #761).
    run(PY, "-m", "ipykernel", "install", "--sys-prefix", "--name", "fjdata", "--display-name", "Python (fjdata)")
    stamp.write_text(" ".join([*have, want]))


def lock() -> int:
    """Re-resolve both lock files from pyproject.toml (newest allowed versions, with hashes) using uv."""
    run(PY, "-m", "pip", "install", "--quiet", "uv")
    version = ".".join(map(str, LOCKED_PYTHON))
    for extras, name in (("", "run.lock"), ("test", "test.lock")):
        extra = ["--extra", extras] if extras else []
        run(
            BIN / "uv",
            "pip",
            "compile",
            "pyproject.toml",
            *extra,
            "--python-version",
            version,
            "--generate-hashes",
            "--custom-compile-command",
            "python3 tasks.py lock",
            "--quiet",
            "-o",
            LOCKS / name,
        )
    print("lock files rewritten: run the tests, then say in CHANGELOG.md which versions moved")
    return 0


# The suite runs on pytest-xdist workers (further -n/--dist arguments override these). Many tests wait
# on a subprocess (papermill kernels, headless Chromium, LibreOffice), so a third worker on 2 cores
# pays; a fourth adds contention. Measured on the shared 2-core machine (whole suite, test time):
# one process 391 s (quiet); -n 3 --dist load 310 s; -n 4 --dist load 324 s (others' load higher).
# "load" (test by test) rather than loadfile/loadscope/loadgroup: tests/test_hostile_inputs.py alone is
# ~30 % of the suite's work (216 of 695 worker-seconds at -n 3) and would keep one worker busy to the end.
TEST_WORKERS = ["-n", "3", "--dist", "load"]

DEFAULT_MUTMUT_TARGET = "judgements"


def mutmut_targets() -> dict[str, dict[str, Any]]:
    """Each target's replacements for [tool.mutmut] (the default target replaces nothing)."""
    import tomllib  # here, so an older python3 reaches the version message in install()

    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    return {DEFAULT_MUTMUT_TARGET: {}, **tool.get("fjdata", {}).get("mutmut", {})}


def mutmut_command(target: str) -> list[str]:
    """How to start mutmut for a target: the plain command, or mutmut inside this script with the target's settings."""
    if not mutmut_targets()[target]:
        return [str(BIN / "mutmut")]
    return [str(PY), str(Path(__file__).resolve()), "mutmut-cli", target]


def mutmut_cli(target: str, args: list[str]) -> int:
    """Run the mutmut command line with [tool.mutmut] overlaid by the target's table.

    mutmut 3.x reads its settings only from [tool.mutmut] of ./pyproject.toml and keeps them in
    ``mutmut.configuration._config`` once loaded; its workers are forked from this process, so
    setting that once here reaches every mutant run.
    """
    import dataclasses

    from mutmut import configuration
    from mutmut.__main__ import cli

    configuration._config = dataclasses.replace(configuration.config(), **mutmut_targets()[target])
    cli.main(args=args, prog_name="mutmut", standalone_mode=False)
    return 0


def mutation_score(mutmut: list[str]) -> int:
    """Print the survivors and the score (killed / all mutants, and / mutants some test reached)."""
    listing = subprocess.run([*mutmut, "results", "--all", "true"], cwd=ROOT, check=False, capture_output=True, text=True)
    verdicts = [line.rsplit(":", 1) for line in listing.stdout.splitlines() if ":" in line]
    counts: dict[str, int] = {}
    for name, verdict in verdicts:
        counts[verdict.strip()] = counts.get(verdict.strip(), 0) + 1
        if verdict.strip() != "killed":
            print(f"{verdict.strip():>10}  {name.strip()}")
    total, killed = len(verdicts), counts.get("killed", 0)
    reached = total - counts.get("no tests", 0)
    if not total:
        print(listing.stderr or "mutmut reported no mutants", file=sys.stderr)
        return 1
    of_all, of_reached = 100 * killed / total, 100 * killed / max(reached, 1)
    print(f"mutation score: {killed}/{total} killed = {of_all:.1f} % ({of_reached:.1f} % of the {reached} reached)")
    print("by verdict: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


def main(argv: list[str]) -> int:
    task = argv[1] if len(argv) > 1 else "help"
    rest = argv[2:]
    if task == "install":
        install("[test]")
        return 0
    if task == "golden":  # rewrite tests/golden/*.csv from an empty cache (say so in CHANGELOG.md)
        install("[test]")
        import tempfile

        with tempfile.TemporaryDirectory() as cache:
            env = {k: v for k, v in os.environ.items() if k not in ("FJDATA_EXTRA_DATA", "FJDATA_USER_DATA")}
            env |= {"FJDATA_CACHE": cache, "FJDATA_USER_DATA": str(Path(cache) / "no-user-data")}
            return subprocess.run([str(PY), "-m", "tests.golden"], cwd=ROOT, env=env, check=False).returncode
    if task == "lock":
        install("[test]")
        return lock()
    if task == "report":
        install("")
        return subprocess.run([str(BIN / "fjdata"), "nightly", *rest], cwd=ROOT, check=False).returncode
    if task == "test":
        install("[test]")
        return subprocess.run([str(PY), "-m", "pytest", *TEST_WORKERS, *rest], cwd=ROOT, check=False).returncode
    if task == "mutmut":
        # Optional and slow (not in CI): see [tool.mutmut] in pyproject.toml for what is mutated.
        targets = mutmut_targets()
        target = DEFAULT_MUTMUT_TARGET
        if rest and not rest[0].startswith("-") and "." not in rest[0]:  # mutant names are dotted: a.b.x_f__mutmut_1
            target = rest.pop(0)
            if target not in targets:
                sys.exit(f"unknown mutmut target {target!r}; choose one of: {', '.join(targets)} ([tool.fjdata.mutmut] in pyproject.toml)")
        install("[test,mutation]")
        mutmut = mutmut_command(target)
        # mutmut keeps old verdicts when only the tests changed, so every run starts from scratch.
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        subprocess.run([*mutmut, "run", "--max-children", str(os.cpu_count() or 1), *rest], cwd=ROOT, check=False)
        return mutation_score(mutmut)
    if task == "mutmut-cli":  # internal: started by the venv's python from the "mutmut" task
        return mutmut_cli(rest[0], rest[1:])
    print(__doc__)
    return 0 if task == "help" else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
