"""Everything fjdata writes is inert: no live link and no live formula from a user's file.

Text a user gave us (a department's questionnaire, a user CSV, a plan folder, a draft) ends up in
pages and workbooks sent to leadership and to other departments. Two rules, one place:

- **Links** (:func:`safe_link`): only ``http``/``https`` URLs with a host become ``href``; anything
  else (``javascript:``, ``data:``, ``file:``, a relative path, a URL with control characters) is
  shown as text, never linked.
- **Cells** (:func:`inert_text`, :func:`inert_frame`, :func:`inert_workbook`): text beginning with
  ``= + - @``, tab or carriage return is what a spreadsheet evaluates as a formula (OWASP's
  CSV-injection rule, CWE-1236). In CSV such text is prefixed with a single quote, which keeps it
  readable; a genuine number such as ``-3.5`` stays numeric. In XLSX every such cell is stored as a
  string (never ``data_type 'f'``) with Excel's quote-prefix flag, so it is shown exactly as written
  and stays text when a reader edits it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\<>\"'`]")


def safe_link(url: object) -> str:
    """``url`` if it is an http(s) URL with a host that a browser will open as written, else ``""``.

    >>> safe_link("https://www.gov.cn/x.htm")
    'https://www.gov.cn/x.htm'
    >>> safe_link("javascript:alert(1)"), safe_link(" JaVaScRiPt:alert(1)"), safe_link("data:text/html,x")
    ('', '', '')
    >>> safe_link("http:/x"), safe_link("//evil.example/x"), safe_link("java\\tscript:x")
    ('', '', '')
    """
    text = str(url or "").strip()
    if not text or _UNSAFE_URL_CHARS.search(text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    return text if scheme in ("http", "https") and parts.netloc and text.lower().startswith(scheme + "://") else ""


def local_link(path: object) -> str:
    """``path`` if it is a link within the run folder (a relative path or ``#anchor``, no scheme), else ``""``.

    >>> local_link("chapter_2_zh.html#t-x"), local_link("javascript:alert(1)"), local_link("//evil.example")
    ('chapter_2_zh.html#t-x', '', '')
    """
    text = str(path or "").strip()
    if not text or _UNSAFE_URL_CHARS.search(text) or text.startswith(("/", "\\")):
        return ""
    head = re.split(r"[/?#]", text, maxsplit=1)[0]
    return "" if ":" in head else text


def is_live(text: str) -> bool:
    """Whether a spreadsheet could evaluate ``text`` (it begins with a trigger and is not a plain number).

    >>> is_live("=HYPERLINK(1)"), is_live("-3.5"), is_live("-2+3"), is_live("@SUM(1)"), is_live("a=b")
    (True, False, True, True, False)
    """
    return text.startswith(TRIGGERS) and not _NUMBER.fullmatch(text)


def inert_text(value: Any) -> Any:
    """``value`` for CSV: a live string prefixed with ``'``; anything else unchanged. A bare carriage
    return becomes a line feed: a CSV writer quotes a field with a line feed but not one with a lone
    CR, which a spreadsheet would take as a new row starting with the rest (``x\\r=1+1``).

    >>> inert_text("=HYPERLINK(\\"http://evil.example\\")"), inert_text("-12.5"), inert_text(7), inert_text("a\\r=1")
    ('\\'=HYPERLINK("http://evil.example")', '-12.5', 7, 'a\\n=1')
    """
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if is_live(value) else value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are neutralised for CSV; numbers unchanged."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(inert_text)
    out.columns = [inert_text(c) for c in out.columns]
    return out


def inert_workbook(book: Any) -> int:
    """Make every cell of an openpyxl workbook inert before it is saved; returns how many were changed.

    fjdata never writes a formula on purpose, so a formula cell can only be user text that openpyxl
    took for one (a string beginning with ``=``): it becomes a string again. Every string beginning
    with a trigger gets Excel's quote prefix, so that editing it in Excel keeps it text."""
    changed = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or not is_live(value):
                    continue
                cell.data_type = "s"  # a formula cell (``=…``) back to text, exactly as written
                cell.quotePrefix = True
                changed += 1
    return changed


def save_inert(book: Any, path: Path) -> Path:
    """Neutralise (:func:`inert_workbook`) and save an openpyxl workbook atomically: a hidden temporary
    file in the same folder renamed into place, removed again if anything fails."""
    from fjdata.core.cache import atomic_write_path

    inert_workbook(book)
    with atomic_write_path(path) as tmp:
        book.save(tmp)
    return path
