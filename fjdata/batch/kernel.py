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

from fjdata.core.errors import FjdataError


def ipc_dir() -> Path:
    """This user's private socket folder, created 0700; refuses one that is not private."""
    path = Path(tempfile.gettempdir()) / f"fjdata-ipc-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise FjdataError(f"{path} is not a private folder of this user (owner uid {st.st_uid}, mode {oct(st.st_mode & 0o777)}); remove it")
    return path


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = str(ipc_dir() / uuid.uuid4().hex)  # a path prefix; jupyter_client removes the sockets
