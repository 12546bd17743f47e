"""The nightly batch: every report in ``params/nightly.yaml`` run with papermill, exported to
self-contained HTML with the code hidden, plus tables, a manifest and an index page.

Guarantees:

- every parameter file is checked before any kernel starts; a bad one fails only its report;
- a failing or timed-out report is recorded with its error and its executed notebook is kept;
  it never stops the others; the exit code is non-zero if any report failed;
- the run is assembled in ``outputs/.staging-*`` and renamed into ``outputs/<date>/`` (or
  ``<date>_2``, … for a second run that day) only when complete, so a crash never leaves a
  half-written dated folder and never touches earlier runs;
- ``outputs/latest`` is switched atomically to the newest run in which every report succeeded.
"""

from __future__ import annotations

import contextlib
import errno
import json
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import time
import traceback
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fjdata.batch import kernel_fork
from fjdata.batch.params import BatchSpec, ReportSpec, load_batch, load_report, notebook_parameters
from fjdata.batch.pdf import PdfPrinter
from fjdata.batch.run_result import ReportResult, ReportStatus, RunResult
from fjdata.batch.schedule import in_schedule_order, previous_durations
from fjdata.core import config
from fjdata.core.cache import atomic_write_bytes
from fjdata.core.errors import FjdataError, ParamsError
from fjdata.core.inert import inert_frame
from fjdata.core.stack import stack_info
from fjdata.core.threads import limit_this_process
from fjdata.core.version import __version__

KERNEL_ERRORS = ("DeadKernelError", "RuntimeError", "ZMQError", "TimeoutError")  # retried: not the notebook's fault


