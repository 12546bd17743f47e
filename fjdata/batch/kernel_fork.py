"""Report kernels forked from a warm process: a kernel is ready in milliseconds, not seconds.

A kernel started from scratch spends 1–2 s of CPU starting Python and importing ipykernel, pandas,
matplotlib, statsmodels and fjdata before a report's first cell can run, and a nightly batch pays
that for every report. So each pool worker of the nightly starts a :class:`ForkServer` first thing,
before it opens any ZeroMQ socket or event loop: a small process that imports what the kernels
import (:data:`PRELOAD`) and then forks one kernel per request. The forked kernel runs ipykernel's
own application exactly as ``python -m ipykernel_launcher -f CONNECTION_FILE`` does, in its own
session, with the working folder and environment jupyter_client asked for.

The kernel is the worker's child, as a kernel started with ``Popen`` is: the server forks an
intermediate that forks the kernel and exits, and the worker is a *child subreaper*, so the orphaned
kernel is adopted by the worker, which waits for it and signals it (:class:`AdoptedKernel`). It dies
with the worker (parent-death signal; ipykernel's parent poller through ``JPY_PARENT_PID``).

Linux only, and only for a kernelspec that runs this very Python with ``-m ipykernel_launcher`` (the
``fjdata`` kernel ``tasks.py`` registers); anything else, or a server that failed, starts kernels
the usual way. ``FJDATA_FORK_KERNELS=0`` turns forking off.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import os
import signal
import subprocess
import sys
import time
import traceback
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# What a report kernel imports before its first cell: ipykernel's application, what the report
# notebooks import, and the statsmodels classes a report that fits a model loads.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "IPython.display",
    "fjdata",
    "fjdata.batch.params",
    "fjdata.assess.prepare",
    "fjdata.assess.view",
    "fjdata.assess.feasibility",
    "fjdata.report.chapter_report",
    "fjdata.report.explore",
    "fjdata.report.draft_report",
    "statsmodels.tsa.arima.model",
    "statsmodels.tsa.exponential_smoothing.ets",
    "statsmodels.tsa.forecasting.theta",
)
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
ADOPTION_WAIT_S = 5.0


def enabled() -> bool:
    """Whether kernels may be forked here: Linux, and not turned off by ``FJDATA_FORK_KERNELS=0``."""
    return sys.platform.startswith("linux") and os.environ.get("FJDATA_FORK_KERNELS", "1") != "0"


def _prctl(option: int, value: int) -> bool:
    try:
        return bool(ctypes.CDLL("libc.so.6", use_errno=True).prctl(option, value, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def kernel_arguments(argv: list[str]) -> list[str] | None:
    """The arguments after ``-m ipykernel_launcher`` when ``argv`` runs this Python's ipykernel
    (None otherwise: that kernel is started the usual way).

    >>> kernel_arguments([sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"])
    ['-f', 'c.json']
    >>> kernel_arguments(["/usr/bin/python2", "-m", "ipykernel_launcher", "-f", "c.json"]) is None
    True
    """
    if len(argv) < 3 or Path(argv[0]).resolve() != Path(sys.executable).resolve():
        return None
    for i in range(1, len(argv) - 1):
        if argv[i] == "-m":
            return argv[i + 2 :] if argv[i + 1] == "ipykernel_launcher" else None
        if not argv[i].startswith("-X"):
            return None
    return None


class ForkServer:
    """A process forked from this one that imports :data:`PRELOAD` and forks kernels on request.

    Start it before this process creates ZeroMQ contexts, threads or event loops (a forked copy
    inherits none of them in working order); this process becomes a child subreaper so that it
    adopts the kernels. :meth:`launch` returns the pid of a kernel that is now this process's child.
    """

    def __init__(self, preload: tuple[str, ...] = PRELOAD) -> None:
        if not _prctl(PR_SET_CHILD_SUBREAPER, 1):
            raise OSError("cannot become a child subreaper (prctl)")
        self.owner = os.getpid()
        ours, theirs = Pipe()
        pid = os.fork()
        if pid == 0:  # the server
            code = 0
            try:
                ours.close()
                _serve(theirs, preload, self.owner)
            except BaseException:  # the server must never return into the worker's code
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self.pid = pid
        self._conn: Connection | None = ours

    def launch(self, args: list[str], env: dict[str, str], cwd: str) -> int:
        """Fork a kernel that runs ipykernel with ``args`` (``-f CONNECTION_FILE``) in ``cwd`` with ``env``."""
        if self._conn is None:
            raise OSError("the kernel fork server is closed")
        try:
            self._conn.send((list(args), dict(env), str(cwd)))
            status, value = self._conn.recv()
        except (OSError, EOFError) as exc:
            self.close()
            raise OSError(f"the kernel fork server stopped: {exc}") from None
        if status != "ok":
            raise OSError(f"the kernel fork server could not fork a kernel: {value}")
        return int(value)

    def close(self) -> None:
        """Stop the server (it exits when its pipe closes) and reap it."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)


def _serve(conn: Connection, preload: tuple[str, ...], owner: int) -> None:
    """The server's loop: die with the worker, import, then one kernel per request until EOF."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != owner:  # the worker died before prctl took effect
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the worker, which stops its kernels
    for name in preload:
        with contextlib.suppress(Exception):  # a kernel that needs it will fail on it the usual way
            importlib.import_module(name)
    gc.collect()
    gc.freeze()  # the imported objects stay shared with every kernel instead of being copied on write
    while True:
        try:
            args, env, cwd = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", _fork_kernel(args, env, cwd, owner)))
        except Exception as exc:  # reported to the worker, which starts the kernel the usual way
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _fork_kernel(args: list[str], env: dict[str, str], cwd: str, owner: int) -> int:
    """Fork an intermediate that starts a session, forks the kernel into it, tells its pid and exits;
    the kernel is then the owner's child."""
    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:
        code = 0
        try:
            os.close(read_end)
            # A new session and process group before the kernel exists, so the group the worker
            # reads right after the launch (and signals: interrupt, shutdown) is already the kernel's
            # own, never the batch's: the kernel is forked into it, as Popen(start_new_session) does.
            os.setsid()
            kernel = os.fork()
            if kernel == 0:
                os.close(write_end)
                _run_kernel(args, env, cwd, owner)  # never returns
            os.write(write_end, str(kernel).encode())
        except BaseException:  # the intermediate must never return into the server's code
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(middle, 0)  # the kernel is re-parented to the owner once the intermediate has exited
    if not answer:
        raise OSError("the kernel was not forked")
    return int(answer)


def _run_kernel(args: list[str], env: dict[str, str], cwd: str, owner: int) -> None:
    """In the forked kernel: become what ``python -m ipykernel_launcher ARGS`` is, run, exit."""
    code: Any = 0
    try:
        deadline = time.monotonic() + ADOPTION_WAIT_S
        while os.getppid() != owner and time.monotonic() < deadline:  # the intermediate is exiting
            time.sleep(0.001)
        if os.getppid() != owner:
            raise OSError("the kernel was not adopted by the worker")
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with the worker
        # The dispositions a new Python starts with (SIGPIPE stays ignored, as Python sets it).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        from ipykernel import kernelapp

        # As ``python -m ipykernel_launcher`` starts: its name in argv, and no script folder first on
        # the path (the launcher removes it; IPython adds '' itself). The parent pid is read from the
        # environment when ipykernel is imported, which was in the server: it is passed explicitly.
        sys.argv = [str(Path(kernelapp.__file__).with_name("ipykernel_launcher.py")), *args]
        sys.path[:] = [p for p in sys.path if p not in {"", *_script_folders()}]
        kernelapp.launch_new_instance(argv=[*args, f"--IPKernelApp.parent_handle={owner}"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # shown in the worker's log, as a kernel's crash would be
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code if isinstance(code, int) else 1)


def _script_folders() -> set[str]:
    """The folder of the program this process started as, as given and resolved (Python put it
    first on ``sys.path``)."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return {str(Path(main).absolute().parent), str(Path(main).resolve().parent)} if main else set()


class AdoptedKernel:
    """A forked kernel seen as jupyter_client sees a ``Popen``: ``pid``, ``poll``, ``wait``,
    ``send_signal``, ``terminate``, ``kill`` (it is a child of this process, so it can be waited for)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: gone
                self.returncode = -signal.SIGKILL
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0.0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class _ServerSlot:
    """This process's fork server, if it started one (a pool worker does, in its initializer)."""

    server: ForkServer | None = None


def start_server() -> None:
    """Start this process's fork server (a pool worker's first step); on failure kernels start as usual."""
    if enabled() and _ServerSlot.server is None:
        with contextlib.suppress(OSError):
            _ServerSlot.server = ForkServer()


def server() -> ForkServer | None:
    """This process's fork server: None where none was started, or in a process forked from its owner."""
    found = _ServerSlot.server
    return found if found is not None and found.owner == os.getpid() else None
