"""Target charts as a reader sees them, checked on the real matplotlib figures: text size, a
horizontal unit, the target drawn (read back from the artists), sensible year axes for one or two
points, whole legends, English units, the national series beside the province's, and the
collapsed data table with the plotted numbers."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text
from PIL import Image

from fjdata.assess.assessment import TargetResult, results
from fjdata.forecast.models import METHODS
from fjdata.report.chapter_report import chart_html, has_chart
from fjdata.report.charts import TARGET_GID, TEXT_PT, png_bytes, target_chart, target_drawn
from fjdata.report.explore import Exploration


@pytest.fixture(scope="module")
def charted() -> dict[str, TargetResult]:
    return {r.assessment.target_id: r for r in results() if has_chart(r)}


def _texts(fig: plt.Figure) -> list[Text]:
    found = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    return found


def test_every_target_chart_draws_its_target_with_readable_horizontal_text(charted: dict[str, TargetResult]) -> None:
    assert len(charted) >= 15
    for tid, r in charted.items():
        for lang in ("zh", "en"):
            fig, info = target_chart(r, lang)
            assert info.target_drawn and target_drawn(fig), (tid, lang)
            for t in _texts(fig):
                assert t.get_fontsize() >= TEXT_PT - 1e-9, (tid, t.get_text(), t.get_fontsize())
                assert t.get_rotation() == 0, (tid, t.get_text())  # no rotated CJK unit reading as an arrow
            plt.close(fig)


def test_removing_the_target_is_seen_on_the_figure(charted: dict[str, TargetResult]) -> None:
    fig, _ = target_chart(charted["c2_engineering_research_centers"], "zh")
    assert target_drawn(fig)
    for artist in fig.axes[0].get_children():
        if artist.get_gid() == TARGET_GID:
            artist.set_visible(False)
    assert not target_drawn(fig)
    plt.close(fig)


def test_one_point_charts_span_years_not_a_century(charted: dict[str, TargetResult]) -> None:
    single = [r for r in charted.values() if len(r.history) == 1]
    assert len(single) >= 5
    for r in single:
        fig, _ = target_chart(r, "zh")
        lo, hi = fig.axes[0].get_xlim()
        assert hi - lo <= 8 and lo > 2000 and hi < 2040, (r.assessment.target_id, lo, hi)
        year = r.history.index[0].year
        value_labels = [t.get_text() for t in fig.axes[0].texts]
        assert any(t.replace(",", "").startswith(f"{r.history.iloc[0]:.0f}"[:2]) for t in value_labels), value_labels
        assert lo < year < hi and lo < r.assessment.target_year < hi
        plt.close(fig)


def test_legend_fits_inside_the_png(charted: dict[str, TargetResult]) -> None:
    r = charted["c2_mfg_share_gdp"]
    fig, _ = target_chart(r, "en")
    fig.canvas.draw()
    legend = fig.axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert "insufficient" not in " ".join(texts) or all(not t.endswith("insufficie") for t in texts)
    box = legend.get_window_extent()
    fig_box = fig.get_tightbbox().transformed(fig.dpi_scale_trans)
    assert box.x1 <= fig_box.x1 + 1 and box.y0 >= fig_box.y0 - 1
    png = png_bytes(fig)
    width, height = Image.open(io.BytesIO(png)).size
    assert width >= box.x1 - fig_box.x0 - 2 and height > 300


def test_english_charts_translate_units_and_national_series_is_beside(charted: dict[str, TargetResult]) -> None:
    fig, _ = target_chart(charted["c2_green_factories"], "en")
    words = " ".join(t.get_text() for t in _texts(fig))
    assert "firms" in words and "家" not in words
    plt.close(fig)
    fig, info = target_chart(charted["c2_mfg_share_gdp"], "zh")
    assert info.comparison_region and any(p.series == info.comparison_region for p in info.points)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "全国" in labels
    plt.close(fig)
    fig, info = target_chart(charted["c2_firms_over_10bn"], "zh")  # a count: no national series on a provincial axis
    assert info.comparison_region == ""
    plt.close(fig)


def test_chart_html_carries_alt_text_marker_and_data_table(charted: dict[str, TargetResult]) -> None:
    r = charted["c2_above_size_va_growth"]
    page = chart_html(r, "zh")
    assert "data-target-drawn='1'" in page
    assert "<details class='fj-data'><summary>数据</summary>" in page
    for year, value in ((2021, "9.9"), (2025, "6.5")):
        assert f"<td>{year}</td><td>{value}</td>" in page
    assert "alt='规上工业增加值年均增长：" in page and "目标" in page
    en = chart_html(r, "en")
    assert "<summary>Data</summary>" in en and "Source type" in en


def _legend_texts(fig: plt.Figure) -> list[str]:
    """The legend entries as drawn, read back from the figure's legends."""
    return [t.get_text() for ax in fig.axes if ax.get_legend() is not None for t in ax.get_legend().get_texts()]


def _named_methods(texts: list[str]) -> list[str]:
    return [t for t in texts if any(m in t.lower() for m in METHODS)]


def test_chinese_legends_never_name_a_forecasting_method(charted: dict[str, TargetResult]) -> None:
    projected = [r for r in charted.values() if r.forecast is not None]
    assert len(projected) >= 3
    for r in projected:
        fig, _ = target_chart(r, "zh")
        texts = _legend_texts(fig)
        plt.close(fig)
        assert "模型预测" in texts and not _named_methods(texts), (r.assessment.target_id, texts)
    methods = ["drift", "theta", "linear"]
    zh, en = (Exploration.build("rd_intensity", lang=lang, methods=methods) for lang in ("zh", "en"))
    zh_texts, en_texts = _legend_texts(zh.methods_figure()), _legend_texts(en.methods_figure())
    plt.close("all")
    assert len(zh_texts) == len(methods) + 1 and not _named_methods(zh_texts), zh_texts
    assert set(methods) <= set(en_texts), en_texts  # English names each method
    # The numbered Chinese legend entries are paired with their methods in the table.
    table = zh.methods_table()
    assert list(table["method"]) == methods and list(table["图例"]) == zh_texts[1:]
