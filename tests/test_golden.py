"""A fresh computation equals the committed golden run, cell by cell (see tests/golden.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests import golden


@pytest.mark.parametrize("stem", list(golden.views()))
def test_published_numbers_equal_the_golden_run(stem: str) -> None:
    expected = pd.read_csv(golden.GOLDEN / f"{stem}.csv", dtype=str, keep_default_na=False, index_col=0)
    moved = golden.differences(expected, golden.compute(golden.views()[stem]))
    assert not moved, f"{len(moved)} published values moved (regenerate on purpose: python3 tasks.py golden):\n" + "\n".join(moved[:60])


def test_the_comparison_names_what_moved() -> None:
    a = pd.DataFrame({"status": ["已实现", "未实现"], "gap": ["0.5", "1.25"]}, index=["t1", "t2"])
    b = a.copy()
    b.loc["t2", "gap"] = "1.2500000000001"  # within the printed precision
    assert golden.differences(a, b) == []
    b.loc["t1", "status"], b.loc["t2", "gap"] = "基本实现", "1.3"
    assert golden.differences(a, b) == ["t1.status: '已实现' → '基本实现'", "t2.gap: '1.25' → '1.3'"]
    assert golden.differences(a, a.drop(columns="gap")) == ["column lost: gap"]
