"""The view (one validated value for what a plan is judged on) and the nested assessment result."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import fjdata
from fjdata.assess.assessment import FLAT, Assessment, assessments, to_frame
from fjdata.assess.judgements import Status
from fjdata.assess.view import View
from fjdata.core.errors import ArgumentError


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"plan": "fujian-14th-manufactoring"}, "did you mean 'fujian-14th-manufacturing'"),
        ({"vintage_rule": "newest"}, "did you mean 'latest'"),
        ({"method": "thta"}, "did you mean 'theta'"),
        ({"method": []}, "method list is empty"),
        ({"as_of": 1990}, "outside the data range"),
        ({"as_of": 2100}, "outside the data range"),
    ],
)
def test_a_view_refuses_nonsense_with_the_valid_choices(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        View.of(**kwargs)  # type: ignore[arg-type]


def test_a_chapter_the_plan_does_not_have_lists_the_plans_chapters() -> None:
    with pytest.raises(ArgumentError, match="valid choices: 1, 2, 3, 4, 5, annex"):
        View.of().check_chapter(6)
    with pytest.raises(ArgumentError, match="valid choices: national, fujian"):
        View.of("china-15th-fyp").check_chapter(2)


def test_the_view_is_the_cache_key_and_means_the_same_whichever_way_it_is_written() -> None:
    default = View.of()
    explicit = View.of(fjdata.inputs.plan.default_plan_id(), None, "auto", default.tolerance, "consistent", None)
    assert default == explicit and hash(default) == hash(explicit)
    assert default.cache_key() == explicit.cache_key()
    assert View.of(method=["drift", "theta"]).method == ("drift", "theta")  # a list becomes hashable
    assert View.of(as_of=2022).cache_key() != default.cache_key()
    assert default.at(2022) == View.of(as_of=2022)
    assert default.mid_term().as_of == default.plan.mid_term_year
    with pytest.raises(dataclasses.FrozenInstanceError):
        default.as_of = 2022  # type: ignore[misc]


def test_a_view_given_whole_gives_the_same_results_as_its_arguments() -> None:
    by_args = fjdata.assess(chapter=2, as_of=2022)
    by_view = fjdata.assess(chapter=2, view=View.of(as_of=2022))
    pd.testing.assert_frame_equal(by_args, by_view)
    with pytest.raises(ArgumentError, match="either view= or"):
        fjdata.assess(as_of=2022, view=View.of())


def test_extra_data_enter_the_view_as_absolute_paths_and_change_its_key(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    extra = tmp_path / "new.csv"
    extra.write_text(
        "indicator_id,region,year,value,unit,status,vintage,published,source_title,source_url,quote\n"
        "rd_intensity,Fujian,2025,2.5,%,preliminary,test_2026,2026-03-01,测试来源,https://example.org/x,研发投入强度2.5%\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    view = View.of(extra_data="new.csv")
    assert view.extra_data == (str(extra.resolve()),)
    assert view.cache_key()["data"] != View.of().cache_key()["data"]


@pytest.fixture(scope="module")
def chapter2() -> list[Assessment]:
    return assessments(chapter=2)


def test_the_result_is_nested_and_its_flat_columns_are_paths_into_it(chapter2: list[Assessment]) -> None:
    a = next(x for x in chapter2 if x.latest.year is not None and x.forecast.value is not None)
    assert a.target.target_id == a.target_id
    assert a.progress.status is a.cn_status and a.trend.status is a.sdg_status and a.forecast.status is a.model_status
    assert a.overall.status is a.overall_status and a.latest.year == a.latest_year and a.base.origin == a.base_origin
    row = a.to_row()
    assert list(row)[: len(FLAT)] == list(FLAT)  # the documented columns, in order
    assert row["cn_status"] == a.progress.status.value and row["overall_label_zh"] == a.overall.status.zh
    with pytest.raises(AttributeError, match="no attribute 'cn_statsu'"):
        _ = a.cn_statsu  # type: ignore[attr-defined]


def test_to_frame_is_what_assess_returns(chapter2: list[Assessment]) -> None:
    # assess() adds one column to_frame() cannot know: which rows rest on hypothetical values (none here).
    pd.testing.assert_frame_equal(to_frame(chapter2).assign(what_if=""), fjdata.assess(chapter=2))


def test_replace_takes_field_or_flat_names_and_leaves_the_original(chapter2: list[Assessment]) -> None:
    a = chapter2[0]
    b = a.replace(cn_status=Status.LAGGING, gap=1.5, target_id="x")
    assert (b.progress.status, b.overall.gap, b.target.target_id) == (Status.LAGGING, 1.5, "x")
    assert b.trend == a.trend and b.progress.progress == a.progress.progress
    assert a.target.target_id != "x"
