"""Issue 19, without a browser: the English edition's precision and source titles, symbols turned
into words in the 要点, the 要点 as bullets, and workbook sheet names that fit."""

from __future__ import annotations

import re

from fjdata.batch.workbook import SHEET_MAX, sheet_name
from fjdata.report import formatting as fmt
from fjdata.report.chapter_report import keypoints


def test_english_figures_have_sensible_precision() -> None:
    assert fmt.value(40.0, "万元/人", "en") == "400,000 yuan per worker"
    assert fmt.value(5000, "亿元", "en") == "500 bn yuan" and fmt.value(9925.66, "亿元", "en") == "992.6 bn yuan"
    assert fmt.value(80.0, "%", "en") == "80%" and fmt.value(34.2, "%", "en") == "34.2%"
    assert fmt.value(80.0, "%") == "80.0%"  # the Chinese edition keeps its one decimal


def test_bounds_read_as_words_in_prose() -> None:
    assert fmt.plain_bounds("国家级高新技术企业2025年为≥15,000家") == "国家级高新技术企业2025年为超过1.5万家"
    assert fmt.plain_bounds("2022年为≥10,000亿元，目标") == "2022年为超过1万亿元，目标"
    assert fmt.plain_bounds("2025年为≥70.0%，目标") == "2025年为超过70%，目标"
    assert fmt.plain_bounds("was ≥15,000 in 2025", "en") == "was more than 15,000 in 2025"
    assert "≥" not in fmt.plain_bounds("≥750个、≤3.5%")


def test_english_source_titles_are_translated_or_marked_chinese() -> None:
    bulletin = fmt.source_title("《2021年福建省国民经济和社会发展统计公报》", "en")
    assert not re.search(r"[\u4e00-\u9fff]", bulletin) and "Statistical Communiqué" in bulletin and "2021" in bulletin
    news = fmt.source_title("闽南网/福建日报: 福建省统计局发布2025年经济数据", "en")
    assert news == "Chinese source: 闽南网/福建日报: 福建省统计局发布2025年经济数据"  # the original, to look it up
    assert fmt.source_title("《福建统计年鉴2022》", "zh") == "《福建统计年鉴2022》"


def test_key_points_that_list_targets_become_bullets() -> None:
    (point,) = keypoints(["已实现的目标：甲2025年为≥15,000家，超出7,000家；乙2024年为456家，超出156家。"], "zh")
    assert point["lead"] == "已实现的目标：" and point["bullets"] == ["甲2025年为超过1.5万家，超出7,000家", "乙2024年为456家，超出156家"]
    (plain,) = keypoints(["《规划》实施期已于2025年结束，本报告为终期评估。"], "zh")
    assert plain["bullets"] == [] and plain["text"].startswith("《规划》")
    (en,) = keypoints(["Achieved: A: 5% in 2024, against 4%, 1 point above; 2025 is not yet published; B: 7 in 2022, 2 above."], "en")
    assert en["bullets"] == ["A: 5% in 2024, against 4%, 1 point above; 2025 is not yet published", "B: 7 in 2022, 2 above"]


def test_sheet_names_fit_without_a_trailing_space_and_stay_unique() -> None:
    taken: set[str] = set()
    names = [
        sheet_name(t, taken)
        for t in (
            "Chapter 2: General requirements (Box 2 headline indicators)",
            "Task targets, yearly and national quotas (chapter 4)",
            "Chapter 4: Main tasks (nine actions and boxes)",
            "Chapter 4: Main tasks (nine actions and boxes)",
            "The 2022 mid-term call against the outcome",
        )
    ]
    assert all(len(n) <= SHEET_MAX and n == n.strip() and not set(n) & set("[]:*?/\\") for n in names), names
    assert len(set(names)) == len(names) and names[1] == "Task targets"


def test_figures_with_their_year_are_kept_whole_and_still_escaped() -> None:
    from fjdata.report.templating import keep_whole

    out = str(keep_whole("28.9%（2019年）；2024、2025年：无数据 <script>"))
    assert "<span class='nw'>28.9%（2019年）</span>" in out and "<span class='nw'>2025年</span>" in out
    assert "<script>" not in out and "&lt;script&gt;" in out