@lru_cache(maxsize=2)
def html_exporter(lang: str = "zh") -> Any:
    """One exporter per language and process: compiling the template is the slow part."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="fjdata_report", extra_template_basedirs=[str(config.TEMPLATES_DIR)])
    exporter.exclude_input = True  # --no-input: papermill's --report-mode does not hide code in HTML (#506)
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.language_code = "zh-CN" if lang == "zh" else "en"
    from nbconvert.preprocessors import TagRemovePreprocessor

    remove = TagRemovePreprocessor(remove_cell_tags={"remove-cell"}, enabled=True)
    exporter.register_preprocessor(remove, enabled=True)
    return exporter


def export_html(executed: Path, html_path: Path, lang: str, title: str) -> None:
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = title or executed.stem
    body, _ = html_exporter(lang).from_notebook_node(nb)
    atomic_write_bytes(html_path, body.encode("utf-8"))


def _execute(spec: ReportSpec, folder: str, timeout: int, retries: int, data_hash: str) -> ReportResult:
    """Run one report (in a worker process): papermill, then HTML. Never raises."""
    import papermill as pm

    out_dir = Path(folder)
    executed = out_dir / "notebooks" / f"{spec.name}.ipynb"
    html_path = out_dir / f"{spec.name}.html"
    executed.parent.mkdir(parents=True, exist_ok=True)
    params = {**spec.parameters, "output_dir": str(out_dir)} if "output_dir" in _declared(spec) else dict(spec.parameters)
    start = time.monotonic()
    error: str | None = None
    status = ReportStatus.SUCCESS
    attempts = 0
    while True:
        attempts += 1
        try:
            pm.execute_notebook(
                str(spec.notebook),
                str(executed),
                parameters=params,
                kernel_name=config.KERNEL_NAME,
                execution_timeout=timeout,
                start_timeout=120,
                progress_bar=False,
                log_output=False,
                cwd=str(spec.notebook.parent),
                kernel_manager_class="fjdata.batch.kernel.IPCKernelManager",
            )
            status, error = ReportStatus.SUCCESS, None
            break
        except Exception as exc:  # papermill raises many types; all are recorded
            name = type(exc).__name__
            timed_out = "Timeout" in name or "timed out" in str(exc).lower()
            status = ReportStatus.TIMEOUT if timed_out else ReportStatus.FAILED
            error = _describe(exc)
            if name in KERNEL_ERRORS and not timed_out and attempts <= retries:
                continue
            break
    html: str | None = None
    if executed.is_file():
        try:
            export_html(executed, html_path, str(spec.parameters.get("lang", "zh")), spec.title)
            html = html_path.name
        except Exception as exc:
            status = ReportStatus.FAILED
            error = (error + "\n" if error else "") + "HTML export failed: " + _describe(exc)
    return ReportResult(
        spec.name,
        status,
        round(time.monotonic() - start, 2),
        str(spec.params_file),
        spec.notebook.name,
        params,
        spec.title,
        error,
        attempts,
        html,
        f"notebooks/{executed.name}" if executed.is_file() else None,
        data_hash,
    )


def _declared(spec: ReportSpec) -> set[str]:
    return set(notebook_parameters(spec.notebook))


def _describe(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:  # PapermillExecutionError
        return f"{ename}: {getattr(exc, 'evalue', '')} (cell {getattr(exc, 'exec_count', '?')})"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}"


# Notebooks that read a draft file, and what each computes from it (the rest call prepare()).
DRAFT_NOTEBOOKS = {"draft.ipynb": "draft", "feasibility.ipynb": "feasibility"}


def _warm_drafts(spec: ReportSpec, defaults: dict[str, Any]) -> None:
    """What a draft notebook computes, with its parameters: :func:`fjdata.draft` (target-setting
    report) or :func:`~fjdata.assess.feasibility.assess_drafts` (feasibility). Both are stored on the
    draft's content and the data, so the kernel only reads them; a failure here is the kernel's."""
    from fjdata.assess.drafting import draft_report
    from fjdata.assess.feasibility import assess_drafts, read_draft_file

    p = spec.parameters
    path = config.project_root() / p.get("drafts", defaults["drafts"])
    as_of = p.get("as_of", defaults.get("as_of"))
    if DRAFT_NOTEBOOKS[spec.notebook.name] == "draft":
        draft_report(path, as_of=as_of)
    else:
        assess_drafts(list(read_draft_file(path).targets), as_of=as_of)


def _warm_cache(spec: ReportSpec) -> None:
    """Compute what a report shows once, in the parent, so kernels read the cache: the same
    :func:`fjdata.assess.prepare.prepare` the notebooks call (and :func:`~fjdata.assess.prepare.prepare_exploration`
    for an exploration), or what a draft notebook computes, with the report's parameters. (Charts
    are stored by whichever process draws them first: on a cold night the kernels draw theirs in
    parallel; on a warm one they read them.)"""
    from fjdata.assess.prepare import prepare, prepare_exploration
    from fjdata.assess.view import View

    defaults = notebook_parameters(spec.notebook)  # the notebook's parameters cell, read once
    declared = set(defaults)
    if spec.notebook.name in DRAFT_NOTEBOOKS and "drafts" in declared:
        _warm_drafts(spec, defaults)
        return
    p = spec.parameters
    chapter = p.get("chapter") if "chapter" in declared else None
    mid_year = p.get("mid_year") if "mid_year" in declared else None
    view = View.of(p.get("plan"), p.get("as_of"), p.get("methods", "auto"), p.get("tolerance"), extra_data=p.get("extra_data"))
    prepare(view, chapter, mid_year)
    if "indicator_id" in declared:
        prepare_exploration(
            p.get("indicator_id", defaults["indicator_id"]),
            p.get("as_of"),
            p.get("methods", defaults.get("methods", "auto")),
            p.get("extra_data"),
            p.get("plan"),
        )


def _claim_run_folder(outputs: Path, day: str) -> Path:
    """Create (exclusively) the first free ``<day>``, ``<day>_2``, …: two runs never share a folder."""
    n = 1
    while True:
        candidate = outputs / (day if n == 1 else f"{day}_{n}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            n += 1


def _write_tables(folder: Path) -> list[str]:
    import pandas as pd

    from fjdata.assess.assessment import assess
    from fjdata.assess.prepare import prepare
    from fjdata.assess.view import View
    from fjdata.batch.workbook import write_workbook
    from fjdata.inputs.plan import get_plan
    from fjdata.report.chapter_report import ChapterReport

    plan = get_plan()  # the tables are the default plan's
    # The workbooks are the overview report in another form: the same prepare() the report calls.
    prepared = prepare(View.of(plan), "all", plan.mid_term_year)
    tables = [assess().assign(view="latest")]
    if prepared.midterm:  # C112: a mid-term year still ahead of the data has no view yet
        tables.append(assess(as_of=prepared.mid_year).assign(view=f"as_of_{prepared.mid_year}"))
    table = pd.concat(tables, ignore_index=True)
    # Every column for machines, without float noise (133.82255776000002).
    atomic_write_bytes(folder / "assessment.csv", inert_frame(table).to_csv(index=False, float_format="%.10g").encode("utf-8-sig"))
    write_workbook(folder / "assessment.xlsx", ChapterReport.from_prepared(prepared, "zh"))
    write_workbook(folder / "assessment_en.xlsx", ChapterReport.from_prepared(prepared, "en"))
    from fjdata.report.coverage_page import write_coverage_outputs  # coverage.html + the department questionnaire (issue 12)

    return ["assessment.csv", "assessment.xlsx", "assessment_en.xlsx", *write_coverage_outputs(folder)]


def _update_latest(outputs: Path, folder: Path) -> None:
    link = outputs / "latest"
    if link.exists() and not link.is_symlink():  # F17: never replace a real file or folder the user made
        raise FjdataError(
            f"{link} is a real {'folder' if link.is_dir() else 'file'}, not the link fjdata maintains; "
            f"move it away (the run is complete in {folder})"
        )
    tmp = outputs / f".latest-{uuid.uuid4().hex[:8]}"
    tmp.symlink_to(folder.name, target_is_directory=True)
    try:
        os.replace(tmp, link)  # atomic switch; the old target is untouched
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


MAX_WORKERS = 64
MIN_FREE_BYTES = 50_000_000  # a run writes ~20 MB; below this it would fail half-way


def _output_error(outputs: Path, exc: OSError) -> FjdataError:
    if exc.errno == errno.ENOSPC:
        return FjdataError(f"no space left on the device holding {outputs}; nothing was published, earlier runs are untouched")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return FjdataError(f"cannot write to {outputs}: {exc.strerror}; choose a writable folder with --outputs or FJDATA_OUTPUTS")
    return FjdataError(f"cannot write to {outputs}: {exc.strerror or exc}")


def _prepare_outputs(outputs: Path) -> Path:
    """The outputs folder, created and checked before any work: writable, a folder, with space."""
    outputs = outputs.resolve()
    if outputs.exists() and not outputs.is_dir():
        raise FjdataError(f"--outputs {outputs} is a file, not a folder")
    try:
        outputs.mkdir(parents=True, exist_ok=True)
        probe = outputs / f".probe-{uuid.uuid4().hex[:8]}"
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise _output_error(outputs, exc) from None
    free = shutil.disk_usage(outputs).free
    if free < MIN_FREE_BYTES:
        raise FjdataError(
            f"no space: only {free / 1e6:.1f} MB free on the device holding {outputs} (a run needs about {MIN_FREE_BYTES / 1e6:.0f} MB)"
        )
    return outputs


def _worker_init() -> None:
    """Pool worker set-up: die with the parent (F01: a kill -9 of the batch leaves no orphan
    finishing queued notebooks), use one BLAS thread, and start the server its report kernels
    are forked from (:mod:`fjdata.batch.kernel_fork`)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    limit_this_process()
    kernel_fork.start_server()  # before any kernel manager opens a socket: kernels are forked from it


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:  # kill each worker's process group member: the worker, then its kernels die with it
        with contextlib.suppress(Exception):
            proc.kill()
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(timeout=5)


