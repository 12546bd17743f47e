"""benchmarks/m3.py on a few M3 series: it runs, prints the table and its last line, and the policy
it applies is estimated on the training parts only (changing the test values changes the scores,
never the policy)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT

M3 = ROOT / ".." / "shared" / "benchmarks" / "m3_yearly.csv"
LAST = re.compile(r"^auto: sMAPE=(\S+) MASE=(\S+) cover80=(\S+) cover95=(\S+) cpu_s=(\S+)$")


def _run(path: Path, n: int, capsys: pytest.CaptureFixture[str]) -> list[str]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import m3
    finally:
        sys.path.pop(0)
    assert m3.main([str(path), "--series", str(n), "--workers", "1", "--origins", "1", "--no-peers"]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.mark.skipif(not M3.exists(), reason="the shared M3 file is not here")
def test_m3_benchmark_scores_twenty_series_and_ends_with_the_auto_line(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _run(M3, 20, capsys)
    match = LAST.match(lines[-1])
    assert match, lines[-1]
    smape, mase, cover80, cover95, cpu = map(float, match.groups())
    assert 0 < smape < 60 and 0 < mase < 10 and 0 <= cover80 <= cover95 <= 100 and cpu > 0
    assert any(line.startswith("policy from") for line in lines)
    assert any(line.startswith("theta ") for line in lines)


@pytest.mark.skipif(not M3.exists(), reason="the shared M3 file is not here")
def test_m3_policy_never_sees_the_test_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.read_csv(M3)
    frame = frame[frame["series"].isin(frame["series"].unique()[:6])]
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.assign(value=frame["value"].where(frame["part"] == "train", frame["value"] * 3)).to_csv(tmp_path / "b.csv", index=False)
    a, b = _run(tmp_path / "a.csv", 6, capsys), _run(tmp_path / "b.csv", 6, capsys)
    # The policy lines: forecasts counted (its CPU time aside), members and scales, calibration.
    assert a[0].split("(")[0] == b[0].split("(")[0] and a[0].startswith("policy from")
    assert a[1:3] == b[1:3]
    assert a[-1] != b[-1]
