"""A kernel manager that talks to its kernel over IPC (Unix sockets) instead of TCP.

Parallel papermill runs that each pick free TCP ports can race for the same port
(papermill #511); IPC sockets with a unique path cannot, and they are not exposed on the
network (ipykernel warns about unencrypted TCP otherwise).
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

IPC_DIR = Path(tempfile.gettempdir()) / "fjdata-ipc"


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        IPC_DIR.mkdir(mode=0o700, exist_ok=True)
        self.transport = "ipc"
        self.ip = str(IPC_DIR / uuid.uuid4().hex)  # a path prefix; jupyter_client removes the sockets
