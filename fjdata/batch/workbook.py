"""The assessment workbook a reader can forward: headers in the reader's language (from a header
map), a frozen header row, number formats per unit kind, one sheet per chapter, a mid-term sheet
and a 说明 / Notes sheet explaining the columns and the verdicts. The CSV keeps every column."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from fjdata.assess import verdicts
from fjdata.assess.judgements import Light, Status
from fjdata.core.wording import words
from fjdata.inputs.chapters import chapter_title
from fjdata.inputs.plan import Plan
from fjdata.report.formatting import COUNT_UNITS

# (column, Chinese header, English header, what it means in Chinese, in English)
COLUMNS: tuple[tuple[str, str, str, str, str], ...] = (
    ("name", "指标", "Indicator", "规划目标所对应的指标", "The indicator the plan target is set on"),
    ("attribute", "属性", "Type", "预期性或约束性", "Anticipatory (预期性) or binding (约束性)"),
    ("target_text", "目标（规划原文）", "Target (plan wording)", "规划文本中的目标表述", "The target as the plan words it"),
    ("target_op", "方向", "Direction", "≥ 不低于；≤ 不高于；≈ 保持在附近", "≥ at least; ≤ at most; ≈ around"),
    ("target_value", "目标值", "Target value", "目标的数值（单位见“单位”列）", "The target's number (unit in the Unit column)"),
    ("target_year", "目标年份", "Target year", "目标应达到的年份", "The year the target is set for"),
    ("unit", "单位", "Unit", "目标值与最新值的单位", "Unit of the target and the latest value"),
    ("base_year", "基期年份", "Base year", "规划基期", "The plan's base year"),
    ("latest_year", "最新数据年份", "Latest data year", "判断所依据的最新数据年份", "Year of the latest figure used"),
    ("latest_raw_value", "最新值", "Latest value", "最新数据（按公布口径）", "Latest figure as published"),
    ("latest_status", "数据状态", "Data status", "最终数 / 修订数 / 初步数 / 推算", "final / revised / preliminary / derived"),
    (
        "overall_label",
        "总体判断",
        "Overall verdict",
        "综合三种判断方法得出的一个结论（见下方判断说明）",
        "One verdict per target (see the verdicts below)",
    ),
    ("attainment", "完成程度", "Share of target reached", "最新值相对目标的完成比例", "Latest value as a share of the target"),
    ("gap", "差距", "Gap", "距目标的差距（正数为未达到，负数为超出）", "Distance to the target (positive: short; negative: above)"),
    ("gap_unit", "差距单位", "Gap unit", "差距的单位", "Unit of the gap"),
    (
        "avg_growth",
        "规划期年均增速（%）",
        "Average growth in the period (%)",
        "年均增长类目标：已有年份的年均增速",
        "Growth targets: average rate over the years with data",
    ),
    ("years_missing", "缺失年份", "Years missing", "尚无数据的年份", "Years without data"),
    (
        "cn_label",
        "判断(a) 进度对比时间",
        "(a) Progress vs time",
        "完成进度与时间进度之比（中期评估惯例）",
        "Progress against elapsed time (Chinese evaluation practice)",
    ),
    (
        "sdg_label",
        "判断(b) 增速比",
        "(b) Growth ratio",
        "实际年均增速与所需年均增速之比",
        "Actual vs required average growth (Eurostat / Open SDG)",
    ),
    ("model_label", "判断(c) 模型", "(c) Model", "统计模型对目标年份的判断", "Statistical model's call for the target year"),
    (
        "model_value",
        "模型：目标年估计值",
        "Model: value in target year",
        "模型对目标年份的估计或预测",
        "The model's estimate or forecast for the target year",
    ),
    ("model_lo80", "80%区间下限", "80% interval, low", "模型80%区间下限", "Lower end of the model's 80% interval"),
    ("model_hi80", "80%区间上限", "80% interval, high", "模型80%区间上限", "Upper end of the model's 80% interval"),
    ("model_prob_band", "达标可能性", "Chance met", "模型给出的达标概率区间", "The model's probability band of meeting the target"),
    (
        "disputes",
        "来源不一",
        "Sources disagree",
        "同一年份不同来源的数值及采用理由",
        "Where sources give different figures, which is used and why",
    ),
    ("notes", "备注", "Notes", "数据与方法说明", "Notes on data and method"),
    ("target_id", "目标编号", "Target id", "目标在数据文件中的编号（供核对）", "The target's id in the data files (for tracing)"),
)
STATUS_WORDS = {
    "zh": {"final": "最终数", "revised": "修订数", "preliminary": "初步数", "derived": "推算"},
    "en": {"final": "final", "revised": "revised", "preliminary": "preliminary", "derived": "derived"},
}
LIGHT_WORDS = {
    Light.GREEN: ("达标或进展良好", "met or on track"),
    Light.AMBER: ("尚难判断或需加快", "undecided or needs to speed up"),
    Light.RED: ("未实现或滞后", "missed or lagging"),
    Light.GREY: ("数据不足或不适用", "insufficient data or not applicable"),
}
SHEET_NOTES = {"zh": "说明", "en": "Notes"}


def number_format(unit: str, column: str) -> str:
    """Excel number format for a value column of a row with this unit (counts whole, % one decimal)."""
    if column == "attainment":
        return "0%"
    if column in ("target_year", "base_year", "latest_year"):
        return "0"
    if unit in COUNT_UNITS:
        return "#,##0"
    if unit == "亿元":
        return "#,##0"
    return "#,##0.0" if unit in ("%", "百分点") else "#,##0.0#"


VALUE_COLUMNS = ("target_value", "latest_raw_value", "gap", "model_value", "model_lo80", "model_hi80", "avg_growth", "attainment")


def reader_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The columns a reader needs, in order, with labels in ``lang`` (headers still internal)."""
    f = frame.copy()
    f["name"] = f["name_zh"] if lang == "zh" else f["name_en"]
    for judgement in ("cn", "sdg", "model"):
        f[f"{judgement}_label"] = f[f"{judgement}_label_{lang}"]
    f["overall_label"] = f[f"verdict_label_{lang}"]  # the one verdict vocabulary (fjdata.assess.verdicts)
    f["latest_status"] = f["latest_status"].map(lambda s: STATUS_WORDS[lang].get(s, s) if isinstance(s, str) else s)
    if lang == "en":
        f["attribute"] = f["attribute"].map(
            lambda a: {"预期性": "anticipatory", "约束性": "binding"}.get(a, a) if isinstance(a, str) else a
        )
    for col in ("target_year", "base_year", "latest_year"):
        f[col] = pd.to_numeric(f[col], errors="coerce").astype("Int64")
    for col in VALUE_COLUMNS:
        f[col] = pd.to_numeric(f[col], errors="coerce").round(6)  # no float noise (133.82255776000002)
    return f[[c for c, *_ in COLUMNS]]


