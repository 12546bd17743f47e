"""The order in which a nightly hands its reports to the workers: longest first.

With two workers and one report much longer than the others, a run that starts it last ends with
one core idle while the other finishes it. Each report's duration in the previous complete run
(``outputs/latest/manifest.json``) predicts tonight's, so the reports are submitted in descending
order of it (the classic longest-processing-time rule). A report the manifest does not time (a new
one, or no usable manifest at all) keeps its batch order and goes first: its duration is unknown,
and an unknown long report started last is the costly mistake.

The manifest is a file on disk that anyone with write access to the outputs folder may have
replaced: it is read only when it is a regular file of at most :data:`MAX_MANIFEST_BYTES`, and only
finite, non-negative numbers under plain names are taken from it; anything else is ignored, never
an error. The order changes nothing but the schedule: the manifest and the index list the reports
in batch order.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

MAX_MANIFEST_BYTES = 2_000_000  # a run's manifest is ~30 kB; anything far larger is not one
MAX_NAME_CHARS = 200
T = TypeVar("T")


def _read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else None (never blocks on a FIFO)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(limit + 1)
            return data if len(data) <= limit else None
        finally:
            os.close(fd)
    return None


def previous_durations(outputs: Path) -> dict[str, float]:
    """``{report name: seconds}`` from the newest complete run under ``outputs`` (``latest/manifest.json``);
    empty when there is none or it is unreadable, too large or not a manifest. Entries that are not a
    plain name with a finite, non-negative duration are left out."""
    data = _read_bounded(outputs / "latest" / "manifest.json", MAX_MANIFEST_BYTES)
    if data is None:
        return {}
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}
    reports = doc.get("reports") if isinstance(doc, dict) else None
    if not isinstance(reports, list):
        return {}
    out: dict[str, float] = {}
    for entry in reports:
        if not isinstance(entry, dict):
            continue
        name, seconds = entry.get("name"), entry.get("duration_s")
        if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS:
            continue
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
            continue
        out[name] = float(seconds)
    return out


def longest_first(names: Sequence[str], durations: Mapping[str, float]) -> list[int]:
    """Positions of ``names`` in submission order: those without a known duration first, in batch
    order, then the others by descending duration (ties keep batch order).

    >>> longest_first(["a", "b", "c", "d"], {"a": 1.0, "b": 9.0, "d": 3.0})
    [2, 1, 3, 0]
    """
    unknown = [i for i, n in enumerate(names) if n not in durations]
    known = sorted((i for i, n in enumerate(names) if n in durations), key=lambda i: -durations[names[i]])
    return unknown + known


def in_schedule_order(items: Sequence[T], names: Sequence[str], durations: Mapping[str, float]) -> list[T]:
    """``items`` (one per name) reordered by :func:`longest_first`."""
    return [items[i] for i in longest_first(names, durations)]
