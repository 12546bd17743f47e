"""A kernel manager that talks to its kernel over IPC (Unix sockets) instead of TCP.

Parallel papermill runs that each pick free TCP ports can race for the same port
(papermill #511); IPC sockets with a unique path cannot, and they are not exposed on the
network (ipykernel warns about unencrypted TCP otherwise).

The sockets live in a per-user folder (``/tmp/fjdata-ipc-<uid>``, mode 0700) that must be owned
by this user: on a shared host another user could otherwise create the folder first and then
delete or replace kernel sockets.
"""

from __future__ import annotations

import os
import stat
import tempfile
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from fjdata.batch import kernel_fork
from fjdata.core.errors import FjdataError


def ipc_dir() -> Path:
    """This user's private socket folder, created 0700; refuses one that is not private."""
    path = Path(tempfile.gettempdir()) / f"fjdata-ipc-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise FjdataError(f"{path} is not a private folder of this user (owner uid {st.st_uid}, mode {oct(st.st_mode & 0o777)}); remove it")
    return path


class ForkedProvisioner(LocalProvisioner):
    """Starts the kernel through this process's fork server (:mod:`fjdata.batch.kernel_fork`) and
    manages it as the local provisioner manages a ``Popen``; the usual start if the server fails."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        server, args = kernel_fork.server(), kernel_fork.kernel_arguments(cmd)
        if server is None or args is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = {**kwargs.get("env", os.environ), "JPY_PARENT_PID": str(os.getpid())}
        cwd = str(kwargs.get("cwd") or Path.cwd())
        try:
            pid = server.launch(args, env, cwd)
        except OSError:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = kernel_fork.AdoptedKernel(pid)  # type: ignore[assignment]  # Popen-like
        self.pid = pid
        try:
            group = os.getpgid(pid)
        except OSError:
            group = None
        # Signals go to the kernel's group; never to this process's own (it would stop the batch).
        self.pgid = group if group != os.getpgid(0) else None
        self.cwd = cwd
        return self.connection_info


SHUTDOWN_WAIT_S = 1.0  # jupyter_client's default is 5 s: 2.5 s before SIGTERM, 2.5 s more before SIGKILL


class IPCKernelManager(AsyncKernelManager):
    """IPC sockets, and a forked kernel where this process runs a fork server (a nightly worker)."""

    def __init__(self, **kwargs: Any) -> None:
        # A report's kernel is idle when it is asked to shut down and leaves in well under a second;
        # one still busy (its cell timed out) gets SIGTERM after half of this instead of 2.5 s later.
        kwargs.setdefault("shutdown_wait_time", SHUTDOWN_WAIT_S)
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = str(ipc_dir() / uuid.uuid4().hex)  # a path prefix; jupyter_client removes the sockets

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None and kernel_fork.server() is not None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_interrupt_kernel(self) -> None:
        """No interrupt on the way to a shutdown (an explicit interrupt, e.g. on a cell timeout, is
        unchanged: ``interrupt_kernel`` is jupyter_client's own).

        jupyter_client interrupts a kernel before asking it to shut down, so that a busy one leaves its
        cell. A report's kernel is idle by then, but the SIGINT can land while ipykernel is still
        sending its last reply, which logs ``KeyboardInterrupt caught in kernel`` in the nightly's output
        every few runs. A kernel that is still busy stops on the shutdown request, which arrives on its
        control channel, or else on the SIGTERM and SIGKILL that follow."""
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()
