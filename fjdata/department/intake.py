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
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from fjdata.core import config
from fjdata.core.cache import WriteError, atomic_write_path, write_problem
from fjdata.core.errors import FjdataError
from fjdata.core.inert import safe_link
from fjdata.core.untrusted import QUESTIONNAIRE_LIMITS, UNIT_CEILINGS, UntrustedFileError, open_xlsx, sheet_rows, shown_problems
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
from fjdata.inputs.observations import COLUMNS, YEAR_RANGE, observations, published_date, read_csv
from fjdata.inputs.plan import get_plan
from fjdata.inputs.registry import registry
from fjdata.inputs.source_quality import DEPARTMENT
from fjdata.inputs.statements import STATEMENT_COLUMNS as STATEMENT_CSV_COLUMNS
from fjdata.inputs.statements import read_statements, statements

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
        if self.row <= 0:
            return self.message if self.sheet == "-" else f"sheet {self.sheet}: {self.message}"
        if self.column == "-":
            return f"{self.sheet}!row {self.row}: {self.message}"
        return f"{self.sheet}!{self.column}{self.row}: {self.message}"


class DepartmentImportError(FjdataError):
    """The workbook has problems; ``problems`` lists every one (sheet, row, column)."""

    def __init__(self, file: Path | str, problems: list[Problem]) -> None:
        self.file = str(file)
        self.problems = problems
        super().__init__(f"{file}: {len(problems)} problem(s); nothing was imported\n{shown_problems([str(p) for p in problems])}")


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
    raw: str  # the value cell as written (as shown, for a cell formatted as a percentage)
    percent: bool = False  # the cell was formatted as a percentage: 0.25 read as 25
    confirmed_jump: str = ""  # the plausibility check the note confirmed (listed in the summary)


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
    compared: bool = True  # False: the verdicts were not compared (--no-compare)
    superseded: tuple[str, ...] = ()  # earlier department figures this import replaced (kept under superseded/)
    flagged: tuple[str, ...] = ()  # statements that contradict one already held

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
        percent = [f"{f.sheet}!{f.cell}" for f in self.figures if f.percent]
        if percent:
            lines.append(f"read as percentages (cells formatted %, e.g. 0.25 shown as 25 % is 25): {', '.join(percent)}")
        confirmed = [f"  {f.sheet}!{f.cell}: {f.confirmed_jump}" for f in self.figures if f.confirmed_jump]
        if confirmed:
            lines.append(f"accepted because the note confirms them ({len(confirmed)}):")
            lines += confirmed
        if self.superseded:
            lines.append(f"replaced earlier department figures ({len(self.superseded)}; kept in superseded/):")
            lines += [f"  {s}" for s in self.superseded]
        if self.flagged:
            lines.append(f"statements that contradict one already held ({len(self.flagged)}):")
            lines += [f"  {s}" for s in self.flagged]
        if not self.compared:
            lines.append("verdict comparison skipped (--no-compare)")
        elif self.changes:
            lines.append(f"verdicts that change ({len(self.changes)}):")
            lines += [f"  {c.target_id} {c.name_zh}: {c.column}: {c.before} → {c.after}" for c in self.changes]
        else:
            lines.append("no verdict changes")
        return "\n".join(lines)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime | date):
        return v.strftime("%Y-%m-%d")
    return str(v).strip()


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def _number(v: Any) -> float | None:
    """A cell's number, or ``None``; see :func:`number_problem` for why a text is refused.

    >>> _number("1,234,567"), _number("1,5"), _number("3_3.5"), _number(" 33.5 "), _number(True)
    (1234567.0, None, None, 33.5, None)
    """
    return _parse_number(v)[0]


def _parse_number(v: Any) -> tuple[float | None, str]:
    """(number, "") or (None, why not)."""
    if isinstance(v, bool):
        return None, f"{v!r} is not a number"
    if isinstance(v, int | float):
        return (float(v), "") if math.isfinite(float(v)) else (None, f"{v!r} is not a finite number")
    text = str(v).strip()
    if "_" in text:
        return None, f"{text!r} is not a number (an underscore is not a digit separator)"
    if "," in text:
        if not _THOUSANDS.fullmatch(text):
            return None, (
                f"{text!r}: a comma where a decimal point may be meant (write 1.5, not 1,5), or thousands "
                "separators out of place (write 1,234,567 or 1234567)"
            )
        text = text.replace(",", "")
    try:
        out = float(text)
    except ValueError:
        return None, f"{text!r} is not a number"
    return (out, "") if math.isfinite(out) else (None, f"{text!r} is not a finite number")


