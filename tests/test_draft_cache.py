"""What the draft and feasibility reports compute is stored on disk on its inputs: a second process
(the report's kernel after the nightly's warm-up) reads it, and a changed draft file or changed data
computes it again (fjdata.assess.drafting, fjdata.assess.feasibility, fjdata.report.draft_report)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from fjdata.assess.drafting import draft_report
from fjdata.assess.feasibility import assess_drafts, read_draft_file
from fjdata.report.draft_report import draft_page
from tests.conftest import obs_row, write_csv

# by module path: ``fjdata.assess`` the attribute is the assess() function
drafting = importlib.import_module("fjdata.assess.drafting")
feasibility = importlib.import_module("fjdata.assess.feasibility")
draft_page_module = importlib.import_module("fjdata.report.draft_report")

DRAFT = """\
title: 缓存测试草案
previous_plan: fujian-14th-manufacturing
reference_plans: [china-15th-fyp]
region: Fujian
base_year: 2025
target_year: 2030
targets:
  - name: 地区生产总值年均增长
    indicator_id: gdp_real_growth
    kind: average_growth
    target_op: "≥"
    target_value: {value}
"""


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("recomputed although nothing changed")


def test_a_stored_draft_report_is_read_and_a_changed_file_or_data_recomputes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(DRAFT.format(value=5), encoding="utf-8")
    first = draft_report(path)
    (item,) = first.items
    assert item.feasibility.required_rate is not None

    # Unchanged: read from disk; neither the analysis nor any fit runs again.
    with monkeypatch.context() as m:
        m.setattr(drafting, "_draft_report", _refuse)
        m.setattr(feasibility, "assess_draft", _refuse)
        again = draft_report(path)
        stored = assess_drafts(list(read_draft_file(path).targets))  # the feasibility notebook's call, warmed by the same work
    assert again.frame(raw=True).equals(first.frame(raw=True))
    assert stored[0].probability == item.feasibility.probability

    # A changed candidate value: the same file name, other bytes, another answer.
    path.write_text(DRAFT.format(value=7), encoding="utf-8")
    changed = draft_report(path).items[0].feasibility
    assert changed.target.target_value == 7 and changed.probability != item.feasibility.probability

    # Changed data (a user figure for the last year): recomputed with it.
    user = tmp_path / "user"
    user.mkdir()
    last = item.feasibility.last_year
    assert last is not None
    row = obs_row(indicator_id="gdp_real_growth", year=last, value=6.3, unit="%", published=f"{last + 1}-03-01", quote="test fixture 6.3")
    write_csv(user / "mine.csv", [row])
    monkeypatch.setenv("FJDATA_USER_DATA", str(user))
    path.write_text(DRAFT.format(value=5), encoding="utf-8")
    with_data = draft_report(path).items[0].feasibility
    assert with_data.last_year == last and with_data.last_value == 6.3 != item.feasibility.last_value


def test_a_drawn_chart_is_stored_on_what_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(DRAFT.format(value=5), encoding="utf-8")
    page = draft_page(draft_report(path), "zh")
    with monkeypatch.context() as m:
        m.setattr(draft_page_module, "feasibility_figure", _refuse)
        assert draft_page(draft_report(path), "zh") == page  # read, not drawn
        path.write_text(DRAFT.format(value=9), encoding="utf-8")
        with pytest.raises(AssertionError, match="recomputed"):  # another candidate: another chart
            draft_page(draft_report(path), "zh")