class NightlyTerminated(SystemExit):
    """SIGTERM (a cron ``timeout``) received: the run is abandoned cleanly."""


def _interruptible() -> Any:
    """A batch started in the background (``fjdata nightly &``, cron wrappers) inherits SIGINT
    ignored, and Python keeps it so; Ctrl-C and ``kill -INT`` then stop it as in the foreground:
    workers forked after this inherit the handler and their kernels start with the default.
    Returns the disposition to restore (None: nothing changed)."""
    try:
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            return signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread: leave signals alone
        pass
    return None


def _on_sigterm_raise() -> Any:
    def handler(signum: int, frame: Any) -> None:
        raise NightlyTerminated(128 + signum)

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        return signal.getsignal(signal.SIGTERM)


@dataclass(frozen=True)
class LoadedBatch:
    """The reports of a batch after checking: runnable specs, and results for the rejected ones."""

    specs: tuple[ReportSpec, ...]
    results: dict[str, ReportResult]  # rejected reports so far, keyed like ``order``
    order: list[str]  # batch order, for the manifest and the index


def load_reports(batch: BatchSpec, only: Sequence[str] | None = None, data_hash: str | None = None) -> LoadedBatch:
    """Load every params file of ``batch``; a bad one becomes an INVALID result of its own
    (B62/B70/B74: never a crash of the batch), as does a second report with a name already used
    (B65). ``only`` keeps the named reports and must match at least one of them (B88)."""
    results: dict[str, ReportResult] = {}
    specs: list[ReportSpec] = []
    order: list[str] = []
    names: dict[str, Path] = {}
    for file in batch.reports:
        try:
            spec = load_report(file)
        except Exception as exc:  # whatever the file holds, it fails only its own report
            key = f"invalid:{file}"  # never collides with a report name (names have no ':' or '/')
            order.append(key)
            error = str(exc) if isinstance(exc, ParamsError) else f"{file}: {_describe(exc)}"
            results[key] = ReportResult(file.stem, ReportStatus.INVALID, 0.0, str(file), "", {}, error=error, data_hash=data_hash)
            continue
        if spec.name in names:  # two reports writing the same files would lose one
            key = f"duplicate:{file}"
            order.append(key)
            error = f"{file}: key 'name': {spec.name!r} is also the name in {names[spec.name]}; report names must be unique"
            results[key] = ReportResult(
                spec.name, ReportStatus.INVALID, 0.0, str(file), spec.notebook.name, spec.parameters, spec.title, error, data_hash=data_hash
            )
            continue
        names[spec.name] = file
        if only and spec.name not in only:
            continue
        order.append(spec.name)
        specs.append(spec)
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise ParamsError(
                batch.file, "--only", f"no report named {', '.join(unknown)}; the batch has {', '.join(names) or 'no valid reports'}"
            )
    return LoadedBatch(tuple(specs), results, order)


