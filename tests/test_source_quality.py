"""Source tiers: the documented rule, the column in every shipped row, and no verdict resting on a copy."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fjdata.assess.source_audit import secondary_only_verdicts
from fjdata.core.errors import DataValidationError
from fjdata.inputs.observations import read_csv, shipped_files
from fjdata.inputs.source_quality import TIERS, derive_tier
from tests.conftest import obs_row, write_csv


@pytest.mark.parametrize(
    ("url", "title", "status", "note", "tier"),
    [
        ("https://data.stats.gov.cn/", "国家统计局 分省年度数据", "final", "", "official_statistics"),
        ("http://tjj.fujian.gov.cn/tongjinianjian/dz2022/x.htm", "福建统计年鉴2022 表16-4", "final", "", "official_statistics"),
        ("http://fujian.gov.cn:85/x", "2019年福建省国民经济和社会发展统计公报 (福建省统计局)", "final", "", "official_statistics"),
        ("https://kjt.fujian.gov.cn/x", "2016年福建省全社会研究与试验发展经费投入", "final", "", "official_release"),
        ("https://www.stats.gov.cn/x", "中国科技统计年鉴", "final", "read from GitHub someone/repo:data.rda", "secondary_copy"),
        ("https://github.com/a/b", "GitHub demo repo quoting the communiqué", "final", "", "secondary_copy"),
        ("http://fj.news.cn/x", "新华网福建: 省统计局发布2021年全省经济运行情况", "final", "", "media"),
        ("https://difang.gmw.cn/x", "福建日报，光明网转载", "final", "", "media"),
        ("https://wangyicn.com/x", "中期评估（第三方转载 wangyicn.com）", "final", "", "secondary_copy"),
        ("https://www.donews.com/x", "DoNews (AI-generated summary)", "final", "", "secondary_copy"),
        ("https://tjj.fujian.gov.cn/x", "福建统计年鉴", "derived", "", "derived"),
        ("https://example-unknown-site.com/x", "某网站", "final", "", "secondary_copy"),
    ],
)
def test_tier_rule(url: str, title: str, status: str, note: str, tier: str) -> None:
    assert derive_tier(url, title, status, note).tier == tier


def test_unknown_site_is_flagged_for_review() -> None:
    assert derive_tier("https://example-unknown-site.com/x", "某网站", "final").unsure
    assert not derive_tier("https://github.com/a/b", "x", "final").unsure


def test_every_shipped_row_carries_an_explicit_valid_tier() -> None:
    for path in shipped_files():
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        bad = [i for i, r in enumerate(rows, start=2) if r.get("source_tier") not in TIERS]
        assert rows and not bad, f"{path.name}: lines without a valid source_tier: {bad[:10]}"


def test_user_file_without_the_column_gets_the_rule(tmp_path: Path) -> None:
    columns = ("indicator_id", "region", "year", "value", "unit", "status", "vintage", "published", "source_title", "source_url", "quote")
    path = write_csv(tmp_path / "u.csv", [obs_row(source_url="https://gxt.fujian.gov.cn/x", source_title="省工信厅通知")], columns)
    assert read_csv(path, origin="user")["source_tier"].tolist() == ["official_release"]


def test_bad_tier_names_line_field_and_choices(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", [obs_row(), obs_row(year=2029, source_tier="primary")])
    with pytest.raises(DataValidationError) as err:
        read_csv(path, origin="user")
    assert err.value.problems == [(3, "source_tier", f"'primary' is not empty or one of {TIERS}")]


def test_no_verdict_rests_only_on_a_secondary_copy() -> None:
    assert secondary_only_verdicts() == []


def test_check_catches_a_verdict_resting_on_a_copy(tmp_path: Path) -> None:
    # 超百亿元工业企业 2022 (58) is held from a copy; a primary row with the same value in a one-year
    # release family loses the consistent vintage rule, so the verdict still rests on the copy.
    from fjdata.inputs.observations import observations

    used = observations("industrial_firms_over_10bn", vintage_rule="consistent")
    assert used["source_tier"].iloc[-1] == "secondary_copy"
    year, value = int(used["year"].iloc[-1]), float(used["value"].iloc[-1])
    extra = write_csv(
        tmp_path / "primary.csv",
        [
            obs_row(
                indicator_id="industrial_firms_over_10bn",
                year=year,
                value=value,
                unit="家",
                vintage="test_primary",
                source_url="https://gxt.fujian.gov.cn/test",
                source_tier="official_release",
            )
        ],
    )
    found = secondary_only_verdicts(extra_data=extra)
    assert [(f.target_id, f.year, f.better) for f in found] == [("c2_firms_over_10bn", year, ("test_primary (official_release)",))]
