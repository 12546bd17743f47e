"""Worker processes and progress: results in input order, a progress bar on a terminal only."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios

from fjdata.core.parallel import ordered_map

SLOW_MAP = (
    "import time\nfrom fjdata.core.parallel import ordered_map\n"
    "print(list(ordered_map(time.sleep, [0.15] * 4, workers={w}, desc='targets')))"
)


def _on_a_terminal(code: str) -> tuple[str, str]:
    """(stdout, what a terminal on stderr showed) of ``python -c code``, read while it runs."""
    master, slave = os.openpty()
    # A terminal 100 columns wide (a fresh pty is 0 × 0, and a bar is cut to the width).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-c", code], stderr=slave, stdout=subprocess.PIPE, text=True)
    os.close(slave)  # the child holds the only slave end: reading ends with EIO when it exits
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    return out, b"".join(chunks).decode("utf-8", "replace")


def test_results_come_in_input_order_from_forked_workers() -> None:
    assert list(ordered_map(abs, [-3, 1, -2, 4], workers=2)) == [3, 1, 2, 4]


def test_a_progress_bar_shows_on_a_terminal_and_nowhere_else() -> None:
    for workers in (1, 2):
        out, terminal = _on_a_terminal(SLOW_MAP.format(w=workers))
        assert out.strip() == "[None, None, None, None]"
        assert "targets:" in terminal and "/4" in terminal, terminal
    piped = subprocess.run([sys.executable, "-c", SLOW_MAP.format(w=1)], capture_output=True, text=True, timeout=120, check=True)
    assert "targets" not in piped.stderr  # logs, kernels and cron mail stay clean
