"""The reliability review's catalogue (``../shared/review/reliability-review.md``), one case per id.

Every case asserts the GOOD behaviour: a clear error that names the file, the line or key and
the valid choices, nothing lost or silently changed, no hang (timeouts) and bounded memory
(``resource.setrlimit`` in a child process where a case could blow up). Case ids are the
review's ids (B01…B94 bad inputs, F01…F18 fault drills, K1/K2 checks).

Families: observation CSVs (``csv``), overlay mechanics (``overlay``), params files
(``params``), notebook parameters (``notebook``), command line (``cli``), the cache
(``cache``), and fault drills (``fault``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import pickle
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from fjdata import cli
from fjdata.batch import nightly, params
from fjdata.core import cache, config
from fjdata.core.errors import ArgumentError, DataValidationError, FjdataError, ParamsError
from fjdata.inputs.observations import COLUMNS, MAX_FILE_BYTES, all_observations, check_file, data_fingerprint, read_csv
from tests.conftest import ROOT, libreoffice_convert, obs_row, plan_text_file, write_csv

PY = sys.executable
HEADER = ",".join(COLUMNS)


def row(
    indicator_id: str = "manufacturing_va_share_gdp", year: object = 2025, value: object = 33.5, unit: str = "%", **kw: object
) -> dict[str, object]:
    """The review's template row (test data, never shipped)."""
    r: dict[str, object] = {
        "indicator_id": indicator_id,
        "region": "Fujian",
        "year": year,
        "value": value,
        "unit": unit,
        "status": "preliminary",
        "vintage": "initial",
        "published": "2026-01-20",
        "source_title": "测试来源",
        "source_url": "https://example.gov.cn/x",
        "quote": f"原文 {value}",
        "note": "",
        "inputs": "",
        "formula": "",
        "bound": "",
    }
    r.update(kw)
    return r


def csv_text(rows: list[dict[str, object]], columns: tuple[str, ...] = COLUMNS, newline: str = "\n") -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator=newline)
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in columns})
    return buf.getvalue()


def run_limited(
    code: str, mem_mb: int = 1500, timeout: float = 120, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run Python code in a child with an address-space limit and a timeout (no hang, no OOM)."""
    prelude = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({mem_mb} << 20, {mem_mb} << 20))\n"
    return subprocess.run(
        [PY, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
        check=False,
    )


def expect_problem(exc: DataValidationError, line: int | None, field: str, fragment: str) -> None:
    hits = [p for p in exc.problems if (line is None or p[0] == line) and p[1] == field and fragment in p[2]]
    assert hits, f"no problem ({line}, {field}, …{fragment}…) in {exc.problems}"
    assert exc.file, "the error names the file"


# --- observation CSVs (B01–B41) ------------------------------------------------------------
# (case, file bytes, expected line, field, fragment); line None = any line.


def _bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


MULTILINE = (
    HEADER
    + "\n"
    + csv_text([row(note="a\nb\nc\nd", year=2024, vintage="v1")]).split("\n", 1)[1]
    + csv_text([row(value="abc", vintage="v2")]).split("\n", 1)[1]
)
CSV_ERRORS: list[tuple[str, bytes, int | None, str, str]] = [
    ("B01", _bytes(csv_text([row()], tuple(c for c in COLUMNS if c != "quote"))), 1, "quote", "missing column"),
    ("B02", _bytes(csv_text([row()], (*COLUMNS, "confidence"))), 1, "confidence", "unknown column"),
    ("B03", _bytes(csv_text([row(source_title="福建省统计局")]), "gbk"), 2, "-", "not UTF-8"),
    ("B04", _bytes(csv_text([row()]), "utf-16"), 1, "-", "UTF-16"),
    ("B06", b"", 1, "indicator_id", "missing column"),
    ("B08", _bytes(csv_text([row(value="NaN")])), 2, "value", "is not a number"),
    ("B09", _bytes(csv_text([row(value="inf")])), 2, "value", "is not a number"),
    ("B10", _bytes(csv_text([row(value=-5)])), 2, "value", "outside 0–100"),
    ("B11", _bytes(csv_text([row("national_high_tech_enterprises", 2023, "1e308", "家")])), 2, "value", "outside 0–1e+08"),
    ("B12", _bytes(csv_text([row("gdp_nominal", 2023, "1e308", "亿元")])), 2, "value", "outside -1e+09–1e+09"),
    ("B13", _bytes(csv_text([row("national_high_tech_enterprises", 2023, -14000, "家")])), 2, "value", "outside 0–1e+08"),
    ("B14", _bytes(csv_text([row(value=150)])), 2, "value", "outside 0–100"),
    ("B15", _bytes(csv_text([row(year=2023, value=150, vintage="yearbook_2022")])), 2, "value", "the range of a share"),
    ("B16", _bytes(csv_text([row("above_size_industry_va_growth", 2022, -150, "%")])), 2, "value", "the range of a rate"),
    ("B17", _bytes(csv_text([row(year=1800)])), 2, "year", "out of range 1990–2100"),
    ("B18", _bytes(csv_text([row(year=2200)])), 2, "year", "out of range 1990–2100"),
    ("B19", _bytes(csv_text([row("gdp_happiness_index")])), 2, "indicator_id", "unknown indicator 'gdp_happiness_index'"),
    ("B20", _bytes(csv_text([row(), row()])), 3, "vintage", "duplicate key"),
    ("B21", _bytes(csv_text([row(), row(value=30)])), 3, "vintage", "also line 2"),
    (
        "B23",
        _bytes(csv_text([row(value="about 33"), row(value="33%", year=2024), row(value="", year=2023)])),
        4,
        "value",
        "is not a number",
    ),
    ("B24", _bytes(csv_text([row(value="21,000")])), 2, "value", "'21,000' is not a number"),
    ("B25", _bytes(csv_text([row(value="21_000")])), 2, "value", "'21_000' is not a number"),
    ("B29", _bytes(csv_text([row(quote="x" * 2_000_000)])), 2, "quote", "fields are limited to"),
    ("B31", _bytes(csv_text([row(published="1999")])), 2, "published", "before the end of the year it reports"),
    ("B32", _bytes(csv_text([row(region="fujian")])), 2, "region", "is not one of"),
    ("B34", _bytes(csv_text([row(unit="percent")])), 2, "unit", "does not match the catalogue unit '%'"),
    (
        "B35",
        _bytes(HEADER + "\n" + csv_text([row()]).split("\n", 1)[1].rstrip("\n") + ",surplus,fields\n"),
        2,
        "-",
        "2 field(s) more than the header",
    ),
    ("B36", _bytes(csv_text([row(published="2026-13-45")])), 2, "published", "month must be in 1..12"),
    ("B37", _bytes(csv_text([row(status="Final", bound="LOWER")])), 2, "status", "is not one of"),
    ("B38", _bytes(MULTILINE), 6, "value", "'abc' is not a number"),
    ("B39", _bytes(csv_text([row(year=2000 + i % 26, value="x", vintage=f"v{i}") for i in range(100)])), 101, "value", "is not a number"),
    ("B44", Path("/etc/passwd").read_bytes() if Path("/etc/passwd").is_file() else b"root:x:0:0\n", 1, "indicator_id", "missing column"),
]


@pytest.mark.parametrize(("case", "blob", "line", "field", "fragment"), CSV_ERRORS, ids=[c[0] for c in CSV_ERRORS])
def test_csv_errors_name_file_line_and_field(tmp_path: Path, case: str, blob: bytes, line: int | None, field: str, fragment: str) -> None:
    path = tmp_path / f"{case}.csv"
    path.write_bytes(blob)
    with pytest.raises(DataValidationError) as info:
        check_file(path)
    expect_problem(info.value, line, field, fragment)
    assert str(path) in str(info.value)
    # The same file given to the analysis stops it the same way, before any number is computed.
    with pytest.raises(DataValidationError):
        all_observations(extra_data=path)


CSV_ACCEPTED: list[tuple[str, bytes, float, int]] = [
    ("B05", b"\xef\xbb\xbf" + _bytes(csv_text([row()])), 33.5, 2025),
    ("B26", _bytes(csv_text([row(year="２０２５", value="３３.５")])), 33.5, 2025),
    ("B33", _bytes(csv_text([row()], newline="\r\n")), 33.5, 2025),
    ("B40", _bytes(csv_text([row(note="nul\x00byte")])), 33.5, 2025),
]


@pytest.mark.parametrize(("case", "blob", "value", "year"), CSV_ACCEPTED, ids=[c[0] for c in CSV_ACCEPTED])
def test_harmless_variants_are_read_correctly(tmp_path: Path, case: str, blob: bytes, value: float, year: int) -> None:
    path = tmp_path / f"{case}.csv"
    path.write_bytes(blob)
    assert check_file(path) == []
    frame = read_csv(path, origin="user")
    assert frame[["year", "value"]].values.tolist() == [[year, value]]


def test_B07_header_only_is_zero_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    assert check_file(path) == [] and read_csv(path).empty
    assert cli.main(["data", "check", str(path)]) == 0


# --- overlay mechanics (B22, B27, B28, B30, B41–B49) ----------------------------------------


def test_B22_two_user_files_disagreeing_on_a_key_is_an_error_naming_both(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    b.write_text(csv_text([row(value=28.0)]), encoding="utf-8")
    for order in ([a, b], [b, a]):
        with pytest.raises(DataValidationError) as info:
            all_observations(extra_data=order)
        assert "a.csv" in str(info.value) and "b.csv" in str(info.value)


def test_B27_formula_text_never_reaches_a_table_cell(tmp_path: Path) -> None:
    from fjdata.report.explore import Exploration

    evil = '=HYPERLINK("http://x")'
    path = tmp_path / "f.csv"
    path.write_text(csv_text([row(year=2024, vintage="fx", source_title=evil, quote="@SUM(1)", note="+cmd")]), encoding="utf-8")
    assert check_file(path) == []  # accepted as text
    ex = Exploration.build("manufacturing_va_share_gdp", methods=["drift"], extra_data=path)
    table = ex.observations_table()
    assert evil in set(table["source_title"])  # kept verbatim for the economist …
    assert evil not in ex.observations_html()  # … and escaped in HTML


def test_B28_html_and_javascript_are_escaped(tmp_path: Path) -> None:
    from fjdata.report.explore import Exploration

    path = tmp_path / "x.csv"
    path.write_text(
        csv_text(
            [
                row(
                    year=2024,
                    vintage="xss",
                    source_title="<script>alert(1)</script>",
                    quote="<img src=x onerror=alert(1)>",
                    source_url="javascript:alert(1)",
                )
            ]
        ),
        encoding="utf-8",
    )
    page = Exploration.build("manufacturing_va_share_gdp", methods=["drift"], extra_data=path).observations_html()
    assert "<script>alert" not in page and "<img src=x" not in page and "href='javascript:" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;" in page


def test_B30_an_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:  # sparse: 60 MB on paper, nothing on disk
        fh.truncate(MAX_FILE_BYTES + 10_000_000)
    with pytest.raises(DataValidationError, match="data files are limited to 50 MB"):
        check_file(path)


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user"
    folder.mkdir()
    monkeypatch.setenv("FJDATA_USER_DATA", str(folder))
    return folder


def test_B41_bad_file_in_user_folder_names_file_line_field(user_dir: Path) -> None:
    (user_dir / "bad.csv").write_text(csv_text([row()], tuple(c for c in COLUMNS if c != "quote")), encoding="utf-8")
    assert cli.main(["assess"]) == 2
    with pytest.raises(DataValidationError) as info:
        all_observations()
    expect_problem(info.value, 1, "quote", "missing column")


def test_B42_folder_named_csv_in_user_folder(user_dir: Path) -> None:
    (user_dir / "x.csv").mkdir()
    with pytest.raises(DataValidationError, match="is a folder"):
        all_observations()


def test_B43_missing_extra_data_is_the_same_clean_error_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    monkeypatch.setenv("FJDATA_EXTRA_DATA", str(missing))
    assert cli.main(["assess"]) == 2
    assert f"{missing}" in capsys.readouterr().err
    assert cli.main(["data", "check", str(missing)]) == 2
    assert "file not found" in capsys.readouterr().err


def test_B45_extra_data_is_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FJDATA_EXTRA_DATA", str(tmp_path))
    with pytest.raises(DataValidationError, match="is a folder"):
        data_fingerprint()


def test_B46_relative_extra_data_is_made_absolute_for_children(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text(csv_text([row()]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FJDATA_EXTRA_DATA", "data/x.csv")
    changed = config.absolutize_env()
    assert changed["FJDATA_EXTRA_DATA"] == str(tmp_path / "data" / "x.csv") == os.environ["FJDATA_EXTRA_DATA"]


def test_B47_kernels_in_another_folder_read_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child started in notebooks/ (where a same-named file exists) reads the user's file."""
    root_file = tmp_path / "my_figs.csv"
    root_file.write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    kernel_cwd = tmp_path / "notebooks"
    kernel_cwd.mkdir()
    (kernel_cwd / "my_figs.csv").write_text(csv_text([row(value=20.1)]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FJDATA_EXTRA_DATA", "my_figs.csv")
    config.absolutize_env()  # what `fjdata nightly` (and every CLI command) does before forking workers
    code = "from fjdata.inputs.observations import all_observations as a; f=a(); print(f[f.user_supplied]['value'].tolist())"
    out = subprocess.run([PY, "-c", code], cwd=kernel_cwd, capture_output=True, text=True, env=dict(os.environ), timeout=120, check=True)
    assert out.stdout.strip() == "[33.5]"


def test_B48_fifo_in_user_folder_is_refused_without_opening(user_dir: Path) -> None:
    os.mkfifo(user_dir / "new.csv")
    code = "import fjdata\ntry:\n fjdata.assess()\nexcept Exception as e:\n print(type(e).__name__, e)"
    out = run_limited(code, timeout=60, env={"FJDATA_USER_DATA": str(user_dir)})
    assert "DataValidationError" in out.stdout and "FIFO" in out.stdout, out.stdout + out.stderr


def test_B49_user_row_replaces_shipped_row_and_is_flagged(tmp_path: Path) -> None:
    shipped = all_observations()
    one = shipped[(shipped["indicator_id"] == "manufacturing_va_share_gdp") & (shipped["region"] == "Fujian")].iloc[-1]
    path = tmp_path / "same.csv"
    path.write_text(
        csv_text([row(year=int(one["year"]), value=float(one["value"]) + 0.1, vintage=one["vintage"], published=str(one["published"]))]),
        encoding="utf-8",
    )
    merged = all_observations(extra_data=path)
    same = merged[
        (merged["indicator_id"] == one["indicator_id"])
        & (merged["year"] == one["year"])
        & (merged["vintage"] == one["vintage"])
        & (merged["region"] == "Fujian")
    ]
    assert len(same) == 1 and bool(same["user_supplied"].iloc[0]) and same["file"].iloc[0] == "same.csv"
    assert len(merged) == len(shipped)


# --- params files (B50–B77) ----------------------------------------------------------------


def _params(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BOMB_VALUE = 'notebook: chapter_report.ipynb\nname: b\nparameters:\n  chapter: &i [&h [&g [&f [&e [&d [&c [&b [&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"],*a,*a,*a,*a,*a,*a,*a,*a],*b,*b,*b,*b,*b,*b,*b,*b],*c,*c,*c,*c,*c,*c,*c,*c],*d,*d,*d,*d,*d,*d,*d,*d],*e,*e,*e,*e,*e,*e,*e,*e],*f,*f,*f,*f,*f,*f,*f,*f],*g,*g,*g,*g,*g,*g,*g,*g],*h,*h,*h,*h,*h,*h,*h,*h]\n'  # noqa: E501 (the review's input, verbatim)
BOMB_TOP = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nnotebook: overview.ipynb\nname: x\n'  # noqa: E501 (the review's input, verbatim)
PARAMS_CASES: list[tuple[str, str, str, str]] = [
    ("B50", "notebook: chapter_report.ipynb\nname: x\ncolour: red\n", "colour", "unknown key; expected"),
    ("B51", "notebook: chapter_report.ipynb\nname: x\nparameters: {chapterr: '3'}\n", "parameters.chapterr", "declares chapter"),
    ("B52", "notebook: chapter_report.ipynb\nname: x\nparameters: {chapter: [1, 2]}\n", "parameters.chapter", "is not one of"),
    (
        "B53",
        "notebook: chapter_report.ipynb\nname: x\nparameters: {chapter: 9}\n",
        "parameters.chapter",
        "9 is not one of",
    ),
    ("B54", "notebook: chapter_report.ipynb\nname: x\nparameters: {lang: fr}\n", "parameters.lang", "'fr' is not 'zh' or 'en'"),
    ("B55", "notebook: chapter_report.ipynb\nname: x\nparameters: {as_of: 2100}\n", "parameters.as_of", "not a year in 2005–"),
    ("B56", BOMB_TOP, "-", "aliases (*name) are not allowed"),
    ("B57", BOMB_VALUE, "-", "aliases (*name) are not allowed"),
    ("B58", "notebook: !!python/object/apply:os.system ['touch /tmp/fjdata-pwned']\nname: x\n", "-", "could not determine a constructor"),
    ("B60", "notebook: chapter_report.ipynb\nname: x\nparameters: {extra_data: /etc/passwd}\n", "parameters.extra_data", "missing column"),
    ("B61", "notebook: chapter_report.ipynb\nname: x\nparameters: {extra_data: /etc}\n", "parameters.extra_data", "does not exist"),
    ("B62", "notebook: ../../../../etc/passwd\nname: x\n", "notebook", "is not a notebook inside"),
    ("B63", "notebook: ../../rel-p/evil.ipynb\nname: monthly\nparameters: {lang: zh}\n", "notebook", "is not a notebook inside"),
    ("B64", "notebook: chapter_report.ipynb\nname: index\nparameters: {chapter: '5'}\n", "name", "reserved for the run folder's own files"),
    ("B66", "notebook: chapter_report.ipynb\nname: ../../evil\n", "name", "must be a non-empty ASCII file stem"),
    ("B67", "notebook: chapter_report.ipynb\nname: x\nparameters:\n  chapter: '2'\n  chapter: '3'\n", "-", "duplicate key 'chapter'"),
    ("B68", "notebook: chapter_report.ipynb\nname: x\nparameters: {tolerance: .nan}\n", "parameters.tolerance", "is not a number in 0–0.5"),
    ("B69", "notebook: chapter_report.ipynb\nname: x\nparameters: {methods: [theta, prophet]}\n", "parameters.methods", "naive, drift"),
    (
        "B70",
        "notebook: chapter_report.ipynb\nname: x\nparameters: {chapter: " + "[" * 50_000 + "]" * 50_000 + "}\n",
        "-",
        "parameter files are limited to",
    ),
    (
        "B70-depth",
        "notebook: chapter_report.ipynb\nname: x\nparameters: {chapter: " + "[" * 1_000 + "]" * 1_000 + "}\n",
        "-",
        "nested deeper than",
    ),
    (
        "B71",
        "notebook: explore.ipynb\nname: x\nparameters: {indicator_id: ../../etc/passwd}\n",
        "parameters.indicator_id",
        "not an indicator id",
    ),
    ("B72", "- notebook: overview.ipynb\n", "-", "top level must be a mapping"),
    ("B73", "notebook: {overview.ipynb\nname: x\n", "-", "not valid YAML"),
]


@pytest.mark.parametrize(("case", "text", "key", "fragment"), PARAMS_CASES, ids=[c[0] for c in PARAMS_CASES])
def test_bad_params_files_name_file_and_key(tmp_path: Path, case: str, text: str, key: str, fragment: str) -> None:
    path = _params(tmp_path, text)
    started = time.monotonic()
    with pytest.raises(ParamsError) as info:
        params.load_report(path)
    assert time.monotonic() - started < 10, "refused quickly (no expansion of aliases or nesting)"
    assert info.value.key == key and fragment in info.value.problem, str(info.value)
    assert str(path) in str(info.value)
    assert not Path("/tmp/fjdata-pwned").exists()


def test_B57_alias_bomb_in_a_value_fails_only_its_report_in_bounded_memory(tmp_path: Path) -> None:
    bomb = _params(tmp_path, BOMB_VALUE, "bomb.yaml")
    batch = _params(tmp_path, f"reports:\n  - {ROOT / 'params' / 'overview.yaml'}\n  - bomb.yaml\n", "batch.yml")
    code = f"""
    from pathlib import Path
    from fjdata.batch.nightly import load_reports
    from fjdata.batch.params import load_batch
    loaded = load_reports(load_batch(Path({str(batch)!r})))
    print([s.name for s in loaded.specs], [(r.status.value, r.error.split(':')[0]) for r in loaded.results.values()])
    """
    out = run_limited(code, mem_mb=1200, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "['overview_zh']" in out.stdout and f"('invalid', '{bomb}')" in out.stdout


def test_B59_output_dir_is_overridden_by_the_run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    seen: dict[str, Any] = {}

    def fake_execute(src: str, dst: str, parameters: dict[str, Any], **kw: Any) -> None:
        seen.update(parameters)
        raise RuntimeError("stop here")

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    spec = params.load_report(
        _params(tmp_path, "notebook: overview.ipynb\nname: o\nparameters: {output_dir: ../../../../tmp/x-evil-outdir}\n")
    )
    nightly._execute(spec, str(tmp_path / "run"), 10, 0, "h")
    assert seen["output_dir"] == str(tmp_path / "run")


def test_B62_B74_unreadable_params_files_fail_only_their_report(tmp_path: Path) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00notebook: \x81\x82\n")
    (tmp_path / "pw.yaml").write_text("notebook: ../../../../etc/passwd\nname: x\n", encoding="utf-8")
    batch = _params(tmp_path, f"reports:\n  - {ROOT / 'params' / 'overview.yaml'}\n  - bin.yaml\n  - pw.yaml\n", "batch.yml")
    loaded = nightly.load_reports(params.load_batch(batch))
    assert [s.name for s in loaded.specs] == ["overview_zh"]
    errors = {Path(r.params_file).name: r.error or "" for r in loaded.results.values()}
    assert "not UTF-8" in errors["bin.yaml"] and "is not a notebook inside" in errors["pw.yaml"]


def test_B63_no_params_file_can_run_a_notebook_outside_notebooks(tmp_path: Path) -> None:
    evil = tmp_path / "evil.ipynb"
    evil.write_text("{}", encoding="utf-8")
    rel = os.path.relpath(evil, config.notebooks_dir())
    for target in (rel, str(evil), "../params/overview.yaml"):
        with pytest.raises(ParamsError, match="is not a notebook inside"):
            params.load_report(_params(tmp_path, f"notebook: {target}\nname: m\n"))


def test_B65_duplicate_report_names_keep_the_first_and_reject_the_second(tmp_path: Path) -> None:
    dup = _params(
        tmp_path, (ROOT / "params" / "chapter_5.yaml").read_text(encoding="utf-8").replace('chapter: "5"', 'chapter: "1"'), "dup.yaml"
    )
    batch = _params(tmp_path, f"reports:\n  - {ROOT / 'params' / 'chapter_5.yaml'}\n  - dup.yaml\n", "b5.yml")
    loaded = nightly.load_reports(params.load_batch(batch))
    assert [s.name for s in loaded.specs] == ["chapter_5_zh"]
    (rejected,) = loaded.results.values()
    assert rejected.status.value == "invalid" and "names must be unique" in (rejected.error or "") and str(dup) == rejected.params_file


def test_B75_documented_extreme_years_are_accepted(tmp_path: Path) -> None:
    spec = params.load_report(_params(tmp_path, "notebook: chapter_report.ipynb\nname: x\nparameters: {mid_year: 2005, as_of: 2010}\n"))
    assert spec.parameters["as_of"] == 2010


def test_B76_extra_data_fifo_is_invalid_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "p.csv"
    os.mkfifo(fifo)
    with pytest.raises(ParamsError, match=r"does not exist|not a regular file"):
        params.load_report(_params(tmp_path, f"notebook: chapter_report.ipynb\nname: x\nparameters: {{extra_data: {fifo}}}\n"))


def test_B77_html_in_title_is_escaped_in_the_index(tmp_path: Path) -> None:
    from fjdata.batch.run_index import index_html

    evil = "<script>alert('t')</script>"
    res = nightly.ReportResult("x", nightly.ReportStatus.SUCCESS, 1.0, "p.yaml", "overview.ipynb", {}, title=evil, html="x.html")
    page = index_html(nightly.RunResult(tmp_path, (res,), "s", "f", "h"), "2026-01-01")
    assert evil not in page and "&lt;script&gt;" in page


# --- notebook parameters injected by papermill (B78, B79) ----------------------------------

NOTEBOOK_CASES = [
    ("B78", {"chapter": "9"}, "chapter", "is not one of"),
    ("B78-lang", {"lang": "fr"}, "lang", "'fr' is not 'zh' or 'en'"),
    ("B78-name", {"chapterr": "3"}, "chapterr", "did you mean 'chapter'"),
    ("B79", {"as_of": 1800}, "as_of", "not a year in 2005–"),
]


@pytest.mark.parametrize(("case", "injected", "key", "fragment"), NOTEBOOK_CASES, ids=[c[0] for c in NOTEBOOK_CASES])
def test_notebooks_refuse_bad_injected_parameters(case: str, injected: dict[str, object], key: str, fragment: str) -> None:
    namespace = {**params.notebook_parameters(config.notebooks_dir() / "chapter_report.ipynb"), **injected, "In": [], "get_ipython": print}
    with pytest.raises(ParamsError) as info:
        params.check_injected_parameters("chapter_report.ipynb", namespace)
    assert info.value.key == key and fragment in info.value.problem


def test_every_notebook_checks_its_parameters_right_after_the_parameters_cell() -> None:
    import nbformat

    for path in sorted(config.notebooks_dir().glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        i = next(k for k, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
        assert f'check_injected_parameters("{path.name}", dict(globals()))' in nb.cells[i + 1].source, path.name
        params.check_injected_parameters(path.name, params.notebook_parameters(path))  # the defaults pass


# --- command line (B80–B94) ----------------------------------------------------------------

CLI_CASES: list[tuple[str, list[str], int, str]] = [
    ("B80", ["project", "nosuch_indicator"], 2, "unknown indicator 'nosuch_indicator'"),
    ("B81", ["project", "gdp_real_growth", "--method", "bogus"], 2, "method 'bogus' is not valid"),
    ("B81-empty", ["project", "gdp_real_growth", "--method", ""], 2, "valid choices: auto"),
    ("B83", ["assess", "--as-of", "1800"], 2, "outside the data range 2005–"),
    ("B83-future", ["assess", "--as-of", "2100"], 2, "outside the data range 2005–"),
    ("B84", ["assess", "--chapter", "9"], 2, "chapter '9' is not valid; valid choices: 1, 2, 3, 4, 5, annex"),
    ("B84-targets", ["targets", "--chapter", "9"], 2, "valid choices: 1, 2, 3, 4, 5, annex"),
    ("B85", ["project", "gdp_real_growth", "--to-year", "3000"], 2, "to_year 3000 is outside 1991–2035"),
    ("B86", ["project", "gdp_real_growth", "--to-year", "100000"], 2, "to_year 100000 is outside"),
    ("B87", ["project", "gdp_real_growth", "--to-year", "1990"], 2, "to_year 1990 is outside"),
    ("B91", ["backtest", "--indicator", "nosuch"], 2, "unknown indicator 'nosuch'"),
    ("B92", ["data", "coverage", "--start", "2030", "--end", "2000"], 2, "need 1990 ≤ start ≤ end ≤ 2100"),
]


@pytest.mark.parametrize(("case", "argv", "rc", "fragment"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_refuses_nonsense_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], case: str, argv: list[str], rc: int, fragment: str
) -> None:
    assert cli.main(argv) == rc
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err, err


ARGPARSE_CASES = [
    ("B82", ["assess", "--as-of", "abc"], "invalid int value"),
    ("B88-bare", ["nightly", "--only"], "expected at least one argument"),
    ("B89", ["nightly", "--workers", "0"], "0 is not in 1–64"),
    ("B89-negative", ["nightly", "--workers", "-1"], "-1 is not in 1–64"),
    ("B90", ["nightly", "--workers", "1000"], "1000 is not in 1–64"),
    ("B93", ["targets", "--format", "xml"], "invalid choice: 'xml'"),
]


@pytest.mark.parametrize(("case", "argv", "fragment"), ARGPARSE_CASES, ids=[c[0] for c in ARGPARSE_CASES])
def test_cli_arguments_are_checked_by_the_parser(capsys: pytest.CaptureFixture[str], case: str, argv: list[str], fragment: str) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2 and fragment in capsys.readouterr().err


def test_B88_only_with_unknown_name_says_nothing_matched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["nightly", "--only", "nosuch", "--outputs", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "no report named nosuch; the batch has overview_zh" in err
    assert not [p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")]  # no empty run folder


def test_B94_outputs_is_a_file_or_batch_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "hostname"
    file.write_text("x", encoding="utf-8")
    assert cli.main(["nightly", "--outputs", str(file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert cli.main(["nightly", "--batch", str(tmp_path / "none.yml")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert cli.main(["nightly", "--batch", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


# --- the cache (F07–F10, F13, F18, K2) -----------------------------------------------------


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FJDATA_CACHE", str(folder))
    return folder


def _stored(namespace: str, parts: dict[str, object]) -> Path:
    return cache.entry_path(namespace, parts)


@pytest.mark.parametrize("damage", ["truncate", "random", "empty"])
def test_F07_damaged_entries_are_misses(fresh_cache: Path, damage: str) -> None:
    parts = {"k": damage}
    assert cache.cached("t", parts, lambda: {"p": 0.25}) == {"p": 0.25}
    path = _stored("t", parts)
    blob = path.read_bytes()
    path.write_bytes({"truncate": blob[: len(blob) // 2], "random": os.urandom(len(blob)), "empty": b""}[damage])
    assert cache.cached("t", parts, lambda: {"p": 0.5}) == {"p": 0.5}  # recomputed, not the damaged value
    assert cache.cached("t", parts, lambda: {"p": 0.75}) == {"p": 0.5}  # and stored again


def test_F08_an_entry_with_one_float_changed_is_a_miss(fresh_cache: Path) -> None:
    import struct

    parts = {"k": "f08"}
    cache.cached("t", parts, lambda: {"model_prob": 0.00023526856501543403})
    path = _stored("t", parts)
    blob = path.read_bytes()
    tampered = blob.replace(struct.pack("<d", 0.00023526856501543403), struct.pack("<d", 0.97), 1)
    tampered = tampered if tampered != blob else blob[:-3] + bytes([blob[-3] ^ 1]) + blob[-2:]
    path.write_bytes(tampered)
    assert cache.cached("t", parts, lambda: {"model_prob": 0.00023526856501543403})["model_prob"] == 0.00023526856501543403


def test_F09_F10_foreign_pickles_are_never_unpickled(fresh_cache: Path) -> None:
    marker = fresh_cache.parent / "PWNED"

    class Evil:
        def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
            return (os.system, (f"touch {marker}",))

    parts = {"k": "f10"}
    cache.cached("t", parts, lambda: 1)
    for payload in (pickle.dumps({"assessment": "wrong type"}), pickle.dumps(Evil())):
        _stored("t", parts).write_bytes(payload)
        assert cache.cached("t", parts, lambda: 2) == 2
    key = cache.secret_key()
    assert key is not None
    _stored("t", parts).write_bytes(cache.seal(pickle.dumps(Evil()), b"\0" * 32))  # sealed with the wrong key
    assert cache.cached("t", parts, lambda: 3) == 3
    assert not marker.exists()
    assert (fresh_cache.stat().st_mode & 0o777) == 0o700 and ((fresh_cache / cache.KEY_FILE).stat().st_mode & 0o777) == 0o600


def test_F13_a_full_cache_folder_only_costs_recomputation(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes, mode: int = 0o644) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache, "atomic_write_bytes", full)
    assert cache.cached("t", {"k": "f13"}, lambda: 5) == 5
    assert not list(fresh_cache.glob("t-*"))


def test_F18_overlay_rewritten_with_its_old_mtime_is_read_again(tmp_path: Path) -> None:
    f = tmp_path / "x-stale.csv"
    f.write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    st = f.stat()

    def latest() -> float:
        frame = all_observations(extra_data=f)
        return float(frame[frame["user_supplied"]]["value"].iloc[0])

    assert latest() == 33.5
    f.write_text(csv_text([row(value=20.1)]), encoding="utf-8")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_mtime_ns == st.st_mtime_ns
    assert latest() == 20.1
    assert data_fingerprint(f) != ""  # the results key follows the same content


def test_K2_cache_key_follows_overlay_changes(user_dir: Path) -> None:
    base = data_fingerprint()
    path = user_dir / "k2.csv"
    path.write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    added = data_fingerprint()
    path.write_text(csv_text([row(value=29.9)]), encoding="utf-8")
    edited = data_fingerprint()
    path.unlink()
    assert len({base, added, edited}) == 3 and data_fingerprint() == base


# --- fault drills (F01–F06, F11, F12, F14–F17, K1) ------------------------------------------

SLEEPY = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "p",
            "metadata": {"tags": ["parameters"]},
            "outputs": [],
            "source": "seconds = 60",
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "s",
            "metadata": {},
            "outputs": [],
            "source": "import time\ntime.sleep(seconds)",
        },
    ],
    "metadata": {"kernelspec": {"name": "fjdata", "display_name": "fjdata", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def _descendants(pid: int) -> set[int]:
    out: set[int] = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                child = int(status.parent.name)
                out |= {child, *_descendants(child)}
    return out


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                alive.add(pid)
    return alive


@pytest.fixture
def sleepy_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / "notebooks").mkdir(parents=True)
    (home / "params").mkdir()
    (home / "notebooks" / "sleepy.ipynb").write_text(json.dumps(SLEEPY), encoding="utf-8")
    for i in range(3):
        (home / "params" / f"s{i}.yaml").write_text(f"notebook: sleepy.ipynb\nname: s{i}\n", encoding="utf-8")
    (home / "params" / "nightly.yaml").write_text("reports: [s0.yaml, s1.yaml, s2.yaml]\nworkers: 2\n", encoding="utf-8")
    return home


def _start_sleepy_nightly(home: Path) -> tuple[subprocess.Popen[str], set[int]]:
    env = {**os.environ, "FJDATA_HOME": str(home), "FJDATA_OUTPUTS": str(home / "outputs")}
    log = home / "nightly.log"
    with log.open("w") as fh:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [PY, "-m", "fjdata.cli", "nightly"], env=env, text=True, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 240
    kids: set[int] = set()
    while time.monotonic() < deadline:  # wait until workers have started kernels
        kids = _descendants(proc.pid)
        if len(kids) >= 4:
            break
        time.sleep(0.5)
    assert len(kids) >= 4, f"no kernels started: {proc.poll()} {log.read_text()[-2000:]}"
    time.sleep(2)
    return proc, _descendants(proc.pid)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "sig"), [("F01", signal.SIGKILL), ("F02", signal.SIGTERM), ("F03", signal.SIGINT)], ids=["F01", "F02", "F03"]
)
def test_killed_nightly_leaves_no_orphans_and_no_dated_folder(sleepy_home: Path, case: str, sig: int) -> None:
    proc, kids = _start_sleepy_nightly(sleepy_home)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C goes to the whole process group
    else:
        os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while _alive(kids) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = _alive(kids)
    for pid in left:  # clean up what the test started, by pid, before failing
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"orphaned processes: {left}"
    outputs = sleepy_home / "outputs"
    assert not [p for p in outputs.iterdir() if not p.name.startswith(".")], "no dated folder, no latest"
    if sig != signal.SIGKILL:  # a handled signal also removes the staging folder
        assert not list(outputs.glob(".staging-*"))
    else:  # kill -9 cannot be handled: the next run removes the dead run's staging at once, not after a day
        left_behind = list(outputs.glob(".staging-*"))
        assert left_behind and nightly.remove_stale_staging(outputs) == left_behind


def _fake_papermill(monkeypatch: pytest.MonkeyPatch, failures: list[BaseException]) -> list[int]:
    import papermill

    calls: list[int] = []

    def fake(src: str, dst: str, **kw: Any) -> None:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        shutil.copy(src, dst)

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    return calls


def test_F04_a_kernel_that_dies_once_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient.exceptions import DeadKernelError

    calls = _fake_papermill(monkeypatch, [DeadKernelError("Kernel died")])
    spec = params.load_report(ROOT / "params" / "overview.yaml")
    res = nightly._execute(spec, str(tmp_path), 10, 1, "h")
    assert res.status.value == "success" and res.attempts == 2 and len(calls) == 2


def test_F05_a_kernel_that_keeps_dying_is_recorded_as_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_papermill(monkeypatch, [RuntimeError("Kernel died before replying to kernel_info")] * 3)
    spec = params.load_report(ROOT / "params" / "overview.yaml")
    res = nightly._execute(spec, str(tmp_path), 10, 1, "h")
    assert res.status.value == "failed" and res.attempts == 2 and "Kernel died" in (res.error or "")


def test_F06_concurrent_runs_claim_separate_folders(tmp_path: Path) -> None:
    claimed: list[Path] = []
    threads = [threading.Thread(target=lambda: claimed.append(nightly._claim_run_folder(tmp_path, "2026-11-29"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(claimed)) == 8


def _invalid_only_batch(tmp_path: Path) -> Path:
    bad = _params(tmp_path, "notebook: nosuch.ipynb\nname: x\n", "bad.yaml")
    return _params(tmp_path, f"reports: [{bad.name}]\n", "batch.yml")


def test_F11_read_only_outputs_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_mkdir = Path.mkdir

    def read_only(self: Path, *a: Any, **kw: Any) -> None:
        if self.name.startswith(".probe-"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        real_mkdir(self, *a, **kw)

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert cli.main(["nightly", "--batch", str(_invalid_only_batch(tmp_path)), "--outputs", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "cannot write to" in err and "Read-only file system" in err and "Traceback" not in err


def test_F12_full_disk_says_no_space_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    batch = _invalid_only_batch(tmp_path)
    # (a) too little space: refused up front, with the words "no space".
    monkeypatch.setattr(nightly.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(7_000_000, 6_900_000, 100_000))  # type: ignore[attr-defined]
    assert cli.main(["nightly", "--batch", str(batch), "--outputs", str(out)]) == 2
    assert "no space" in capsys.readouterr().err
    monkeypatch.undo()
    # (b) the disk fills while the run is written: no empty dated folder, no staging kept.
    real = nightly.atomic_write_bytes

    def fill(path: Path, data: bytes, mode: int = 0o644) -> None:
        if path.name == "manifest.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, mode)

    monkeypatch.setattr(nightly, "atomic_write_bytes", fill)
    with pytest.raises(FjdataError, match="no space left"):
        nightly.run_nightly(batch, out)
    assert sorted(p.name for p in out.iterdir()) == []


def test_F14_runtime_never_needs_the_plan_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FJDATA_PLAN_TEXT", "/nonexistent/plan.txt")
    users = [p.name for p in config.PACKAGE_DIR.rglob("*.py") if "plan_text_file" in p.read_text(encoding="utf-8")]
    assert users == []
    assert not plan_text_file().exists()


def test_F15_any_working_directory_gives_the_same_result(tmp_path: Path) -> None:
    code = "import fjdata; print(fjdata.targets(chapter=2)['target_id'].tolist(), fjdata.series('rd_intensity').iloc[-1])"
    a = subprocess.run([PY, "-c", code], cwd="/", capture_output=True, text=True, timeout=120, check=True).stdout
    b = subprocess.run([PY, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True).stdout
    assert a == b and a.strip()


def test_F16_only_stale_staging_folders_are_removed(tmp_path: Path) -> None:
    old = tmp_path / ".staging-2026-01-01-aaaa"
    keep = tmp_path / ".staging-manual-keep"
    fresh = tmp_path / ".staging-now"
    dated = tmp_path / "2026-01-01"
    for p in (old, keep, fresh, dated):
        p.mkdir()
    for p in (old, keep, dated):
        os.utime(p, (time.time() - 3 * 86400,) * 2)
    dead = tmp_path / ".staging-dead-owner"
    alive = tmp_path / ".staging-live-owner"
    for p, pid in ((dead, _dead_pid()), (alive, os.getpid())):
        p.mkdir()
        (p / nightly.OWNER_FILE).write_text(f"{socket.gethostname()} {pid}", encoding="utf-8")
    removed = nightly.remove_stale_staging(tmp_path)
    assert set(removed) == {old, keep, dead} and fresh.is_dir() and dated.is_dir() and alive.is_dir()


def _dead_pid() -> int:
    proc = subprocess.run([PY, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_F17_a_real_latest_folder_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "latest").mkdir()
    run = tmp_path / "2026-11-29"
    run.mkdir()
    with pytest.raises(FjdataError, match="is a real folder"):
        nightly._update_latest(tmp_path, run)
    assert (tmp_path / "latest").is_dir() and not (tmp_path / "latest").is_symlink()
    assert not list(tmp_path.glob(".latest-*"))


def test_K1_assessment_is_deterministic_across_processes() -> None:
    code = "import fjdata; print(fjdata.assess(chapter=2, use_cache=False).to_csv(index=False))"
    outs = [
        subprocess.run(
            [PY, "-c", code], capture_output=True, text=True, timeout=600, check=True, env={**os.environ, "PYTHONHASHSEED": seed}
        ).stdout
        for seed in ("1", "2")
    ]
    assert outs[0] == outs[1] and len(outs[0].splitlines()) > 5


# --- the API refuses nonsense (the issue's silent wrong answers) ----------------------------

API_CASES: list[tuple[str, Callable[[], object], str]] = [
    ("vintage_rule", lambda: __import__("fjdata").assess(vintage_rule="newest"), "did you mean 'latest'"),
    ("chapter", lambda: __import__("fjdata").targets(chapter=6), "valid choices: 1, 2, 3, 4, 5, annex"),
    ("as_of_low", lambda: __import__("fjdata").assess(as_of=1990), "outside the data range"),
    ("as_of_high", lambda: __import__("fjdata").assess(as_of=2100), "outside the data range"),
    ("series_as_of", lambda: __import__("fjdata").series("rd_intensity", as_of=1800), "outside the data range"),
    ("method", lambda: __import__("fjdata").project("gdp_real_growth", method="thetaa"), "did you mean 'theta'"),
]


@pytest.mark.parametrize(("case", "call", "fragment"), API_CASES, ids=[c[0] for c in API_CASES])
def test_api_refuses_nonsense_with_valid_choices(case: str, call: Callable[[], object], fragment: str) -> None:
    with pytest.raises(ArgumentError, match=None) as info:
        call()
    assert fragment in str(info.value)


def test_unknown_ids_raise_keyerror_with_a_suggestion() -> None:
    import fjdata

    with pytest.raises(KeyError, match="did you mean 'rd_intensity'"):
        fjdata.series("rd_intensty")
    with pytest.raises(KeyError, match="did you mean 'c2_mfg_share_gdp'"):
        fjdata.target("c2_mfg_share_gdpp")


def test_readme_project_example_is_non_empty_or_says_why() -> None:
    import fjdata

    proj = fjdata.project("gdp_real_growth", method="theta", to_year=2025)
    try:
        frame = proj.frame()
    except ValueError as exc:
        assert "nothing to forecast" in str(exc) and "2025" in str(exc)
    else:
        assert not frame.empty
    assert not fjdata.project("gdp_real_growth", method="theta", to_year=2027).frame().empty


def _count_cases() -> int:
    """How many review case ids this file covers (asserted ≥ 110 below)."""
    ids: set[str] = set()
    for table in (CSV_ERRORS, CSV_ACCEPTED, PARAMS_CASES, NOTEBOOK_CASES, CLI_CASES, ARGPARSE_CASES):
        ids |= {str(c[0]).split("-")[0] for c in table}
    import re

    for name in globals():
        ids |= {m.group(0) for m in re.finditer(r"(?<![A-Za-z0-9])[BFK]\d{1,2}(?![0-9])", name)}
    ids |= {"F01", "F02", "F03", "F07"}
    return len(ids)


def test_the_catalogue_covers_at_least_110_review_cases() -> None:
    assert _count_cases() >= 110, _count_cases()


_ = (Iterator, pd, json)


def test_kernel_socket_folder_must_be_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The review's hardening note: a socket folder another user could write is refused."""
    from fjdata.batch import kernel

    monkeypatch.setattr(kernel.tempfile, "gettempdir", lambda: str(tmp_path))
    assert kernel.ipc_dir().stat().st_mode & 0o777 == 0o700
    kernel.ipc_dir().chmod(0o777)
    with pytest.raises(FjdataError, match="is not a private folder"):
        kernel.ipc_dir()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "args", "fragment"),
    [("B78-papermill", ["-p", "langg", "en"], "unknown parameter"), ("B79-papermill", ["-p", "as_of", "1800"], "not a year")],
)
def test_plain_papermill_fails_on_a_bad_parameter(tmp_path: Path, case: str, args: list[str], fragment: str) -> None:
    """Papermill only warns about an unknown name; our notebooks refuse it (and bad values), so the run exits non-zero."""
    papermill = Path(sys.executable).parent / "papermill"
    cmd = [
        str(papermill),
        str(ROOT / "notebooks" / "overview.ipynb"),
        str(tmp_path / "out.ipynb"),
        "-k",
        "fjdata",
        *args,
        "--no-progress-bar",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode != 0 and "ParamsError" in proc.stderr and fragment in proc.stderr, proc.stderr[-2000:]


@pytest.mark.slow
def test_B47_end_to_end_batch_and_kernels_use_the_same_relative_extra_data(tmp_path: Path) -> None:
    """The review's repro: a relative FJDATA_EXTRA_DATA, with a same-named decoy in notebooks/.
    The batch tables and the report rendered in a kernel must show the same (the user's) number."""
    home = tmp_path / "home"
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    shutil.copytree(ROOT / "params", home / "params")
    shutil.copytree(ROOT / "drafts", home / "drafts")
    (home / "my_figs.csv").write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    (home / "notebooks" / "my_figs.csv").write_text(csv_text([row(value=20.1)]), encoding="utf-8")
    env = {**os.environ, "FJDATA_HOME": str(home), "FJDATA_OUTPUTS": str(home / "outputs"), "FJDATA_EXTRA_DATA": "my_figs.csv"}
    proc = subprocess.run(
        [PY, "-m", "fjdata.cli", "nightly", "--only", "chapter_2_zh", "--no-pdf"],  # the tables and the page are checked
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (folder,) = [p for p in (home / "outputs").iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "latest"]
    table = pd.read_csv(folder / "assessment.csv")
    latest = table[(table["target_id"] == "c2_mfg_share_gdp") & (table["view"] == "latest")]
    assert latest["latest_value"].tolist() == [33.5] and latest["latest_year"].tolist() == [2025]
    page = (folder / "chapter_2_zh.html").read_text(encoding="utf-8")
    assert re.search(r"33\.5%(<[^>]*>)*（2025年）", page) and "20.1%" not in page  # the value, then its year


def test_cli_project_default_year_always_gives_a_forecast(capsys: pytest.CaptureFixture[str]) -> None:
    """README's `fjdata project gdp_real_growth`: data reach 2025, so the default is the year after."""
    assert cli.main(["project", "gdp_real_growth", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "\n2026," in out


# ============================================================================================
# The second review (``../shared/review/reliability-review-2.md``, cases C01…C112): the department
# questionnaire loop, plan folders, feasibility drafts and the workbooks and pages we write.
# One parametrised test per family; each case asserts the GOOD behaviour.
# ============================================================================================

QDATA, QSTMT = "请填写数据", "官方表述"
# The review's rows of request_zh.xlsx, by key (the row numbers differ between plans and data).
QROWS = {
    5: "above_size_industry_va_growth|Fujian|2024",
    8: "manufacturing_va_share_gdp|Fujian|2021",
    9: "manufacturing_va_share_gdp|Fujian|2022",
    11: "manufacturing_va_share_gdp|Fujian|2025",
    16: "sei_output_share|Fujian|2025",
    22: "industrial_firms_over_10bn|Fujian|2025",
    122: "sector_electronics_scale|Fujian|2025",
}
EVIL_FORMULA = '=HYPERLINK("http://evil.example/x","点击查看来源")'


def _qcol(field: str, statements: bool = False) -> str:
    from fjdata.department.questionnaire import DATA_COLUMNS, STATEMENT_COLUMNS, letter

    return letter(STATEMENT_COLUMNS if statements else DATA_COLUMNS, field)


@pytest.fixture(scope="module")
def request_xlsx(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, int]]:
    """A real questionnaire (``fjdata data request``) and the review's row numbers → its rows."""
    import openpyxl

    from fjdata.department.questionnaire import write_request

    path = write_request(tmp_path_factory.mktemp("request") / "request_zh.xlsx").path
    ws = openpyxl.load_workbook(path)[QDATA]
    keys = {str(ws.cell(row=r, column=1).value): r for r in range(2, ws.max_row + 1)}
    return path, {n: keys[k] for n, k in QROWS.items()}


class Filler:
    """Fill cells of a copy of the questionnaire the way a department does (text stays text)."""

    def __init__(self, source: Path, rows: dict[int, int]) -> None:
        import openpyxl

        self.wb = openpyxl.load_workbook(source)
        self.rows = rows
        self.data, self.stmt = self.wb[QDATA], self.wb[QSTMT]

    def row(self, n: int) -> int:
        return self.rows.get(n, n)

    def put(self, ref: str, value: object, fmt: str | None = None, formula: bool = False, sheet: str = QDATA) -> None:
        cell = self.wb[sheet][ref]
        cell.value = value
        if isinstance(value, str) and value.startswith("=") and not formula:
            cell.data_type = "s"  # typed with an apostrophe: text, as Excel stores it
        if fmt:
            cell.number_format = fmt

    def figure(self, n: int, value: object, fmt: str | None = None, note: str | None = None, **fields: object) -> int:
        r = self.row(n)
        self.put(f"{_qcol('value')}{r}", value, fmt, formula=bool(fields.pop("formula", False)))
        if "status" not in fields or fields["status"] is not None:
            self.put(f"{_qcol('status')}{r}", fields.pop("status", "正式"))
        if "source" not in fields or fields["source"] is not None:
            self.put(f"{_qcol('source_document')}{r}", fields.pop("source", "福建统计年鉴 表3-1 (test fixture)"))
        fields.pop("status", None), fields.pop("source", None)
        if note:
            self.put(f"{_qcol('note')}{r}", note)
        for field, v in fields.items():
            self.put(f"{_qcol(field)}{r}", v)
        return r

    def statement(self, r: int, **fields: object) -> None:
        base: dict[str, object] = {
            "assertion": "已完成",
            "speaker": "福建省工业和信息化厅 (test fixture)",
            "published": "2026-01-15",
            "source_document": "闽工信〔2026〕1号 (test fixture)",
            "source_url": "",
            "quote": "全省规上工业增加值年均增长目标已完成 (test fixture)",
        }
        for field, v in (base | fields).items():
            self.put(f"{_qcol(str(field), statements=True)}{r}", v, sheet=QSTMT)

    def save(self, path: Path) -> Path:
        self.wb.save(path)
        return path


def _problems(path: Path) -> list[str]:
    from fjdata.department.intake import DepartmentImportError, read_workbook

    try:
        _, _, problems = read_workbook(path)
    except DepartmentImportError as exc:
        return [str(p) for p in exc.problems]
    return [str(p) for p in problems]


def _zip_with(src: Path, dst: Path, extra: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> Path:
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for item in zin.infolist():
            zout.writestr(item, (replace or {}).get(item.filename, zin.read(item.filename)))
        for name, blob in (extra or {}).items():
            zout.writestr(name, blob)
    return dst


def _data_sheet_part(path: Path) -> str:
    import zipfile

    import openpyxl

    index = openpyxl.load_workbook(path, read_only=True).sheetnames.index(QDATA) + 1
    with zipfile.ZipFile(path) as zf:
        assert f"xl/worksheets/sheet{index}.xml" in zf.namelist()
    return f"xl/worksheets/sheet{index}.xml"


def _with_sheet_xml(src: Path, dst: Path, before_end: bytes) -> Path:
    """The questionnaire with raw XML inserted before ``</sheetData>`` of the data sheet."""
    import zipfile

    part = _data_sheet_part(src)
    with zipfile.ZipFile(src) as zf:
        xml = zf.read(part)
    return _zip_with(src, dst, replace={part: xml.replace(b"</sheetData>", before_end + b"</sheetData>", 1)})


def _inline_string_bomb(src: Path, dst: Path) -> Path:
    """C21: one inline string far larger than any questionnaire (here 70 MB; the review's was 1.5 GB)."""
    return _with_sheet_xml(src, dst, b'<row r="1000"><c r="Q1000" t="inlineStr"><is><t>' + b"A" * 70_000_000 + b"</t></is></c></row>")


def _many_rows(src: Path, dst: Path, n: int = 25_000) -> Path:
    """C22/C34: tens of thousands of extra rows (the review's had 3 million and 100,000)."""
    rows = b"".join(b'<row r="%d"><c r="B%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r) for r in range(1000, 1000 + n))
    return _with_sheet_xml(src, dst, rows)


def _empty_zip(dst: Path) -> Path:
    """C20: a zip file with nothing in it."""
    import zipfile

    zipfile.ZipFile(dst, "w").close()
    return dst


def _encrypted(dst: Path) -> Path:
    """C26: what Excel writes for a password-protected workbook (an OLE compound file)."""
    dst.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + b"E\0n\0c\0r\0y\0p\0t\0i\0o\0n\0I\0n\0f\0o\0" + b"\0" * 2000)
    return dst


def _two_figures_merged(f: Filler, dst: Path, field: str) -> Path:
    """C32/C33: two rows filled, then their ``field`` cells merged into one."""
    f.figure(8, 34.0)
    f.figure(9, 33.0)
    f.data.merge_cells(f"{_qcol(field)}{f.row(8)}:{_qcol(field)}{f.row(9)}")
    return f.save(dst)


# (case, how the workbook is made, the expected cell or location, a fragment of the message)
QUESTIONNAIRE_REFUSED: list[tuple[str, Callable[[Filler, Path], Path], str, str]] = [
    (
        "C01",
        lambda f, p: (f.statement(2, source_url="javascript:alert(document.domain)"), f.save(p))[1],
        f"{QSTMT}!{_qcol('source_url', True)}2",
        "not an http(s)",
    ),
    (
        "C01-data",
        lambda f, p: (f.statement(2, source_url="data:text/html,<script>alert(1)</script>"), f.save(p))[1],
        f"{QSTMT}!{_qcol('source_url', True)}2",
        "http(s)",
    ),
    (
        "C14",
        lambda f, p: (
            f.figure(11, 33.5, source=None),
            f.put(f"{_qcol('source_document')}{f.row(11)}", EVIL_FORMULA, formula=True),
            f.save(p),
        )[2],
        f"!{_qcol('source_document')}",
        "missing",
    ),
    ("C19", lambda f, p: (p.write_bytes(b"a,b\n1,2\n"), p)[1], "", "not a readable .xlsx workbook"),
    (
        "C20",
        lambda f, p: _empty_zip(p),
        "",
        "not a readable",
    ),
    ("C21", lambda f, p: _inline_string_bomb(f.save(p.with_name("base.xlsx")), p), "", "unpacks to"),
    ("C22", lambda f, p: _many_rows(f.save(p.with_name("base.xlsx")), p), "", "more than 20,000 rows"),
    ("C26", lambda f, p: _encrypted(p), "", "password-protected"),
    ("C27", lambda f, p: (setattr(f.data, "title", "Sheet1"), f.save(p))[1], "", "no data sheet"),
    ("C30", lambda f, p: (f.data.insert_rows(1), f.save(p))[1], "请填写数据!row 1", "missing column"),
    (
        "C32",
        lambda f, p: _two_figures_merged(f, p, "value"),
        f"!{_qcol('value')}",
        "no value",
    ),
    (
        "C33",
        lambda f, p: _two_figures_merged(f, p, "source_document"),
        f"!{_qcol('source_document')}",
        "source",
    ),
    (
        "C35",
        lambda f, p: (f.figure(11, "=30+3.5", formula=True), f.save(p))[1],
        f"!{_qcol('value')}",
        "formula =30+3.5 without a saved result",
    ),
    (
        "C36",
        lambda f, p: (f.figure(11, "=30+3.5", formula=True, status=None, source=None), f.figure(8, 34.0), f.save(p))[2],
        f"!{_qcol('value')}",
        "formula",
    ),
    (
        "C37",
        lambda f, p: (f.figure(11, __import__("datetime").datetime(2025, 3, 31)), f.save(p))[1],
        f"!{_qcol('value')}",
        "is not a number",
    ),
    ("C38", lambda f, p: (f.figure(11, "３１．５"), f.save(p))[1], f"!{_qcol('value')}", "is not a number"),
    ("C40", lambda f, p: (f.figure(11, "31.5%"), f.save(p))[1], f"!{_qcol('value')}", "is not a number"),
    ("C41", lambda f, p: (f.figure(11, "约31.5"), f.save(p))[1], f"!{_qcol('value')}", "is not a number"),
    (
        "C42",
        lambda f, p: (f.figure(22, "15,000"), f.save(p))[1],
        f"!{_qcol('value')}",
        "15000 is more than 10× outside every value held",
    ),  # read as 15000; implausible for 45–67 firms
    ("C43", lambda f, p: (f.figure(122, "1,5"), f.save(p))[1], f"!{_qcol('value')}", "a comma where a decimal point may be meant"),
    ("C43-groups", lambda f, p: (f.figure(22, "21,00"), f.save(p))[1], f"!{_qcol('value')}", "thousands separators out of place"),
    ("C45", lambda f, p: (f.figure(11, "1.5万"), f.save(p))[1], f"!{_qcol('value')}", "is not a number"),
    ("C47", lambda f, p: (f.figure(11, "33.5\u200b"), f.save(p))[1], f"!{_qcol('value')}", "is not a number"),
    ("C48", lambda f, p: (f.figure(11, "3_3.5"), f.save(p))[1], f"!{_qcol('value')}", "underscore"),
    ("C49-sep", lambda f, p: (f.figure(11, "٣٣٫٥"), f.save(p))[1], f"!{_qcol('value')}", "is not a number"),
    ("C50-bool", lambda f, p: (f.figure(11, True), f.save(p))[1], f"!{_qcol('value')}", "is not a number"),
    ("C50-hex", lambda f, p: (f.figure(11, "0x21"), f.save(p))[1], f"!{_qcol('value')}", "is not a number"),
    ("C54", lambda f, p: (f.figure(11, 3.35, note="联系人已核对"), f.save(p))[1], f"!{_qcol('value')}", "确认无误"),
    ("C55", lambda f, p: (f.figure(122, 80_000_000), f.save(p))[1], f"!{_qcol('value')}", "more than any such figure can be"),
    ("C55-share", lambda f, p: (f.figure(16, 0.25), f.save(p))[1], f"!{_qcol('value')}", "outside every value held"),
    ("C56", lambda f, p: (f.figure(11, None, unit=33.5), f.save(p))[1], f"!{_qcol('value')}", "no value"),
    (
        "C59",
        lambda f, p: (f.put(f"A{f.row(11)}", "manufacturing_va_share_gdp|China|2025"), f.figure(11, 12), f.save(p))[2],
        "!A",
        "region 'China'",
    ),
    (
        "C108-future",
        lambda f, p: (f.statement(2, published="2099-01-01"), f.save(p))[1],
        f"{QSTMT}!{_qcol('published', True)}2",
        "in the future",
    ),
    (
        "C108-contradiction",
        lambda f, p: (
            f.statement(2),
            f.put("A63", "", sheet=QSTMT),
            f.statement(63, target_id=f.stmt["B2"].value, year=f.stmt["C2"].value, assertion="未完成"),
            f.save(p),
        )[3],
        f"{QSTMT}!{_qcol('assertion', True)}63",
        "contradicts row 2",
    ),
]


@pytest.mark.parametrize(("case", "make", "where", "fragment"), QUESTIONNAIRE_REFUSED, ids=[c[0] for c in QUESTIONNAIRE_REFUSED])
def test_questionnaire_values_are_read_as_meant_or_refused_naming_the_cell(
    request_xlsx: tuple[Path, dict[int, int]], tmp_path: Path, case: str, make: Callable[[Filler, Path], Path], where: str, fragment: str
) -> None:
    source, rows = request_xlsx
    path = make(Filler(source, rows), tmp_path / f"{case}.xlsx")
    problems = _problems(path)  # C21/C22: refused by the size checks before openpyxl parses a byte
    assert any(where in p and fragment in p for p in problems), problems
    assert all("Traceback" not in p for p in problems)


def _figures(path: Path) -> list[Any]:
    from fjdata.department.intake import read_workbook

    figures, _, problems = read_workbook(path)
    assert problems == [], problems
    return figures


def _macro(f: Filler, p: Path) -> Path:
    f.figure(11, 33.5)
    base = f.save(p.with_name("base.xlsx"))
    return _zip_with(base, p, extra={"xl/vbaProject.bin": b'Attribute VB_Name = "Auto_Open"\nShell "calc"\n'})


def _reordered(f: Filler, p: Path) -> Path:
    f.figure(11, 33.5)
    f.wb.move_sheet(QDATA, offset=len(f.wb.sheetnames) - 1)
    return f.save(p)


def _swapped(f: Filler, p: Path) -> Path:
    f.figure(11, 33.5)
    value, status = _qcol("value"), _qcol("status")
    for r in range(1, f.data.max_row + 1):
        a, b = f.data[f"{value}{r}"], f.data[f"{status}{r}"]
        a.value, b.value = b.value, a.value
    return f.save(p)


# (case, how the workbook is made, (indicator, year, value) of every figure read, and what else must hold)
QUESTIONNAIRE_ACCEPTED: list[tuple[str, Callable[[Filler, Path], Path], list[tuple[str, int, float]], str]] = [
    (
        "C04",
        lambda f, p: (
            f.figure(
                5,
                5.5,
                source="<script>alert(1)</script>闽统〔2026〕1号",
                contact="<img src=x onerror=alert(1)>",
                note='"><svg onload=alert(1)>',
            ),
            f.save(p),
        )[1],
        [("above_size_industry_va_growth", 2024, 5.5)],
        "kept as text",
    ),
    (
        "C06",
        lambda f, p: (f.figure(5, 5.5, source="javascript:alert(1)"), f.save(p))[1],
        [("above_size_industry_va_growth", 2024, 5.5)],
        "kept as text",
    ),
    (
        "C12",
        lambda f, p: (f.figure(122, 1234, source="@SUM(1+1)*cmd|' /C calc'!A0"), f.save(p))[1],
        [("sector_electronics_scale", 2025, 1234.0)],
        "",
    ),
    (
        "C13",
        lambda f, p: (f.figure(11, 33.5, contact="=cmd|' /C calc'!A0", note="+1+1"), f.save(p))[1],
        [("manufacturing_va_share_gdp", 2025, 33.5)],
        "",
    ),
    ("C24", lambda f, p: (f.figure(11, 33.5), f.put("XFD2", "far away"), f.save(p))[2], [("manufacturing_va_share_gdp", 2025, 33.5)], ""),
    ("C25", _macro, [("manufacturing_va_share_gdp", 2025, 33.5)], ""),
    ("C28", _reordered, [("manufacturing_va_share_gdp", 2025, 33.5)], ""),
    ("C29", lambda f, p: (f.figure(11, 33.5), f.wb.remove(f.stmt), f.save(p))[2], [("manufacturing_va_share_gdp", 2025, 33.5)], ""),
    ("C31", _swapped, [("manufacturing_va_share_gdp", 2025, 33.5)], ""),
    ("C39", lambda f, p: (f.figure(11, "３３.５"), f.save(p))[1], [("manufacturing_va_share_gdp", 2025, 33.5)], ""),
    ("C42-millions", lambda f, p: (f.figure(122, "1,234,567"), f.save(p))[1], [("sector_electronics_scale", 2025, 1234567.0)], ""),
    (
        "C46",
        lambda f, p: (f.figure(11, "33.5   "), f.figure(9, "\u00a033.5\u00a0"), f.save(p))[2],
        [("manufacturing_va_share_gdp", 2022, 33.5), ("manufacturing_va_share_gdp", 2025, 33.5)],
        "",
    ),
    ("C49", lambda f, p: (f.figure(11, "٣٣.٥"), f.save(p))[1], [("manufacturing_va_share_gdp", 2025, 33.5)], ""),
    (
        "C50",
        lambda f, p: (f.figure(11, "3.35e1"), f.figure(5, "-0"), f.save(p))[2],
        [("above_size_industry_va_growth", 2024, -0.0), ("manufacturing_va_share_gdp", 2025, 33.5)],
        "",
    ),
    ("C51", lambda f, p: (f.figure(16, 0.25, fmt="0.0%"), f.save(p))[1], [("sei_output_share", 2025, 25.0)], "percent"),
    ("C52", lambda f, p: (f.figure(11, 0.335, fmt="0.0%"), f.save(p))[1], [("manufacturing_va_share_gdp", 2025, 33.5)], "percent"),
    (
        "C54-confirmed",
        lambda f, p: (f.figure(11, 3.35, note="确认无误：口径调整 (test fixture)"), f.save(p))[1],
        [("manufacturing_va_share_gdp", 2025, 3.35)],
        "confirmed",
    ),
]


@pytest.mark.parametrize(("case", "make", "expected", "also"), QUESTIONNAIRE_ACCEPTED, ids=[c[0] for c in QUESTIONNAIRE_ACCEPTED])
def test_harmless_questionnaire_variants_are_read_as_meant(
    request_xlsx: tuple[Path, dict[int, int]],
    tmp_path: Path,
    case: str,
    make: Callable[[Filler, Path], Path],
    expected: list[tuple[str, int, float]],
    also: str,
) -> None:
    source, rows = request_xlsx
    figures = _figures(make(Filler(source, rows), tmp_path / f"{case}.xlsx"))
    assert sorted((f.indicator_id, f.year, f.value) for f in figures) == expected
    if also == "kept as text":
        assert figures[0].source_document.startswith(("<script>", "javascript:"))
    if also == "percent":
        assert figures[0].percent and figures[0].raw.endswith("%")
    if also == "confirmed":
        assert "away from the 2024 value 31.7" in figures[0].confirmed_jump


def test_C34_a_long_problem_list_is_capped(request_xlsx: tuple[Path, dict[int, int]], tmp_path: Path) -> None:
    from fjdata.department.intake import DepartmentImportError, import_workbook

    f = Filler(*request_xlsx)
    first = f.data.max_row + 1
    for r in range(first, first + 120):  # added rows, all for one indicator and year
        f.put(f"{_qcol('indicator_id')}{r}", "sector_electronics_scale")
        f.put(f"{_qcol('year')}{r}", 2017)
        f.put(f"{_qcol('value')}{r}", 100)
        f.put(f"{_qcol('status')}{r}", "正式")
        f.put(f"{_qcol('source_document')}{r}", "x (test fixture)")
    path = f.save(tmp_path / "many.xlsx")
    with pytest.raises(DepartmentImportError) as err:
        import_workbook(path, compare=False)
    text = str(err.value)
    assert len(err.value.problems) == 119 and "… and 69 more" in text and text.count("is filled twice") == 50


# --- importing: what is written, superseded, skipped (C57, C58, C60, C61, C64, C69, C70, C72, C76, C107) ---


def _import(path: Path, compare: bool = False) -> Any:
    from fjdata.department.intake import import_workbook

    return import_workbook(path, compare=compare)


def _user_csvs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.csv"))


def test_C57_only_the_held_value_column_filled_is_nothing_to_import(
    request_xlsx: tuple[Path, dict[int, int]], tmp_path: Path, user_dir: Path
) -> None:
    from fjdata.department.intake import DepartmentImportError

    f = Filler(*request_xlsx)
    f.put(f"{_qcol('held_value')}{f.row(16)}", 30)
    with pytest.raises(DepartmentImportError) as err:
        _import(f.save(tmp_path / "held.xlsx"))
    assert str(err.value.problems[0]) == "sheet 请填写数据: nothing is filled in; no value and no statement to import"


def test_C58_C60_C61_C70_C72_imports_say_what_they_did(
    request_xlsx: tuple[Path, dict[int, int]], tmp_path: Path, user_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = Filler(*request_xlsx)
    f.figure(11, 33.5)
    one = f.save(tmp_path / "new\nline.xlsx")  # C70: a newline in the name
    g = Filler(*request_xlsx)
    g.figure(16, 27.5)
    two = g.save(tmp_path / "-dash.xlsx")
    result = _import(one)
    assert "verdict comparison skipped (--no-compare)" in result.summary() and "no verdict changes" not in result.summary()  # C58
    assert cli.main(["data", "import", "--no-compare", "--", str(two)]) == 0  # C72: a name starting with '-'
    assert len(_user_csvs(user_dir)) == 2  # C60: two workbooks, two files
    assert _import(one).already_imported  # C61: the same workbook again writes nothing
    assert len(_user_csvs(user_dir)) == 2 and not list(user_dir.glob(".*.tmp"))
    capsys.readouterr()


def test_C64_C69_a_failed_write_leaves_nothing_and_names_the_path(
    request_xlsx: tuple[Path, dict[int, int]], tmp_path: Path, user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fjdata.core.cache import WriteError
    from fjdata.department import intake

    f = Filler(*request_xlsx)
    f.figure(11, 33.5)
    path = f.save(tmp_path / "x.xlsx")

    def full(p: Path, columns: tuple[str, ...], rows: list[dict[str, object]]) -> None:
        p.write_text("indicator_id,region\n", encoding="utf-8")  # half written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    real = intake._write_csv
    monkeypatch.setattr(intake, "_write_csv", full)
    with pytest.raises(WriteError) as err:
        _import(path)
    assert "no space left" in str(err.value) and str(user_dir) in str(err.value)
    assert sorted(p.name for p in user_dir.iterdir()) == []  # no CSV, no .tmp (C69); a killed import the same (C64)
    monkeypatch.setattr(intake, "_write_csv", real)
    assert _import(path).observations_file is not None and len(_user_csvs(user_dir)) == 1  # and the rerun imports


def test_C76_an_import_into_a_folder_with_a_broken_file_is_refused(
    request_xlsx: tuple[Path, dict[int, int]], tmp_path: Path, user_dir: Path
) -> None:
    f = Filler(*request_xlsx)
    f.figure(11, 33.5)
    path = f.save(tmp_path / "x.xlsx")
    (user_dir / "passwd.csv").symlink_to("/etc/passwd")
    with pytest.raises(DataValidationError, match=r"passwd\.csv"):
        _import(path)
    assert sorted(p.name for p in user_dir.iterdir()) == ["passwd.csv"]


def test_C107_a_corrected_reimport_supersedes_its_own_figure_and_keeps_the_history(
    request_xlsx: tuple[Path, dict[int, int]], tmp_path: Path, user_dir: Path
) -> None:
    f = Filler(*request_xlsx)
    f.figure(11, 33.5)
    f.figure(16, 27.5)
    first = _import(f.save(tmp_path / "x35.xlsx"))
    f.figure(11, 32.0)
    f.put(f"{_qcol('value')}{f.row(16)}", None), f.put(f"{_qcol('status')}{f.row(16)}", None)
    f.put(f"{_qcol('source_document')}{f.row(16)}", None)
    second = _import(f.save(tmp_path / "x41_corrected.xlsx"))
    rows = pd.concat([read_csv(p, origin="user") for p in _user_csvs(user_dir)])
    mine = rows[rows["indicator_id"] == "manufacturing_va_share_gdp"]
    assert mine["value"].tolist() == [32.0]  # one figure, the corrected one
    assert rows[rows["indicator_id"] == "sei_output_share"]["value"].tolist() == [27.5]  # the other figure stays
    (history,) = (user_dir / "superseded").glob("*.csv")
    old = pd.read_csv(history)
    assert old["value"].tolist() == [33.5] and f"superseded_by={second.observations_file.name}" in old["note"][0]
    assert first.observations_file is not None and len(second.superseded) == 1 and "33.5" in second.summary()
    assert _import(tmp_path / "x35.xlsx").already_imported  # the withdrawn workbook cannot come back by accident
    other = Filler(*request_xlsx)
    other.figure(11, 31.0, contact="另一部门 (test fixture)")
    _import(other.save(tmp_path / "other_department.xlsx"))  # another sender's figure does not replace it: a dispute
    values = pd.concat([read_csv(p, origin="user") for p in _user_csvs(user_dir)])
    assert sorted(values[values["indicator_id"] == "manufacturing_va_share_gdp"]["value"]) == [31.0, 32.0]


# --- what we write is inert (C10–C13, C15, C17, C18): no formula, no link of another scheme ---

HOSTILE_TEXTS = (EVIL_FORMULA, "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1")


def _live_cells(path: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for r in ws.iter_rows():
            for c in r:
                if c.data_type == "f" or (
                    isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r")) and not c.quotePrefix
                ):
                    out.append(f"{ws.title}!{c.coordinate}={c.value!r}")
    return out


def _live_csv_fields(text: str) -> list[str]:
    import csv
    import io

    from fjdata.core.inert import is_live

    return [v for r in csv.reader(io.StringIO(text)) for v in r if is_live(v)]


@pytest.fixture(scope="module")
def hostile_user_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user CSV whose source titles, quotes and notes are formulas (C10)."""
    folder = tmp_path_factory.mktemp("hostile-user")
    rows = [
        row(
            "manufacturing_va_share_gdp", 2025, 33.5, source_title=EVIL_FORMULA, quote=HOSTILE_TEXTS[1], note=HOSTILE_TEXTS[2], vintage="h1"
        ),
        row("sei_output_share", 2024, 29.0, source_title=HOSTILE_TEXTS[4], quote="+cmd", vintage="h2"),
    ]
    (folder / "my.csv").write_text(csv_text(rows), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile_request(tmp_path_factory: pytest.TempPathFactory, hostile_user_data: Path) -> Path:
    from fjdata.department.questionnaire import write_request

    return write_request(tmp_path_factory.mktemp("hostile-request") / "request_zh.xlsx", extra_data=hostile_user_data / "my.csv").path


def test_C10_C11_the_questionnaire_never_carries_a_formula_from_a_users_file(hostile_request: Path) -> None:
    import openpyxl

    assert _live_cells(hostile_request) == []
    cells = [c for ws in openpyxl.load_workbook(hostile_request).worksheets for r in ws.iter_rows() for c in r if c.value == EVIL_FORMULA]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)  # the text itself, readable and inert


def test_C10_libreoffice_shows_the_formula_as_text(hostile_request: Path, tmp_path: Path) -> None:
    filt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"  # every sheet, one file each
    proc = libreoffice_convert(hostile_request, filt, tmp_path)
    sheets = sorted(tmp_path.glob("request_zh*.csv"))
    assert proc.returncode == 0 and len(sheets) >= 2, proc.stderr  # the cover, the figures, the statements …
    text = "".join(s.read_text(encoding="utf-8") for s in sheets)
    assert EVIL_FORMULA.replace('"', '""') in text or EVIL_FORMULA in text  # shown literally, never evaluated
    assert "#NAME" not in text and "Err:" not in text


@pytest.fixture(scope="module")
def assessed() -> tuple[pd.DataFrame, pd.DataFrame]:
    from fjdata.assess.assessment import assess

    return assess(), assess(as_of=2023)


WRITERS = ["C15-assessment.xlsx", "C17-assessment_en.xlsx", "C15-assessment.csv", "C15-tables.csv", "C18-targets-csv"]


@pytest.mark.parametrize("writer", WRITERS)
def test_every_writer_neutralises_hostile_text(
    writer: str,
    tmp_path: Path,
    assessed: tuple[pd.DataFrame, pd.DataFrame],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fjdata.batch.workbook import write_workbook
    from fjdata.core.inert import inert_frame
    from fjdata.inputs.plan import get_plan

    today, mid = (f.copy() for f in assessed)
    for frame in (today, mid):
        for i, col in enumerate(("name_zh", "name_en", "target_text", "notes", "disputes")):
            frame[col] = HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)]
    if writer.endswith(".xlsx"):  # the workbook is the overview report in another form: hostile text in its rows
        from dataclasses import replace

        from fjdata.assess.prepare import prepare
        from fjdata.assess.view import View
        from fjdata.report import scorecard
        from fjdata.report.chapter_report import ChapterReport

        real_rows, n = scorecard.rows, len(HOSTILE_TEXTS)

        def hostile_rows(*args: Any, **kwargs: Any) -> list[scorecard.Row]:
            rows = real_rows(*args, **kwargs)
            return [
                replace(r, name=HOSTILE_TEXTS[i % n], target=HOSTILE_TEXTS[(i + 1) % n], detail=HOSTILE_TEXTS[(i + 2) % n])
                for i, r in enumerate(rows)
            ]

        monkeypatch.setattr(scorecard, "rows", hostile_rows)
        report = ChapterReport.from_prepared(prepare(View.of(get_plan().plan_id), "all"), "en" if "_en" in writer else "zh")
        path = write_workbook(tmp_path / "a.xlsx", report)
        assert _live_cells(path) == []
        import openpyxl

        names = {c.value for ws in openpyxl.load_workbook(path).worksheets for r in ws.iter_rows() for c in r}
        assert set(HOSTILE_TEXTS[:3]) & names  # kept readable
    elif writer == "C15-assessment.csv":
        text = inert_frame(today).to_csv(index=False)
        assert _live_csv_fields(text) == [] and "'" + EVIL_FORMULA.replace('"', '""') in text
        assert inert_frame(pd.DataFrame({"v": ["-3.5", "12"]}))["v"].tolist() == ["-3.5", "12"]  # numbers stay numbers
    elif writer == "C15-tables.csv":
        from types import SimpleNamespace

        from fjdata.report.chapter_report import ChapterReport

        rows = [{"name_zh": text, "note": "+x", "value": -1.5} for text in HOSTILE_TEXTS]
        items = [SimpleNamespace(assessment=SimpleNamespace(to_row=lambda r=r: r)) for r in rows]
        report = SimpleNamespace(items=items, midterm={}, mid_year=2023, chapter="2")  # what write_table reads of a report
        path = ChapterReport.write_table(report, tmp_path)  # type: ignore[arg-type]
        assert path is not None
        table = path.read_text(encoding="utf-8-sig")
        assert _live_csv_fields(table) == [] and "-1.5" in table
    else:
        assert cli.main(["targets", "--chapter", "2", "--format", "csv"]) == 0
        out = capsys.readouterr().out
        assert out and _live_csv_fields(out) == []


def test_C15_C17_C18_a_hostile_plan_reaches_no_output_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _plan_copy(tmp_path, "evil2plan")
    text = (folder / "targets.yaml").read_text(encoding="utf-8")
    first_name = re.search(r"name_zh: (.+)", text)
    assert first_name
    (folder / "targets.yaml").write_text(text.replace(first_name.group(0), f"name_zh: '{EVIL_FORMULA}'", 1), encoding="utf-8")
    assert cli.main(["targets", "--plan", "evil2plan", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "'" + EVIL_FORMULA.replace('"', '""') in out and _live_csv_fields(out) == []


# --- links: only http(s) ever becomes href (C01, C04–C09) ----------------------------------


def test_C01_C05_the_coverage_page_links_only_http_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    from fjdata.inputs.statements import Statement
    from fjdata.report import coverage_page

    rows = coverage_page.coverage_rows()[:2]
    evil = [
        Statement(
            rows[0].target.target_id,
            2025,
            "completed",
            '<script>alert("sp")</script>',
            "2026-01-01",
            "<img src=x onerror=alert(1)>闽政〔2026〕1号",
            "javascript:alert(document.domain)",
            '"><svg onload=alert(1)>',
            "<b>c</b>",
            "f.csv",
            2,
        ),
        Statement(rows[0].target.target_id, 2025, "completed", "s", "2026-01-01", "t", " JAVASCRIPT:alert(1)", "q", "", "f.csv", 3),
        Statement(rows[0].target.target_id, 2025, "completed", "s", "2026-01-01", "t", "https://www.gov.cn/ok.htm", "q", "", "f.csv", 4),
    ]
    page = coverage_page.coverage_html([dataclasses_replace(rows[0], statements=tuple(evil)), rows[1]])
    hrefs = re.findall(r"href=[\"']([^\"']*)", page)
    assert "https://www.gov.cn/ok.htm" in hrefs and all(h.startswith(("https://", "http://", "#")) or ":" not in h for h in hrefs), hrefs
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page


def dataclasses_replace(obj: Any, **changes: object) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


LINK_CASES = [
    ("C01", "javascript:alert(document.domain)", ""),
    ("C06", "xlsx:x01.xlsx#请填写数据!M5", ""),
    ("C06-data", "data:text/html;base64,PHNjcmlwdD4=", ""),
    ("C06-vbscript", "vbscript:msgbox(1)", ""),
    ("C06-file", "file:///etc/passwd", ""),
    ("C06-protocol-relative", "//evil.example/x", ""),
    ("C06-tab", "java\tscript:alert(1)", ""),
    ("C06-ok", "https://www.gov.cn/zhengce/x.htm", "https://www.gov.cn/zhengce/x.htm"),
    ("C06-ok-http", "http://tjj.fujian.gov.cn/x", "http://tjj.fujian.gov.cn/x"),
]


@pytest.mark.parametrize(("case", "url", "linked"), LINK_CASES, ids=[c[0] for c in LINK_CASES])
def test_only_http_urls_are_ever_linked(case: str, url: str, linked: str) -> None:
    from fjdata.core.inert import safe_link
    from fjdata.report.templating import render

    assert safe_link(url) == linked
    rows = [
        {
            "name": "n",
            "year": 2025,
            "value": "1",
            "status": "s",
            "title": "<script>t</script>",
            "url": safe_link(url),
            "quote": "q",
            "user": True,
            "not_used": False,
        }
    ]
    from fjdata.core.wording import words

    page = render("sources.html.j2", w=words("zh"), rows=rows)
    assert ("href" in page) == bool(linked) and "<script>t" not in page


def test_C07_C08_C09_hostile_plan_and_params_titles_are_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fjdata.batch.run_index import index_html

    folder = _plan_copy(tmp_path, "evilplan")
    text = (folder / "plan.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title_zh: .*$", "title_zh: \"<script>alert('plan_zh')</script>恶意规划\"", text, count=1)
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    res = nightly.ReportResult(
        "x",
        nightly.ReportStatus.SUCCESS,
        1.0,
        "p.yaml",
        "overview.ipynb",
        {"plan": "evilplan"},
        title="javascript:alert('t')",
        html="x.html",
    )
    page = index_html(nightly.RunResult(tmp_path, (res,), "s", "f", "h"), "2026-01-01")
    assert "<script>alert('plan_zh')" not in page and "&lt;script&gt;alert(&#39;plan_zh&#39;)" in page
    assert re.findall(r"href='([^']*)'", page)[:1] == ["x.html"] and "javascript:alert(&#39;t&#39;)" in page


# --- plan folders fail alone (C80–C87) ------------------------------------------------------


def _plan_copy(tmp_path: Path, plan_id: str, base: str = "fujian-14th-manufacturing") -> Path:
    """A copy of a shipped plan folder with a new id, on ``FJDATA_PLANS`` (for the running test)."""
    root = tmp_path / "plans"
    folder = root / plan_id
    shutil.copytree(config.PACKAGE_DIR / "plans" / base, folder)
    text = (folder / "plan.yaml").read_text(encoding="utf-8")
    (folder / "plan.yaml").write_text(re.sub(r"(?m)^id: .*$", f"id: {plan_id}", text, count=1), encoding="utf-8")
    os.environ["FJDATA_PLANS"] = str(root)
    return folder


@pytest.fixture(autouse=True)
def _no_plan_folders_left() -> Iterator[None]:
    saved = os.environ.get("FJDATA_PLANS")
    yield
    if saved is None:
        os.environ.pop("FJDATA_PLANS", None)
    else:
        os.environ["FJDATA_PLANS"] = saved


def _bomb_plan(folder: Path) -> None:
    text = (folder / "plan.yaml").read_text(encoding="utf-8")
    bomb = 'title_zh: &i [&h [&g [&f [&e [&d [&c [&b [&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"],*a,*a,*a,*a,*a,*a,*a,*a],*b,*b,*b,*b,*b,*b,*b,*b],*c,*c,*c,*c,*c,*c,*c,*c],*d,*d,*d,*d,*d,*d,*d,*d],*e,*e,*e,*e,*e,*e,*e,*e],*f,*f,*f,*f,*f,*f,*f,*f],*g,*g,*g,*g,*g,*g,*g,*g],*h,*h,*h,*h,*h,*h,*h,*h]'  # noqa: E501 (the review's input)
    (folder / "plan.yaml").write_text(re.sub(r"(?m)^title_zh: .*$", bomb, text, count=1), encoding="utf-8")


def _edit_plan(folder: Path, pattern: str, new: str) -> None:
    text = (folder / "plan.yaml").read_text(encoding="utf-8")
    changed = re.sub(pattern, new, text, count=1, flags=re.MULTILINE)
    assert changed != text
    (folder / "plan.yaml").write_text(changed, encoding="utf-8")


# (case, how the folder is broken, a fragment of the problem reported for the folder)
BROKEN_PLANS: list[tuple[str, Callable[[Path], None], str]] = [
    ("C82", lambda f: _edit_plan(f, r"^base_year: .*$", 'base_year: "2025"'), "is not a year between 1949 and 2100"),
    ("C82-chapters", lambda f: _edit_plan(f, r"^chapters:", "chapters: [1, 2]\nold_chapters:"), "field 'chapters'"),
    ("C82-title-type", lambda f: _edit_plan(f, r"^title_en: .*$", "title_en: {a: 1}"), "must be text"),
    ("C84", lambda f: _edit_plan(f, r"^title_zh: .*$", "title_zh: [unclosed"), "not valid YAML: line"),
    ("C85", lambda f: _edit_plan(f, r"^id: .*$", "id: fujian-14th-manufacturing"), "is already the id of"),
    ("C87", _bomb_plan, "(a YAML bomb?)"),
    (
        "C86",
        lambda f: (f / "plan.yaml").write_text((f / "plan.yaml").read_text(encoding="utf-8") + "#" * 2_100_000, encoding="utf-8"),
        "at most 2.0 MB is read",
    ),
]


@pytest.mark.parametrize(("case", "damage", "fragment"), BROKEN_PLANS, ids=[c[0] for c in BROKEN_PLANS])
def test_a_broken_plan_folder_is_skipped_and_named_while_every_other_plan_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, damage: Callable[[Path], None], fragment: str
) -> None:
    from fjdata.inputs.plan import plan_problems, plans

    folder = _plan_copy(tmp_path, "badplan")
    _plan_copy(tmp_path, "goodplan")
    damage(folder)
    assert cli.main(["targets", "--chapter", "2"]) == 0  # the default plan
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and str(folder) in captured.err and fragment in captured.err, captured.err
    assert {"goodplan", "fujian-14th-manufacturing"} <= set(plans()) and "badplan" not in plans()
    assert any(str(folder) in p for p in plan_problems())
    assert cli.main(["targets", "--plan", "goodplan", "--chapter", "2"]) == 0  # another user plan too
    capsys.readouterr()


_BOMB_ITEMS = (
    "\n- &a ["
    + ",".join(['"lol"'] * 9)
    + "]\n"
    + "".join(f"- &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh", strict=True))
)

# (case, change to targets.yaml, fragment): a plan's own targets break only that plan
BROKEN_TARGETS: list[tuple[str, Callable[[str], str], str]] = [
    ("C80", lambda t: t + "\n" + t[t.index("- target_id") : t.index("- target_id", t.index("- target_id") + 1)], "duplicate id"),
    ("C81", lambda t: re.sub(r"target_year: \d{4}", "target_year: 2020", t, count=1), "is not after base_year"),
    ("C83", lambda t: re.sub(r"target_value: [0-9.]+", "target_value: seven", t, count=1), "'seven' is not numeric"),
    ("C87-targets", lambda t: t + _BOMB_ITEMS, "(a YAML bomb?)"),
]


@pytest.mark.parametrize(("case", "change", "fragment"), BROKEN_TARGETS, ids=[c[0] for c in BROKEN_TARGETS])
def test_a_broken_targets_file_fails_only_its_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, change: Callable[[str], str], fragment: str
) -> None:
    folder = _plan_copy(tmp_path, "dupplan")
    path = folder / "targets.yaml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert cli.main(["targets", "--plan", "dupplan"]) == 2
    err = capsys.readouterr().err
    assert "targets.yaml" in err and fragment in err and "Traceback" not in err, err
    assert cli.main(["targets", "--chapter", "2"]) == 0
    capsys.readouterr()


# --- environment and paths (C65–C68, C73–C75, C77–C79, C109–C111) ----------------------------

ENV_CASES: list[tuple[str, dict[str, str], list[str], int, str]] = [
    ("C77-zero", {"FJDATA_WORKERS": "0"}, ["targets", "--chapter", "2"], 2, "FJDATA_WORKERS='0' is not a whole number from 1 to 64"),
    ("C77-negative", {"FJDATA_WORKERS": "-1"}, ["targets", "--chapter", "2"], 2, "from 1 to 64"),
    ("C77-text", {"FJDATA_WORKERS": "abc"}, ["targets", "--chapter", "2"], 2, "from 1 to 64"),
    ("C78", {"FJDATA_WORKERS": "10000"}, ["targets", "--chapter", "2"], 2, "from 1 to 64"),
    ("C79", {"FJDATA_PLAN": "nosuch"}, ["targets", "--chapter", "2"], 2, "unknown plan 'nosuch'"),
]


@pytest.mark.parametrize(("case", "env", "argv", "rc", "fragment"), ENV_CASES, ids=[c[0] for c in ENV_CASES])
def test_environment_variables_are_validated_with_the_valid_range(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
    env: dict[str, str],
    argv: list[str],
    rc: int,
    fragment: str,
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert cli.main(argv) == rc
    assert fragment in capsys.readouterr().err


def test_C67_a_cache_path_that_is_a_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("hello\n", encoding="utf-8")
    monkeypatch.setenv("FJDATA_CACHE", str(afile))
    assert cli.main(["backtest", "--indicator", "gdp_real_growth"]) == 2
    assert "FJDATA_CACHE=" in capsys.readouterr().err and afile.read_text(encoding="utf-8") == "hello\n"


def test_C65_C66_C68_the_cache_is_optional_and_recovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("FJDATA_CACHE", str(blocker / "sub"))  # C66: cannot be created
    assert cache.cached("c66", {"x": 1}, lambda: 42) == 42
    folder = tmp_path / "c"
    monkeypatch.setenv("FJDATA_CACHE", str(folder))
    real = cache.atomic_write_bytes
    monkeypatch.setattr(cache, "atomic_write_bytes", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EROFS, "Read-only file system")))
    assert cache.cached("c65", {"x": 1}, lambda: 43) == 43  # C65: a read-only cache stores nothing, breaks nothing
    monkeypatch.setattr(cache, "atomic_write_bytes", real)
    cache.store("c68", {"x": 1}, 44)
    shutil.rmtree(folder)  # C68: removed during a run
    cache.store("c68", {"x": 1}, 44)
    assert cache.load("c68", {"x": 1}) == (True, 44)


def test_C73_C74_C75_links_in_the_user_folder(user_dir: Path, tmp_path: Path) -> None:
    (user_dir / "passwd.csv").symlink_to("/etc/passwd")
    with pytest.raises(DataValidationError) as err:
        all_observations()
    assert "passwd.csv" in str(err.value) and "root:" not in str(err.value)  # C73: named, nothing leaked
    (user_dir / "passwd.csv").unlink()
    (user_dir / "zero.csv").symlink_to("/dev/zero")
    with pytest.raises(DataValidationError, match="not a regular file"):
        all_observations()  # C74: no hang
    (user_dir / "zero.csv").unlink()
    good = tmp_path / "outside.csv"
    good.write_text(csv_text([row(value=33.1, vintage="c75")]), encoding="utf-8")
    (user_dir / "mine.csv").symlink_to(good)
    assert 33.1 in set(all_observations()["value"])  # C75: the user's own link is followed


def test_C109_C110_C111_data_request_refuses_bad_output_and_choices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    adir = tmp_path / "adir"
    adir.mkdir()
    assert cli.main(["data", "request", "-o", str(adir)]) == 2
    assert "is a folder" in capsys.readouterr().err and list(tmp_path.glob(".*tmp")) == []  # C109: no temp file left
    assert cli.main(["data", "request", "--chapter", "9", "-o", str(tmp_path / "r9.xlsx")]) == 2  # C110
    assert "chapter '9' is not valid" in capsys.readouterr().err and not (tmp_path / "r9.xlsx").exists()
    assert cli.main(["data", "request", "--years", "2025-2021", "-o", str(tmp_path / "r.xlsx")]) == 2  # C111
    assert "expected YYYY or YYYY-YYYY" in capsys.readouterr().err


def test_C71_a_dash_file_name_without_double_dash_writes_nothing(tmp_path: Path, user_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-dash.xlsx").write_bytes(b"x")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["data", "import", "-dash.xlsx"])
    assert exit_.value.code == 2 and list(user_dir.iterdir()) == []


# --- feasibility drafts (C89–C106) ---------------------------------------------------------


def _draft_xlsx(path: Path, rows: list[list[object]], formula: str | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["name", "indicator_id", "kind", "target_op", "target_value", "base_year", "target_year", "region"])
    for r in rows:
        ws.append(r)
    if formula:
        ws["E2"] = formula
    wb.save(path)
    return path


DRAFT_ROW = ["x", "rd_expenditure", "level", "≥", 1000, 2025, 2030, "Fujian"]
DRAFT_YAML = (
    "targets:\n  - name: x\n    indicator_id: rd_expenditure\n    kind: level\n    target_op: '≥'\n"
    "    target_value: {v}\n    base_year: {b}\n    target_year: 2030\n    region: {r}\n"
)

# (case, how the draft file is made, None for accepted or a fragment of the error)
DRAFT_CASES: list[tuple[str, Callable[[Path], Path], str | None]] = [
    ("C89", lambda d: (d / "f02_csv.xlsx", (d / "f02_csv.xlsx").write_text("a,b\n1,2\n"))[0], "not a readable .xlsx workbook"),
    (
        "C92",
        lambda d: (d / "f.yaml", (d / "f.yaml").write_text(DRAFT_YAML.format(v=1000, b=-5, r="Fujian")))[0],
        "is not a year between 1990 and 2100",
    ),
    ("C93", lambda d: (d / "f.yaml", (d / "f.yaml").write_text(DRAFT_YAML.format(v=1000, b=2025, r="Mars")))[0], "'Mars' is not one of"),
    (
        "C94",
        lambda d: (
            d / "f.yaml",
            (d / "f.yaml").write_bytes(DRAFT_YAML.format(v=1000, b=2025, r="Fujian").replace("name: x", "name: 研发").encode("gbk")),
        )[0],
        "not UTF-8",
    ),
    (
        "C95",
        lambda d: (d / "f.yaml", (d / "f.yaml").write_text(DRAFT_YAML.format(v=1000, b=1990, r="Fujian").replace("2030", "2100")))[0],
        None,
    ),
    ("C96", lambda d: (d / "f.yaml", (d / "f.yaml").write_text(""))[0], "top-level 'targets:' list"),
    ("C97", lambda d: (d / "f.yaml", (d / "f.yaml").write_text("targets: []\n"))[0], "the 'targets:' list is empty"),
    ("C98", lambda d: (d / "f.yaml", (d / "f.yaml").write_text(DRAFT_YAML.format(v=".inf", b=2025, r="Fujian")))[0], "inf is not a number"),
    (
        "C101",
        lambda d: (
            d / "f.yaml",
            (d / "f.yaml").write_text(
                DRAFT_YAML.format(v=1000, b=2025, r="Fujian") + DRAFT_YAML.format(v=1000, b=2025, r="Fujian").split("\n", 1)[1]
            ),
        )[0],
        None,
    ),
    (
        "C91",
        lambda d: (d / "f.yaml", (d / "f.yaml").write_text(DRAFT_YAML.format(v="1.0e+300", b=2025, r="Fujian")))[0],
        "more than any such figure can be",
    ),
    ("C102", lambda d: _draft_xlsx(d / "f.xlsx", [[*DRAFT_ROW[:4], "1e300", *DRAFT_ROW[5:]]]), "'1e300' is not a number"),
    ("C103", lambda d: _draft_xlsx(d / "f.xlsx", [[*DRAFT_ROW[:5], 2025.0, *DRAFT_ROW[6:]]]), None),
    ("C104", lambda d: _draft_xlsx(d / "f.xlsx", [DRAFT_ROW], formula="=1+1"), "E2 holds a formula without a saved result"),
    ("C106", lambda d: _draft_xlsx(d / "f.xlsx", [DRAFT_ROW] * 20_000), "more than 500 rows"),
    ("C106-yaml", lambda d: (d / "f.yaml", (d / "f.yaml").write_text("targets:\n" + "  - {name: x}\n" * 600))[0], "at most 500"),
    ("C87-draft", lambda d: (d / "f.yaml", (d / "f.yaml").write_text("a: &a [1]\ntargets: *a\n"))[0], "aliases (*name) are not allowed"),
]


@pytest.mark.parametrize(("case", "make", "fragment"), DRAFT_CASES, ids=[c[0] for c in DRAFT_CASES])
def test_draft_files_are_read_within_bounds_or_refused_naming_the_file(
    tmp_path: Path, case: str, make: Callable[[Path], Path], fragment: str | None
) -> None:
    from fjdata.assess.feasibility import DraftError, load_drafts

    path = make(tmp_path)
    if fragment is None:
        assert load_drafts(path)
        return
    with pytest.raises(DraftError) as err:
        load_drafts(path)
    assert str(path) in str(err.value) and fragment in str(err.value), str(err.value)


def test_C01_C108_a_statements_csv_with_a_script_link_or_a_future_date_is_refused(tmp_path: Path) -> None:
    from fjdata.inputs.registry import registry
    from fjdata.inputs.statements import read_statements

    tid = registry()[0].target_id
    head = "target_id,year,assertion,speaker,published,source_title,source_url,quote,note\n"
    path = tmp_path / "s.csv"
    path.write_text(head + f"{tid},2025,completed,s,2099-01-01,t,javascript:alert(1),q,\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        read_statements(path)
    assert {(p[1], p[2].split("'")[-1].strip()) for p in err.value.problems} >= {
        ("published", "is in the future"),
        ("source_url", "is not an http(s) URL; give the web address, or none and a 文号"),
    }


# --- end to end: a hostile department workbook through import, nightly and every output ----


@pytest.mark.slow
def test_a_hostile_department_workbook_leaves_nothing_live_in_any_output(request_xlsx: tuple[Path, dict[int, int]], tmp_path: Path) -> None:
    """Import (hostile texts that are accepted), then a real nightly (tables, coverage page,
    questionnaire, one chapter report and the index): no page links anything but http(s) or the
    run's own files, no script tag from the data, no workbook cell is a formula, no CSV field live."""
    f = Filler(*request_xlsx)
    f.figure(11, 33.5, status="初步", source=EVIL_FORMULA, contact="<script>alert(1)</script>", note="+cmd|' /C calc'!A0")  # still asked
    f.figure(16, 27.5, source="<img src=x onerror=alert(1)>闽统〔2026〕1号", note="@SUM(1)")
    f.statement(2, speaker="<script>alert('sp')</script>", quote=EVIL_FORMULA, source_url="https://www.gov.cn/ok.htm")
    user = tmp_path / "user"
    env = {**os.environ, "FJDATA_USER_DATA": str(user), "FJDATA_OUTPUTS": str(tmp_path / "out")}
    proc = subprocess.run(
        [PY, "-m", "fjdata.cli", "data", "import", "--no-compare", str(f.save(tmp_path / "hostile.xlsx"))],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    bad_stmt = user / "statements" / "evil.csv"
    bad_stmt.write_text(
        "target_id,year,assertion,speaker,published,source_title,source_url,quote,note\n"
        f"{f.stmt['B2'].value},2025,completed,s,2026-01-01,t,javascript:alert(1),q,\n",
        encoding="utf-8",
    )
    from fjdata.inputs.statements import read_statements

    with pytest.raises(DataValidationError, match="not an http"):
        read_statements(bad_stmt)  # a statements CSV with another scheme is refused at intake too
    bad_stmt.unlink()
    proc = subprocess.run(
        [PY, "-m", "fjdata.cli", "nightly", "--only", "chapter_2_zh"], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (folder,) = [p for p in (tmp_path / "out").iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "latest"]
    pages = sorted(folder.rglob("*.html"))
    assert {"index.html", "coverage.html", "chapter_2_zh.html"} <= {p.name for p in pages}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r"href=[\"']([^\"']*)", html):
            assert href.startswith(("http://", "https://", "#")) or ":" not in href.split("/")[0], (page.name, href)
        assert "<script>alert" not in html and "<img src=x" not in html, page.name
    books = sorted(folder.rglob("*.xlsx"))
    assert {"assessment.xlsx", "assessment_en.xlsx", "request_zh.xlsx"} <= {p.name for p in books}
    for book in books:
        assert _live_cells(book) == [], book.name
    for table in sorted(folder.rglob("*.csv")):
        assert _live_csv_fields(table.read_text(encoding="utf-8-sig")) == [], table.name
    import openpyxl

    held = [
        c
        for ws in openpyxl.load_workbook(folder / "request_zh.xlsx").worksheets
        for r in ws.iter_rows()
        for c in r
        if str(c.value).startswith(EVIL_FORMULA)
    ]
    assert held and all(c.data_type == "s" for c in held)  # the hostile text did reach a workbook, as text
    from bs4 import BeautifulSoup

    shown = BeautifulSoup((folder / "chapter_2_zh.html").read_text(encoding="utf-8"), "html.parser")
    assert EVIL_FORMULA in shown.get_text()  # and a page, as text
    assert not [a for a in shown.find_all("a") if "evil.example" in str(a.get("href", ""))]  # never as a link
    assert "&lt;script&gt;alert(&#39;sp&#39;)" in (folder / "coverage.html").read_text(encoding="utf-8")


# --- the count ------------------------------------------------------------------------------

REVIEW_2_CASES = [
    "C01",
    "C04",
    "C05",
    "C06",
    "C07",
    "C08",
    "C09",
    "C10",
    "C11",
    "C12",
    "C13",
    "C14",
    "C15",
    "C17",
    "C18",
    "C19",
    "C20",
    "C21",
    "C22",
    "C24",
    "C25",
    "C26",
    "C27",
    "C28",
    "C29",
    "C30",
    "C31",
    "C32",
    "C33",
    "C34",
    "C35",
    "C36",
    "C37",
    "C38",
    "C39",
    "C40",
    "C41",
    "C42",
    "C43",
    "C45",
    "C46",
    "C47",
    "C48",
    "C49",
    "C50",
    "C51",
    "C52",
    "C54",
    "C55",
    "C56",
    "C57",
    "C58",
    "C59",
    "C60",
    "C61",
    "C62",
    "C63",
    "C64",
    "C65",
    "C66",
    "C67",
    "C68",
    "C69",
    "C70",
    "C71",
    "C72",
    "C73",
    "C74",
    "C75",
    "C76",
    "C77",
    "C78",
    "C79",
    "C80",
    "C81",
    "C82",
    "C83",
    "C84",
    "C85",
    "C86",
    "C87",
    "C89",
    "C91",
    "C92",
    "C93",
    "C94",
    "C95",
    "C96",
    "C97",
    "C98",
    "C101",
    "C102",
    "C103",
    "C104",
    "C106",
    "C107",
    "C108",
    "C109",
    "C110",
    "C111",
    "C112",
]


# Review-2 cases that repeat a scenario the first catalogue already tests (and the test that does).
SAME_AS_EARLIER = {"C63": "test_F06_concurrent_runs_claim_separate_folders"}


def _review_2_covered() -> set[str]:
    ids: set[str] = set()
    for table in (QUESTIONNAIRE_REFUSED, QUESTIONNAIRE_ACCEPTED, LINK_CASES, BROKEN_PLANS, BROKEN_TARGETS, ENV_CASES, DRAFT_CASES):
        ids |= {str(c[0]).split("-")[0] for c in table}
    for name in (*globals(), *WRITERS):
        ids |= {m.group(0) for m in re.finditer(r"(?<![A-Za-z0-9])C\d{2,3}(?![0-9])", name)}
    ids |= {case for case, earlier in SAME_AS_EARLIER.items() if any(earlier in name for name in globals())}
    return ids & set(REVIEW_2_CASES)


def test_the_second_catalogue_covers_the_review_2_cases() -> None:
    missing = sorted(set(REVIEW_2_CASES) - _review_2_covered(), key=lambda c: int(c[1:]))
    assert len(REVIEW_2_CASES) == 101 and missing == [], missing


def test_C62_data_imported_during_the_run_is_detected_and_latest_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A figure imported while the reports run may reach some of them and not others: the manifest
    records the data both at the start and at the end, the index says so at the top, ``latest``
    stays where it was and the exit code is 1."""
    from fjdata.batch.run_result import ReportResult, ReportStatus

    user = tmp_path / "user"
    user.mkdir()
    monkeypatch.setenv("FJDATA_USER_DATA", str(user))

    def execute(specs: list[Any], staging: Path, *args: Any) -> Any:
        write_csv(user / "imported_meanwhile.csv", [obs_row(year=2025, value=33)])  # a department import lands mid-run
        done = {s.name: ReportResult(s.name, ReportStatus.SUCCESS, 0.1, str(s.params_file), s.notebook.name, s.parameters) for s in specs}
        return nightly._Executed(done, [], None, {}, "")

    monkeypatch.setattr(nightly, "_warm_up", lambda loaded, data_hash: list(loaded.specs))
    monkeypatch.setattr(nightly, "_execute_all", execute)
    start = data_fingerprint()
    assert cli.main(["nightly", "--outputs", str(tmp_path / "out")]) == 1
    assert "data changed during the run" in capsys.readouterr().out
    (folder,) = [p for p in (tmp_path / "out").iterdir() if p.is_dir() and not p.name.startswith(".")]
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["data_hash"] == start and m["data_hash_at_end"] == data_fingerprint() != start and m["data_changed_during_run"] is True
    assert m["ok"] is True and m["complete_batch"] is False and not (tmp_path / "out" / "latest").exists()
    assert "本次运行期间数据有变动" in (folder / "index.html").read_text(encoding="utf-8")


def test_C112_a_mid_term_year_ahead_of_the_data_leaves_the_tables_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables step writes today's view alone when the default plan's mid-term year is still to come."""
    from fjdata.inputs.plan import get_plan

    plan = get_plan("china-15th-fyp")
    assert plan.mid_term_year >= date.today().year  # its mid-term view does not exist yet
    monkeypatch.setenv("FJDATA_PLAN", plan.plan_id)
    written = nightly._write_tables(tmp_path)
    assert {"assessment.csv", "assessment.xlsx", "assessment_en.xlsx"} <= set(written)
    table = pd.read_csv(tmp_path / "assessment.csv", encoding="utf-8-sig")
    assert set(table["view"]) == {"latest"} and len(table) == len(__import__("fjdata").targets(plan=plan.plan_id))
