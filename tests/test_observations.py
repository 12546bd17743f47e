"""Observed data: citations, validation errors, vintage rules, user overlay, derived figures."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import fjdata
from fjdata.core.errors import DataValidationError, ImplausibleJumpWarning
from fjdata.inputs.observations import (
    COLUMNS,
    all_observations,
    check_file,
    evaluate_formula,
    read_csv,
    select_vintage,
    series,
    shipped_files,
)
from tests.conftest import obs_row, write_csv


def test_every_shipped_row_is_cited() -> None:
    frame = all_observations()
    assert len(frame) > 500
    assert (frame["source_title"].str.strip() != "").all()
    assert (frame["quote"].str.strip() != "").all()
    no_url = frame[frame["source_url"].str.strip() == ""]
    # without a URL the title must be a precise citation (yearbook/table/communiqué), unless the
    # figure is marked 来源待核实: then its provenance says where it was seen
    unverified = no_url["source_check"] == "unverified"
    assert no_url[~unverified]["source_title"].str.contains("年鉴|Yearbook|表|公报|Bulletin|table", case=False).all()
    assert (no_url[unverified]["provenance"].str.strip() != "").all()
    # the publication cited names no file, repository or tool: that trail is in provenance
    assert not frame["source_title"].str.contains(r"\.csv|\.py\b|\.sql|github|code-corpus|read_file|panel CSV", case=False).any()
    # read_csv enforces the fields above; it does not check that a URL is a web link (checked here).
    with_url = frame[frame["source_url"].str.strip() != ""]
    assert with_url["source_url"].str.match(r"https?://[^\s]+$").all()


def test_derived_figures_are_reproducible() -> None:
    frame = all_observations()
    derived = frame[frame["status"] == "derived"]
    assert len(derived) >= 10
    for _, row in derived.iterrows():
        value = evaluate_formula(row, frame)
        decimals = len(str(row["value"]).split(".")[1]) if "." in str(row["value"]) else 0
        assert value == pytest.approx(row["value"], abs=0.51 * 10 ** -min(decimals, 2) + 1e-9), (
            row["indicator_id"],
            row["year"],
            row["formula"],
        )


def test_series_is_annual_periodindex_with_sources() -> None:
    s = series("rd_intensity")
    assert isinstance(s.index, pd.PeriodIndex) and s.index.freqstr.startswith("Y")
    assert len(s) >= 12
    assert s.index.is_monotonic_increasing and s.index.is_unique
    srcs = s.attrs["sources"]
    assert len(srcs) == len(s) and all(x.source_title and x.quote for x in srcs)
    assert s.attrs["unit"] == "%"


def test_headline_series_have_twelve_points_where_sources_exist() -> None:
    for iid in ("gdp_nominal", "gdp_real_growth", "energy_consumption_total", "rd_expenditure", "rd_intensity"):
        assert len(series(iid)) >= 12, iid


def test_gaps_stay_gaps(tmp_path: Path) -> None:
    """A year no source covers is absent from the series: never filled, never NaN."""
    path = write_csv(
        tmp_path / "gap.csv", [obs_row(year=2026, value=30, vintage="gap_test"), obs_row(year=2028, value=34, vintage="gap_test")]
    )
    s = series("green_parks", vintage_rule="gap_test", extra_data=path)
    assert list(s.index.year) == [2026, 2028] and list(s) == [30.0, 34.0]


# --- validation: one test per error ------------------------------------------------------


def _problems(path: Path) -> list[tuple[int, str, str]]:
    with pytest.raises(DataValidationError) as info:
        read_csv(path)
    assert str(path) in str(info.value)
    return info.value.problems


def test_schema_check(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [obs_row()], columns=tuple(c for c in COLUMNS if c != "quote"))
    assert _problems(path) == [(1, "quote", "missing column (schema: docs/data-schema.md)")]


def test_unit_must_match_catalogue(tmp_path: Path) -> None:
    problems = _problems(write_csv(tmp_path / "x.csv", [obs_row(), obs_row(year=2029, unit="家")]))
    assert problems == [(3, "unit", "'家' does not match the catalogue unit '个' of green_parks")]


def test_duplicate_key_within_a_vintage(tmp_path: Path) -> None:
    problems = _problems(write_csv(tmp_path / "x.csv", [obs_row(), obs_row(value=26)]))
    assert problems[0][:2] == (3, "vintage") and "duplicate key green_parks/Fujian/2030/test_fixture (also line 2)" in problems[0][2]
    read_csv(write_csv(tmp_path / "ok.csv", [obs_row(), obs_row(value=26, vintage="test_fixture_other")]))  # another vintage is fine


def test_non_numeric_value(tmp_path: Path) -> None:
    assert _problems(write_csv(tmp_path / "x.csv", [obs_row(value="1,234")])) == [(2, "value", "'1,234' is not a number")]


def test_year_out_of_range(tmp_path: Path) -> None:
    assert _problems(write_csv(tmp_path / "x.csv", [obs_row(year=1850)])) == [(2, "year", "1850 is out of range 1990–2100")]


def test_unknown_indicator(tmp_path: Path) -> None:
    problems = _problems(write_csv(tmp_path / "x.csv", [obs_row(indicator_id="gdp_per_unicorn")]))
    assert problems[0] == (2, "indicator_id", "unknown indicator 'gdp_per_unicorn' (not in the catalogue)")


def test_missing_source(tmp_path: Path) -> None:
    problems = _problems(write_csv(tmp_path / "x.csv", [obs_row(source_title="", source_url="", quote="")]))
    fields = {f for _, f, _ in problems}
    assert {"source_title", "source_url", "quote"} <= fields


def test_implausible_jump_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [obs_row(year=2028, value=20), obs_row(year=2029, value=200)])
    warnings = check_file(path)
    assert len(warnings) == 1 and "20 (2028) → 200 (2029)" in warnings[0]
    with pytest.warns(ImplausibleJumpWarning):
        all_observations(extra_data=path)


# --- vintage rule -------------------------------------------------------------------------


def _frame(rows: list[dict[str, object]], tmp_path: Path) -> pd.DataFrame:
    return read_csv(write_csv(tmp_path / "v.csv", rows))


def test_vintage_rule_keeps_one_family_for_levels(tmp_path: Path) -> None:
    rows = [
        obs_row(indicator_id="gdp_nominal", unit="亿元", year=y, value=v, vintage="initial", published=f"{y + 1}-02")
        for y, v in ((2018, 100.0), (2019, 110.0), (2020, 120.0))
    ]
    rows += [
        obs_row(indicator_id="gdp_nominal", unit="亿元", year=y, value=v, vintage="census5_rev", published="2026-01", status="revised")
        for y, v in ((2019, 115.0), (2020, 126.0))
    ]
    chosen = select_vintage(_frame(rows, tmp_path), "consistent")
    assert list(chosen["vintage"]) == ["initial"] * 3  # more years, same reach: no silent mix
    latest = select_vintage(_frame(rows, tmp_path), "latest")
    assert list(latest["value"]) == [100.0, 115.0, 126.0]  # the explicit mixing rule does mix
    first = select_vintage(_frame(rows, tmp_path), "first")
    assert list(first["value"]) == [100.0, 110.0, 120.0]
    explicit = select_vintage(_frame(rows, tmp_path), "census5_rev")
    assert list(explicit["value"]) == [115.0, 126.0]


def test_vintage_rule_takes_latest_release_for_growth_rates(tmp_path: Path) -> None:
    rows = [
        obs_row(indicator_id="gdp_real_growth", unit="%", year=2019, value=7.6, vintage="initial", published="2020-02"),
        obs_row(indicator_id="gdp_real_growth", unit="%", year=2019, value=8.0, vintage="census4", published="2020-12", status="revised"),
        obs_row(indicator_id="gdp_real_growth", unit="%", year=2020, value=3.3, vintage="initial", published="2021-02"),
    ]
    chosen = select_vintage(_frame(rows, tmp_path), "consistent")
    assert list(chosen["value"]) == [8.0, 3.3]


def test_yearbook_editions_are_one_family(tmp_path: Path) -> None:
    s = series("above_size_firms_rd_share")
    assert list(s.index.year) == [2019, 2021] and set(s.attrs["vintages"]) == {"yearbook_2020", "yearbook_2022"}


def test_as_of_uses_only_what_was_published_then() -> None:
    mid = series("rd_intensity", as_of=2022)
    assert max(mid.index.year) <= 2022
    assert all(x.year <= 2022 for x in mid.attrs["sources"])


# --- user overlay ---------------------------------------------------------------------------


def test_user_rows_add_and_override_with_a_flag(tmp_path: Path) -> None:
    before = series("green_parks")
    shipped_2024 = float(before[before.index.year == 2024].iloc[0])
    shipped_vintage = next(x.vintage for x in before.attrs["sources"] if x.year == 2024)
    user = write_csv(
        tmp_path / "mine.csv",
        [
            obs_row(year=2025, value=38, vintage=shipped_vintage, published="2026-02"),  # adds a year
            obs_row(year=2024, value=shipped_2024 + 1, vintage=shipped_vintage, published="2025-02"),  # overrides
        ],
    )
    after = series("green_parks", extra_data=user)
    assert float(after[after.index.year == 2025].iloc[0]) == 38
    assert float(after[after.index.year == 2024].iloc[0]) == shipped_2024 + 1
    flags = {x.year: x.user_supplied for x in after.attrs["sources"]}
    assert flags[2025] and flags[2024]
    everything = fjdata.observations("green_parks", extra_data=user)
    assert everything["user_supplied"].sum() == 2
    assert len(fjdata.observations(extra_data=user)) == len(fjdata.observations()) + 1  # one added, one replaced


def test_user_folder_and_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "user"
    folder.mkdir()
    write_csv(folder / "a.csv", [obs_row(year=2029)])
    other = write_csv(tmp_path / "b.csv", [obs_row(year=2028, value=24)])
    monkeypatch.setenv("FJDATA_USER_DATA", str(folder))
    monkeypatch.setenv("FJDATA_EXTRA_DATA", str(other))
    years = set(fjdata.observations("green_parks")["year"])
    assert {2028, 2029} <= years


def test_bad_user_file_fails_loudly_and_shipped_data_survives(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", [obs_row(value="n/a")])
    with pytest.raises(DataValidationError, match=r"bad\.csv:2: field 'value'"):
        fjdata.observations(extra_data=bad)
    assert len(fjdata.observations()) == len(all_observations()[all_observations()["region"] == "Fujian"])
    assert all(p.is_file() for p in shipped_files())


def test_coverage_table() -> None:
    table = fjdata.coverage(years=range(2015, 2026), indicator_ids=["rd_intensity", "green_parks"])
    assert list(table.columns) == [*range(2015, 2026), "n"]
    assert table.loc["rd_intensity", 2020] in ("●", "●+", "p", "p+")
    assert table.loc["green_parks", 2015] == "·"
    assert table.loc["rd_intensity", "n"] >= 9


def test_observations_unknown_indicator_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown indicator 'nope'"):
        fjdata.observations("nope")


def test_cli_data_check_and_coverage(tmp_path: Path) -> None:
    import subprocess
    import sys

    exe = [sys.executable, "-m", "fjdata.cli"]
    env = {**os.environ}
    good = write_csv(tmp_path / "good.csv", [obs_row()])
    out = subprocess.run([*exe, "data", "check", str(good)], capture_output=True, text=True, env=env, check=False)
    assert out.returncode == 0 and "OK (1 rows)" in out.stdout
    bad = write_csv(tmp_path / "bad.csv", [obs_row(year="20x5")])
    out = subprocess.run([*exe, "data", "check", str(bad)], capture_output=True, text=True, env=env, check=False)
    assert out.returncode == 2 and "bad.csv:2: field 'year'" in out.stderr
    out = subprocess.run(
        [*exe, "data", "coverage", "--start", "2018", "--end", "2025", "--format", "csv"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0 and out.stdout.startswith("indicator_id,2018") and "rd_intensity" in out.stdout


def test_only_yearbook_editions_share_a_family() -> None:
    from fjdata.inputs.observations import vintage_family

    assert vintage_family("yearbook_2020") == vintage_family("yearbook_2022") == "yearbook"
    assert vintage_family("press_2023-03") != vintage_family("press_2024-12")
    assert vintage_family("first_published_panel") == "first_published_panel"


def test_bound_values_are_validated_and_carried(tmp_path: Path) -> None:
    problems = _problems(write_csv(tmp_path / "x.csv", [obs_row(bound="about")]))
    assert problems == [(2, "bound", "'about' is not empty, 'lower' or 'upper'")]
    s = series("national_high_tech_enterprises")
    assert s.attrs["bounds"].get(2021) == "lower"  # "exceeded 8,900 in 2021": a floor, shown as ≥ 8,900
    assert {x.year: x.bound for x in s.attrs["sources"]}[2021] == "lower"


def test_old_files_without_the_bound_column_still_load(tmp_path: Path) -> None:
    columns = tuple(c for c in COLUMNS if c != "bound")
    frame = read_csv(write_csv(tmp_path / "old.csv", [obs_row()], columns=columns))
    assert list(frame["bound"]) == [""]


def test_highest_credible_floor_wins_among_equal_releases(tmp_path: Path) -> None:
    rows = [
        obs_row(indicator_id="national_high_tech_enterprises", unit="家", year=2024, value=v, vintage=vin, published=pub, bound="lower")
        for v, vin, pub in ((15000.0, "press_a", "2025-03"), (14000.0, "press_b", "2025-06"))
    ]
    chosen = select_vintage(_frame(rows, tmp_path), "consistent")
    assert list(chosen["value"]) == [15000.0]  # the later but lower floor is also true, and says less
    assert [a["value"] for a in chosen["alternatives"].iloc[0]] == [14000.0]


def test_final_release_beats_a_newer_preliminary_one(tmp_path: Path) -> None:
    rows = [
        obs_row(indicator_id="gdp_real_growth", unit="%", year=2024, value=5.5, vintage="bulletin", published="2025-03", status="final"),
        obs_row(indicator_id="gdp_real_growth", unit="%", year=2024, value=5.4, vintage="press", published="2025-06", status="preliminary"),
    ]
    chosen = select_vintage(_frame(rows, tmp_path), "consistent")
    assert list(chosen["value"]) == [5.5] and list(chosen["selection"]) == ["status"]


def test_plan_owner_evaluation_replaces_the_family_value(tmp_path: Path) -> None:
    rows = [
        obs_row(indicator_id="industrial_firms_over_10bn", unit="家", year=y, value=v, vintage="initial", published=f"{y + 1}-03")
        for y, v in ((2020, 47.0), (2021, 54.0), (2022, 58.0))
    ]
    rows.append(
        obs_row(indicator_id="industrial_firms_over_10bn", unit="家", year=2022, value=67.0, vintage="midterm_eval_2023", published="2023")
    )
    chosen = select_vintage(_frame(rows, tmp_path), "consistent")
    assert list(chosen["value"]) == [47.0, 54.0, 67.0]
    assert list(chosen["selection"]) == ["family", "family", "plan_owner"]


def test_splice_flag_and_definitional_break(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    from dataclasses import replace

    obs = importlib.import_module("fjdata.inputs.observations")  # the package re-exports a function of that name
    rows = [
        obs_row(indicator_id="gdp_nominal", unit="亿元", year=y, value=100.0 + y - 2018, vintage="panel", published="2025-01")
        for y in (2018, 2019, 2020)
    ]
    rows.append(obs_row(indicator_id="gdp_nominal", unit="亿元", year=2021, value=130.0, vintage="initial", published="2022-01"))
    chosen = select_vintage(_frame(rows, tmp_path), "consistent")
    assert list(chosen["year"]) == [2018, 2019, 2020, 2021] and list(chosen["spliced"]) == [False, False, False, True]
    unspliceable = replace(obs.indicator("gdp_nominal"), splice=False)
    monkeypatch.setattr(obs, "indicator", lambda _iid: unspliceable)
    broken = select_vintage(_frame(rows, tmp_path), "consistent")
    assert list(broken["year"]) == [2018, 2019, 2020]  # a definitional break: the gap stays a gap


def test_department_figures_count_as_the_plan_owners(tmp_path: Path) -> None:
    """An imported questionnaire row (tier department) replaces the family's figure for its year and
    a later department year does not drop the shipped history (it is spliced, not chosen alone)."""
    rows = [
        obs_row(indicator_id="industrial_firms_over_10bn", unit="家", year=y, value=v, vintage="initial", published=f"{y + 1}-03")
        for y, v in ((2020, 47.0), (2021, 54.0), (2022, 58.0))
    ]
    rows += [
        obs_row(
            indicator_id="industrial_firms_over_10bn",
            unit="家",
            year=y,
            value=v,
            vintage="dept_2026-11-29_abcd1234",
            published="2026-11-29",
            source_tier="department",
        )
        for y, v in ((2022, 61.0), (2025, 70.0))
    ]
    chosen = select_vintage(_frame(rows, tmp_path), "consistent")
    assert dict(zip(chosen["year"], chosen["value"], strict=True)) == {2020: 47.0, 2021: 54.0, 2022: 61.0, 2025: 70.0}
    # The department's release reaches furthest, so it is the family; the shipped years it lacks are spliced in.
    assert dict(zip(chosen["year"], chosen["spliced"], strict=True)) == {2020: True, 2021: True, 2022: False, 2025: False}
    only_2022 = [r for r in rows if r["year"] != 2025]  # a department year inside the shipped family's span
    chosen = select_vintage(_frame(only_2022, tmp_path), "consistent")
    assert dict(zip(chosen["year"], chosen["value"], strict=True)) == {2020: 47.0, 2021: 54.0, 2022: 61.0}
    assert dict(zip(chosen["year"], chosen["selection"], strict=True))[2022] == "plan_owner"
