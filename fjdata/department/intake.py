"""Import a filled department questionnaire (``fjdata data import FILE.xlsx``).

Every filled cell is checked — a number, inside the bounds of its unit kind (shares 0–100, counts
whole ≥ 0, levels ≥ 0, growth rates > −100, the catalogue's bounds), plausible against the
neighbouring years (a move by more than the ``jump_limits`` of ``assessment.yaml`` — factor 3 for
levels and counts, 25 points for shares and rates — is an error unless the note explains it),
a status from the list, a source document — and ALL problems are reported as ``sheet!cell: …``.
If any remains, nothing is written.

On success a NEW observations CSV is written to the user data folder (``config.user_data_dir()``;
never overwriting a file), every row with ``source_tier = department``, vintage
``dept_<YYYYMMDD>_<sha8>`` and its provenance in ``note`` (file name, sheet, row, SHA-256 of the
workbook, import time); filled statements go to ``<user data>/statements/``. The verdicts of
:func:`fjdata.assess` before and after are compared. A workbook whose SHA-256 was imported
before is a no-op, reported as such.
"""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from fjdata.core import config
from fjdata.core.errors import FjdataError
from fjdata.department.questionnaire import (
    ASSERTION_CHOICES,
    DATA_COLUMNS,
    LANGS,
    SHEETS,
    STATEMENT_COLUMNS,
    STATUS_CHOICES,
    Column,
    assertion_code,
    status_code,
)
from fjdata.inputs.indicators import Indicator, catalogue
from fjdata.inputs.observations import COLUMNS, PLAN_REGION, REGIONS, YEAR_RANGE, observations, published_date, read_csv
from fjdata.inputs.plan import get_plan
from fjdata.inputs.registry import registry
from fjdata.inputs.source_quality import DEPARTMENT
from fjdata.inputs.statements import STATEMENT_COLUMNS as STATEMENT_CSV_COLUMNS
from fjdata.inputs.statements import read_statements

VERDICT_COLUMNS = ("cn_status", "sdg_status", "model_status", "overall", "verdict")  # the last two where the assessment has them
_DATA_INPUTS = ("value", "status", "source_document")  # a row counts as filled when one of these is
_STATEMENT_INPUTS = ("assertion", "speaker", "published", "source_document", "source_url", "quote")
_DOC_NUMBER = re.compile(r"〔\d{4}〕|\[\d{4}\]|\d+\s*号")


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str  # letter
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}: {self.message}"


class DepartmentImportError(FjdataError):
    """The workbook has problems; ``problems`` lists every one (sheet, row, column)."""

    def __init__(self, file: Path | str, problems: list[Problem]) -> None:
        self.file = str(file)
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{file}: {len(problems)} problem(s); nothing was imported\n{shown}")


@dataclass(frozen=True)
class DepartmentFigure:
    indicator_id: str
    region: str
    year: int
    value: float
    status: str
    source_document: str
    contact: str
    note: str
    sheet: str
    row: int
    cell: str  # e.g. "M12", the value cell
    raw: str  # the value cell as written


@dataclass(frozen=True)
class DepartmentStatement:
    target_id: str
    year: int
    assertion: str
    speaker: str
    published: str
    source_document: str
    source_url: str
    quote: str
    contact: str
    note: str
    sheet: str
    row: int


@dataclass(frozen=True)
class VerdictChange:
    target_id: str
    name_zh: str
    column: str
    before: str
    after: str


