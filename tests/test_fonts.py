"""Chinese labels render with a real CJK font (no tofu boxes), on a machine without root."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from fjdata.report.fonts import cjk_font_path, use_cjk_font


def test_chinese_labels_resolve_to_the_bundled_cjk_font() -> None:
    name = use_cjk_font()
    assert "CJK" in name
    resolved = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]), fallback_to_default=False)
    # The bundled file (or a system copy of the same family, where one is installed) has the glyphs.
    for path in {str(resolved), str(cjk_font_path())}:
        assert FT2Font(path).get_char_index(ord("规")) != 0, path
    fig, ax = plt.subplots()
    ax.set_title("规上工业增加值年均增长")
    ax.set_xlabel("年份")
    ax.legend(["观测值"], title="图例")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()  # matplotlib warns "Glyph … missing from font(s)" when it falls back
    plt.close(fig)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_default_font_would_have_fallen_back() -> None:
    # The check above can fail: DejaVu Sans has no CJK glyphs and matplotlib says so.
    fig, ax = plt.subplots()
    ax.set_title("规上", fontfamily="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    assert any("missing from font" in str(w.message) for w in caught)
