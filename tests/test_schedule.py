"""The nightly's submission order: longest report of the previous run first, from a manifest on disk
that may be missing, damaged or hostile (fjdata.batch.schedule)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fjdata.batch.schedule import MAX_MANIFEST_BYTES, in_schedule_order, longest_first, previous_durations


def _latest(outputs: Path, content: str | bytes) -> Path:
    run = outputs / "2026-01-01"
    run.mkdir(parents=True)
    (outputs / "latest").symlink_to(run.name, target_is_directory=True)
    path = run / "manifest.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _manifest(*reports: dict[str, object]) -> str:
    return json.dumps({"ok": True, "reports": list(reports)})


def test_longest_report_goes_first_unknown_ones_keep_batch_order_ahead() -> None:
    names = ["overview", "chapter_1", "draft", "new_one", "explore", "later_new"]
    durations = {"overview": 4.0, "chapter_1": 2.5, "draft": 9.1, "explore": 4.0}
    order = [names[i] for i in longest_first(names, durations)]
    # unknown (new) reports first in batch order; then descending; a tie keeps batch order
    assert order == ["new_one", "later_new", "draft", "overview", "explore", "chapter_1"]
    assert in_schedule_order([10, 11, 12], ["a", "b", "c"], {"a": 1, "b": 3, "c": 2}) == [11, 12, 10]
    assert longest_first(["a", "b"], {}) == [0, 1]  # nothing known: batch order


def test_durations_are_read_from_the_latest_manifest(tmp_path: Path) -> None:
    _latest(tmp_path, _manifest({"name": "a", "duration_s": 3.5}, {"name": "b", "duration_s": 0}, {"name": "c", "duration_s": 12}))
    assert previous_durations(tmp_path) == {"a": 3.5, "b": 0.0, "c": 12.0}


@pytest.mark.parametrize(
    "content",
    [
        "",  # empty
        "{not json",  # damaged
        b"\xff\xfe\x00",  # not UTF-8
        "[1, 2, 3]",  # not an object
        json.dumps({"reports": {"a": 1}}),  # reports not a list
        "[" * 100_000 + "]" * 100_000,  # nesting bomb
    ],
)
def test_an_unreadable_manifest_means_batch_order(tmp_path: Path, content: str | bytes) -> None:
    _latest(tmp_path, content)
    assert previous_durations(tmp_path) == {}


def test_only_plain_names_with_finite_non_negative_durations_are_taken(tmp_path: Path) -> None:
    text = _manifest(
        {"name": "ok", "duration_s": 2},
        {"name": "neg", "duration_s": -1},
        {"name": "bool", "duration_s": True},
        {"name": "str", "duration_s": "9"},
        {"name": 7, "duration_s": 9},
        {"name": "", "duration_s": 9},
        {"name": "x" * 500, "duration_s": 9},
        {"duration_s": 9},
        "not a dict",
    ).replace('"neg", "duration_s": -1', '"inf", "duration_s": Infinity')
    _latest(tmp_path, text)
    assert previous_durations(tmp_path) == {"ok": 2.0}


def test_a_huge_file_or_a_fifo_is_never_read(tmp_path: Path) -> None:
    path = _latest(tmp_path, _manifest({"name": "a", "duration_s": 1}) + " " * MAX_MANIFEST_BYTES)
    assert previous_durations(tmp_path) == {}
    path.unlink()
    os.mkfifo(path)  # opening it for reading would block a batch forever
    assert previous_durations(tmp_path) == {}
    assert previous_durations(tmp_path / "nowhere") == {}
