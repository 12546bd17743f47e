"""Feasibility of draft targets: reading draft files, the numbers, the CLI and the notebook."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from fjdata.assess.feasibility import DraftError, DraftTarget, _mean_rate, assess_draft, feasibility, load_drafts
from fjdata.cli import main
from fjdata.core import config

EXAMPLE = config.project_root() / "drafts" / "fujian-manufacturing-2030-example.yaml"
GDP = DraftTarget("GDP", "gdp_real_growth", "average_growth", "≥", 5.0, 2025, 2030, "Fujian")
RD = DraftTarget("R&D", "rd_expenditure", "level", "≥", 2000.0, 2025, 2030, "Fujian")


def _yaml(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "drafts.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        ("targets:\n  - indicator_id: rd_intesity\n    kind: share\n", "indicator_id", "did you mean rd_intensity"),
        (
            (
                "base_year: 2025\ntarget_year: 2030\nregion: Fujian\ntargets:\n  - indicator_id: rd_intensity\n    kind: "
                "average_growth\n    target_op: '≥'\n    target_value: 3\n"
            ),
            "kind",
            "use level, share or count",
        ),
        (
            (
                "base_year: 2025\ntarget_year: 2030\nregion: Fujian\ntargets:\n  - indicator_id: rd_intensity\n    kind: share\n    "
                "target_op: '>'\n    target_value: 3\n"
            ),
            "target_op",
            "not one of ≥, ≤",
        ),
        (
            (
                "base_year: 2025\ntarget_year: 2030\nregion: Fujian\ntargets:\n  - indicator_id: rd_intensity\n    kind: share\n    "
                "target_op: '≥'\n    target_value: lots\n"
            ),
            "target_value",
            "not a number",
        ),
        (
            (
                "base_year: 2030\ntarget_year: 2025\nregion: Fujian\ntargets:\n  - indicator_id: rd_intensity\n    kind: share\n    "
                "target_op: '≥'\n    target_value: 3\n"
            ),
            "target_year",
            "not after base_year",
        ),
        ("targets:\n  - indicator_id: rd_intensity\n    colour: red\n", "colour", "unknown key"),
        (
            (
                "region: Mars\nbase_year: 2025\ntarget_year: 2030\ntargets:\n  - indicator_id: rd_intensity\n    kind: share\n    "
                "target_op: '≥'\n    target_value: 3\n"
            ),
            "region",
            "not one of",
        ),
        ("just: text\n", "targets", "top-level 'targets:' list"),
    ],
)
def test_bad_draft_files_name_the_entry_and_the_field(tmp_path: Path, body: str, key: str, words: str) -> None:
    with pytest.raises(DraftError) as err:
        load_drafts(_yaml(tmp_path, body))
    assert err.value.key == key and words in err.value.problem and "drafts.yaml" in str(err.value)


def test_example_file_and_xlsx_give_the_same_drafts(tmp_path: Path) -> None:
    import pandas as pd

    drafts = load_drafts(EXAMPLE)
    assert len(drafts) >= 3 and all(d.target_year == 2030 and d.base_year == 2025 for d in drafts)
    xlsx = tmp_path / "drafts.xlsx"
    pd.DataFrame([d.__dict__ | {"compare_to": ",".join(d.compare_to)} for d in drafts]).to_excel(xlsx, index=False)
    assert load_drafts(xlsx) == drafts


def test_mean_rate_reference_numbers() -> None:
    rates = {2021: 10.0, 2022: 2.0, 2024: 6.0}
    assert _mean_rate(rates, 2025, 5) == pytest.approx((math.prod([1.10, 1.02, 1.06]) ** (1 / 3) - 1) * 100)
    assert _mean_rate({2025: 5.0}, 2025, 5) is None  # fewer than half the years: no average


def test_values_at_confidence_levels_are_consistent_with_the_probability() -> None:
    f = assess_draft(RD)
    assert f.probability is not None and f.value_p50 is not None and f.value_p75 is not None and f.value_p90 is not None
    assert f.value_p50 > f.value_p75 > f.value_p90  # a floor is safer the lower it is
    # A candidate equal to the value "met with 75 % probability" has a 75 % chance.
    again = assess_draft(replace(RD, target_value=f.value_p75))
    assert again.probability == pytest.approx(0.75, abs=0.02)
    higher = assess_draft(replace(RD, target_value=RD.target_value * 1.3))
    assert higher.probability is not None and higher.probability < f.probability
    assert f.required_rate == pytest.approx(((2000 / f.last_value) ** (1 / (2030 - f.last_year)) - 1) * 100)


def test_average_growth_candidate_in_rates() -> None:
    f = assess_draft(GDP)
    assert f.unit == "%" and f.probability is not None and 0 < f.probability < 1
    assert f.value_p50 is not None and f.value_p90 is not None and f.value_p50 > f.value_p90
    again = assess_draft(replace(GDP, target_value=f.value_p50))
    assert again.probability == pytest.approx(0.5, abs=0.02)
    assert f.achieved_rate_5y is not None and f.required_rate == pytest.approx(5.0)


def test_a_broken_chain_says_so_instead_of_projecting() -> None:
    f = assess_draft(DraftTarget("VA", "above_size_industry_va_growth", "average_growth", "≥", 5.5, 2025, 2030, "Fujian"))
    assert f.probability is None and "consecutive years" in f.note
    assert f.achieved_rate_5y is not None  # what was achieved is still shown


def test_cli_feasibility(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["feasibility", str(EXAMPLE), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split(",")
    assert "probability_band" in header and "probability" not in header and "rd_expenditure" in out  # bands only
    assert main(["feasibility", str(EXAMPLE), "--format", "csv", "--raw"]) == 0
    assert "probability" in capsys.readouterr().out.splitlines()[0].split(",")
    assert main(["feasibility", str(EXAMPLE)]) == 0
    table = capsys.readouterr()
    assert "50–75%" in table.out and "0.2" not in table.out.split("probability_band")[0]
    assert "value_p50/p75/p90: the value reached with 50/75/90% chance" in table.err  # what the columns mean
    bad = _yaml(tmp_path, "targets:\n  - indicator_id: nope\n")
    assert main(["feasibility", str(bad)]) == 2
    assert "unknown indicator 'nope'" in capsys.readouterr().err


def test_frame_columns() -> None:
    frame = feasibility([RD])
    assert list(frame.columns)[:4] == ["name", "indicator_id", "kind", "target"]
    assert frame.loc[0, "value_p90"] < frame.loc[0, "value_p50"]


@pytest.mark.slow
def test_feasibility_notebook_runs_with_papermill(tmp_path: Path) -> None:
    import nbformat
    import papermill as pm

    out = tmp_path / "feasibility.ipynb"
    pm.execute_notebook(
        str(config.notebooks_dir() / "feasibility.ipynb"),
        str(out),
        kernel_name=config.KERNEL_NAME,
        # over IPC as the nightly runs kernels: TCP ports picked by parallel test workers can race (papermill #511)
        kernel_manager_class="fjdata.batch.kernel.IPCKernelManager",
        parameters={"drafts": str(EXAMPLE), "lang": "en"},
        cwd=str(config.notebooks_dir()),
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "fj-feasibility" in html and html.count("<img") >= 3 and "Chance met" in html
    assert "fujian-manufacturing-2030-example.yaml" not in html  # the draft's own title, not its file name
    assert "福建省制造业2030年目标草案" in html and "Method" in html


def test_growth_of_a_share_is_in_percentage_points_a_year() -> None:
    f = assess_draft(DraftTarget("R&D intensity", "rd_intensity", "share", "≥", 2.6, 2025, 2030, "Fujian"))
    assert f.rate_unit == "pp" and f.last_value is not None and f.last_year is not None
    assert f.required_rate == pytest.approx((2.6 - f.last_value) / (2030 - f.last_year))  # not a relative rate
    level = assess_draft(RD)
    assert level.rate_unit == "%"


def test_average_growth_judged_on_a_level() -> None:
    """R&D spending in 亿元 with a growth candidate: the goal compounds from the base-year level."""
    d = DraftTarget("R&D growth", "rd_expenditure", "average_growth", "≥", 7.0, 2023, 2030, "Fujian")
    f = assess_draft(d)
    assert f.base_level is not None and not f.on_rates and f.level_unit == "亿元"
    assert f.probability is not None and f.value_p50 is not None and f.value_p90 is not None and f.value_p50 > f.value_p90
    again = assess_draft(replace(d, target_value=f.value_p50))
    assert again.probability == pytest.approx(0.5, abs=0.02)
    assert f.achieved_rate_5y is not None and f.achieved_rate_5y > 0  # growth of the level over five years


def test_feasibility_chart_has_whole_year_ticks() -> None:
    from fjdata.report.charts import feasibility_figure

    for d in (GDP, RD):
        fig = feasibility_figure(assess_draft(d), "zh")
        fig.canvas.draw()
        labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
        assert labels and all(label.isdigit() for label in labels), labels
