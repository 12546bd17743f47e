"""Every path fjdata reads or writes, resolved in one place (never from the working directory).

Environment variables override the defaults so that a user, a test or the nightly batch can
point fjdata elsewhere without code changes:

- ``FJDATA_HOME``        project root holding ``notebooks/``, ``params/`` and ``outputs/``
- ``FJDATA_OUTPUTS``     where the nightly batch writes dated run folders
- ``FJDATA_CACHE``       cache folder for model fits (safe to delete)
- ``FJDATA_USER_DATA``   folder of user-supplied observation CSVs (overlay)
- ``FJDATA_EXTRA_DATA``  one or more extra observation CSVs, separated by ``os.pathsep``
- ``FJDATA_PLAN_TEXT``   the plan's full text (only used by tests that check quotes)
- ``FJDATA_PLANS``       more folders of plan folders, separated by ``os.pathsep``
- ``FJDATA_PLAN``        the id of the plan used when none is named (default: the setting)
"""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from fjdata.core.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # fjdata/, whose data, plans and config folders this module locates
DATA_DIR = PACKAGE_DIR / "data"
INDICATORS_DIR = DATA_DIR / "indicators"
OBSERVATIONS_DIR = DATA_DIR / "observations"
SETTINGS_FILE = PACKAGE_DIR / "config" / "assessment.yaml"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
KERNEL_NAME = "fjdata"


def project_root() -> Path:
    """The checkout holding notebooks/, params/ and outputs/ (the package's parent by default)."""
    env = os.environ.get("FJDATA_HOME")
    return Path(env).resolve() if env else PACKAGE_DIR.parent


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def params_dir() -> Path:
    return project_root() / "params"


def outputs_dir() -> Path:
    env = os.environ.get("FJDATA_OUTPUTS")
    return Path(env).resolve() if env else project_root() / "outputs"


def cache_dir() -> Path:
    """``FJDATA_CACHE`` or ``<project>/.cache/fjdata``; a path that exists and is not a folder is an
    error (caching would be silently off and every backtest recomputed, C67)."""
    env = os.environ.get("FJDATA_CACHE")
    if not env:
        return project_root() / ".cache" / "fjdata"
    path = Path(env).resolve()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"FJDATA_CACHE={env!r} is a file; it must be a folder, or a path where one can be created")
    return path


WORKERS_RANGE = (1, 64)


def workers() -> int | None:
    """``FJDATA_WORKERS`` as a whole number 1–64, ``None`` when unset (one worker per core).

    >>> os.environ["FJDATA_WORKERS"] = "0"
    >>> try:
    ...     workers()
    ... except ConfigError as exc:
    ...     print(exc)
    FJDATA_WORKERS='0' is not a whole number from 1 to 64; unset it to use one worker per core
    >>> del os.environ["FJDATA_WORKERS"]
    """
    env = os.environ.get("FJDATA_WORKERS", "").strip()
    if not env:
        return None
    lo, hi = WORKERS_RANGE
    if not (env.isdigit() and lo <= int(env) <= hi):
        raise ConfigError(f"FJDATA_WORKERS={env!r} is not a whole number from {lo} to {hi}; unset it to use one worker per core")
    return int(env)


def check_env() -> None:
    """Validate the ``FJDATA_*`` variables that have a range, once, before a command starts."""
    workers()
    cache_dir()


def user_data_dir() -> Path:
    env = os.environ.get("FJDATA_USER_DATA")
    return Path(env).resolve() if env else project_root() / "data" / "user"


def extra_data_files() -> list[Path]:
    env = os.environ.get("FJDATA_EXTRA_DATA", "")
    return [Path(p).resolve() for p in env.split(os.pathsep) if p.strip()]


PATH_VARS = ("FJDATA_HOME", "FJDATA_OUTPUTS", "FJDATA_CACHE", "FJDATA_USER_DATA", "FJDATA_PLAN_TEXT")


def absolutize_env(cwd: Path | None = None) -> dict[str, str]:
    """Rewrite every relative path in the ``FJDATA_*`` variables as an absolute one, once, in
    this process, so that child processes (pool workers, and kernels whose working directory is
    ``notebooks/``) see the same files the user meant (B46/B47). Returns the changed variables.

    >>> import os
    >>> os.environ["FJDATA_EXTRA_DATA"] = "my.csv"
    >>> absolutize_env(Path("/srv/fj"))["FJDATA_EXTRA_DATA"]
    '/srv/fj/my.csv'
    >>> del os.environ["FJDATA_EXTRA_DATA"]
    """
    base = cwd or Path.cwd()
    changed: dict[str, str] = {}
    for var in PATH_VARS:
        value = os.environ.get(var)
        if value and not Path(value).is_absolute():
            changed[var] = str(base / value)
    for var in ("FJDATA_EXTRA_DATA", "FJDATA_PLANS"):  # lists of paths
        extra = os.environ.get(var)
        if not extra:
            continue
        parts = [p for p in extra.split(os.pathsep) if p.strip()]
        absolute = os.pathsep.join(p if Path(p).is_absolute() else str(base / p) for p in parts)
        if absolute != extra:
            changed[var] = absolute
    os.environ.update(changed)
    return changed


def parse_yaml(text: str | bytes) -> Any:
    """YAML of the package's own data and plan folders, parsed with libyaml's safe loader where
    it is installed (ten times faster than the pure-Python one, same results); errors are
    ``yaml.YAMLError`` naming line and column either way. Untrusted YAML (params files) has its
    own limited loader (:mod:`fjdata.batch.params`).

    >>> parse_yaml("a: [1, 2]")
    {'a': [1, 2]}
    """
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def settings() -> dict[str, object]:
    """Assessment settings (thresholds, tolerances, minimum points) from the shipped YAML.

    Parsed once per file content (an assessment reads them a hundred times); each caller gets its own copy."""
    return copy.deepcopy(_parsed_settings(SETTINGS_FILE.read_bytes()))


@lru_cache(maxsize=4)
def _parsed_settings(content: bytes) -> dict[str, object]:
    loaded = parse_yaml(content.decode("utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{SETTINGS_FILE}: expected a mapping at top level")
    return loaded
