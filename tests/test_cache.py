"""The on-disk cache: authenticated entries, content keys, untrusted folders."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from fjdata.core import cache


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "c"
    monkeypatch.setenv("FJDATA_CACHE", str(folder))
    monkeypatch.delenv("FJDATA_NO_CACHE", raising=False)
    return folder


def test_a_stored_value_is_reused_and_keys_follow_every_part() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.cached("ns", {"data": "aaa"}, compute) == 1
    assert cache.cached("ns", {"data": "aaa"}, compute) == 1  # hit
    assert cache.cached("ns", {"data": "bbb"}, compute) == 2  # other data content, other key
    assert cache.cached("other", {"data": "aaa"}, compute) == 3  # other namespace
    assert cache.cached("ns", {"data": "aaa"}, compute, use_cache=False) == 4
    assert cache.entry_path("ns", {"data": "aaa"}) != cache.entry_path("ns", {"data": "bbb"})


def test_the_code_fingerprint_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.entry_path("ns", {"x": 1})
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "edited-source")
    assert cache.entry_path("ns", {"x": 1}) != before


def test_entries_are_sealed_with_an_hmac(own_cache: Path) -> None:
    cache.cached("ns", {"x": 1}, lambda: {"p": 0.5})
    blob = cache.entry_path("ns", {"x": 1}).read_bytes()
    key = cache.secret_key()
    assert key is not None and blob.startswith(cache.MAGIC)
    assert pickle.loads(cache.unseal(blob, key) or b"") == {"p": 0.5}
    assert cache.unseal(blob[:-1] + bytes([blob[-1] ^ 1]), key) is None  # one bit flipped
    assert cache.unseal(blob, os.urandom(32)) is None  # another key
    assert cache.unseal(pickle.dumps({"p": 0.5}), key) is None  # a bare pickle


def test_a_tampered_entry_is_a_miss_and_is_replaced(own_cache: Path) -> None:
    cache.cached("ns", {"x": 2}, lambda: "true value")
    path = cache.entry_path("ns", {"x": 2})
    key = cache.secret_key()
    assert key is not None
    payload = cache.unseal(path.read_bytes(), key) or b""
    path.write_bytes(path.read_bytes().replace(payload, pickle.dumps("forged value")))
    assert cache.cached("ns", {"x": 2}, lambda: "recomputed") == "recomputed"
    assert cache.cached("ns", {"x": 2}, lambda: "again") == "recomputed"


def test_a_folder_others_can_write_disables_the_cache(own_cache: Path) -> None:
    own_cache.mkdir(mode=0o777)
    own_cache.chmod(0o777)  # as under umask 000, or a shared folder
    calls: list[int] = []
    for _ in range(2):
        cache.cached("ns", {"x": 3}, lambda: calls.append(1) or len(calls))
    assert len(calls) == 2 and not list(own_cache.glob("ns-*"))


def test_a_readable_key_file_is_not_trusted(own_cache: Path) -> None:
    assert cache.secret_key() is not None
    (own_cache / cache.KEY_FILE).chmod(0o644)
    assert cache.secret_key() is None


def test_entries_and_folder_are_private(own_cache: Path) -> None:
    cache.cached("ns", {"x": 4}, lambda: 1)
    assert own_cache.stat().st_mode & 0o777 == 0o700
    assert cache.entry_path("ns", {"x": 4}).stat().st_mode & 0o777 == 0o600


def test_a_new_figure_rejudges_only_the_targets_on_its_series(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Per-target cache keys: after one new observation, only targets judged on that series run again."""
    import importlib

    assessment = importlib.import_module("fjdata.assess.assessment")
    from tests.conftest import obs_row, write_csv

    monkeypatch.setenv("FJDATA_CACHE", str(tmp_path / "cache"))
    assessment.results(as_of=2022)  # fills the per-target entries
    calls: list[str] = []
    real = assessment.assess_target

    def counting(t, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(t.target_id)
        return real(t, *args, **kwargs)

    monkeypatch.setattr(assessment, "assess_target", counting)
    extra = write_csv(tmp_path / "new.csv", [obs_row(indicator_id="green_parks", year=2021, value=21, published="2022-03-01")])
    after = assessment.results(as_of=2022, extra_data=extra)
    assert calls == ["c2_green_parks"]  # one target re-judged, 60 read from the cache
    assert next(r for r in after if r.assessment.target_id == "c2_green_parks").assessment.latest_value == 21


def test_stored_fits_outlive_an_edit_elsewhere_but_not_in_the_model_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fit bundles are keyed on the model module, the transforms and the library versions, not on
    the whole package: editing a report keeps minutes of fitting, editing a method discards them."""
    from fjdata.forecast import models

    fingerprint = models.fit_code_fingerprint.__wrapped__  # uncached
    fc = models.fit_method("drift", [2018, 2019, 2020], [1.0, 2.0, 4.0], 2022)
    key = models.fit_key("drift", [2018, 2019, 2020], [1.0, 2.0, 4.0], 2022, "natural", None)
    monkeypatch.setattr(models, "_FITS", {key: fc})
    models.save_fits("test:edit", {key})
    monkeypatch.setattr(models, "_FITS", {})
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "a report was edited")
    assert models.load_fits("test:edit") == {key}  # still there
    # An edited model module (here: a copy with one more line) has another fingerprint: its bundles are not found.
    edited = tmp_path / "models.py"
    edited.write_bytes(Path(models.__file__).read_bytes() + b"# edited\n")
    before = fingerprint()
    monkeypatch.setattr(models, "__file__", str(edited))
    assert fingerprint() != before
    monkeypatch.setattr(models, "fit_code_fingerprint", fingerprint)
    monkeypatch.setattr(models, "_FITS", {})
    assert models.load_fits("test:edit") == set()  # gone: it would be re-fitted


def test_the_content_digest_follows_values_not_identity() -> None:
    """The key of a stored draft result or chart: equal content, equal digest; any difference inside
    a dataclass, a series or the middle of a large array (which repr elides), another digest."""
    from dataclasses import dataclass

    import numpy as np
    import pandas as pd

    @dataclass(frozen=True)
    class Box:
        series: pd.Series
        samples: np.ndarray
        label: str

    def box(at: int = -1, value: float = 0.0, year_value: float = 1.5) -> Box:
        samples = np.zeros((2000, 5))
        if at >= 0:
            samples[at, 2] = value
        return Box(pd.Series([1.0, year_value], index=[2024, 2025]), samples, "x")

    same = cache.content_digest(box())
    assert cache.content_digest(box()) == same  # built twice: equal
    assert cache.content_digest(box(1000, 1e-9)) != same  # the middle of the array
    assert cache.content_digest(box(year_value=1.6)) != same
    assert cache.content_digest({"a": 1, "b": 2}) == cache.content_digest({"b": 2, "a": 1})
