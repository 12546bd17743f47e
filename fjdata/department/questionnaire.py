"""The department questionnaire: an XLSX workbook asking for every figure and statement the final
evaluation lacks (``fjdata data request``). Its layout is defined here once and read back by
:mod:`fjdata.department.intake`.

Sheets (Chinese / English): 填报说明 / Instructions first (a cover: who sends it, where it goes back,
by when — ``params/questionnaire.yaml`` — and how to fill it); 请填写数据 / Data — one row per
(indicator, year) with its 责任单位 and Chinese 口径 (the plan folder's ``departments.yaml``), grey
columns say what we hold and why it is not enough, yellow columns are filled in (each with an input
prompt); 官方表述 / Official statements — one row per target whose completion an authority may have
stated, with the statements the tool already holds shown for confirmation; and a hidden ``_meta``
sheet (language, plan years, generation time). ``department=`` keeps one department's rows
(``fjdata data request --by-department`` writes one file each). Column A of the two data sheets
is the hidden row key (``indicator_id|region|year``, ``target_id|year``). Value cells carry Excel
data validation by unit kind (shares 0–100, counts whole ≥ 0, levels ≥ 0, growth rates > −100);
status and assertion cells a dropdown list. Headers are frozen; the sheets are protected without
a password so that only the yellow cells (and the blank rows at the bottom, for added rows) take
input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from fjdata.core import config
from fjdata.core.errors import choice_error
from fjdata.core.inert import save_inert
from fjdata.core.version import __version__
from fjdata.core.wording import LANGS, words
from fjdata.department.data_needs import DataNeed, StatementNeed, data_needs, statement_needs
from fjdata.inputs.departments import Department, departments, responsibilities
from fjdata.inputs.indicators import Indicator, catalogue
from fjdata.inputs.plan import get_plan
from fjdata.inputs.registry import Target, registry
from fjdata.inputs.source_quality import tier_label
from fjdata.inputs.statements import ASSERTIONS, statements


def _words(lang: str) -> dict[str, Any]:
    """The questionnaire's words in one language (``questionnaire`` in the wording files)."""
    q: dict[str, Any] = words(lang)["questionnaire"]
    return q


SHEETS = {kind: {lang: str(_words(lang)["sheets"][kind]) for lang in LANGS} for kind in ("data", "statements", "instructions", "meta")}
STATUS_CHOICES = {lang: tuple(_words(lang)["status_choices"]) for lang in LANGS}
STATUS_CODES = ("final", "preliminary", "revised")  # same order as STATUS_CHOICES
ASSERTION_CHOICES = {lang: tuple(_words(lang)["assertion_choices"]) for lang in LANGS}
EXTRA_ROWS = 40  # blank rows at the bottom of the data sheet for figures the department adds


@dataclass(frozen=True)
class Column:
    sheet: str  # "data_columns" or "statement_columns" in the wording files
    field: str
    width: float
    fill_in: bool = False  # a cell the department fills

    def header(self, lang: str) -> str:
        return str(_words(lang)[self.sheet][self.field])

    @property
    def zh(self) -> str:
        return self.header("zh")

    @property
    def en(self) -> str:
        return self.header("en")


