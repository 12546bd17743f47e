"""The target registry: content checked against the plan text, and validation errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from fjdata import targets
from fjdata.core.errors import ArgumentError, RegistryError
from fjdata.inputs.indicators import catalogue
from fjdata.inputs.plan import get_plan
from fjdata.inputs.registry import load_targets, registry


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def box2_rows(plan: str) -> dict[int, tuple[str, str]]:
    """专栏2 rows as printed in the plan: number -> (2025 target text, 属性)."""
    start = plan.index("专栏2“十四五”制造业高质量发展主要指标")
    end = plan.index("第三章发展重点", start)
    rows = {}
    for line in plan[start:end].splitlines():
        parts = [p for p in re.split(r"[\s\u3000]{2,}", line.strip()) if p]
        if parts and parts[-1] in ("预期性", "约束性"):
            nums = [i for i, p in enumerate(parts) if p.isdigit()]
            if nums:
                rows[int(parts[nums[0]])] = (parts[-2], parts[-1])
    return rows


def test_box2_has_all_twenty_rows_with_values_and_attributes(plan_text: str) -> None:
    plan_rows = box2_rows(plan_text)
    assert sorted(plan_rows) == list(range(1, 21))
    box2 = {t.column_box: t for t in registry() if t.column_box and t.column_box.startswith("专栏2")}
    assert len(box2) == 20
    for n, (value_text, attribute) in plan_rows.items():
        t = box2[f"专栏2 第{n}行"]
        assert t.attribute == attribute, t.target_id
        number = re.search(r"\d+(\.\d+)?", value_text)
        if number:
            assert t.target_value == pytest.approx(float(number.group())), t.target_id
        elif "三分之一" in value_text:
            assert t.target_value == pytest.approx(100 / 3, abs=0.01) and t.target_op == "≈"
        else:
            assert value_text == "完成国家下达指标" and t.kind == "national_quota" and t.target_value is None


def test_every_quote_occurs_verbatim_in_the_plan(plan_text: str) -> None:
    plan = squash(plan_text)
    missing = [(t.target_id, q) for t in registry() for q in t.quotes() if squash(q) not in plan]
    assert missing == []


def test_target_text_is_the_plans_wording(plan_text: str) -> None:
    plan = squash(plan_text)
    assert [t.target_id for t in registry() if squash(t.target_text) not in plan] == []


def test_sector_scales_and_chapter4_quotas_are_encoded() -> None:
    sectors = targets(chapter=3)
    assert len(sectors) == 8
    assert set(sectors["indicator_id"]) == {i for i in catalogue() if i.startswith("sector_") and i.endswith("_scale")}
    assert dict(zip(sectors["indicator_id"], sectors["target_value"], strict=True))["sector_advanced_equipment_scale"] == 12000
    ch4 = targets(chapter=4)
    assert len(ch4) >= 10
    assert {"period_total", "annual_quota"} <= set(ch4["kind"])
    box9 = ch4[ch4["column_box"].fillna("").str.startswith("专栏9")]
    assert len(box9) >= 8


def test_targets_frame_and_filter() -> None:
    frame = targets()
    for col in (
        "target_id",
        "chapter",
        "section",
        "column_box",
        "name_zh",
        "name_en",
        "unit",
        "kind",
        "direction",
        "base_year",
        "base_value",
        "target_year",
        "target_value",
        "target_op",
        "target_text",
        "attribute",
        "indicator_id",
        "quote",
    ):
        assert col in frame.columns
    assert frame["target_id"].is_unique
    assert (targets(chapter="2")["chapter"] == "2").all() and targets(chapter=2).equals(targets(chapter="2"))
    assert set(frame["indicator_id"]) <= set(catalogue())
    with pytest.raises(ArgumentError, match="valid choices: 1, 2, 3, 4, 5, annex"):
        targets(chapter=6)  # never an empty frame for a chapter the plan does not have


def test_units_of_targets_match_their_indicator() -> None:
    cat = catalogue()
    for t in registry():
        if t.kind not in ("average_growth", "cumulative_reduction", "national_quota"):
            assert t.unit == cat[t.indicator_id].unit, t.target_id


# --- validation: one test per malformed case ------------------------------------------------


def _write(tmp_path: Path, mutate: object) -> Path:
    entries = yaml.safe_load(get_plan().targets_file.read_text(encoding="utf-8"))[:3]
    assert callable(mutate)
    mutate(entries)
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _error(tmp_path: Path, mutate: object) -> RegistryError:
    with pytest.raises(RegistryError) as info:
        load_targets(_write(tmp_path, mutate))
    assert str(tmp_path / "targets.yaml") in str(info.value)
    return info.value


def test_missing_field(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda e: e[1].pop("quote"))
    assert err.field == "quote" and "#2" in err.entry and "missing" in str(err)


def test_unknown_kind(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda e: e[0].update(kind="vibes"))
    assert err.field == "kind" and "vibes" in str(err) and e_id(err) in str(err)


def e_id(err: RegistryError) -> str:
    return err.entry.split("(")[1].rstrip(")")


def test_non_numeric_target(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda e: e[2].update(target_value="six"))
    assert err.field == "target_value" and "not numeric" in str(err)


def test_duplicate_id(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda e: e[2].update(target_id=e[0]["target_id"]))
    assert err.field == "target_id" and "duplicate" in str(err) and "#3" in err.entry


def test_bad_year(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda e: e[0].update(target_year=20025))
    assert err.field == "target_year" and "20025" in str(err)


def test_target_year_before_base(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda e: e[0].update(target_year=2019))
    assert err.field == "target_year"


def test_unknown_indicator(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda e: e[0].update(indicator_id="no_such_series"))
    assert err.field == "indicator_id"


def test_kind_must_fit_the_indicator(tmp_path: Path) -> None:
    err = _error(tmp_path, lambda e: e[0].update(kind="level"))  # row 1 is a growth rate: a level makes no sense
    assert err.field == "kind" and "chained" in str(err)
