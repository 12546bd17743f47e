"""A small on-disk cache for expensive, deterministic results (backtests, assessments).

Keys include the data fingerprint, the package version and a hash of the package's source, so
a change to any data file, setting or line of code invalidates them. Entries are written atomically; a corrupt entry is
treated as a miss. Delete the folder (``fjdata.config.cache_dir()``) at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from fjdata import config

T = TypeVar("T")
CACHE_VERSION = "1"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of fjdata's own source: an edited formula invalidates cached results without a release."""
    digest = hashlib.sha256()
    for path in sorted(config.PACKAGE_DIR.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(namespace: str, parts: Mapping[str, object]) -> str:
    from fjdata import __version__

    blob = json.dumps({"ns": namespace, "v": __version__, "code": code_fingerprint(), "cv": CACHE_VERSION, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        Path(tmp).chmod(0o644)  # mkstemp makes 0600; reports are meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_cached(namespace: str, parts: Mapping[str, object]) -> bool:
    """Whether an entry exists (without loading it)."""
    return (config.cache_dir() / f"{namespace}-{_key(namespace, parts)}.pkl").is_file()


def cached(namespace: str, parts: Mapping[str, object], compute: Callable[[], T], use_cache: bool = True) -> T:
    if not use_cache or os.environ.get("FJDATA_NO_CACHE"):
        return compute()
    path = config.cache_dir() / f"{namespace}-{_key(namespace, parts)}.pkl"
    if path.is_file():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # a truncated or stale entry is only a miss
            path.unlink(missing_ok=True)
    value = compute()
    with contextlib.suppress(OSError):  # a read-only cache folder must not break an analysis
        atomic_write_bytes(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value