def _rejected(spec: ReportSpec, status: ReportStatus, error: str, data_hash: str) -> ReportResult:
    """The result of a report that never reached a kernel."""
    return ReportResult(
        spec.name, status, 0.0, str(spec.params_file), spec.notebook.name, spec.parameters, spec.title, error, 0, None, None, data_hash
    )


def _warm_up(loaded: LoadedBatch, data_hash: str) -> list[ReportSpec]:
    """Compute what every report shows, in this process, before any kernel starts; a report whose
    warm-up fails is recorded in ``loaded.results`` and not run (a bad extra_data CSV is INVALID,
    anything else FAILED), the others are returned."""
    runnable = []
    for spec in loaded.specs:
        try:
            _warm_cache(spec)
        except FjdataError as exc:  # e.g. a bad extra_data CSV: reject before any kernel starts
            loaded.results[spec.name] = _rejected(spec, ReportStatus.INVALID, str(exc), data_hash)
        except Exception as exc:  # anything else (unreadable file, a bug) fails this report only
            loaded.results[spec.name] = _rejected(spec, ReportStatus.FAILED, _describe(exc), data_hash)
        else:
            runnable.append(spec)
    return runnable


def _open_staging(outputs: Path) -> Path:
    """A fresh staging folder that names its owner, so a crashed run's folder can be cleared."""
    staging = outputs / f".staging-{date.today().isoformat()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    (staging / OWNER_FILE).write_text(f"{socket.gethostname()} {os.getpid()}", encoding="utf-8")
    return staging