DATA_COLUMNS = (
    Column("data_columns", "key", 30),
    Column("data_columns", "indicator_id", 26),
    Column("data_columns", "year", 7),
    Column("data_columns", "indicator_name", 24),
    Column("data_columns", "department", 16),
    Column("data_columns", "targets", 30),
    Column("data_columns", "plan_wording", 40),
    Column("data_columns", "definition", 40),
    Column("data_columns", "unit", 8),
    Column("data_columns", "held_value", 11),
    Column("data_columns", "held_detail", 24),
    Column("data_columns", "held_source", 36),
    Column("data_columns", "reason", 24),
    Column("data_columns", "value", 12, True),
    Column("data_columns", "status", 10, True),
    Column("data_columns", "source_document", 30, True),
    Column("data_columns", "contact", 18, True),
    Column("data_columns", "note", 30, True),
)
STATEMENT_COLUMNS = (
    Column("statement_columns", "key", 30),
    Column("statement_columns", "target_id", 30),
    Column("statement_columns", "year", 7),
    Column("statement_columns", "target_name", 26),
    Column("statement_columns", "plan_wording", 40),
    Column("statement_columns", "reason", 34),
    Column("statement_columns", "held_statement", 40),
    Column("statement_columns", "assertion", 12, True),
    Column("statement_columns", "speaker", 20, True),
    Column("statement_columns", "published", 14, True),
    Column("statement_columns", "source_document", 30, True),
    Column("statement_columns", "source_url", 30, True),
    Column("statement_columns", "quote", 40, True),
    Column("statement_columns", "contact", 18, True),
    Column("statement_columns", "note", 24, True),
)

_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_INFO_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")
HIDDEN_CODES = ("indicator_id", "target_id")  # kept for re-import, never shown


def put(ws: Worksheet, row: int, column: int, value: object) -> Any:
    """Write one cell (the single write point of the questionnaire)."""
    return ws.cell(row=row, column=column, value=value)


@dataclass(frozen=True)
class Cover:
    """The cover lines: who sends the questionnaire, where it goes back, by when (``params/questionnaire.yaml``)."""

    sender: str
    return_to: str
    contact: str
    deadline: date

    @classmethod
    def load(cls, today: date | None = None) -> Cover:
        """The parameters file's values; a missing file or key takes the default (deadline: 30 days on)."""
        path = config.params_dir() / "questionnaire.yaml"
        raw = dict(config.parse_yaml(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
        today = today or date.today()
        fixed = raw.get("deadline")
        if isinstance(fixed, date):
            deadline = fixed
        elif fixed:
            deadline = date.fromisoformat(str(fixed))
        else:
            deadline = today + timedelta(int(raw.get("deadline_days", 30)))
        return cls(str(raw.get("sender", "")), str(raw.get("return_to", "")), str(raw.get("contact", "")), deadline)


def _value_rule(ind: Indicator | None) -> tuple[str, str, float | None, float | None]:
    """(validation type, operator, lo, hi) for a value cell, by the indicator's unit kind."""
    if ind is None:
        return "decimal", "between", -1e15, 1e15
    if ind.bounds is not None:
        kind = "whole" if ind.series_kind == "count" else "decimal"
        return kind, "between", ind.bounds[0], ind.bounds[1]
    if ind.series_kind == "share":
        return "decimal", "between", 0.0, 100.0
    if ind.series_kind == "count":
        return "whole", "greaterThanOrEqual", 0.0, None
    if ind.series_kind in ("rate", "yearly_change"):
        return "decimal", "greaterThan", -100.0, None
    return "decimal", "greaterThanOrEqual", 0.0, None


def value_rule_text(ind: Indicator | None, lang: str) -> str:
    """The value rule of a row in words, e.g. ``0–100之间的数值``."""
    return _rule_words(*_value_rule(ind), lang)


def _fmt(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1e15 else f"{v:g}"


def _plan_wording(targets: list[Target], lang: str) -> str:
    """The plan's sentence, with the exact target wording when the sentence does not already contain it."""
    frame = _words(lang)["plan_quote"]
    return "\n".join(t.quote if t.target_text in t.quote else frame.format(quote=t.quote, target=t.target_text) for t in targets)


def _write_header(ws: Worksheet, columns: tuple[Column, ...], lang: str) -> None:
    for i, col in enumerate(columns, start=1):
        cell = put(ws, 1, i, col.header(lang))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "D2"
    ws.column_dimensions["A"].hidden = True
    for i, col in enumerate(columns, start=1):
        if col.field in HIDDEN_CODES:
            ws.column_dimensions[get_column_letter(i)].hidden = True
    ws.print_title_rows = "1:1"  # printed (and PDF) pages repeat the header and the id columns
    ws.print_title_cols = "B:C"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.scale = 50


def _style_row(ws: Worksheet, row: int, columns: tuple[Column, ...], unlocked: tuple[str, ...] = ()) -> None:
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=i)
        cell.alignment = _WRAP
        cell.fill = _INPUT_FILL if col.fill_in else _INFO_FILL
        cell.protection = Protection(locked=not (col.fill_in or col.field in unlocked))


def _fit_height(ws: Worksheet, row: int, columns: tuple[Column, ...]) -> None:
    """Row height for the wrapped text (spreadsheet programs do not grow rows on their own when converting)."""
    lines = 1
    for i, col in enumerate(columns, start=1):
        if i == 1:
            continue  # the hidden key
        text = str(ws.cell(row=row, column=i).value or "")
        per_line = max(col.width - 1, 1.0)
        # width units of each line of the cell: a CJK character is about two, a Latin one about one
        widths = [sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in part) for part in text.split("\n")]
        lines = max(lines, sum(max(1, math.ceil(w / per_line)) for w in widths))
    ws.row_dimensions[row].height = min(15 * lines, 150)


def letter(columns: tuple[Column, ...], field: str) -> str:
    """The column letter of a field in a sheet layout."""
    return get_column_letter([c.field for c in columns].index(field) + 1)


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True  # no password: a guard against accidents, not a lock
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False


def build_workbook(
    needs: list[DataNeed],
    statement_rows: list[StatementNeed],
    lang: str = "zh",
    plan_id: str | None = None,
    cover: Cover | None = None,
    department: Department | None = None,
) -> Workbook:
    """The questionnaire for these needs of a plan (see :func:`write_request` for the usual entry point)."""
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r} is not one of {LANGS}")
    known = catalogue()
    by_id = {t.target_id: t for t in registry(plan_id)}
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEETS["instructions"][lang]
    plan = get_plan(plan_id)
    owners = responsibilities(plan)
    w = _words(lang)
    _write_cover(ws, plan.title(lang), cover or Cover.load(), department, len(needs), lang)

    data = wb.create_sheet(SHEETS["data"][lang], 1)
    _write_header(data, DATA_COLUMNS, lang)
    groups: dict[tuple[str, str, float | None, float | None], list[str]] = {}
    value_col = letter(DATA_COLUMNS, "value")
    row = 1
    for row, need in enumerate(needs, start=2):
        ind = known[need.indicator_id]
        targets = [by_id[t] for t in need.target_ids]
        held = need.held[-1] if need.held else need.nearest
        detail = str(w["held_none"])
        if held is not None:
            status = w["statuses"].get(held.status, held.status)
            bound = w["held_bound"] if held.bound else ""
            detail = w["held"].format(y=held.year, status=status, bound=bound, tier=tier_label(held.source_tier, lang))
            if not need.held:  # nothing for this year: the nearest year we hold, for orientation only
                detail = w["held_nearest"].format(v=_fmt(held.value), detail=detail)
            elif len(need.held) > 1:
                others = ", ".join(_fmt(h.value) for h in need.held[:-1])
                detail += w["held_others"].format(others=others)
        owner = owners.get(need.indicator_id)
        values = {
            "key": need.key,
            "indicator_id": need.indicator_id,
            "year": need.year,
            "indicator_name": ind.name(lang),
            "department": owner.department.name(lang) if owner else w["department_unknown"],
            "targets": "\n".join(t.name(lang) for t in targets),
            "plan_wording": _plan_wording(targets, lang),
            "definition": owner.definition_zh if lang == "zh" and owner and owner.definition_zh else ind.definition,
            "unit": ind.unit,
            "held_value": held.value if need.held and held is not None else None,  # only a figure for this very year
            "held_detail": detail,
            "held_source": held.source_title if held is not None else "",
            "reason": w["reason_expects"].format(reason=need.reason_text(lang), rule=value_rule_text(ind, lang)),
        }
        for i, col in enumerate(DATA_COLUMNS, start=1):
            put(data, row, i, values.get(col.field))
        _style_row(data, row, DATA_COLUMNS)
        _fit_height(data, row, DATA_COLUMNS)
        groups.setdefault(_value_rule(ind), []).append(f"{value_col}{row}")
    first_extra, last_extra = row + 1, row + EXTRA_ROWS
    for r in range(first_extra, last_extra + 1):
        _style_row(data, r, DATA_COLUMNS, unlocked=("indicator_id", "year"))
        for f in ("indicator_id", "year"):
            data[f"{letter(DATA_COLUMNS, f)}{r}"].fill = _INPUT_FILL
    groups.setdefault(_value_rule(None), []).append(f"{value_col}{first_extra}:{value_col}{last_extra}")
    for (kind, op, lo, hi), cells in groups.items():
        dv = DataValidation(
            type=kind,
            operator=op,
            formula1=f"{lo:g}" if lo is not None else None,
            formula2=f"{hi:g}" if hi is not None else None,
            allow_blank=True,
        )
        dv.error = w["value_error"].format(rule=_rule_words(kind, op, lo, hi, lang))
        dv.errorTitle = w["value_error_title"]
        dv.showErrorMessage = True
        data.add_data_validation(dv)
        for ref in cells:
            dv.add(ref)
    status_col = letter(DATA_COLUMNS, "status")
    status_dv = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES[lang]) + '"', allow_blank=True)
    status_dv.error = w["choose_from"].format(choices=" / ".join(STATUS_CHOICES[lang]))
    status_dv.errorTitle = w["status_error_title"]
    status_dv.showErrorMessage = True
    data.add_data_validation(status_dv)
    status_dv.add(f"{status_col}2:{status_col}{last_extra}")
    year_col = letter(DATA_COLUMNS, "year")
    year_dv = DataValidation(type="whole", operator="between", formula1="1990", formula2="2030", allow_blank=True)
    data.add_data_validation(year_dv)
    year_dv.add(f"{year_col}{first_extra}:{year_col}{last_extra}")
    data.auto_filter.ref = f"A1:{get_column_letter(len(DATA_COLUMNS))}{max(row, 1)}"
    _prompt(data, DATA_COLUMNS, last_extra, lang)
    _protect(data)

    st = wb.create_sheet(SHEETS["statements"][lang], 2)
    _write_header(st, STATEMENT_COLUMNS, lang)
    srow = 1
    for srow, need_s in enumerate(statement_rows, start=2):
        t = by_id[need_s.target_id]
        values = {
            "key": need_s.key,
            "target_id": t.target_id,
            "year": need_s.year,
            "target_name": t.name(lang),
            "plan_wording": _plan_wording([t], lang),
            "reason": need_s.reason_zh if lang == "zh" else need_s.reason_en,
            "held_statement": _held_statements(t.target_id, need_s.year, lang),
        }
        for i, col in enumerate(STATEMENT_COLUMNS, start=1):
            put(st, srow, i, values.get(col.field))
        _style_row(st, srow, STATEMENT_COLUMNS)
        _fit_height(st, srow, STATEMENT_COLUMNS)
    assertion_col = letter(STATEMENT_COLUMNS, "assertion")
    assertion_dv = DataValidation(type="list", formula1='"' + ",".join(ASSERTION_CHOICES[lang]) + '"', allow_blank=True)
    assertion_dv.error = w["choose_from"].format(choices=" / ".join(ASSERTION_CHOICES[lang]))
    assertion_dv.showErrorMessage = True
    st.add_data_validation(assertion_dv)
    assertion_dv.add(f"{assertion_col}2:{assertion_col}{max(srow, 2)}")
    _prompt(st, STATEMENT_COLUMNS, max(srow, 2), lang)
    _protect(st)

    meta = wb.create_sheet(SHEETS["meta"][lang])
    years = (min((n.year for n in needs), default=0), max((n.year for n in needs), default=0))
    for r, (k, v) in enumerate(
        [
            ("format", "fjdata-questionnaire-1"),
            ("lang", lang),
            ("generated", datetime.now(UTC).isoformat(timespec="seconds")),
            ("fjdata_version", __version__),
            ("years", f"{years[0]}-{years[1]}"),
            ("data_rows", str(len(needs))),
            ("statement_rows", str(len(statement_rows))),
        ],
        start=1,
    ):
        put(meta, r, 1, k)
        put(meta, r, 2, v)
    meta.sheet_state = "hidden"
    wb.active = 0
    return wb


def _write_cover(ws: Worksheet, plan_title: str, cover: Cover, department: Department | None, rows: int, lang: str) -> None:
    """The first sheet: title, who sends it to whom, the deadline and where it goes back, then the instructions."""
    w = _words(lang)
    c = w["cover"]
    lines: list[tuple[str, str]] = [(str(w["instructions"][0]).format(plan_zh=plan_title, plan_en=plan_title), "")]
    lines += [
        (c["to"], department.name(lang) if department is not None else c["to_all"]),
        (c["sender"], cover.sender or c["sender_default"]),
        (c["deadline"], cover.deadline.isoformat()),
        (c["return_to"], cover.return_to or c["return_default"]),
        (c["contact"], cover.contact or c["contact_default"]),
        (c["rows"], str(rows)),
    ]
    if department is not None and department.basis:
        lines.append((c["basis"], department.basis))
    lines.append(("", ""))
    lines += [(str(line), "") for line in w["instructions"][1:]]
    for r, (label, value) in enumerate(lines, start=1):
        put(ws, r, 1, label).alignment = _WRAP
        put(ws, r, 2, value).alignment = _WRAP
        if r == 1 or value:
            ws.cell(row=r, column=1).font = Font(bold=True, size=14 if r == 1 else 11)
    for r, (label, value) in enumerate(lines, start=1):
        if label and not value and r > 1:  # an instruction spans the sheet's width
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            ws.row_dimensions[r].height = 15 * max(1, math.ceil(sum(2 if ord(ch) > 0x2E80 else 1 for ch in label) / 110))
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 22, 90
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _prompt(ws: Worksheet, columns: tuple[Column, ...], last_row: int, lang: str) -> None:
    """An input prompt on every yellow cell: on the column's own validations (value rules, dropdowns)
    or on a new one that accepts anything."""
    fill_in = {get_column_letter(i): col for i, col in enumerate(columns, start=1) if col.fill_in}
    covered = set()
    for dv in list(ws.data_validations.dataValidation):
        letters = {get_column_letter(r.min_col) for r in dv.sqref.ranges}
        ref = next(iter(letters)) if len(letters) == 1 else ""
        if ref in fill_in:
            _set_prompt(dv, fill_in[ref], lang)
            covered.add(ref)
    for ref, col in fill_in.items():
        if ref not in covered:
            dv = DataValidation(allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{ref}2:{ref}{last_row}")
            _set_prompt(dv, col, lang)


def _set_prompt(dv: DataValidation, col: Column, lang: str) -> None:
    prompt = str(_words(lang)["prompts"][col.field])
    if col.field == "value" and dv.error:
        prompt += dv.error  # the rule of this row's unit
    dv.promptTitle = col.header(lang)[:32]
    dv.prompt = prompt[:255]
    dv.showInputMessage = True


def _held_statements(target_id: str, year: int, lang: str) -> str:
    """What the tool already holds for the target year (for confirmation; never filled in for the department)."""
    held = [s for s in statements(target_id) if s.year == year]
    w = _words(lang)
    return "\n".join(
        w["held_statement"].format(who=s.speaker, date=s.published, what=s.label(lang), quote=s.quote, source=s.source_title) for s in held
    ) or str(w["held_none"])


def _rule_words(kind: str, op: str, lo: float | None, hi: float | None, lang: str) -> str:
    w = _words(lang)
    noun = w["whole"] if kind == "whole" else w["number"]
    if op == "between":
        return str(w["rule_between"].format(lo=f"{lo:g}", hi=f"{hi:g}", noun=noun))
    sign = "≥" if op == "greaterThanOrEqual" else ">"
    return str(w["rule_bound"].format(sign=sign, lo=f"{lo:g}", noun=noun))


def parse_years(text: str | None) -> range | None:
    """``"2021-2025"`` → range(2021, 2026); ``"2024"`` → range(2024, 2025); ``None`` → None."""
    if text is None or not str(text).strip():
        return None
    parts = str(text).replace("–", "-").split("-")
    try:
        lo, hi = (int(parts[0]), int(parts[-1])) if len(parts) in (1, 2) else (0, -1)
    except ValueError:
        lo, hi = 0, -1
    if not 1990 <= lo <= hi <= 2035:
        raise ValueError(f"years {text!r}: expected YYYY or YYYY-YYYY (e.g. 2021-2025)")
    return range(lo, hi + 1)


@dataclass(frozen=True)
class RequestSummary:
    path: Path
    data_rows: int
    statement_rows: int
    reasons: dict[str, int]


def write_request(
    path: str | Path,
    chapter: str | int | None = None,
    years: Iterable[int] | None = None,
    lang: str = "zh",
    extra_data: object = None,
    plan: str | None = None,
    department: Department | None = None,
) -> RequestSummary:
    """Write the questionnaire of a plan (default: the default plan) to ``path`` (``fjdata data
    request``), all rows or one ``department``'s; returns what it contains."""
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r} is not one of {LANGS}")
    if chapter is not None and str(chapter) not in get_plan(plan).chapter_keys:
        raise choice_error("chapter", chapter, get_plan(plan).chapter_keys)  # never an empty questionnaire (C110)
    targets = registry(plan)
    needs = data_needs(chapter, years, targets=targets, extra_data=extra_data)
    if department is not None:
        owners = responsibilities(plan)
        needs = [n for n in needs if (o := owners.get(n.indicator_id)) is not None and o.department.key == department.key]
    stmts = statement_needs(needs, chapter, targets=targets)
    wb = build_workbook(needs, stmts, lang, plan, department=department)
    path = save_inert(wb, Path(path))  # no formula from a plan or a user's file; no temp file left on failure
    reasons: dict[str, int] = {}
    for n in needs:
        for r in n.reasons:
            reasons[r] = reasons.get(r, 0) + 1
    return RequestSummary(path, len(needs), len(stmts), reasons)


def write_requests_by_department(
    folder: str | Path,
    chapter: str | int | None = None,
    years: Iterable[int] | None = None,
    lang: str = "zh",
    plan: str | None = None,
) -> list[RequestSummary]:
    """One questionnaire per department of the plan (``request_<lang>_<department>.xlsx``), each
    with only the rows that department publishes or holds; departments with no row get no file."""
    out = []
    for dept in departments(plan):
        summary = write_request(Path(folder) / f"request_{lang}_{dept.name_zh}.xlsx", chapter, years, lang, plan=plan, department=dept)
        if summary.data_rows:
            out.append(summary)
        else:
            summary.path.unlink()
    return out


def assertion_code(text: str) -> str | None:
    """Map a dropdown label (either language) or a code to the statement ``assertion``."""
    t = text.strip()
    for lang in LANGS:
        if t in ASSERTION_CHOICES[lang]:
            return ASSERTIONS[ASSERTION_CHOICES[lang].index(t)]
    return t if t in ASSERTIONS else None


def status_code(text: str) -> str | None:
    """Map a dropdown label (either language) or a code to the observation ``status``."""
    t = text.strip()
    for lang in LANGS:
        if t in STATUS_CHOICES[lang]:
            return STATUS_CODES[STATUS_CHOICES[lang].index(t)]
    return t if t in STATUS_CODES else None
