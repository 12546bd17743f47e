"""The golden run: the published assessment of the default plan at two fixed evaluation dates (its
end year, the final evaluation, and its mid-term year), computed from an empty cache and committed
in ``tests/golden/``. ``tests/test_golden.py`` computes both afresh and lists every cell that moved,
so a dependency bump or a code change that moves a published number fails loudly.

Regenerate on purpose, and say so in CHANGELOG.md::

    python3 tasks.py golden
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import pandas as pd

GOLDEN = Path(__file__).resolve().parent / "golden"
RTOL = 1e-9  # numbers printed with 12 significant digits; a real move is far larger


def views() -> dict[str, int]:
    """``{file stem: as_of}``: the default plan's final evaluation and its mid-term view (plan data)."""
    from fjdata.inputs.plan import get_plan

    plan = get_plan()
    return {f"assessment_final_{plan.end_year}": plan.end_year, f"assessment_midterm_{plan.mid_term_year}": plan.mid_term_year}


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the CSV holds it: every cell a string (12 significant digits for floats)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, float_format="%.12g")
    buffer.seek(0)
    return pd.read_csv(buffer, dtype=str, keep_default_na=False, index_col=0)


def compute(as_of: int) -> pd.DataFrame:
    import fjdata

    return as_text(fjdata.assess(as_of=as_of).set_index("target_id"))


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return math.isclose(x, y, rel_tol=RTOL, abs_tol=1e-12)


def differences(golden: pd.DataFrame, now: pd.DataFrame) -> list[str]:
    """Every difference, as ``target.column: golden → now`` lines (rows and columns added or lost first)."""
    out = [f"column lost: {c}" for c in golden.columns.difference(now.columns)]
    out += [f"column added: {c}" for c in now.columns.difference(golden.columns)]
    out += [f"row lost: {r}" for r in golden.index.difference(now.index)]
    out += [f"row added: {r}" for r in now.index.difference(golden.index)]
    for row in golden.index.intersection(now.index):
        for col in golden.columns.intersection(now.columns):
            g, n = golden.at[row, col], now.at[row, col]
            if not _same(g, n):
                out.append(f"{row}.{col}: {g!r} → {n!r}")
    return out


def write() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for stem, as_of in views().items():
        compute(as_of).to_csv(GOLDEN / f"{stem}.csv")
        print(f"wrote {GOLDEN / stem}.csv", file=sys.stderr)


if __name__ == "__main__":
    write()
