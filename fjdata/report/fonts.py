"""A CJK font for matplotlib that works on a fresh machine without root.

The font (Noto Sans CJK SC, SIL Open Font License) comes from the ``mplfonts`` wheel on PyPI;
we only locate its file and register it with matplotlib — mplfonts' own code is not run.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

FONT_FILE = "NotoSansCJKsc-Regular.otf"


def cjk_font_path() -> Path:
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the 'mplfonts' package (which ships Noto Sans CJK) is not installed; run: python3 tasks.py install")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE
    if not path.is_file():
        raise RuntimeError(f"CJK font not found at {path}")
    return path


@lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Register the CJK font and make it matplotlib's first sans-serif family; returns its name."""
    from matplotlib import font_manager, rcParams

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False  # the CJK font lacks U+2212
    return name
