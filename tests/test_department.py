"""The department loop: questionnaire out (real XLSX), filled questionnaire in, verdicts before/after.

The round trip opens and converts the questionnaire with real headless LibreOffice (Debian's
libreoffice-calc-nogui, installed by .ci/run). Outside CI a missing ``soffice`` skips those
tests with a reason; under CI (``CI`` set) it is a failure.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fjdata.cli import main
from fjdata.department.data_needs import data_needs, needed_years, statement_needs
from fjdata.department.intake import DepartmentImportError, import_workbook, read_workbook, sha256_of
from fjdata.department.questionnaire import DATA_COLUMNS, STATEMENT_COLUMNS, letter, write_request
from fjdata.inputs.indicators import catalogue
from fjdata.inputs.observations import read_csv
from fjdata.inputs.registry import registry, target
from fjdata.inputs.statements import read_statements
from tests.conftest import libreoffice_convert, obs_row, write_csv

DATA, STMT = "请填写数据", "官方表述"
JUMP_HINT = "correct it, or if it is right write 确认无误 / confirmed in the note"
VALUE, STATUS, SOURCE, NOTE = (letter(DATA_COLUMNS, f) for f in ("value", "status", "source_document", "note"))
STATEMENT_FIELDS = ("assertion", "speaker", "published", "source_document", "source_url", "quote")
SA, SS, SP, SD, SU, SQ = (letter(STATEMENT_COLUMNS, f) for f in STATEMENT_FIELDS)


def convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert with headless LibreOffice (own profile, so parallel runs do not share a lock)."""
    outdir.mkdir(parents=True, exist_ok=True)
    proc = libreoffice_convert(src, fmt, outdir)
    out = outdir / f"{src.stem}.{fmt}"
    assert proc.returncode == 0 and out.is_file(), (proc.stdout, proc.stderr)
    return out


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "user"
    monkeypatch.setenv("FJDATA_USER_DATA", str(d))
    return d