@dataclass(frozen=True)
class ImportResult:
    workbook: Path
    sha256: str
    already_imported: bool
    observations_file: Path | None
    statements_file: Path | None
    figures: tuple[DepartmentFigure, ...]
    statements: tuple[DepartmentStatement, ...]
    changes: tuple[VerdictChange, ...]
    previous_file: Path | None = None  # when already imported: the file that holds it

    def summary(self) -> str:
        if self.already_imported:
            return f"{self.workbook.name}: already imported (SHA-256 {self.sha256[:12]}… in {self.previous_file}); nothing written"
        lines = [
            (
                f"{self.workbook.name}: imported {len(self.figures)} figure(s) and {len(self.statements)} statement(s) (SHA-256 "
                f"{self.sha256[:12]}…)"
            )
        ]
        lines += [f"  wrote {p}" for p in (self.observations_file, self.statements_file) if p is not None]
        if self.changes:
            lines.append(f"verdicts that change ({len(self.changes)}):")
            lines += [f"  {c.target_id} {c.name_zh}: {c.column}: {c.before} → {c.after}" for c in self.changes]
        else:
            lines.append("no verdict changes")
        return "\n".join(lines)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime | date):
        return v.strftime("%Y-%m-%d")
    return str(v).strip()


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v) if math.isfinite(float(v)) else None
    try:
        out = float(str(v).strip().replace(",", ""))
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def _find_sheet(wb: Any, kind: str) -> Worksheet | None:
    for lang in LANGS:
        name = SHEETS[kind][lang]
        if name in wb.sheetnames:
            ws = wb[name]
            assert isinstance(ws, Worksheet)
            return ws
    return None


def _header_map(ws: Worksheet, columns: tuple[Column, ...], problems: list[Problem]) -> dict[str, int]:
    """field → column index, from the header row (either language); missing headers are problems."""
    labels = {c.zh: c.field for c in columns} | {c.en: c.field for c in columns}
    found: dict[str, int] = {}
    for cell in ws[1]:
        field = labels.get(_text(cell.value))
        if field is not None:
            found[field] = int(cell.column)
    for col in columns:
        if col.field not in found and col.field not in (
            "definition",
            "plan_wording",
            "reason",
            "held_value",
            "held_detail",
            "held_source",
            "targets",
            "indicator_name",
            "target_name",
        ):
            problems.append(Problem(ws.title, 1, "-", f"missing column {col.zh!r} / {col.en!r}; do not rename or delete headers"))
    return found


def _neighbours(known: dict[str, Indicator]) -> Callable[[str, int], dict[int, float]]:
    frame = observations(region=PLAN_REGION, vintage_rule="consistent")

    def lookup(iid: str, year: int) -> dict[int, float]:
        rows = frame[(frame["indicator_id"] == iid) & frame["year"].isin([year - 1, year + 1])]
        return {int(y): float(v) for y, v in zip(rows["year"], rows["value"], strict=True)}

    return lookup


def _check_value(ind: Indicator, value: float) -> str | None:
    kind = ind.series_kind
    if ind.bounds is not None and not ind.bounds[0] <= value <= ind.bounds[1]:
        return f"{value:g} is outside {ind.bounds[0]:g}–{ind.bounds[1]:g} for {ind.indicator_id} ({ind.unit})"
    if kind == "share" and not 0 <= value <= 100:
        return f"{value:g} is outside 0–100 for a share ({ind.unit})"
    if kind == "count" and (value < 0 or not float(value).is_integer()):
        return f"{value:g} is not a whole number ≥ 0 (a count, {ind.unit})"
    if kind == "level" and value < 0:
        return f"{value:g} is negative (a level in {ind.unit})"
    if kind in ("rate", "yearly_change") and value <= -100:
        return f"{value:g} is not a growth rate > −100 %"
    return None


def _jump(ind: Indicator, value: float, year: int, neighbours: dict[int, float]) -> str | None:
    limits = config.settings()["jump_limits"]
    assert isinstance(limits, dict)
    for y, other in sorted(neighbours.items()):
        if ind.series_kind in ("level", "count"):
            if other > 0 and value > 0 and max(value / other, other / value) > float(limits["ratio"]):
                ratio = float(limits["ratio"])
                return f"{value:g} is more than {ratio:g}× away from the {y} value {other:g}; explain in the note or correct it"
        elif abs(value - other) > float(limits["points"]):
            points = float(limits["points"])
            return f"{value:g} is more than {points:g} points away from the {y} value {other:g}; explain in the note or correct it"
    return None