def _is_percent_format(fmt: object) -> bool:
    """Whether an Excel number format shows the value ×100 with a % sign (``0.0%``, not ``0.0"%"``)."""
    text = re.sub(r'"[^"]*"|\\.', "", str(fmt or ""))
    return "%" in text


@dataclass(frozen=True)
class _Sheet:
    """One sheet as read (bounded): row number → cells (index 0 is column A), and the formula
    texts of cells that hold a formula."""

    title: str
    rows: dict[int, tuple[Any, ...]]
    formulas: dict[tuple[int, int], str]

    def header(self) -> tuple[Any, ...]:
        return self.rows.get(1, ())

    def cell(self, row: int, col: int) -> Any:
        cells = self.rows.get(row, ())
        return cells[col - 1] if 0 < col <= len(cells) else None


def _load_sheets(path: Path) -> dict[str, _Sheet]:
    """The data and statements sheets, streamed within :data:`QUESTIONNAIRE_LIMITS` (values with
    their saved results, then formula texts from a second streaming pass)."""
    found: dict[str, _Sheet] = {}
    wb = open_xlsx(path, QUESTIONNAIRE_LIMITS, data_only=True)
    try:
        for kind in ("data", "statements"):
            name = next((SHEETS[kind][lang] for lang in LANGS if SHEETS[kind][lang] in wb.sheetnames), None)
            if name is not None:
                found[kind] = _Sheet(name, dict(sheet_rows(path, wb[name], QUESTIONNAIRE_LIMITS)), {})
    finally:
        wb.close()
    wbf = open_xlsx(path, QUESTIONNAIRE_LIMITS, data_only=False)
    try:
        for sheet in found.values():
            for n, cells in sheet_rows(path, wbf[sheet.title], QUESTIONNAIRE_LIMITS):
                for i, c in enumerate(cells, start=1):
                    if getattr(c, "data_type", None) == "f":
                        sheet.formulas[(n, i)] = str(c.value)
    finally:
        wbf.close()
    return found


def _header_map(ws: _Sheet, columns: tuple[Column, ...], problems: list[Problem]) -> dict[str, int]:
    """field → column index, from the header row (either language); missing headers are problems."""
    labels = {c.zh: c.field for c in columns} | {c.en: c.field for c in columns}
    found: dict[str, int] = {}
    for i, cell in enumerate(ws.header(), start=1):
        field = labels.get(_text(getattr(cell, "value", None)))
        if field is not None:
            found[field] = i
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


def _series(known: dict[str, Indicator]) -> Callable[[str, str], dict[int, float]]:
    """(indicator, region) → the shipped series {year: value} (the consistent vintage)."""
    frame = observations(region=None, vintage_rule="consistent")
    grouped: dict[tuple[str, str], dict[int, float]] = {}
    for iid, region, y, v in zip(frame["indicator_id"], frame["region"], frame["year"], frame["value"], strict=True):
        grouped.setdefault((str(iid), str(region)), {})[int(y)] = float(v)

    def lookup(iid: str, region: str) -> dict[int, float]:
        """The series in ``region``; with ``region=""`` every region's values (for the magnitude check)."""
        if region:
            return dict(grouped.get((iid, region), {}))
        return {y: v for (i, _), years in grouped.items() if i == iid for y, v in years.items()}

    return lookup


def _check_value(ind: Indicator, value: float) -> str | None:
    kind = ind.series_kind
    ceiling = UNIT_CEILINGS.get(ind.unit)
    if ceiling is not None and value > ceiling:
        return f"{value:g} {ind.unit} is more than any such figure can be (at most {ceiling:g} {ind.unit}); check the unit (万元 for 亿元?)"
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


SERIES_FACTOR = 10.0  # a level, count or share this many times outside the whole shipped series is a unit slip until confirmed
CONFIRM_WORDS = ("确认无误", "confirmed")  # a note holding one of these accepts a jump (listed in the import summary)
_CONFIRM_HINT = f"correct it, or if it is right write {CONFIRM_WORDS[0]} / {CONFIRM_WORDS[1]} in the note"