@pytest.fixture(scope="module")
def questionnaire(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_request(tmp_path_factory.mktemp("q") / "request_zh.xlsx").path


def rows_by_key(ws: Any) -> dict[str, int]:
    return {str(ws.cell(row=r, column=1).value): r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value}


def fill(
    ws: Any, row: int, value: object, status: object = "正式", source: object = "福建统计年鉴 表1 (test fixture)", note: object = None
) -> None:
    ws[f"{VALUE}{row}"], ws[f"{STATUS}{row}"], ws[f"{SOURCE}{row}"], ws[f"{NOTE}{row}"] = value, status, source, note


# --- which rows are asked ------------------------------------------------------------------


def test_years_come_from_the_registry() -> None:
    t = target("c3_metallurgy_scale")
    shifted = dataclasses.replace(t, base_year=2019, target_year=2023)
    needs = data_needs(targets=[shifted])
    assert [n.year for n in needs if n.indicator_id == t.indicator_id] == [y for y in range(2019, 2024) if any(n.year == y for n in needs)]
    assert {n.year for n in needs} <= set(range(2019, 2024)) and min(n.year for n in needs) == 2019
    chained = target("c2_above_size_va_growth")  # a chained index is 100 in the base year: not asked
    assert list(needed_years(chained, catalogue()[chained.indicator_id])) == list(range(chained.base_year + 1, chained.target_year + 1))


def test_every_needed_pair_is_asked_once_with_its_reasons() -> None:
    needs = data_needs()
    keys = [n.key for n in needs]
    assert len(keys) == len(set(keys))
    wanted = {(t.indicator_id, y) for t in registry() for y in needed_years(t, catalogue()[t.indicator_id])}
    assert {(n.indicator_id, n.year) for n in needs} <= wanted
    for n in needs:
        assert n.reasons and (("missing" in n.reasons) == (not n.held))
        if "floor_only" in n.reasons:
            assert all(h.bound for h in n.held)
        if "conflict" in n.reasons:
            assert len({h.value for h in n.held}) > 1
    # a pair held only from a copy is asked for; with an official figure too it is not
    low = next(n for n in needs if n.reasons == ("low_tier",))
    assert all(h.source_tier in ("media", "secondary_copy", "derived") for h in low.held)
    quotas = {s.target_id for s in statement_needs(needs) if target(s.target_id).kind == "national_quota"}
    assert quotas == {t.target_id for t in registry() if t.kind == "national_quota"}


def test_years_option_and_chapter_filter() -> None:
    needs = data_needs(chapter=2, years=range(2024, 2026))
    assert needs and {n.year for n in needs} <= {2024, 2025}
    assert all(target(t).chapter == "2" for n in needs for t in n.target_ids)


# --- the workbook ------------------------------------------------------------------------


def test_questionnaire_layout(questionnaire: Path) -> None:
    wb = openpyxl.load_workbook(questionnaire)
    assert wb.sheetnames == ["填报说明", DATA, STMT, "_meta"] and wb["_meta"].sheet_state == "hidden"
    ws = wb[DATA]
    assert [c.value for c in ws[1]] == [c.zh for c in DATA_COLUMNS]
    assert ws.freeze_panes == "D2" and ws.column_dimensions["A"].hidden
    assert all((ws.column_dimensions[letter(DATA_COLUMNS, c.field)].width or 0) >= 7 for c in DATA_COLUMNS)
    keys = rows_by_key(ws)
    needs = data_needs()
    assert list(keys) == [n.key for n in needs]
    by_cell: dict[str, list[Any]] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for col in range(rng.min_col, rng.max_col + 1):
                for r in range(rng.min_row, rng.max_row + 1):
                    by_cell.setdefault(f"{openpyxl.utils.get_column_letter(col)}{r}", []).append(dv)
    share = by_cell[f"{VALUE}{keys['mfg_key_processes_digitalised_share|Fujian|2023']}"][0]
    assert (share.type, share.operator, share.formula1, share.formula2) == ("decimal", "between", "0", "100")
    count = by_cell[f"{VALUE}{keys['enterprise_key_labs|Fujian|2023']}"][0]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    status = by_cell[f"{STATUS}{keys['enterprise_key_labs|Fujian|2023']}"][0]
    assert (status.type, status.formula1) == ("list", '"正式,初步,修订"') and status.showErrorMessage
    for r in keys.values():  # every value and status cell has a rule
        assert f"{VALUE}{r}" in by_cell and f"{STATUS}{r}" in by_cell
    st = wb[STMT]
    assert [c.value for c in st[1]] == [c.zh for c in STATEMENT_COLUMNS]
    assertion = st.data_validations.dataValidation[0]
    assert assertion.type == "list" and assertion.formula1 == '"已完成,未完成,进展顺利"'
    metal = ws[f"{letter(DATA_COLUMNS, 'plan_wording')}{keys['sector_metallurgy_scale|Fujian|2025']}"].value
    assert target("c3_metallurgy_scale").quote in metal and target("c3_metallurgy_scale").target_text in metal


def test_an_office_can_fill_it_alone_cover_first_its_rows_chinese_definitions_prompts(questionnaire: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(questionnaire)
    cover = {r[0]: r[1] for r in wb["填报说明"].iter_rows(values_only=True) if r[0]}
    assert {"发出单位", "截止日期", "填好后发回", "联系人"} <= set(cover) and all(cover[k] for k in ("发出单位", "截止日期", "填好后发回"))
    ws = wb[DATA]
    dept, definition, targets = (letter(DATA_COLUMNS, f) for f in ("department", "definition", "targets"))
    keys = rows_by_key(ws)
    for r in keys.values():  # every row: who holds it, and its 口径 in Chinese; no internal code in a visible column
        assert ws[f"{dept}{r}"].value and ws[f"{dept}{r}"].value != "待确定", r
        assert re.search(r"[\u4e00-\u9fff]", str(ws[f"{definition}{r}"].value)), ws[f"{definition}{r}"].value
        assert "[" not in str(ws[f"{targets}{r}"].value)
    visible = [c for c in DATA_COLUMNS if not ws.column_dimensions[letter(DATA_COLUMNS, c.field)].hidden]
    assert "indicator_id" not in {c.field for c in visible} and "key" not in {c.field for c in visible}
    # An input prompt on every yellow cell.
    prompted = set()
    for dv in ws.data_validations.dataValidation:
        if dv.showInputMessage and dv.prompt:
            for rng in dv.sqref.ranges:
                prompted |= {(col, row) for col in range(rng.min_col, rng.max_col + 1) for row in range(rng.min_row, rng.max_row + 1)}
    for i, c in enumerate(DATA_COLUMNS, start=1):
        if c.fill_in:
            assert all((i, r) in prompted for r in keys.values()), c.field
    # The statement the tool holds is shown for confirmation on its target's row.
    st = wb[STMT]
    held = letter(STATEMENT_COLUMNS, "held_statement")
    assert any("陈建业" in str(st[f"{held}{r}"].value) for r in range(2, st.max_row + 1))
    # One file per department, each with only its rows.
    from fjdata.department.questionnaire import write_requests_by_department

    files = write_requests_by_department(tmp_path)
    assert len(files) >= 3 and sum(f.data_rows for f in files) == len(keys)
    for f in files:
        book = openpyxl.load_workbook(f.path)
        names = {book[DATA][f"{dept}{r}"].value for r in rows_by_key(book[DATA]).values()}
        assert names == {book["填报说明"]["B2"].value}, f.path.name


def test_english_variant(tmp_path: Path) -> None:
    path = write_request(tmp_path / "request_en.xlsx", chapter=2, lang="en").path
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Data", "Official statements", "_meta"]
    ws = wb["Data"]
    assert [c.value for c in ws[1]] == [c.en for c in DATA_COLUMNS]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists == ['"final,preliminary,revised"']
    assert "Instructions" in wb.sheetnames and "factor 3" in " ".join(str(c.value) for c in wb["Instructions"]["A"])
    # Filled in English, with a row the department added at the bottom (indicator and year given, no key).
    keys = rows_by_key(ws)
    fill(
        ws, keys["enterprise_key_labs|Fujian|2023"], 110, status="preliminary", source="Provincial S&T department list 2023 (test fixture)"
    )
    added = ws.max_row - 40 + 1
    ws[f"B{added}"], ws[f"C{added}"] = "green_parks", 2025
    fill(ws, added, 30, status="final", source="Provincial MIIT list (test fixture)")
    filled = tmp_path / "filled_en.xlsx"
    wb.save(filled)
    figures, statements_read, problems = read_workbook(filled)
    assert problems == [] and statements_read == []
    assert [(f.indicator_id, f.year, f.value, f.status, f.row) for f in figures] == [
        ("enterprise_key_labs", 2023, 110.0, "preliminary", keys["enterprise_key_labs|Fujian|2023"]),
        ("green_parks", 2025, 30.0, "final", added),
    ]


def test_cli_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.xlsx"
    assert main(["data", "request", "--chapter", "2", "--years", "2021-2025", "--lang", "en", "-o", str(out)]) == 0
    n = len(data_needs(chapter=2, years=range(2021, 2026)))
    assert f"{n} figure rows" in capsys.readouterr().out
    assert openpyxl.load_workbook(out)["Data"].max_row >= n + 1
    assert main(["data", "request", "--years", "2025-2021", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert not (tmp_path / "x.xlsx").exists()


# --- import: validation --------------------------------------------------------------------


def test_every_bad_cell_is_reported_and_nothing_written(questionnaire: Path, tmp_path: Path, user_dir: Path) -> None:
    wb = openpyxl.load_workbook(questionnaire)
    ws, st = wb[DATA], wb[STMT]
    k = rows_by_key(ws)
    r_text, r_share, r_count = (
        k["sector_food_scale|Fujian|2022"],
        k["mfg_key_processes_digitalised_share|Fujian|2023"],
        k["enterprise_key_labs|Fujian|2023"],
    )
    r_status, r_source, r_jump = (
        k["enterprise_tech_centers|Fujian|2023"],
        k["provincial_srdi_smes|Fujian|2024"],
        k["green_parks|Fujian|2023"],
    )
    r_good = k["sector_metallurgy_scale|Fujian|2020"]
    fill(ws, r_text, "abc")
    fill(ws, r_share, 150)
    fill(ws, r_count, 100.5)
    fill(ws, r_status, 700, status="final-ish")
    fill(ws, r_source, 800, source=None)
    fill(ws, r_jump, 500)  # the shipped 2024 value is 34: more than 3× without a note
    fill(ws, r_good, 4000)
    added = ws.max_row - 40 + 1  # the first blank row at the bottom
    ws[f"B{added}"], ws[f"C{added}"] = "no_such_indicator", 2024
    fill(ws, added, 1)
    sk = rows_by_key(st)
    r_stmt = sk["c4_energy_dual_control_total|2025"]
    st[f"{SA}{r_stmt}"], st[f"{SS}{r_stmt}"], st[f"{SP}{r_stmt}"] = "差不多", "Test authority", "2026-02-10"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(DepartmentImportError) as err:
        import_workbook(bad)
    got = [str(p) for p in err.value.problems]
    assert sorted(got) == sorted(
        [
            f"{DATA}!{VALUE}{r_text}: 'abc' is not a number",
            f"{DATA}!{VALUE}{r_share}: 150 is outside 0–100 for mfg_key_processes_digitalised_share (%)",
            f"{DATA}!{VALUE}{r_count}: 100.5 is not a whole number ≥ 0 (a count, 个)",
            f"{DATA}!{STATUS}{r_status}: 'final-ish' is not one of 正式 / 初步 / 修订 / final / preliminary / revised",
            f"{DATA}!{SOURCE}{r_source}: missing: name the source document, yearbook table or 文号",
            f"{DATA}!B{added}: 'no_such_indicator' is not an indicator id in the catalogue",
            f"{DATA}!{VALUE}{r_jump}: 500 is more than 3× away from the 2024 value 34; {JUMP_HINT}",
            f"{STMT}!{SA}{r_stmt}: '差不多' is not one of 已完成 / 未完成 / 进展顺利 / completed / not completed / on track",
            f"{STMT}!{SD}{r_stmt}: missing: the document or 文号",
            f"{STMT}!{SQ}{r_stmt}: missing: the verbatim sentence",
            f"{STMT}!{SU}{r_stmt}: missing: give the URL, or a document number (文号) in the source column",
        ]
    )
    assert len(got) == 11
    assert not user_dir.exists()  # nothing written


def test_a_jump_is_accepted_only_when_the_note_confirms_it(questionnaire: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(questionnaire)
    ws = wb[DATA]
    r = rows_by_key(ws)["green_parks|Fujian|2023"]
    fill(ws, r, 500, note="2023年起统计口径含县级园区 (test fixture)")  # an explanation alone no longer waves a jump through (C54)
    path = tmp_path / "explained.xlsx"
    wb.save(path)
    figures, _, problems = read_workbook(path)
    assert figures == [] and [p.message.split(";")[0] for p in problems] == ["500 is more than 3× away from the 2024 value 34"]
    fill(ws, r, 500, note="确认无误：2023年起统计口径含县级园区 (test fixture)")
    wb.save(path)
    figures, _, problems = read_workbook(path)
    assert problems == [] and [(f.indicator_id, f.year, f.value) for f in figures] == [("green_parks", 2023, 500.0)]
    assert figures[0].confirmed_jump.startswith("500 is more than 3× away")


# --- the round trip --------------------------------------------------------------------------

EXPECTED_AFTER = {
    ("c3_metallurgy_scale", "cn_status"): "achieved",  # 2020 = 4000 and 2025 = 9000 against ≥ 7100
    ("c3_metallurgy_scale", "sdg_status"): "achieved",
    ("c3_metallurgy_scale", "model_status"): "achieved",  # the target year is observed
    ("c4_energy_dual_control_total", "cn_status"): "achieved",  # the official statement, cited
    ("c3_metallurgy_scale", "verdict"): "met",  # the one verdict a reader sees (fjdata.assess.verdicts)
    ("c4_energy_dual_control_total", "verdict"): "met",
}


@pytest.mark.slow
def test_round_trip_through_libreoffice(questionnaire: Path, tmp_path: Path, user_dir: Path) -> None:
    # 1. The questionnaire converts to PDF.
    pdf = convert(questionnaire, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    # 2. Fill it as a department would.
    wb = openpyxl.load_workbook(questionnaire)
    ws, st = wb[DATA], wb[STMT]
    k = rows_by_key(ws)
    fill(ws, k["sector_metallurgy_scale|Fujian|2020"], 4000)
    fill(ws, k["sector_metallurgy_scale|Fujian|2025"], 9000, status="初步", source="测试文件 闽工信〔2026〕1号 (test fixture)")
    ws[f"{letter(DATA_COLUMNS, 'contact')}{k['sector_metallurgy_scale|Fujian|2025']}"] = "Test contact"
    r = rows_by_key(st)["c4_energy_dual_control_total|2025"]
    for col, v in zip(
        (SA, SS, SP, SD, SU, SQ),
        [
            "已完成",
            "Test authority (fixture, not real)",
            "2026-02-10",
            "Test fixture document",
            "https://example.invalid/statement",
            "test fixture: 完成国家下达的能耗双控目标任务",
        ],
        strict=True,
    ):
        st[f"{col}{r}"] = v
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    # 3. Round trip through LibreOffice: the dropdowns and value rules survive, and the saved file imports.
    lo = convert(filled, "xlsx", tmp_path / "lo")
    lwb = openpyxl.load_workbook(lo)
    assert lwb.sheetnames[:3] == ["填报说明", DATA, STMT]
    lws = lwb[DATA]
    kinds = {(dv.type, dv.formula1) for dv in lws.data_validations.dataValidation}
    assert ("list", '"正式,初步,修订"') in kinds and ("decimal", "0") in kinds and ("whole", "0") in kinds
    status_dv = next(dv for dv in lws.data_validations.dataValidation if dv.type == "list")
    assert f"{STATUS}2" in status_dv.sqref and f"{STATUS}{max(k.values())}" in status_dv.sqref
    assert any(dv.type == "list" and dv.formula1 == '"已完成,未完成,进展顺利"' for dv in lwb[STMT].data_validations.dataValidation)
    assert lws.column_dimensions["A"].hidden
    # 4. Import: exactly the expected verdicts change.
    result = import_workbook(lo)
    assert not result.already_imported
    changed = {(c.target_id, c.column): (c.before, c.after) for c in result.changes}
    assert {key: after for key, (_, after) in changed.items()} == {key: v for key, v in EXPECTED_AFTER.items() if key in changed}
    assert all(changed[key][0] != v for key, v in EXPECTED_AFTER.items() if key in changed)
    from fjdata.assess.assessment import assess

    after = assess().set_index("target_id")
    for (tid, col), v in EXPECTED_AFTER.items():
        assert after.loc[tid, col] == v
    # 5. Provenance.
    assert result.observations_file is not None and result.observations_file.parent == user_dir
    rows = read_csv(result.observations_file, origin="user")
    assert rows[["indicator_id", "year", "value", "status", "source_tier"]].values.tolist() == [
        ["sector_metallurgy_scale", 2020, 4000.0, "final", "department"],
        ["sector_metallurgy_scale", 2025, 9000.0, "preliminary", "department"],
    ]
    sha = sha256_of(lo)
    assert result.sha256 == sha
    for note, row in zip(rows["note"], (k["sector_metallurgy_scale|Fujian|2020"], k["sector_metallurgy_scale|Fujian|2025"]), strict=True):
        assert f"file={lo.name}; sheet={DATA}; row={row}; sha256={sha}; imported=" in note
    assert all(v.startswith("dept_") for v in rows["vintage"])
    assert result.statements_file is not None
    [statement] = read_statements(result.statements_file)
    assert (statement.target_id, statement.year, statement.assertion) == ("c4_energy_dual_control_total", 2025, "completed")
    assert "已完成（官方表述）" in after.loc["c4_energy_dual_control_total", "notes"]
    # 6. The same workbook again: a no-op, reported as such.
    files = sorted(p.name for p in user_dir.rglob("*.csv"))
    again = import_workbook(lo)
    assert again.already_imported and again.changes == () and "already imported" in again.summary()
    assert sorted(p.name for p in user_dir.rglob("*.csv")) == files


def test_an_existing_file_is_never_overwritten(questionnaire: Path, tmp_path: Path, user_dir: Path) -> None:
    wb = openpyxl.load_workbook(questionnaire)
    ws = wb[DATA]
    fill(ws, rows_by_key(ws)["sector_light_industry_scale|Fujian|2021"], 5000)
    path = tmp_path / "one.xlsx"
    wb.save(path)
    figures, _, _ = read_workbook(path)
    sha = sha256_of(path)
    from datetime import UTC, datetime

    now = datetime(2026, 3, 1, tzinfo=UTC)
    user_dir.mkdir(parents=True)
    taken = user_dir / f"department_20260301_{sha[:12]}.csv"
    write_csv(taken, [obs_row()])  # someone else's file under the name the import would choose
    before = taken.read_bytes()
    result = import_workbook(path, compare=False, now=now)
    assert taken.read_bytes() == before
    assert result.observations_file == user_dir / f"department_20260301_{sha[:12]}_2.csv" and len(figures) == 1


def test_cli_import_lists_problems_and_exits_2(
    questionnaire: Path, tmp_path: Path, user_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = openpyxl.load_workbook(questionnaire)
    ws = wb[DATA]
    r = rows_by_key(ws)["sector_food_scale|Fujian|2022"]
    fill(ws, r, "abc")
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    assert main(["data", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{DATA}!{VALUE}{r}: 'abc' is not a number" in err and "nothing was imported" in err
    assert not user_dir.exists()
