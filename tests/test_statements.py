"""Official statements: their own validated file type, a small API, and the national-quota wiring."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fjdata.assess.assessment import assess_target
from fjdata.assess.judgements import Status
from fjdata.assess.view import View
from fjdata.core.errors import DataValidationError
from fjdata.inputs.registry import target
from fjdata.inputs.statements import STATEMENT_COLUMNS, STATEMENTS_DIR, official_statement, read_statements, statements

QUOTA = "c4_energy_dual_control_total"  # 完成国家下达指标: no number published


def stmt(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "target_id": QUOTA,
        "year": 2025,
        "assertion": "completed",
        "speaker": "Test authority (fixture, not real)",
        "published": "2026-02-10",
        "source_title": "Test fixture document",
        "source_url": "https://example.invalid/statement",
        "quote": "test fixture: target completed",
        "note": "",
    }
    row.update(overrides)
    return row


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(STATEMENT_COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return path


def test_shipped_statement_files_validate() -> None:
    files = sorted(STATEMENTS_DIR.glob("*.csv"))
    assert files, "the shipped statements folder must exist (an empty file with the header is fine)"
    for f in files:
        for s in read_statements(f):
            assert s.quote and s.source_title and (s.source_url or "号" in s.source_title)


def test_errors_name_file_line_field_and_choices(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", [stmt(), stmt(assertion="done"), stmt(target_id="nope"), stmt(source_url="", year=2019)])
    with pytest.raises(DataValidationError) as err:
        read_statements(path)
    assert err.value.file == str(path)
    assert err.value.problems == [
        (3, "assertion", "'done' is not one of completed, not_completed, on_track"),
        (4, "target_id", "'nope' is not a target id in the registry (fjdata targets)"),
        (5, "year", f"2019 is outside the plan period 2020–2025 of {QUOTA}"),
        (5, "source_url", "missing: give a URL, or a document number (文号, e.g. 闽政〔2024〕3号) in source_title"),
    ]


def test_a_document_number_stands_in_for_the_url(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", [stmt(source_url="", source_title="测试文件 闽发改〔2026〕1号")])
    assert len(read_statements(path)) == 1


def test_api_filters_by_target_and_as_of(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        [
            stmt(year=2022, assertion="on_track", published="2023-01-20"),
            stmt(year=2025, assertion="not_completed", published="2026-01-05"),
            stmt(year=2025, assertion="completed", published="2026-02-10"),
            stmt(target_id="c2_energy_intensity_above_size", year=2025),
        ],
    )
    assert [s.assertion for s in statements(QUOTA, files=[path])] == ["on_track", "not_completed", "completed"]
    assert [s.year for s in statements(QUOTA, as_of=2022, files=[path])] == [2022]
    latest = official_statement(QUOTA, files=[path])
    assert latest is not None and latest.assertion == "completed" and latest.line == 4
    assert official_statement(QUOTA, as_of=2022, files=[path]) is None  # on_track never settles a target
    assert "已完成（官方表述）" in latest.citation() and "https://example.invalid/statement" in latest.citation()


@pytest.mark.parametrize(("assertion", "expected"), [("completed", Status.ACHIEVED), ("not_completed", Status.MISSED)])
def test_national_quota_verdict_from_a_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, assertion: str, expected: Status) -> None:
    t = target(QUOTA)
    monkeypatch.setenv("FJDATA_USER_DATA", str(tmp_path / "user"))
    plain = assess_target(t).assessment
    assert plain.cn_status is Status.NOT_QUANTIFIED
    write(tmp_path / "user" / "statements" / "s.csv", [stmt(assertion=assertion)])
    judged = assess_target(t).assessment
    assert judged.cn_status is expected
    assert judged.overall_status is expected and judged.overall_basis == "statement"
    assert any("（官方表述）" in n and "Test fixture document" in n for n in judged.notes)
    assert (judged.sdg_status, judged.model_status) == (plain.sdg_status, plain.model_status)  # never turned into a number
    assert judged.latest_value == plain.latest_value
    # The mid-term view did not know a statement published in 2026.
    assert assess_target(t, View.of(as_of=2022)).assessment.cn_status is Status.NOT_QUANTIFIED


def test_statement_about_an_earlier_year_does_not_settle_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FJDATA_USER_DATA", str(tmp_path / "user"))
    write(tmp_path / "user" / "statements" / "s.csv", [stmt(year=2023, published="2024-02-01")])
    assert assess_target(target(QUOTA)).assessment.cn_status is Status.NOT_QUANTIFIED