def read_workbook(path: str | Path) -> tuple[list[DepartmentFigure], list[DepartmentStatement], list[Problem]]:
    """Every filled row of a questionnaire and every problem (nothing is written)."""
    path = Path(path)
    if not path.is_file():
        raise DepartmentImportError(path, [Problem("-", 0, "-", "file not found")])
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # not an xlsx, or damaged
        raise DepartmentImportError(path, [Problem("-", 0, "-", f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})")]) from exc
    problems: list[Problem] = []
    known = catalogue()
    data = _find_sheet(wb, "data")
    if data is None:
        expected = " / ".join(SHEETS["data"][lang] for lang in LANGS)
        raise DepartmentImportError(path, [Problem("-", 0, "-", f"no data sheet; expected a sheet named {expected}")])
    figures = _read_data(data, known, problems)
    st = _find_sheet(wb, "statements")
    stmts = _read_statements(st, problems) if st is not None else []
    return figures, stmts, problems


def _read_data(ws: Worksheet, known: dict[str, Indicator], problems: list[Problem]) -> list[DepartmentFigure]:
    cols = _header_map(ws, DATA_COLUMNS, problems)
    if any(p.row == 1 for p in problems):
        return []
    letter = {f: ws.cell(row=1, column=i).column_letter for f, i in cols.items()}
    neighbours = _neighbours(known)
    parsed: list[tuple[DepartmentFigure, Indicator]] = []
    seen: dict[tuple[str, str, int], int] = {}
    statuses = " / ".join(STATUS_CHOICES["zh"] + STATUS_CHOICES["en"])
    for r in range(2, ws.max_row + 1):
        cell = {f: ws.cell(row=r, column=i).value for f, i in cols.items()}
        if not any(_text(cell.get(f)) for f in _DATA_INPUTS):
            continue
        before = len(problems)

        def bad(field: str, message: str, _r: int = r) -> None:
            problems.append(Problem(ws.title, _r, letter.get(field, "-"), message))

        key = _text(cell.get("key"))
        iid, year_text = _text(cell.get("indicator_id")), _text(cell.get("year"))
        region = get_plan().region
        if key:
            parts = key.split("|")
            if len(parts) != 3:
                bad("key", f"row key {key!r} is damaged (expected indicator_id|region|year); do not edit column A")
                continue
            if (iid, year_text) != (parts[0], parts[2]):
                bad(
                    "indicator_id",
                    f"indicator/year {iid}/{year_text} differ from the row key {key!r}; do not edit these columns in listed rows",
                )
                continue
            region = parts[1]
            if region not in REGIONS:
                bad("key", f"region {region!r} in the row key is not one of {', '.join(REGIONS)}")
        ind = known.get(iid)
        if ind is None:
            bad(
                "indicator_id",
                f"{iid!r} is not an indicator id in the catalogue" if iid else "missing: an added row needs the indicator id",
            )
        year = None
        if re.fullmatch(r"\d{4}", year_text) and YEAR_RANGE[0] <= int(year_text) <= YEAR_RANGE[1]:
            year = int(year_text)
        else:
            bad(
                "year",
                f"{year_text!r} is not a year {YEAR_RANGE[0]}–{YEAR_RANGE[1]}" if year_text else "missing: an added row needs the year",
            )
        raw = cell.get("value")
        value = _number(raw)
        note = _text(cell.get("note"))
        if _text(raw) == "":
            bad("value", "missing: a status or source was given but no value")
        elif value is None:
            bad("value", f"{_text(raw)!r} is not a number")
        elif ind is not None:
            msg = _check_value(ind, value)
            if msg:
                bad("value", msg)
        status = status_code(_text(cell.get("status")))
        if status is None:
            given = _text(cell.get("status"))
            bad("status", f"{given!r} is not one of {statuses}" if given else f"missing: choose one of {statuses}")
        source = _text(cell.get("source_document"))
        if not source:
            bad("source_document", "missing: name the source document, yearbook table or 文号")
        if ind is not None and year is not None:
            k = (iid, region, year)
            if k in seen:
                bad("year", f"{iid} {year} is filled twice (also row {seen[k]})")
            seen[k] = r
        if len(problems) == before and ind is not None and year is not None and value is not None and status is not None:
            parsed.append(
                (
                    DepartmentFigure(
                        iid,
                        region,
                        year,
                        value,
                        status,
                        source,
                        _text(cell.get("contact")),
                        note,
                        ws.title,
                        r,
                        f"{letter['value']}{r}",
                        _text(raw),
                    ),
                    ind,
                )
            )
    # Plausibility against the neighbouring years: the shipped series, overridden by this workbook's figures.
    filled = {(f.indicator_id, f.region, f.year): f.value for f, _ in parsed}
    out = []
    for f, ind in parsed:
        around = neighbours(f.indicator_id, f.year) if f.region == get_plan().region else {}
        for y in (f.year - 1, f.year + 1):
            if (f.indicator_id, f.region, y) in filled:
                around[y] = filled[(f.indicator_id, f.region, y)]
        msg = _jump(ind, f.value, f.year, around)
        if msg and not f.note:
            problems.append(Problem(ws.title, f.row, letter["value"], msg))
            continue
        out.append(f)
    return out


def _read_statements(ws: Worksheet, problems: list[Problem]) -> list[DepartmentStatement]:
    cols = _header_map(ws, STATEMENT_COLUMNS, problems)
    if any(p.row == 1 and p.sheet == ws.title for p in problems):
        return []
    letter = {f: ws.cell(row=1, column=i).column_letter for f, i in cols.items()}
    targets = {t.target_id: t for t in registry()}
    choices = " / ".join(ASSERTION_CHOICES["zh"] + ASSERTION_CHOICES["en"])
    out = []
    for r in range(2, ws.max_row + 1):
        cell = {f: _text(ws.cell(row=r, column=i).value) for f, i in cols.items()}
        if not any(cell.get(f) for f in _STATEMENT_INPUTS):
            continue
        before = len(problems)

        def bad(field: str, message: str, _r: int = r) -> None:
            problems.append(Problem(ws.title, _r, letter.get(field, "-"), message))

        tid, year_text = cell.get("target_id", ""), cell.get("year", "")
        if tid not in targets:
            bad("target_id", f"{tid!r} is not a target id of the plan")
        elif not (year_text.isdigit() and targets[tid].base_year <= int(year_text) <= targets[tid].target_year):
            bad("year", f"{year_text!r} is not a year of the plan period {targets[tid].base_year}–{targets[tid].target_year}")
        assertion = assertion_code(cell.get("assertion", ""))
        if assertion is None:
            bad(
                "assertion",
                f"{cell.get('assertion', '')!r} is not one of {choices}" if cell.get("assertion") else f"missing: choose one of {choices}",
            )
        for field, what in (
            ("speaker", "who made the statement"),
            ("source_document", "the document or 文号"),
            ("quote", "the verbatim sentence"),
        ):
            if not cell.get(field):
                bad(field, f"missing: {what}")
        try:
            published_date(cell.get("published", ""))
        except ValueError:
            bad("published", f"{cell.get('published', '')!r} is not a date YYYY-MM-DD (or YYYY-MM, YYYY)")
        if not cell.get("source_url") and not _DOC_NUMBER.search(cell.get("source_document", "")):
            bad("source_url", "missing: give the URL, or a document number (文号) in the source column")
        if len(problems) == before and assertion is not None:
            out.append(
                DepartmentStatement(
                    tid,
                    int(year_text),
                    assertion,
                    cell["speaker"],
                    cell["published"],
                    cell["source_document"],
                    cell.get("source_url", ""),
                    cell["quote"],
                    cell.get("contact", ""),
                    cell.get("note", ""),
                    ws.title,
                    r,
                )
            )
    return out


def _imported_before(sha: str) -> Path | None:
    base = config.user_data_dir()
    for p in [*sorted(base.glob("*.csv")), *sorted((base / "statements").glob("*.csv"))] if base.is_dir() else []:
        if f"sha256={sha}" in p.read_text(encoding="utf-8-sig", errors="replace"):
            return p
    return None


def _exclusive_write(wanted: Path, write: Callable[[Path], None], check: Callable[[Path], object]) -> Path:
    """Write to a hidden temp file, validate it, then link it into place under the first free name
    (``wanted``, ``<stem>_2``, …): an existing file is never overwritten."""
    wanted.parent.mkdir(parents=True, exist_ok=True)
    tmp = wanted.with_name(f".{wanted.name}.tmp")
    write(tmp)
    try:
        check(tmp)
        n = 1
        while True:
            final = wanted if n == 1 else wanted.with_name(f"{wanted.stem}_{n}{wanted.suffix}")
            try:
                os.link(tmp, final)  # atomic and exclusive: FileExistsError if the name is taken
                return final
            except FileExistsError:
                n += 1
    finally:
        tmp.unlink(missing_ok=True)


def _provenance(name: str, sheet: str, row: int, sha: str, stamp: str) -> str:
    return f"department questionnaire: file={name}; sheet={sheet}; row={row}; sha256={sha}; imported={stamp}"


def verdicts(extra_data: object = None) -> pd.DataFrame:
    """The verdict columns of :func:`fjdata.assess`, indexed by target id."""
    from fjdata.assess.assessment import assess

    frame = assess(extra_data=extra_data)  # type: ignore[arg-type]
    cols = [c for c in VERDICT_COLUMNS if c in frame.columns]
    return frame.set_index("target_id")[["name_zh", *cols]]


def compare_verdicts(before: pd.DataFrame, after: pd.DataFrame) -> list[VerdictChange]:
    out = []
    for tid in after.index:
        for col in (c for c in VERDICT_COLUMNS if c in after.columns):
            b = str(before.loc[tid, col]) if tid in before.index and col in before.columns else "-"
            a = str(after.loc[tid, col])
            if a != b:
                out.append(VerdictChange(str(tid), str(after.loc[tid, "name_zh"]), col, b, a))
    return out


def import_workbook(path: str | Path, compare: bool = True, now: datetime | None = None) -> ImportResult:
    """Validate and import a filled questionnaire; raises :class:`DepartmentImportError` listing every problem."""
    path = Path(path).resolve()
    figures, stmts, problems = read_workbook(path)
    if problems:
        raise DepartmentImportError(path, problems)
    sha = sha256_of(path)
    previous = _imported_before(sha)
    if previous is not None:
        return ImportResult(path, sha, True, None, None, tuple(figures), tuple(stmts), (), previous)
    if not figures and not stmts:
        raise DepartmentImportError(
            path, [Problem(SHEETS["data"]["zh"], 2, "-", "nothing is filled in; no value and no statement to import")]
        )
    now = now or datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds")
    day = now.strftime("%Y%m%d")
    before = verdicts() if compare else None
    base = config.user_data_dir()
    known = catalogue()
    obs_file = stmt_file = None
    if figures:
        rows = [
            {
                "indicator_id": f.indicator_id,
                "region": f.region,
                "year": f.year,
                "value": format(f.value, ".15g"),
                "unit": known[f.indicator_id].unit,
                "status": f.status,
                "vintage": f"dept_{day}_{sha[:8]}",
                "published": now.date().isoformat(),
                "source_title": f"{f.source_document}（部门填报 / department questionnaire）",
                "source_url": f"xlsx:{path.name}#{f.sheet}!{f.cell}",
                "quote": f"{f.sheet}!{f.cell} = {f.raw}",
                "note": _provenance(path.name, f.sheet, f.row, sha, stamp)
                + (f"; contact={f.contact}" if f.contact else "")
                + (f"; note={f.note}" if f.note else ""),
                "source_tier": DEPARTMENT,
            }
            for f in figures
        ]
        obs_file = _exclusive_write(
            base / f"department_{day}_{sha[:12]}.csv", lambda p: _write_csv(p, COLUMNS, rows), lambda p: read_csv(p, origin="user")
        )
    if stmts:
        srows = [
            {
                "target_id": s.target_id,
                "year": s.year,
                "assertion": s.assertion,
                "speaker": s.speaker,
                "published": s.published,
                "source_title": s.source_document,
                "source_url": s.source_url,
                "quote": s.quote,
                "note": _provenance(path.name, s.sheet, s.row, sha, stamp)
                + (f"; contact={s.contact}" if s.contact else "")
                + (f"; note={s.note}" if s.note else ""),
            }
            for s in stmts
        ]
        try:
            stmt_file = _exclusive_write(
                base / "statements" / f"department_{day}_{sha[:12]}.csv",
                lambda p: _write_csv(p, STATEMENT_CSV_COLUMNS, srows),
                read_statements,
            )
        except Exception:
            if obs_file is not None:
                obs_file.unlink(missing_ok=True)  # all or nothing
            raise
    changes = compare_verdicts(before, verdicts()) if before is not None else []
    return ImportResult(path, sha, False, obs_file, stmt_file, tuple(figures), tuple(stmts), tuple(changes))


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