class _Progress:
    """A progress bar on a terminal, one line per report elsewhere (cron mail)."""

    def __init__(self, total: int, show: bool) -> None:
        self.bar = None
        if show:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="reports", unit="report")

    def done(self, res: ReportResult) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{res.name}: {res.status.value}")
            return
        error = f" — {res.error}" if res.error else ""
        print(f"[fjdata nightly] {res.name}: {res.status.value} ({res.duration_s:.1f}s){error}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class _Executed:
    """What the parallel part of a run produced in its staging folder."""

    results: dict[str, ReportResult]
    tables: list[str]
    tables_error: str | None
    pdfs: dict[str, str]
    pdf_note: str


def _crashed(spec: ReportSpec, exc: BaseException) -> ReportResult:
    error = "worker crashed: " + "".join(traceback.format_exception_only(exc)).strip()
    return ReportResult(spec.name, ReportStatus.FAILED, 0.0, str(spec.params_file), spec.notebook.name, spec.parameters, spec.title, error)


def _execute_all(
    specs: list[ReportSpec], staging: Path, batch: BatchSpec, n_workers: int, data_hash: str, progress: _Progress
) -> _Executed:
    """Run the reports over forked workers into ``staging``; meanwhile write the tables and print
    each finished report to PDF. Killed (SIGTERM, Ctrl-C) or crashed: the workers stop with their
    kernels and the staging folder goes, so no orphan keeps running or keeps a disk full (F01/F02/F12)."""
    # fork: workers inherit the imported libraries and the warmed state; no kernel runs in the parent.
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    ignored_int = _interruptible()
    pool = ProcessPoolExecutor(max_workers=max(1, min(n_workers, len(specs) or 1)), mp_context=ctx, initializer=_worker_init)
    previous = _on_sigterm_raise()
    printer = PdfPrinter(staging, enabled=batch.pdf)  # its browser starts after every worker is forked
    results: dict[str, ReportResult] = {}
    try:
        futures: dict[Future[ReportResult], ReportSpec] = {
            pool.submit(_execute, spec, str(staging), spec.timeout or batch.timeout, batch.retries, data_hash): spec for spec in specs
        }
        tables_error = None
        try:  # the parent would only wait for the workers
            tables = _write_tables(staging)
        except Exception as exc:  # the reports go on; the manifest says what went wrong
            tables, tables_error = [], _describe(exc)
        for fut in as_completed(futures):
            spec = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # the worker itself died
                res = _crashed(spec, exc)
            results[spec.name] = res
            printer.add(res)  # never raises: a browser problem leaves a note
            progress.done(res)
        pool.shutdown(wait=True)
    except BaseException:
        _stop_workers(pool)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        printer.close()
        with contextlib.suppress(ValueError, TypeError):  # not the main thread, or a C-level handler
            signal.signal(signal.SIGTERM, previous)
            if ignored_int is not None:
                signal.signal(signal.SIGINT, ignored_int)
    if printer.note:
        print(f"[fjdata nightly] {printer.note}", file=sys.stderr, flush=True)
    return _Executed(results, tables, tables_error, printer.done, printer.note)


def _manifest(run: RunResult, batch: BatchSpec, n_workers: int) -> dict[str, Any]:
    extra = run.extra
    return {
        "fjdata_version": __version__,
        "python": sys.version.split()[0],
        "stack": extra["stack"],
        "started": run.started,
        "finished": run.finished,
        "data_hash": run.data_hash,
        "data_hash_at_end": extra["data_hash_at_end"],
        "data_changed_during_run": extra["data_changed"],
        "batch_file": str(batch.file),
        "workers": n_workers,
        "timeout_s": batch.timeout,
        "ok": run.ok,
        "complete_batch": extra["complete"],
        "tables": extra["tables"],
        "tables_error": extra["tables_error"],
        "pdfs": extra["pdfs"],
        "pdf_note": extra["pdf_note"],
        "reports": [{**asdict(r), "status": r.status.value} for r in run.reports],
    }


def _publish(staging: Path, outputs: Path, day: str, run: RunResult, manifest: dict[str, Any]) -> Path:
    """Write the manifest and index into ``staging`` and rename it onto a claimed dated folder: the
    run appears complete or not at all (F12: a full disk leaves neither folder behind)."""
    from fjdata.batch.run_index import index_html

    try:
        folder = _claim_run_folder(outputs, day)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _output_error(outputs, exc) from None
    try:
        atomic_write_bytes(staging / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
        atomic_write_bytes(staging / "index.html", index_html(replace(run, folder=folder), folder.name).encode("utf-8"))
        (staging / OWNER_FILE).unlink(missing_ok=True)
        os.replace(staging, folder)  # onto the empty folder we claimed
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder.rmdir()
        raise _output_error(outputs, exc) from None
    return folder


def run_nightly(
    batch_file: Path | None = None,
    outputs: Path | None = None,
    workers: int | None = None,
    only: Sequence[str] | None = None,
    progress: bool | None = None,
    day: str | None = None,
    pdf: bool | None = None,
) -> RunResult:
    """Run every report of the batch into a new dated folder under ``outputs``, in named steps:
    check, warm up, execute (with tables and PDFs), record, publish, and move ``latest`` only for a
    whole batch in which every report succeeded. ``pdf`` (``False``: web pages only) overrides the
    batch file's ``pdf``."""
    from fjdata.inputs.observations import data_fingerprint

    batch: BatchSpec = load_batch(batch_file)
    if pdf is not None:
        batch = replace(batch, pdf=pdf)
    n_workers = workers if workers is not None else (batch.workers or os.cpu_count() or 1)
    if isinstance(n_workers, bool) or not 1 <= n_workers <= MAX_WORKERS:
        raise ParamsError("--workers", "workers", f"{n_workers!r} is not an integer in 1–{MAX_WORKERS}")
    config.absolutize_env()  # B46/B47: kernels run in notebooks/, so relative paths must not reach them
    limit_this_process()  # one BLAS thread here, in every worker and in every kernel: 2 cores, many processes
    outputs = _prepare_outputs(outputs or config.outputs_dir())
    started = datetime.now(UTC).isoformat(timespec="seconds")
    remove_stale_staging(outputs)
    data_hash = data_fingerprint()
    loaded = load_reports(batch, only, data_hash)
    specs = _warm_up(loaded, data_hash)
    # Longest report first (by last run's durations), so no core idles at the end; results stay in batch order.
    specs = in_schedule_order(specs, [s.name for s in specs], previous_durations(outputs))
    show = sys.stderr.isatty() if progress is None else progress
    bar = _Progress(len(specs), show)
    staging = _open_staging(outputs)
    executed = _execute_all(specs, staging, batch, n_workers, data_hash, bar)
    bar.close()
    results = {**loaded.results, **executed.results}
    ordered = tuple(results[name] for name in loaded.order)
    # C62: data imported while the reports ran may have reached some of them and not others.
    data_at_end = data_fingerprint()
    changed = data_at_end != data_hash
    complete = not only and executed.tables_error is None and len(ordered) == len(batch.reports) and not changed
    extra = {
        "data_hash_at_end": data_at_end,
        "data_changed": changed,
        "tables": executed.tables,
        "tables_error": executed.tables_error,
        "complete": complete,
        "pdfs": executed.pdfs,
        "pdf_note": executed.pdf_note,
        "stack": stack_info(),
    }
    run = RunResult(staging, ordered, started, datetime.now(UTC).isoformat(timespec="seconds"), data_hash, extra=extra)
    folder = _publish(staging, outputs, day or date.today().isoformat(), run, _manifest(run, batch, n_workers))
    updated = run.ok and complete  # `latest` moves only for a whole batch in which every report succeeded
    if updated:
        _update_latest(outputs, folder)
    return replace(run, folder=folder, latest_updated=updated)


OWNER_FILE = ".owner"  # in a staging folder: "<host> <pid>" of the batch process assembling it


def _owner_is_dead(staging: Path) -> bool:
    """Whether the batch process that wrote ``staging`` (on this host) no longer runs: its folder
    can go at once instead of keeping a full disk full for a day (F01/F12)."""
    try:
        host, pid = (staging / OWNER_FILE).read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return False  # no owner recorded (an older run, or a folder made by hand): age decides
    if host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


def remove_stale_staging(outputs: Path, older_than_s: float = 86400) -> list[Path]:
    """Delete staging folders left by crashed runs (never a dated folder): those whose batch
    process is gone at once, any other after ``older_than_s``."""
    removed = []
    now = time.time()
    for p in outputs.glob(".staging-*"):
        with contextlib.suppress(OSError):
            if _owner_is_dead(p) or now - p.stat().st_mtime > older_than_s:
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed
