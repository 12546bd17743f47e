"""The department questionnaire: an XLSX workbook asking for every figure and statement the final
evaluation lacks (``fjdata data request``). Its layout is defined here once and read back by
:mod:`fjdata.department.intake`.

Sheets (Chinese / English): 请填写数据 / Data — one row per (indicator, year), grey columns say
what we hold and why it is not enough, yellow columns are filled in; 官方表述 / Official statements
— one row per target whose completion an authority may have stated; 填报说明 / Instructions; and a
hidden ``_meta`` sheet (language, plan years, generation time). Column A of the two data sheets
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
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from fjdata.core.version import __version__
from fjdata.department.data_needs import DataNeed, StatementNeed, data_needs, statement_needs
from fjdata.inputs.indicators import Indicator, catalogue
from fjdata.inputs.plan import get_plan
from fjdata.inputs.registry import Target, registry
from fjdata.inputs.source_quality import tier_label
from fjdata.inputs.statements import ASSERTIONS

LANGS = ("zh", "en")
SHEETS = {
    "data": {"zh": "请填写数据", "en": "Data"},
    "statements": {"zh": "官方表述", "en": "Official statements"},
    "instructions": {"zh": "填报说明", "en": "Instructions"},
    "meta": {"zh": "_meta", "en": "_meta"},
}
STATUS_CHOICES = {"zh": ("正式", "初步", "修订"), "en": ("final", "preliminary", "revised")}
STATUS_CODES = ("final", "preliminary", "revised")  # same order as STATUS_CHOICES
ASSERTION_CHOICES = {"zh": ("已完成", "未完成", "进展顺利"), "en": ("completed", "not completed", "on track")}
EXTRA_ROWS = 40  # blank rows at the bottom of the data sheet for figures the department adds


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    width: float
    fill_in: bool = False  # a cell the department fills

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


DATA_COLUMNS = (
    Column("key", "行键（勿改）", "row key (do not edit)", 30),
    Column("indicator_id", "指标代码", "indicator id", 26),
    Column("year", "年份", "year", 7),
    Column("indicator_name", "指标名称", "indicator", 24),
    Column("targets", "对应规划目标", "plan target(s)", 30),
    Column("plan_wording", "规划原文", "plan wording", 40),
    Column("definition", "指标定义（口径）", "definition", 40),
    Column("unit", "单位", "unit", 8),
    Column("held_value", "现有数值", "value we hold", 11),
    Column("held_detail", "现有数值说明", "what it is", 24),
    Column("held_source", "现有来源", "source we hold", 36),
    Column("reason", "需要填报的原因", "why we ask", 24),
    Column("value", "填报数值", "value", 12, True),
    Column("status", "数据状态", "status", 10, True),
    Column("source_document", "来源文件或文号", "source document or reference no.", 30, True),
    Column("contact", "联系人及电话", "contact", 18, True),
    Column("note", "备注", "note", 30, True),
)
STATEMENT_COLUMNS = (
    Column("key", "行键（勿改）", "row key (do not edit)", 30),
    Column("target_id", "目标代码", "target id", 30),
    Column("year", "年份", "year", 7),
    Column("target_name", "目标名称", "target", 26),
    Column("plan_wording", "规划原文", "plan wording", 40),
    Column("reason", "为何需要", "why we ask", 34),
    Column("assertion", "官方表述结论", "statement says", 12, True),
    Column("speaker", "表述机关或发言人", "speaker / authority", 20, True),
    Column("published", "发布日期", "published (YYYY-MM-DD)", 14, True),
    Column("source_document", "来源文件或文号", "source document or reference no.", 30, True),
    Column("source_url", "网址", "URL", 30, True),
    Column("quote", "原文摘录", "quote (verbatim)", 40, True),
    Column("contact", "联系人及电话", "contact", 18, True),
    Column("note", "备注", "note", 24, True),
)

_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_INFO_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")

INSTRUCTIONS = {
    "zh": [
        "《{plan_zh}》终期评估 数据填报表",
        "",
        "1. 请在“请填写数据”表的黄色列填写：填报数值、数据状态（下拉选择：正式/初步/修订）、来源文件或文号、联系人、备注。灰色列为我们现有的数据和需要填报的原因，请勿修改。",
        "2. 数值请按“单位”列的单位填写，不加单位、不加千分位逗号。比重（%）填0–100之间的数；企业、项目等个数填不小于0的整数。",
        "3. 与相邻年份相比变动超过3倍（比重、增速超过25个百分点）的数值，请在“备注”中说明原因（如统计口径变化），否则导入时会被退回。",
        "4. “来源文件或文号”为必填：请写明统计年鉴及表号、统计公报、部门文件文号（如 闽工信〔2024〕12号）或内部统计报表名称。",
        "5. 暂无数据的行请留空，无需删除；可以只填写部分行。",
        "6. 如需补充表中没有的年份或指标，请在表格底部的空行中填写“指标代码”和“年份”（其余同上），行键列留空。",
        "7. “官方表述”表：如有关于目标完成情况的正式表述（如“已完成国家下达的能耗双控目标”），请选择结论（已完成/未完成/进展顺利），并填写表述机关、发布日期（YYYY-MM-DD）、来源文件或文号、网址和原文摘录。官方表述只作为证据引用，不会被换算成数值。",
        "8. 填好后请将本文件原样发回（xlsx格式）。我们导入时会核对每个单元格，并逐一列出有问题的单元格（表名!列行）。",
    ],
    "en": [
        "Final evaluation of the {plan_en} — data request",
        "",
        "1. On the 'Data' sheet fill the yellow columns: value, status (dropdown: final / preliminary / revised), source document or reference number, contact, note. Grey columns show what we hold and why we ask; please do not edit them.",
        "2. Give values in the unit of the 'unit' column, without unit text or thousands separators. Shares (%) are numbers from 0 to 100; counts of firms, projects etc. are whole numbers ≥ 0.",
        "3. A value that moves by more than a factor 3 from a neighbouring year (shares and growth rates: more than 25 points) needs an explanation in 'note' (e.g. a change of definition); otherwise the import rejects it.",
        "4. 'Source document' is required: yearbook and table number, statistical communiqué, the department's document number, or the internal statistical report.",
        "5. Leave rows you cannot fill empty; partly filled workbooks are fine.",
        "6. To add a year or indicator not listed, use the blank rows at the bottom: give 'indicator id' and 'year' and leave the row key empty.",
        "7. 'Official statements' sheet: where an authority has stated whether a target was met (e.g. 'the nationally assigned energy target was completed'), choose what it says (completed / not completed / on track) and give the speaker, date (YYYY-MM-DD), document, URL and the verbatim quote. A statement is cited as evidence and never converted into a number.",
        "8. Return this file as it is (xlsx). On import every cell is checked and every problem is listed as sheet!cell.",
    ],
}


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


def _plan_wording(targets: list[Target]) -> str:
    """The plan's sentence, with the exact target wording when the sentence does not already contain it."""
    return "\n".join(t.quote if t.target_text in t.quote else f"{t.quote}（{t.target_text}）" for t in targets)


_STATUS_ZH = {"final": "正式", "preliminary": "初步", "revised": "修订", "derived": "推算"}


def _write_header(ws: Worksheet, columns: tuple[Column, ...], lang: str) -> None:
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header(lang))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "D2"
    ws.column_dimensions["A"].hidden = True
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
    for r, line in enumerate(INSTRUCTIONS[lang], start=1):
        cell = ws.cell(row=r, column=1, value=line.format(plan_zh=plan.title_zh, plan_en=plan.title_en) if r == 1 else line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            cell.font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120

    data = wb.create_sheet(SHEETS["data"][lang], 0)
    _write_header(data, DATA_COLUMNS, lang)
    groups: dict[tuple[str, str, float | None, float | None], list[str]] = {}
    value_col = letter(DATA_COLUMNS, "value")
    row = 1
    for row, need in enumerate(needs, start=2):
        ind = known[need.indicator_id]
        targets = [by_id[t] for t in need.target_ids]
        held = need.held[-1] if need.held else need.nearest
        detail = "无" if lang == "zh" else "none"
        if held is not None:
            detail = f"{held.year}年 · {_STATUS_ZH.get(held.status, held.status)}{' · 下限' if held.bound else ''} · {tier_label(held.source_tier, lang)}"
            if lang == "en":
                detail = f"{held.year} · {held.status}{' · lower bound' if held.bound else ''} · {tier_label(held.source_tier, lang)}"
            if not need.held:  # nothing for this year: the nearest year we hold, for orientation only
                detail = (
                    f"本年无数据；最近：{_fmt(held.value)}（{detail}）"
                    if lang == "zh"
                    else f"nothing for this year; nearest: {_fmt(held.value)} ({detail})"
                )
            elif len(need.held) > 1:
                others = ", ".join(_fmt(h.value) for h in need.held[:-1])
                detail += f"（其他版本 {others}）" if lang == "zh" else f" (other versions {others})"
        values = {
            "key": need.key,
            "indicator_id": need.indicator_id,
            "year": need.year,
            "indicator_name": ind.name(lang),
            "targets": "\n".join(f"{t.name(lang)} [{t.target_id}]" for t in targets),
            "plan_wording": _plan_wording(targets),
            "definition": ind.definition,
            "unit": ind.unit,
            "held_value": held.value if need.held and held is not None else None,  # only a figure for this very year
            "held_detail": detail,
            "held_source": held.source_title if held is not None else "",
            "reason": need.reason_text(lang)
            + ("；" if lang == "zh" else "; ")
            + ("应填" if lang == "zh" else "expects ")
            + value_rule_text(ind, lang),
        }
        for i, col in enumerate(DATA_COLUMNS, start=1):
            data.cell(row=row, column=i, value=values.get(col.field))
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
        dv.error = ("数值应为" if lang == "zh" else "The value must be ") + _rule_words(kind, op, lo, hi, lang)
        dv.errorTitle = "数值无效" if lang == "zh" else "Invalid value"
        dv.showErrorMessage = True
        data.add_data_validation(dv)
        for ref in cells:
            dv.add(ref)
    status_col = letter(DATA_COLUMNS, "status")
    status_dv = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES[lang]) + '"', allow_blank=True)
    status_dv.error = ("请从下拉列表选择：" if lang == "zh" else "Choose from the list: ") + " / ".join(STATUS_CHOICES[lang])
    status_dv.errorTitle = "状态无效" if lang == "zh" else "Invalid status"
    status_dv.showErrorMessage = True
    data.add_data_validation(status_dv)
    status_dv.add(f"{status_col}2:{status_col}{last_extra}")
    year_col = letter(DATA_COLUMNS, "year")
    year_dv = DataValidation(type="whole", operator="between", formula1="1990", formula2="2030", allow_blank=True)
    data.add_data_validation(year_dv)
    year_dv.add(f"{year_col}{first_extra}:{year_col}{last_extra}")
    data.auto_filter.ref = f"A1:{get_column_letter(len(DATA_COLUMNS))}{max(row, 1)}"
    _protect(data)

    st = wb.create_sheet(SHEETS["statements"][lang], 1)
    _write_header(st, STATEMENT_COLUMNS, lang)
    srow = 1
    for srow, need_s in enumerate(statement_rows, start=2):
        t = by_id[need_s.target_id]
        values = {
            "key": need_s.key,
            "target_id": t.target_id,
            "year": need_s.year,
            "target_name": t.name(lang),
            "plan_wording": _plan_wording([t]),
            "reason": need_s.reason_zh if lang == "zh" else need_s.reason_en,
        }
        for i, col in enumerate(STATEMENT_COLUMNS, start=1):
            st.cell(row=srow, column=i, value=values.get(col.field))
        _style_row(st, srow, STATEMENT_COLUMNS)
        _fit_height(st, srow, STATEMENT_COLUMNS)
    assertion_col = letter(STATEMENT_COLUMNS, "assertion")
    assertion_dv = DataValidation(type="list", formula1='"' + ",".join(ASSERTION_CHOICES[lang]) + '"', allow_blank=True)
    assertion_dv.error = ("请从下拉列表选择：" if lang == "zh" else "Choose from the list: ") + " / ".join(ASSERTION_CHOICES[lang])
    assertion_dv.showErrorMessage = True
    st.add_data_validation(assertion_dv)
    assertion_dv.add(f"{assertion_col}2:{assertion_col}{max(srow, 2)}")
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
        meta.cell(row=r, column=1, value=k)
        meta.cell(row=r, column=2, value=v)
    meta.sheet_state = "hidden"
    wb.active = 0
    return wb


def _rule_words(kind: str, op: str, lo: float | None, hi: float | None, lang: str) -> str:
    noun = ("整数" if lang == "zh" else "a whole number") if kind == "whole" else ("数值" if lang == "zh" else "a number")
    if op == "between":
        return f"{lo:g}–{hi:g}之间的{noun}" if lang == "zh" else f"{noun} from {lo:g} to {hi:g}"
    sign = "≥" if op == "greaterThanOrEqual" else ">"
    return f"{sign}{lo:g}的{noun}" if lang == "zh" else f"{noun} {sign} {lo:g}"


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
) -> RequestSummary:
    """Write the questionnaire of a plan (default: the default plan) to ``path`` (``fjdata data
    request``); returns what it contains."""
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r} is not one of {LANGS}")
    targets = registry(plan)
    needs = data_needs(chapter, years, targets=targets, extra_data=extra_data)
    stmts = statement_needs(needs, chapter, targets=targets)
    wb = build_workbook(needs, stmts, lang, plan)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)
    reasons: dict[str, int] = {}
    for n in needs:
        for r in n.reasons:
            reasons[r] = reasons.get(r, 0) + 1
    return RequestSummary(path, len(needs), len(stmts), reasons)


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
