"""The software a result was computed with: library versions, the lock file, the code.

Published probabilities and intervals depend on optimiser results, so a run records what it ran
on (``manifest.json``, the run index) and every cache key includes :func:`library_versions`: after
an upgrade, nothing computed by the old stack is served again.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from fjdata.core import config

# The libraries whose versions can move a published number or a rendered page.
LIBRARIES = ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "openpyxl", "papermill", "nbconvert", "jinja2", "playwright")
LOCK_FILE = "requirements/run.lock"
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.MULTILINE)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "—"


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """``{library: installed version}`` for :data:`LIBRARIES` (``—`` where one is not installed).

    >>> library_versions()["numpy"] == __import__("numpy").__version__
    True
    """
    return {name: _version(name) for name in LIBRARIES}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(text: str) -> dict[str, str]:
    """``{normalised name: version}`` of a pip lock file's ``name==version`` lines.

    >>> lock_pins("numpy==2.4.6 \\\\\\n    --hash=sha256:00\\nPyYAML==6.0.3\\n")
    {'numpy': '2.4.6', 'pyyaml': '6.0.3'}
    """
    return {_normal(m.group(1)): m.group(2) for m in _PIN.finditer(text)}


def lock_status(lock: Path | None = None) -> dict[str, Any]:
    """The lock file's name and SHA-256, and the locked packages whose installed version differs.

    The lock is the installation's (the checkout the package runs from), not the project root's:
    ``FJDATA_HOME`` may point at a folder of notebooks and params only."""
    path = lock or config.PACKAGE_DIR.parent / LOCK_FILE
    if not path.is_file():
        return {"file": LOCK_FILE, "sha256": "", "differs": ["(no lock file)"]}
    content = path.read_bytes()
    pins = lock_pins(content.decode("utf-8"))
    differs = sorted(f"{name} {_version(name)}≠{want}" for name, want in pins.items() if _version(name) != want)
    return {"file": LOCK_FILE, "sha256": hashlib.sha256(content).hexdigest(), "differs": differs}


def _git_commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=config.PACKAGE_DIR, capture_output=True, text=True, timeout=5, check=False)
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def stack_info() -> dict[str, Any]:
    """Everything a run records about the software it ran on (for ``manifest.json`` and the index)."""
    from fjdata.core.cache import code_fingerprint
    from fjdata.core.version import __version__

    return {
        "fjdata": __version__,
        "code": code_fingerprint(),
        "git": _git_commit(),
        "python": sys.version.split()[0],
        "libraries": library_versions(),
        "lock": lock_status(),
    }