def _jump(ind: Indicator, value: float, year: int, neighbours: dict[int, float]) -> str | None:
    limits = config.settings()["jump_limits"]
    assert isinstance(limits, dict)
    ratio, points = float(limits["ratio"]), float(limits["points"])
    for y, other in sorted(neighbours.items()):
        if ind.series_kind in ("level", "count"):
            if other > 0 and value > 0 and max(value / other, other / value) > ratio:
                return f"{value:g} is more than {ratio:g}× away from the {y} value {other:g}; {_CONFIRM_HINT}"
        elif abs(value - other) > points:
            return f"{value:g} is more than {points:g} points away from the {y} value {other:g}; {_CONFIRM_HINT}"
    return None


def _magnitude(ind: Indicator, value: float, series: dict[int, float]) -> str | None:
    """A figure far outside everything shipped for its series (a unit slip: 万元 in a 亿元 row, 0.25 for 25 %)."""
    limits = config.settings()["jump_limits"]
    assert isinstance(limits, dict)
    held = [v for v in series.values() if math.isfinite(v)]
    if not held:
        return None
    lo, hi = min(held), max(held)
    years = f"{min(series)}–{max(series)}"
    if ind.series_kind in ("level", "count", "share"):
        if lo > 0 and value > 0 and (value > hi * SERIES_FACTOR or value < lo / SERIES_FACTOR):
            return (
                f"{value:g} is more than {SERIES_FACTOR:g}× outside every value held for {years} ({lo:g}–{hi:g} {ind.unit}); "
                f"check the unit; {_CONFIRM_HINT}"
            )
        return None
    points = float(limits["points"])
    if not lo - points <= value <= hi + points:
        return f"{value:g} is more than {points:g} points outside every value held for {years} ({lo:g}–{hi:g}); {_CONFIRM_HINT}"
    return None


def _confirmed(note: str) -> bool:
    low = note.lower()
    return any(w.lower() in low for w in CONFIRM_WORDS)


def read_workbook(path: str | Path) -> tuple[list[DepartmentFigure], list[DepartmentStatement], list[Problem]]:
    """Every filled row of a questionnaire and every problem (nothing is written).

    The file is checked before it is parsed (size, zip members, encryption) and streamed; an
    unreadable file raises :class:`DepartmentImportError` naming it."""
    path = Path(path)
    try:
        sheets = _load_sheets(path)
    except UntrustedFileError as exc:
        raise DepartmentImportError(path, [Problem("-", 0, "-", f"{exc.where + ': ' if exc.where else ''}{exc.problem}")]) from exc
    problems: list[Problem] = []
    known = catalogue()
    data = sheets.get("data")
    if data is None:
        expected = " / ".join(SHEETS["data"][lang] for lang in LANGS)
        raise DepartmentImportError(path, [Problem("-", 0, "-", f"no data sheet; expected a sheet named {expected}")])
    figures = _read_data(data, known, problems)
    st = sheets.get("statements")
    stmts = _read_statements(st, problems) if st is not None else []
    return figures, stmts, problems


def _regions_asked(iid: str) -> set[str]:
    """The regions the plan's targets judge this indicator in (the only ones a row key may name)."""
    return {t.region for t in registry() if t.indicator_id == iid}


def _read_value(ws: _Sheet, r: int, col: int | None) -> tuple[Any, float | None, str, bool]:
    """(raw, number, problem, read as a percentage) of a value cell."""
    if col is None:
        return None, None, "", False
    cell = ws.cell(r, col)
    raw = getattr(cell, "value", None)
    formula = ws.formulas.get((r, col))
    if formula is not None and raw is None:
        return (
            formula,
            None,
            f"holds the formula {formula} without a saved result; type the number, or open and save the file in Excel",
            False,
        )
    if raw is None or _text(raw) == "":
        return raw, None, "", False
    value, why = _parse_number(raw)
    if value is not None and not isinstance(raw, str) and _is_percent_format(getattr(cell, "number_format", "")):
        return raw, round(value * 100, 12), "", True  # a cell formatted 0.0% holding 0.25 shows, and means, 25 %
    return raw, value, why, False


