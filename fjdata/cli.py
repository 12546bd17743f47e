"""The ``fjdata`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from fjdata.core.errors import FjdataError
from fjdata.inputs.observations import REGIONS


def _emit(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200, "display.max_colwidth", 40):
            sys.stdout.write(frame.to_string(index=False) + "\n")


def _targets(args: argparse.Namespace) -> int:
    from fjdata.inputs.registry import targets

    frame = targets(args.chapter, plan=args.plan)
    if args.format == "table":
        frame = frame[["target_id", "chapter", "column_box", "name_zh", "kind", "target_op", "target_value", "unit", "attribute"]]
    _emit(frame, args.format)
    return 0


def _data_check(args: argparse.Namespace) -> int:
    from fjdata.inputs.observations import all_observations, check_file, implausible_jumps

    if args.file:
        from fjdata.inputs.observations import read_csv

        warnings = check_file(args.file)
        print(f"{args.file}: OK ({len(read_csv(args.file, origin='user'))} rows)")
    else:
        frame = all_observations()
        warnings = implausible_jumps(frame)
        print(f"shipped + user data: OK ({len(frame)} rows, {frame['indicator_id'].nunique()} indicators)")
    for w in warnings:
        print(f"warning: implausible jump: {w}")
    return 0


def _data_coverage(args: argparse.Namespace) -> int:
    from fjdata.inputs.observations import YEAR_RANGE, coverage

    if not YEAR_RANGE[0] <= args.start <= args.end <= YEAR_RANGE[1]:
        raise ValueError(f"--start {args.start} --end {args.end}: need {YEAR_RANGE[0]} ≤ start ≤ end ≤ {YEAR_RANGE[1]}")
    from fjdata.inputs.plan import get_plan

    plan = get_plan()
    table = coverage(args.region or plan.region, range(args.start, (args.end or plan.end_year) + 1))
    table.columns = [str(c) for c in table.columns]
    _emit(table.reset_index(names="indicator_id"), args.format)
    print("● final  p preliminary  r revised  d derived  o only in another vintage  · missing  + other versions exist", file=sys.stderr)
    return 0


# --- department data loop (issue 12): questionnaire out, filled questionnaire in -------------------------
def _data_request(args: argparse.Namespace) -> int:
    from fjdata.department.questionnaire import parse_years, write_request, write_requests_by_department

    try:
        years = parse_years(args.years)
    except ValueError as exc:
        print(f"error: --years: {exc}", file=sys.stderr)
        return 2
    if args.by_department:
        for s in write_requests_by_department(args.output or Path(), args.chapter, years, args.lang, plan=args.plan):
            print(f"{s.path}: {s.data_rows} figure rows, {s.statement_rows} statement rows")
        return 0
    out = args.output or Path(f"request_{args.lang}.xlsx")
    summary = write_request(out, args.chapter, years, args.lang, plan=args.plan)
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(summary.reasons.items()))
    print(f"{summary.path}: {summary.data_rows} figure rows ({reasons}), {summary.statement_rows} statement rows")
    return 0


def _data_import(args: argparse.Namespace) -> int:
    from fjdata.department.intake import import_workbook

    result = import_workbook(args.file, compare=not args.no_compare)
    print(result.summary())
    return 0


def _assess(args: argparse.Namespace) -> int:
    from fjdata.assess.assessment import assess

    frame = assess(args.chapter, args.as_of, plan=args.plan)
    if args.format == "table":
        frame = frame[
            [
                "target_id",
                "latest_year",
                "n_obs",
                "overall_label_zh",
                "attainment",
                "years_missing",
                "cn_label_zh",
                "sdg_label_zh",
                "model_label_zh",
                "model_prob_band",
            ]
        ]
    _emit(frame, args.format)
    return 0


def _feasibility(args: argparse.Namespace) -> int:
    from fjdata.assess.feasibility import feasibility

    frame = feasibility(args.file, as_of=args.as_of)
    if args.format == "table":
        frame = frame[
            [
                "name",
                "target",
                "target_year",
                "unit",
                "last_year",
                "required_rate",
                "achieved_rate_5y",
                "achieved_rate_10y",
                "probability",
                "value_p50",
                "value_p75",
                "value_p90",
                "note",
            ]
        ].round(3)
    _emit(frame, args.format)
    return 0


def _backtest(args: argparse.Namespace) -> int:
    from fjdata.forecast.backtest import backtest

    _emit(backtest(args.indicator), args.format)
    return 0


def _project(args: argparse.Namespace) -> int:
    from fjdata.forecast.auto import project

    to_year = args.to_year
    if to_year is None:  # the plan's target year, or the year after the data when it already reaches it
        from fjdata.inputs.observations import series
        from fjdata.inputs.plan import get_plan

        end = get_plan().end_year
        observed = series(args.indicator)
        to_year = max(end, int(observed.index[-1].year) + 1) if len(observed) else end
    proj = project(args.indicator, args.method, to_year)
    if proj.forecast is None:
        print(f"{args.indicator}: no forecast to {to_year}; " + "; ".join(f"{k}: {v}" for k, v in proj.skipped.items()))
        return 1
    print(f"{args.indicator}: {proj.forecast.method} on {proj.forecast.n_obs} points {proj.forecast.fit_years}")
    _emit(proj.frame(), args.format)
    return 0


def _nightly(args: argparse.Namespace) -> int:
    from fjdata.batch.nightly import run_nightly

    run = run_nightly(args.batch, args.outputs, args.workers, args.only or None)
    for r in run.reports:
        print(f"{r.status.value:8s} {r.duration_s:7.1f}s  {r.name}" + (f"  — {r.error.splitlines()[0]}" if r.error else ""))
    print(f"run folder: {run.folder}")
    print(f"index: {run.folder / 'index.html'}")
    if run.latest_updated:
        print("latest -> this run")
    else:
        print("latest NOT updated (" + ("some reports failed" if not run.ok else "not the whole batch, or the tables failed") + ")")
    return 0 if run.ok else 1


def _workers(text: str) -> int:
    from fjdata.batch.nightly import MAX_WORKERS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{value} is not in 1–{MAX_WORKERS}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fjdata", description="Plan targets as data: cited figures, projections, assessment, reports.")
    sub = p.add_subparsers(dest="command", required=True)

    def add_format(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--format", choices=["table", "csv", "json"], default="table")

    t = sub.add_parser("targets", help="the plan's target registry")
    t.add_argument("--chapter", help="one of the plan's chapters (e.g. 1–5 or annex)")
    t.add_argument("--plan", help="a plan id (a folder in plans/; default: the default plan)")
    add_format(t)
    t.set_defaults(func=_targets)

    d = sub.add_parser("data", help="observed data: check files, show coverage")
    dsub = d.add_subparsers(dest="data_command", required=True)
    c = dsub.add_parser("check", help="validate a CSV of observations (default: all shipped and user data)")
    c.add_argument("file", nargs="?", type=Path)
    c.set_defaults(func=_data_check)
    cov = dsub.add_parser("coverage", help="indicator × year coverage table")
    cov.add_argument("--region", choices=list(REGIONS), help="default: the default plan's region")
    cov.add_argument("--start", type=int, default=2010)
    cov.add_argument("--end", type=int, help="default: the default plan's end year")
    add_format(cov)
    cov.set_defaults(func=_data_coverage)
    req = dsub.add_parser("request", help="write the department questionnaire (XLSX) for every missing or weak figure")
    req.add_argument("--chapter", help="one of the plan's chapters")
    req.add_argument("--plan", help="a plan id (default: the default plan)")
    req.add_argument("--years", help="e.g. 2021-2025 (default: each target's base year to its target year)")
    req.add_argument("--lang", choices=["zh", "en"], default="zh")
    req.add_argument("-o", "--output", type=Path, help="output file (default request_<lang>.xlsx; a folder with --by-department)")
    req.add_argument("--by-department", action="store_true", help="one file per responsible department (request_<lang>_<department>.xlsx)")
    req.set_defaults(func=_data_request)
    imp = dsub.add_parser("import", help="validate and import a filled questionnaire; prints the verdicts that change")
    imp.add_argument("file", type=Path)
    imp.add_argument("--no-compare", action="store_true", help="skip the before/after assessment")
    imp.set_defaults(func=_data_import)

    a = sub.add_parser("assess", help="every target judged three ways")
    a.add_argument("--chapter")
    a.add_argument("--as-of", type=int, dest="as_of")
    a.add_argument("--plan", help="a plan id (default: the default plan)")
    add_format(a)
    a.set_defaults(func=_assess)

    b = sub.add_parser("backtest", help="rolling-origin accuracy of the projection methods")
    b.add_argument("--indicator")
    add_format(b)
    b.set_defaults(func=_backtest)

    pr = sub.add_parser("project", help="project one indicator")
    pr.add_argument("indicator")
    pr.add_argument("--method", default="auto")
    pr.add_argument(
        "--to-year",
        type=int,
        dest="to_year",
        help="last year to project (default: the default plan's end year, or the year after the data)",
    )
    add_format(pr)
    pr.set_defaults(func=_project)

    fe = sub.add_parser("feasibility", help="test draft targets: calibrated chance of meeting them, required vs achieved growth")
    fe.add_argument("file", help="draft targets: YAML (see drafts/) or XLSX with one row per target")
    fe.add_argument("--as-of", type=int, dest="as_of")
    add_format(fe)
    fe.set_defaults(func=_feasibility)

    n = sub.add_parser("nightly", help="run every report with papermill and export HTML (the main job)")
    n.add_argument("--batch", type=Path, help="batch file (default params/nightly.yaml)")
    n.add_argument("--outputs", type=Path, help="outputs folder (default outputs/)")
    n.add_argument("--workers", type=_workers, help="parallel reports, 1–64 (default: batch file, else number of cores)")
    n.add_argument("--only", nargs="+", metavar="NAME", help="run only these report names")
    n.set_defaults(func=_nightly)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 a report failed, 2 bad input).

    >>> main(["targets", "--chapter", "9"])
    2
    """
    args = parser().parse_args(argv)
    from fjdata.batch.nightly import limit_blas_threads
    from fjdata.core.config import absolutize_env

    absolutize_env()  # relative FJDATA_* paths mean the caller's working directory, for every child too
    limit_blas_threads()
    try:
        return int(args.func(args))
    except FjdataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:  # a bad argument or an unreadable path: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
