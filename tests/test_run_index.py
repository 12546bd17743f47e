"""The leadership index page and the optional PDF step, without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from fjdata.batch import pdf
from fjdata.batch.run_index import index_html
from fjdata.batch.run_result import ReportResult, ReportStatus, RunResult
from fjdata.inputs.plan import get_plan


def _result(name: str, notebook: str, status: ReportStatus = ReportStatus.SUCCESS, **parameters: object) -> ReportResult:
    return ReportResult(
        name,
        status,
        2.5,
        f"params/{name}.yaml",
        notebook,
        {"lang": "zh", **parameters},
        title=f"标题{name}",
        html=f"{name}.html",
        executed=f"notebooks/{name}.ipynb",
        error="boom" if status != ReportStatus.SUCCESS else None,
    )


def test_reports_come_first_grouped_by_plan_with_pdf_links_and_run_details_collapsed(tmp_path: Path) -> None:
    reports = (
        _result("overview_zh", "overview.ipynb"),
        _result("chapter_2_zh", "chapter_report.ipynb"),
        _result("other_plan", "overview.ipynb", plan="china-15th-fyp"),
        _result("broken", "chapter_report.ipynb", ReportStatus.FAILED),
    )
    run = RunResult(
        tmp_path, reports, "s", "f", "a" * 64, extra={"pdfs": {"overview_zh": "overview_zh.pdf"}, "tables": ["assessment.xlsx"]}
    )
    page = index_html(run, "2026-11-29")
    head, details = page.split('<details class="run">')
    assert get_plan().title_zh in head and get_plan("china-15th-fyp").title_zh in head
    assert head.index("标题overview_zh") < head.index("标题chapter_2_zh") < head.index(get_plan("china-15th-fyp").title_zh)
    assert "href='overview_zh.pdf'" in head and "href='chapter_2_zh.pdf'" not in head
    assert "href='broken.html'" not in head and "失败" in head  # a failed report is named, not linked
    assert "ipynb" not in head and "耗时" not in head and "ipynb" in details and "manifest.json" in details
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")


def test_without_chromium_the_pdf_step_is_skipped_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "chromium_path", lambda: None)
    (tmp_path / "overview_zh.html").write_text("<p>x</p>", encoding="utf-8")
    done, note = pdf.write_pdfs(tmp_path, [_result("overview_zh", "overview.ipynb")])
    assert done == {} and note.startswith("本次未生成打印版PDF：本机未安装Chromium")
    assert not list(tmp_path.glob("*.pdf"))
    run = RunResult(tmp_path, (), "s", "f", "a" * 64, extra={"pdf_note": note})
    page = index_html(run, "d")
    notice = page.split("<p class='notice'", 1)[1].split("</p>", 1)[0]  # at the top, outside the collapsed details
    assert "未安装Chromium" in notice and page.index("<p class='notice'") < page.index("<details")


def test_a_failing_browser_leaves_a_note_and_stops_trying(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The nightly prints each report as it finishes; a browser that fails once is not tried again
    (no report waits on it) and the index says why PDFs are missing."""
    calls: list[str] = []

    def broken(page: object, html: Path, pdf: Path) -> None:
        calls.append(html.name)
        raise RuntimeError("Target page, context or browser has been closed")

    monkeypatch.setattr(pdf, "print_pdf", broken)
    monkeypatch.setattr(pdf.PdfPrinter, "_start", lambda self: object())  # a page that exists but fails to print
    for name in ("overview_zh", "chapter_2_zh"):
        (tmp_path / f"{name}.html").write_text("<p>x</p>", encoding="utf-8")
    with pdf.PdfPrinter(tmp_path) as printer:
        printer.add(_result("overview_zh", "overview.ipynb"))
        printer.add(_result("chapter_2_zh", "chapter_report.ipynb"))
    assert calls == ["overview_zh.html"] and printer.done == {}
    assert printer.note.startswith("打印版PDF未全部生成（RuntimeError: Target page")
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*.tmp"))


def test_the_index_says_what_each_report_holds_with_the_headline_counts_and_each_title_once(tmp_path: Path) -> None:
    from fjdata.assess.prepare import prepare
    from fjdata.assess.view import View
    from fjdata.report import scorecard

    c15 = get_plan("china-15th-fyp")
    reports = (
        _result("overview_zh", "overview.ipynb"),
        _result("chapter_1_zh", "chapter_report.ipynb", chapter="1"),
        _result("chapter_2_zh", "chapter_report.ipynb", chapter="2"),
        ReportResult("c15", ReportStatus.SUCCESS, 1.0, "p", "overview.ipynb", {"lang": "zh", "plan": c15.plan_id}, title=c15.title_zh),
    )
    page = index_html(RunResult(tmp_path, reports, "s", "f", "a" * 64), "d").split('<details class="run">')[0]
    items = {chunk.split("'", 1)[0]: chunk for chunk in page.split("data-report='")[1:]}
    # The overview and a chapter with targets carry the tiles' counts; a chapter without targets says so.
    plan = get_plan()
    head, tiles = scorecard.tiles(prepare(View.of(), "all").items, plan, "zh")
    assert head is not None and f"{head.title('zh')}：" + "、".join(f"{t.label}{t.count}项" for t in tiles) in items["overview_zh"]
    chapter_2 = scorecard.tiles(prepare(View.of(), "2").items, plan, "zh", headline_only=False)[1]
    assert "、".join(f"{t.label}{t.count}项" for t in chapter_2) in items["chapter_2_zh"]
    assert "本章未设定量化目标" in items["chapter_1_zh"] and "逐项评估" not in items["chapter_1_zh"]
    assert "逐项评估" in items["chapter_2_zh"]
    assert page.count(c15.title_zh) == 1  # the plan's title heads its group; the report is named for what it is