def _read_data(ws: _Sheet, known: dict[str, Indicator], problems: list[Problem]) -> list[DepartmentFigure]:
    cols = _header_map(ws, DATA_COLUMNS, problems)
    if any(p.row == 1 for p in problems):
        return []
    letter = {f: get_column_letter(i) for f, i in cols.items()}
    series = _series(known)
    parsed: list[tuple[DepartmentFigure, Indicator]] = []
    seen: dict[tuple[str, str, int], int] = {}
    statuses = " / ".join(STATUS_CHOICES["zh"] + STATUS_CHOICES["en"])
    plan_region = get_plan().region
    for r in sorted(ws.rows):
        if r < 2:
            continue
        cell = {f: getattr(ws.cell(r, i), "value", None) for f, i in cols.items()}
        raw, value, value_problem, percent = _read_value(ws, r, cols.get("value"))
        if not any(_text(cell.get(f)) for f in _DATA_INPUTS) and not value_problem:
            continue
        before = len(problems)

        def bad(field: str, message: str, _r: int = r) -> None:
            problems.append(Problem(ws.title, _r, letter.get(field, "-"), message))

        key = _text(cell.get("key"))
        iid, year_text = _text(cell.get("indicator_id")), _text(cell.get("year"))
        region = plan_region
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
            asked = _regions_asked(iid) or {plan_region}
            if region not in asked:
                bad(
                    "key",
                    f"region {region!r} in the row key is not the one asked for {iid} ({', '.join(sorted(asked))}); do not edit column A",
                )
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
        note = _text(cell.get("note"))
        if value_problem:
            bad("value", value_problem)
        elif raw is None or _text(raw) == "":
            bad("value", "missing: a status or source was given but no value")
        elif ind is not None and value is not None:
            msg = _check_value(ind, value)
            if msg:
                bad("value", msg + (f" (the cell is formatted as a percentage: {_text(raw)} shows as {value:g} %)" if percent else ""))
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
            shown = f"{value:g} %" if percent else _text(raw)
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
                        shown,
                        percent,
                    ),
                    ind,
                )
            )
    # Plausibility: against the neighbouring years (the shipped series, overridden by this workbook's
    # figures) and against the whole shipped series; a jump passes only when the note confirms it.
    filled = {(f.indicator_id, f.region, f.year): f.value for f, _ in parsed}
    out = []
    for f, ind in parsed:
        held = series(f.indicator_id, f.region)
        around = {y: held[y] for y in (f.year - 1, f.year + 1) if y in held}
        for y in (f.year - 1, f.year + 1):
            if (f.indicator_id, f.region, y) in filled:
                around[y] = filled[(f.indicator_id, f.region, y)]
        whole = {y: v for y, v in held.items() if y != f.year}
        if not whole and ind.series_kind not in ("level", "count"):
            whole = series(f.indicator_id, "")  # a share or rate has one scale in every region; a level has not
        msg = _jump(ind, f.value, f.year, around) or _magnitude(ind, f.value, whole)
        if msg and not _confirmed(f.note):
            problems.append(Problem(ws.title, f.row, letter["value"], msg))
            continue
        out.append(replace(f, confirmed_jump=msg or ""))
    return out


def _read_statements(ws: _Sheet, problems: list[Problem]) -> list[DepartmentStatement]:
    cols = _header_map(ws, STATEMENT_COLUMNS, problems)
    if any(p.row == 1 and p.sheet == ws.title for p in problems):
        return []
    letter = {f: get_column_letter(i) for f, i in cols.items()}
    targets = {t.target_id: t for t in registry()}
    choices = " / ".join(ASSERTION_CHOICES["zh"] + ASSERTION_CHOICES["en"])
    today = date.today()
    said: dict[tuple[str, str], tuple[str, int]] = {}
    out = []
    for r in sorted(ws.rows):
        if r < 2:
            continue
        cell = {f: _text(getattr(ws.cell(r, i), "value", None)) for f, i in cols.items()}
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
            if published_date(cell.get("published", "")) > today:
                bad("published", f"{cell.get('published', '')!r} is in the future; give the date the statement was published")
        except ValueError:
            bad("published", f"{cell.get('published', '')!r} is not a date YYYY-MM-DD (or YYYY-MM, YYYY)")
        url = cell.get("source_url", "")
        if url and not safe_link(url):
            bad("source_url", f"{url!r} is not an http(s) web address; give the https://… address, or none and a 文号 in the source column")
        elif not url and not _DOC_NUMBER.search(cell.get("source_document", "")):
            bad("source_url", "missing: give the URL, or a document number (文号) in the source column")
        if assertion is not None and tid in targets:
            other = said.get((tid, year_text))
            if other is not None and other[0] != assertion:
                bad("assertion", f"contradicts row {other[1]} ({tid} {year_text}: {other[0]} vs {assertion}); keep the one that holds")
            said.setdefault((tid, year_text), (assertion, r))
        if len(problems) == before and assertion is not None:
            out.append(
                DepartmentStatement(
                    tid,
                    int(year_text),
                    assertion,
                    cell["speaker"],
                    cell["published"],
                    cell["source_document"],
                    url,
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
    folders = (base, base / "statements", base / SUPERSEDED)
    for p in [f for d in folders for f in sorted(d.glob("*.csv"))] if base.is_dir() else []:
        if f"sha256={sha}" in p.read_text(encoding="utf-8-sig", errors="replace"):
            return p
    return None


def _exclusive_write(wanted: Path, write: Callable[[Path], None], check: Callable[[Path], object]) -> Path:
    """Write to a hidden temp file, validate it, then link it into place under the first free name
    (``wanted``, ``<stem>_2``, …): an existing file is never overwritten."""
    try:
        wanted.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=wanted.parent, prefix=f".{wanted.name}.", suffix=".tmp")  # a name of its own per process
        os.close(fd)
    except OSError as exc:
        raise WriteError(wanted, write_problem(exc)) from exc
    tmp = Path(name)
    try:
        write(tmp)
        check(tmp)
        n = 1
        while True:
            final = wanted if n == 1 else wanted.with_name(f"{wanted.stem}_{n}{wanted.suffix}")
            try:
                os.link(tmp, final)  # atomic and exclusive: FileExistsError if the name is taken
                return final
            except FileExistsError:
                n += 1
    except OSError as exc:
        raise WriteError(wanted, write_problem(exc)) from exc
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
            path, [Problem(SHEETS["data"]["zh"], 0, "-", "nothing is filled in; no value and no statement to import")]
        )
    now = now or datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds")
    day = now.strftime("%Y%m%d")
    flagged = _contradictions(stmts)
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
    superseded = _supersede(base, figures, obs_file, stamp) if obs_file is not None else []
    changes = compare_verdicts(before, verdicts()) if before is not None else []
    return ImportResult(
        path,
        sha,
        False,
        obs_file,
        stmt_file,
        tuple(figures),
        tuple(stmts),
        tuple(changes),
        compared=compare,
        superseded=tuple(superseded),
        flagged=tuple(flagged),
    )


