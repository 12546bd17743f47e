"""A plan is data: no plan fact in code, and a new plan runs end to end without a code change."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fjdata.core import config
from fjdata.core.errors import RegistryError
from fjdata.inputs.plan import load_plan, plans
from tests.conftest import docstring_ids, obs_row, write_csv

PLAN_WORDS = ("福建", "十四五", "十五五", "Fujian", "14th", "15th")


def test_no_plan_year_region_or_title_in_code() -> None:
    years = {y for p in plans().values() for y in (p.base_year, p.start_year, p.mid_term_year, p.end_year)}
    words = {*PLAN_WORDS, *(p.region for p in plans().values())}
    found = []
    for path in sorted(config.PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = docstring_ids(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or id(node) in skip:
                continue
            if isinstance(node.value, int) and not isinstance(node.value, bool) and node.value in years:
                found.append(f"{path.name}:{node.lineno}: year {node.value}")
            if isinstance(node.value, str) and any(w in node.value for w in words):
                found.append(f"{path.name}:{node.lineno}: {node.value[:60]!r}")
    assert found == [], "plan facts belong in fjdata/plans/<plan>/plan.yaml:\n" + "\n".join(found)


def test_the_shipped_plan_manifest() -> None:
    p = plans()["fujian-14th-manufacturing"]
    assert (p.base_year, p.start_year, p.mid_term_year, p.end_year) == (2020, 2021, 2022, 2025)
    assert p.chapter_keys == ("1", "2", "3", "4", "5", "annex") and p.status == "complete"
    text = p.text_path()
    if text is not None and text.is_file():  # the plan text is in ../shared/plan in CI
        import hashlib

        assert hashlib.sha256(text.read_bytes()).hexdigest() == p.text_sha256


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"status": "final"}, "status", "not one of complete, partial, draft"),
        ({"period": {"start": 2031, "end": 2030}}, "period", "need base_year < start"),
        ({"id": "Bad Id"}, "id", "not a slug"),
        ({"status": "partial"}, "missing", "lists what its public text leaves out"),
        ({"targets": "nope.yaml"}, "targets", "nope.yaml not found"),
    ],
)
def test_bad_manifests_name_file_and_key(tmp_path: Path, change: dict[str, object], key: str, words: str) -> None:
    folder = _synthetic_plan(tmp_path)
    manifest = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    (folder / "plan.yaml").write_text(yaml.safe_dump({**manifest, **change}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_plan(folder)
    assert err.value.field == key and words in str(err.value) and "plan.yaml" in str(err.value)


def _synthetic_plan(base: Path) -> Path:
    """Another region, another period, three targets: a plan that exists only as data."""
    folder = base / "plans" / "test-china-2016-2020"
    folder.mkdir(parents=True)
    (folder / "plan.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "test-china-2016-2020",
                "title_zh": "测试规划（合成）",
                "title_en": "Synthetic test plan",
                "region": "China",
                "period": {"start": 2016, "end": 2020},
                "base_year": 2015,
                "mid_term_year": 2018,
                "status": "complete",
                "targets": "targets.yaml",
                "chapters": {"A": {"title_zh": "甲 主要指标", "title_en": "A: headline indicators", "context": ["gdp_real_growth"]}},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    target = {"chapter": "A", "section": "甲", "base_year": 2015, "target_year": 2020, "quote": "synthetic", "direction": "higher"}
    (folder / "targets.yaml").write_text(
        yaml.safe_dump(
            [
                {
                    **target,
                    "target_id": "t_gdp",
                    "name_zh": "国内生产总值年均增长",
                    "name_en": "GDP, average growth",
                    "unit": "%",
                    "kind": "average_growth",
                    "target_op": "≥",
                    "target_value": 6.5,
                    "target_text": "6.5%以上",
                    "indicator_id": "gdp_real_growth",
                },
                {
                    **target,
                    "target_id": "t_rd",
                    "name_zh": "研发经费投入强度",
                    "name_en": "R&D intensity",
                    "unit": "%",
                    "kind": "share",
                    "target_op": "≥",
                    "target_value": 2.5,
                    "target_text": "2.5%",
                    "indicator_id": "rd_intensity",
                },
                {
                    **target,
                    "target_id": "t_energy",
                    "name_zh": "能源消费总量",
                    "name_en": "Energy consumption",
                    "unit": "万吨标准煤",
                    "kind": "level",
                    "direction": "lower",
                    "target_op": "≤",
                    "target_value": 500000,
                    "target_text": "50亿吨标准煤以内",
                    "indicator_id": "energy_consumption_total",
                },
            ],
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return folder


@pytest.mark.slow
def test_a_new_plan_runs_registry_assessment_report_and_nightly_without_code_change(tmp_path: Path) -> None:
    folder = _synthetic_plan(tmp_path)
    home = tmp_path / "home"
    (home / "params").mkdir(parents=True)
    import shutil

    shutil.copytree(config.notebooks_dir(), home / "notebooks")
    (home / "params" / "synthetic.yaml").write_text(
        yaml.safe_dump(
            {
                "notebook": "chapter_report.ipynb",
                "name": "synthetic_zh",
                "parameters": {"chapter": "A", "lang": "zh", "plan": "test-china-2016-2020"},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    (home / "params" / "nightly.yaml").write_text("workers: 1\ntimeout: 600\nreports: [synthetic.yaml]\n", encoding="utf-8")
    env = {**os.environ, "FJDATA_HOME": str(home), "FJDATA_PLANS": str(folder.parent)}  # the session cache: its backtest is shared
    code = (
        "import fjdata; from fjdata.report.chapter_report import ChapterReport\n"
        "t = fjdata.targets(plan='test-china-2016-2020'); print('targets', len(t), sorted(t['region'].unique()))\n"
        "a = fjdata.assess(plan='test-china-2016-2020').set_index('target_id')\n"
        "print('overall', a.loc['t_gdp', 'overall_status'], a.loc['t_gdp', 'latest_year'], round(a.loc['t_gdp', 'avg_growth'], 2))\n"
        "r = ChapterReport.build('A', plan='test-china-2016-2020'); print('html', '测试规划（合成）' in r.header_html(), '甲 主要指标' in "
        "r.header_html())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600, check=True).stdout
    assert "targets 3 ['China']" in out
    # China's real GDP grew 6.7, 6.9, 6.6, 6.0 and 2.3 % in 2016–2020 (shipped NBS rows): 5.7 % a year, short of 6.5 %.
    expected = round(((1.067 * 1.069 * 1.066 * 1.060 * 1.023) ** 0.2 - 1) * 100, 2)
    assert f"overall missed 2020 {expected}" in out
    assert "html True True" in out
    proc = subprocess.run(
        [sys.executable, "-m", "fjdata.cli", "nightly", "--no-pdf"],  # the page is checked; the shipped run checks PDFs
        env={**env, "FJDATA_OUTPUTS": str(home / "outputs")},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = next((home / "outputs").glob("*/synthetic_zh.html")).read_text(encoding="utf-8")
    assert "测试规划（合成）" in html and "国内生产总值年均增长" in html and "研发经费投入强度" in html


def test_user_rows_for_another_region_are_validated_like_any(tmp_path: Path) -> None:
    from fjdata.core.errors import DataValidationError
    from fjdata.inputs.observations import read_csv

    bad = write_csv(tmp_path / "x.csv", [obs_row(region="Atlantis")])
    with pytest.raises(DataValidationError, match="Atlantis"):
        read_csv(bad)