BIG_SECTION = 10  # a plan section with this many targets gets its own sheet (e.g. the 21 industrial clusters)


def _sections(frame: pd.DataFrame, plan: Plan, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """One sheet per chapter, with a large section of a mixed chapter on a sheet of its own
    (named by the plan's section heading; in English by the chapter and the section's size)."""
    from fjdata.inputs.registry import targets

    registry = targets(plan=plan)
    section = dict(zip(registry["target_id"], registry["section"], strict=True))
    frame = frame.assign(_section=frame["target_id"].map(section).fillna(""))
    out: list[tuple[str, pd.DataFrame]] = []
    for chapter, rows in frame.groupby("chapter", sort=False):
        title = chapter_title(str(chapter), lang, plan)
        sizes = rows["_section"].value_counts()
        big = [str(s) for s, n in sizes.items() if BIG_SECTION <= n < len(rows)]
        rest = rows[~rows["_section"].isin(big)]
        if len(rest):
            out.append((title, rest.drop(columns="_section")))
        for s in big:
            part = rows[rows["_section"] == s].drop(columns="_section")
            out.append((s if lang == "zh" else f"Chapter {chapter}, {len(part)} targets", part))
    return out


def _sheet_name(title: str, taken: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "sheet"
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]}_{n}"
        n += 1
    taken.add(name)
    return name