SUPERSEDED = "superseded"  # earlier department figures a later import replaced: history, not read as data


def _supersede(base: Path, figures: list[DepartmentFigure], new_file: Path, stamp: str) -> list[str]:
    """Move the sender's earlier department figures for the (indicator, region, year) this import fills out of
    the data folder into ``superseded/`` (their provenance kept, with what replaced them); returns one
    line per replaced figure."""
    new = {(f.indicator_id, f.region, str(f.year)): f for f in figures}
    out: list[str] = []
    for old in sorted(base.glob("department_*.csv")):
        if old == new_file:
            continue
        with old.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        gone = [
            r for r in rows if r.get("source_tier") == DEPARTMENT and _same_sender(r, new.get((r["indicator_id"], r["region"], r["year"])))
        ]
        if not gone:
            continue
        keep = [r for r in rows if r not in gone]
        for r in gone:
            r["note"] = f"{r.get('note', '')}; superseded_by={new_file.name}; superseded={stamp}"
        history: list[dict[str, object]] = list(gone)
        _exclusive_write(base / SUPERSEDED / old.name, partial(_write_csv, columns=COLUMNS, rows=history), lambda p: None)
        if keep:
            with atomic_write_path(old) as tmp:
                _write_csv(tmp, COLUMNS, list(keep))
        else:
            old.unlink()
        for r in gone:
            f = new[(r["indicator_id"], r["region"], r["year"])]
            out.append(f"{f.indicator_id} {f.region} {f.year}: {r['value']} ({old.name}) → {f.value:g} ({f.sheet}!{f.cell})")
    return out


def _same_sender(old: dict[str, str], new: DepartmentFigure | None) -> bool:
    """Whether an earlier department row is the same sender's figure for the same key (the contact
    person given, or none in both): only then does the new one replace it; another department's
    figure stays and the two are shown as disagreeing sources."""
    if new is None:
        return False
    found = re.search(r"; contact=([^;]*)", old.get("note", ""))
    return (found.group(1) if found else "") == new.contact


def _contradictions(stmts: list[DepartmentStatement]) -> list[str]:
    """Statements of this import that contradict one already held (another assertion, same target and year)."""
    out = []
    for s in stmts:
        for held in statements(s.target_id):
            if held.year == s.year and held.assertion != s.assertion:
                out.append(
                    f"{s.sheet}!row {s.row}: {s.target_id} {s.year}: {s.assertion} contradicts {held.assertion} "
                    f"({held.speaker}, {held.published}, {Path(held.file).name})"
                )
    return out


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
