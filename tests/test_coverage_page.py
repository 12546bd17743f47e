"""The coverage page of the nightly output, rendered in headless Chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pytest

from fjdata.department.data_needs import needed_years
from fjdata.inputs.indicators import catalogue
from fjdata.inputs.observations import observations
from fjdata.inputs.registry import registry
from fjdata.report.coverage_page import PAGE, QUESTIONNAIRE, coverage_html, coverage_rows, write_coverage_outputs
from tests.conftest import ROOT
from tests.test_nightly import chromium_path

ARTIFACTS = ROOT / "outputs" / "test-artifacts"


def test_rows_say_what_is_held_and_missing() -> None:
    rows = coverage_rows()
    assert [r.target.target_id for r in rows] == [t.target_id for t in registry()]
    frame = observations(region="Fujian")
    for r in rows:
        t = r.target
        held = set(frame.loc[frame["indicator_id"] == t.indicator_id, "year"])
        wanted = set(needed_years(t, catalogue()[t.indicator_id]))
        assert r.missing == tuple(sorted(wanted - held)), t.target_id
        assert [c.year for c in r.cells] == list(range(t.base_year, t.target_year + 1))
        assert all((c.tier is None) == (c.year not in held) for c in r.cells)
        assert r.late == bool(held & {t.target_year - 1, t.target_year})


def test_page_is_self_contained_and_links_the_questionnaire() -> None:
    html = coverage_html()
    assert f'href="{QUESTIONNAIRE}"' in html and "<script" not in html
    assert not re.search(r"""src=["']https?://""", html)  # nothing is loaded from elsewhere
    assert "进展顺利（官方表述）" in html and "difang.gmw.cn" in html  # the shipped on-track statement, cited
    for t in registry():
        assert t.target_id in html


@pytest.mark.slow
def test_nightly_tables_include_the_page_and_questionnaire(tmp_path: Path) -> None:
    from fjdata.batch.nightly import _write_tables

    names = _write_tables(tmp_path)
    assert {PAGE, QUESTIONNAIRE} <= set(names)
    assert openpyxl.load_workbook(tmp_path / QUESTIONNAIRE).sheetnames[:2] == ["填报说明", "请填写数据"]


@pytest.mark.slow
def test_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = chromium_path()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: Chromium not found")
        pytest.skip("headless Chromium not found on PATH; skipped outside CI")
    write_coverage_outputs(tmp_path)
    shot = tmp_path / "coverage.png"
    from playwright.sync_api import sync_playwright

    from tests.test_nightly import CHROMIUM_ARGS

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=browser, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1280, "height": 2000})  # the screenshot a reviewer takes (one browser for all checks)
        page.goto((tmp_path / PAGE).as_uri(), wait_until="load")
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 50_000
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "coverage.png").write_bytes(shot.read_bytes())
        assert page.locator("table").first.locator("tbody tr").count() == len(registry())
        # The research trail is the analyst's: on this page (and in the data files), never in a report.
        trail = page.locator("table.trail").inner_text()
        assert "kinegratii/zinc" in trail and "来源待核实" in trail
        assert page.locator(f"a[href='{QUESTIONNAIRE}']").count() == 2
        assert "数据覆盖情况" in page.inner_text("h1")
        b.close()
