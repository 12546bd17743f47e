"""A small on-disk cache for expensive, deterministic results (backtests, assessments).

Keys include the data fingerprint (a hash of every data file's *content*), the package version,
a hash of the package's source and the versions of the libraries that compute (numpy, scipy,
statsmodels …), so a change to any data file, setting, line of code or library invalidates them. Entries are written atomically.

Entries are **authenticated**: each file holds an HMAC-SHA256 of its payload, made with a
secret key kept in the cache folder (mode 0600, folder 0700). An entry is unpickled only when
its HMAC checks out, so a truncated, edited or planted file is a miss, never a result and
never code run on load (``pickle`` runs code). A key file that someone else owns or can read
disables the cache rather than trusting it. Delete the folder (``fjdata.core.config.cache_dir()``)
at any time.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import pickle
import secrets
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from fjdata.core import config
from fjdata.core.errors import FjdataError

T = TypeVar("T")
CACHE_VERSION = "2"  # 2: entries carry an HMAC
MAGIC = b"FJDC2\n"
KEY_FILE = ".hmac-key"
_DIGEST = 32  # bytes of HMAC-SHA256


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of fjdata's own source: an edited formula invalidates cached results without a release.

    >>> len(code_fingerprint())
    16
    """
    digest = hashlib.sha256()
    for path in sorted(config.PACKAGE_DIR.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(namespace: str, parts: Mapping[str, object], code: str | None = None) -> str:
    from fjdata.core.stack import library_versions
    from fjdata.core.version import __version__

    # ``code``: a narrower fingerprint of the code an entry depends on (fits: the model module),
    # so an unrelated edit does not throw away minutes of fitting. Every key holds the library
    # versions: after an upgrade no result of the old stack is served.
    version = {"code": code} if code is not None else {"v": __version__, "code": code_fingerprint()}
    blob = json.dumps({"ns": namespace, **version, "libs": library_versions(), "cv": CACHE_VERSION, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _canonical(value: object) -> object:
    """A plain, value-based form of ``value`` for :func:`content_digest` (dataclasses by field, pandas
    objects by index and values, mappings sorted): equal content gives an equal form in any process."""
    import dataclasses
    import enum

    import numpy as np
    import pandas as pd

    if isinstance(value, np.ndarray):  # by its bytes: an array's repr elides the middle
        data = np.ascontiguousarray(value)
        content = repr(data.tolist()) if data.dtype == object else hashlib.sha256(data.tobytes()).hexdigest()
        return ("ndarray", str(data.dtype), data.shape, content)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple((f.name, _canonical(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, pd.Series):
        return ("Series", value.name, value.index.tolist(), value.tolist(), str(value.dtype), _canonical(dict(value.attrs)))
    if isinstance(value, pd.DataFrame):
        return ("DataFrame", value.columns.tolist(), value.index.tolist(), value.to_numpy().tolist(), _canonical(dict(value.attrs)))
    if isinstance(value, Mapping):
        return ("Mapping", sorted((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.value)
    return value


def content_digest(value: object) -> str:
    """SHA-256 of what ``value`` holds (not of its identity): a key for a result computed from it.

    >>> content_digest({"b": (1, 2.5), "a": None}) == content_digest({"a": None, "b": (1, 2.5)})
    True
    """
    return hashlib.sha256(repr(_canonical(value)).encode()).hexdigest()


def entry_path(namespace: str, parts: Mapping[str, object], code: str | None = None) -> Path:
    """The file that holds (or would hold) the entry for ``namespace`` and ``parts`` (and ``code``, see :func:`load`)."""
    return config.cache_dir() / f"{namespace}-{_key(namespace, parts, code)}.pkl"


class WriteError(FjdataError, OSError):
    """A file could not be written; the message names the path and why ("no space left", …)."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        super().__init__(f"{path}: cannot write: {problem}")


def write_problem(exc: OSError) -> str:
    """Plain words for an ``OSError`` of a write (the errno's text without the errno)."""
    if exc.errno == errno.ENOSPC:
        return "no space left on the disk (nothing was written; the temporary file was removed)"
    if exc.errno == errno.EISDIR:
        return "this is a folder; give a file name"
    return exc.strerror or str(exc)


@contextlib.contextmanager
def atomic_write_path(path: Path, mode: int = 0o644) -> Iterator[Path]:
    """A hidden temporary path in the target's folder to write to; on success it is renamed to
    ``path`` (readers never see half a file), on any failure it is removed. An ``OSError`` becomes a
    :class:`WriteError` naming ``path``."""
    path = Path(path)
    if path.is_dir():
        raise WriteError(path, "this is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(path, write_problem(exc)) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(mode)
        os.replace(tmp, path)
    except OSError as exc:
        raise WriteError(path, write_problem(exc)) from exc
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file.

    ``mode`` defaults to world-readable because reports are meant to be read by others.
    """
    with atomic_write_path(path, mode) as tmp:
        tmp.write_bytes(data)


def _private_dir(folder: Path) -> bool:
    """Create the cache folder 0700; refuse a folder another user owns or others may write."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def secret_key(folder: Path | None = None) -> bytes | None:
    """The HMAC key of a cache folder, created on first use; ``None`` when it cannot be trusted."""
    folder = folder or config.cache_dir()
    if not _private_dir(folder):
        return None
    path = folder / KEY_FILE
    with contextlib.suppress(FileExistsError, OSError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # exclusive: two processes never mix keys
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == 32 else None


def seal(payload: bytes, key: bytes) -> bytes:
    """``MAGIC + HMAC(payload) + payload``."""
    return MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload


def unseal(blob: bytes, key: bytes) -> bytes | None:
    """The payload if the HMAC checks out, else ``None`` (nothing is unpickled)."""
    head = len(MAGIC) + _DIGEST
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    mac, payload = blob[len(MAGIC) : head], blob[head:]
    return payload if hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).digest()) else None


def is_cached(namespace: str, parts: Mapping[str, object]) -> bool:
    """Whether an entry exists (without loading or verifying it)."""
    return entry_path(namespace, parts).is_file()


def load(namespace: str, parts: Mapping[str, object], code: str | None = None) -> tuple[bool, object]:
    """``(True, value)`` for an authentic entry, ``(False, None)`` for a miss (bad entries are removed).

    Entries are keyed on the whole package's source unless ``code`` names a narrower fingerprint
    of the code the entry depends on."""
    key = secret_key()
    path = entry_path(namespace, parts, code)
    if key is None or not path.is_file():
        return False, None
    # Unreadable, or a pickle of a class that no longer exists: a miss.
    with contextlib.suppress(Exception):
        payload = unseal(path.read_bytes(), key)
        if payload is not None:
            return True, pickle.loads(payload)
    path.unlink(missing_ok=True)
    return False, None


def cached(namespace: str, parts: Mapping[str, object], compute: Callable[[], T], use_cache: bool = True) -> T:
    """``compute()``, stored under ``namespace`` and ``parts``; an authentic stored value is reused.

    ``FJDATA_NO_CACHE=1`` or ``use_cache=False`` bypasses the cache.

    >>> cached("doctest", {"x": 1}, lambda: 41 + 1)
    42
    """
    if not use_cache or os.environ.get("FJDATA_NO_CACHE"):
        return compute()
    hit, value = load(namespace, parts)
    if hit:
        return value  # type: ignore[return-value]
    fresh = compute()
    store(namespace, parts, fresh)
    return fresh


def store(namespace: str, parts: Mapping[str, object], value: object, code: str | None = None) -> None:
    """Write ``value`` as the entry for ``namespace`` and ``parts`` (and ``code``, see :func:`load`); authenticated, atomic.

    A read-only or full cache folder, or ``FJDATA_NO_CACHE=1``, stores nothing and raises nothing."""
    if os.environ.get("FJDATA_NO_CACHE"):
        return
    key = secret_key()
    if key is not None:
        with contextlib.suppress(OSError):  # a read-only or full cache folder must not break an analysis
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            atomic_write_bytes(entry_path(namespace, parts, code), seal(payload, key), mode=0o600)
