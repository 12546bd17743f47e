"""Parameter files are checked before any kernel starts, with the file and key named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fjdata.batch.params import load_batch, load_report, notebook_parameters
from fjdata.core.errors import ParamsError
from tests.conftest import ROOT

PARAMS = ROOT / "params"


def test_shipped_parameter_files_are_valid() -> None:
    batch = load_batch(PARAMS / "nightly.yaml")
    specs = [load_report(p) for p in batch.reports]
    assert {s.parameters.get("chapter") for s in specs} >= {"1", "2", "3", "4", "5", "annex"}
    assert {s.parameters.get("lang") for s in specs} == {"zh", "en"}
    for nb in ("chapter_report.ipynb", "overview.ipynb", "explore.ipynb"):
        declared = notebook_parameters(ROOT / "notebooks" / nb)
        assert {"lang", "as_of", "methods", "confidence", "tolerance", "extra_data", "output_dir"} <= set(declared)
    assert "chapter" in notebook_parameters(ROOT / "notebooks" / "chapter_report.ipynb")


def _report(tmp_path: Path, parameters: dict[str, object], **top: object) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(
        yaml.safe_dump({"notebook": "chapter_report.ipynb", "name": "r", **top, "parameters": parameters}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("parameters", "key", "fragment"),
    [
        ({"chapter": "2", "langg": "zh"}, "parameters.langg", "unknown parameter"),
        ({"chapter": "7"}, "parameters.chapter", "not one of"),
        ({"lang": "fr"}, "parameters.lang", "not 'zh' or 'en'"),
        ({"as_of": "2022"}, "parameters.as_of", "not a year"),
        ({"as_of": 1999}, "parameters.as_of", "not a year"),
        ({"methods": ["drift", "prophet"]}, "parameters.methods", "not 'auto' or a non-empty list"),
        ({"confidence": 0.9}, "parameters.confidence", "not 0.8 or 0.95"),
        ({"tolerance": 0.7}, "parameters.tolerance", "0–0.5"),
        ({"extra_data": "/nonexistent/file.csv"}, "parameters.extra_data", "does not exist"),
    ],
)
def test_bad_parameters_name_file_and_key(tmp_path: Path, parameters: dict[str, object], key: str, fragment: str) -> None:
    path = _report(tmp_path, parameters)
    with pytest.raises(ParamsError) as info:
        load_report(path)
    assert info.value.key == key and fragment in info.value.problem and str(path) in str(info.value)


@pytest.mark.parametrize("timeout", [5, 100_000, "60", True, 1.5])
def test_a_reports_own_timeout_is_a_whole_number_of_seconds_in_range(tmp_path: Path, timeout: object) -> None:
    with pytest.raises(ParamsError) as info:
        load_report(_report(tmp_path, {"chapter": "2"}, timeout=timeout))
    assert info.value.key == "timeout" and "is not an integer in 10–86400" in info.value.problem


def test_a_reports_own_timeout_overrides_the_batchs(tmp_path: Path) -> None:
    assert load_report(_report(tmp_path, {"chapter": "2"}, timeout=30)).timeout == 30
    assert load_report(_report(tmp_path, {"chapter": "2"})).timeout is None  # the batch's applies


def test_bad_top_level_keys(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="key 'notebok'"):
        load_report(_report(tmp_path, {}, notebok="x"))
    path = tmp_path / "r2.yaml"
    path.write_text(yaml.safe_dump({"notebook": "missing.ipynb", "name": "r", "parameters": {}}), encoding="utf-8")
    with pytest.raises(ParamsError, match="key 'notebook'"):
        load_report(path)


def test_bad_batch_file(tmp_path: Path) -> None:
    path = tmp_path / "nightly.yaml"
    path.write_text("timeout: 5\nreports: [a.yaml]\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="key 'timeout'"):
        load_batch(path)
    path.write_text("reports: []\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="key 'reports'"):
        load_batch(path)
    # pdf: a YAML true or false, nothing that merely looks like one ("no" as a string, 0)
    for bad in ('"no"', "0", "[]"):
        path.write_text(f"pdf: {bad}\nreports: [a.yaml]\n", encoding="utf-8")
        with pytest.raises(ParamsError, match=r"key 'pdf': .* is not true or false"):
            load_batch(path)
    path.write_text("pdf: false\nreports: [a.yaml]\n", encoding="utf-8")
    assert load_batch(path).pdf is False
    assert load_batch(PARAMS / "nightly.yaml").pdf is True  # the shipped batch prints its PDFs


def test_run_folders_are_claimed_exclusively(tmp_path: Path) -> None:
    from fjdata.batch.nightly import _claim_run_folder

    first = _claim_run_folder(tmp_path, "2026-11-26")
    second = _claim_run_folder(tmp_path, "2026-11-26")
    assert first.name == "2026-11-26" and second.name == "2026-11-26_2"
    assert first.is_dir() and second.is_dir()