def write_workbook(path: Path, today: pd.DataFrame, midterm: pd.DataFrame, mid_year: int, plan: Plan, lang: str = "zh") -> Path:
    """Write the workbook atomically (a temporary file renamed into place)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    headers = [zh if lang == "zh" else en for _, zh, en, _, _ in COLUMNS]
    sheets: list[tuple[str, pd.DataFrame, pd.DataFrame]] = []
    taken: set[str] = set()
    for title, rows in _sections(today, plan, lang):
        sheets.append((_sheet_name(title, taken), reader_table(rows, lang), rows))
    if len(midterm):
        title = f"中期视角（{mid_year}年数据）" if lang == "zh" else f"Mid-term view ({mid_year} data)"
        sheets.append((_sheet_name(title, taken), reader_table(midterm, lang), midterm))
    tmp = path.with_name("." + path.name + ".tmp")
    with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        for name, table, _ in sheets:
            table.to_excel(xl, sheet_name=name, index=False, header=headers)
        _notes(xl.book, lang)
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="F3F5F9")
        wrap = Alignment(wrap_text=True, vertical="top")
        for name, table, _ in sheets:
            ws = xl.book[name]
            ws.freeze_panes = "B2"  # header row and indicator column stay in view
            for cell in ws[1]:
                cell.font, cell.fill, cell.alignment = bold, fill, wrap
            units = list(table["unit"])
            gap_units = list(table["gap_unit"])
            for j, col in enumerate(table.columns, start=1):
                letter = get_column_letter(j)
                ws.column_dimensions[letter].width = 34 if col in ("name", "target_text", "notes", "disputes") else 14
                if col in VALUE_COLUMNS or col in ("target_year", "base_year", "latest_year"):
                    for i, unit in enumerate(units, start=2):
                        u = "%" if col == "avg_growth" else (gap_units[i - 2] if col == "gap" else unit)
                        ws.cell(row=i, column=j).number_format = number_format(str(u), col)
    os.replace(tmp, path)
    return path


def _notes(book: object, lang: str) -> None:
    """The 说明 sheet: what each column means, then what each verdict means."""
    from openpyxl.styles import Alignment, Font

    ws = book.create_sheet(SHEET_NOTES[lang], 0)  # type: ignore[attr-defined]
    zh = lang == "zh"
    ws.append(["列名", "说明"] if zh else ["Column", "Meaning"])
    for _, h_zh, h_en, m_zh, m_en in COLUMNS:
        ws.append([h_zh, m_zh] if zh else [h_en, m_en])
    ws.append([])
    ws.append(["判断", "含义"] if zh else ["Verdict", "Meaning"])
    for key in verdicts.ALL_VERDICTS:  # the 总体判断 column's words
        ws.append([str(words(lang)["verdicts"][key]["label"]), str(words(lang)["verdict_meaning"][key])])
    for status in Status:  # the words of the three judgements (a), (b), (c)
        zh_light, en_light = LIGHT_WORDS[status.light]
        ws.append([status.label(lang), f"{zh_light}（{status.light.value}）" if zh else f"{en_light} ({status.light.value})"])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 26, 70
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in (ws[1][0], ws[1][1], ws[len(COLUMNS) + 3][0], ws[len(COLUMNS) + 3][1]):
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def sheet_names(lang: str, chapters: Sequence[str], plan: Plan) -> list[str]:
    """The chapter sheet names the workbook uses (for readers of the file and for tests)."""
    taken: set[str] = set()
    return [_sheet_name(chapter_title(c, lang, plan), taken) for c in chapters]
