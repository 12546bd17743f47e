"""Every word a reader sees lives in the wording files (fjdata/wording/{zh,en}.yaml): a string
literal with Chinese characters in the code that prints reports, the run index or the department
questionnaire fails this test with its file:line (docstrings and comments are not literals)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
from tests.conftest import docstring_ids

SCANNED = sorted(
    [
        *(ROOT / "fjdata" / "report").rglob("*.py"),
        ROOT / "fjdata" / "batch" / "run_index.py",
        ROOT / "fjdata" / "department" / "questionnaire.py",
    ]
)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # CJK punctuation, ideographs, full-width forms

# Literals that are data keys, not wording: each with why it stays in code.
_UNIT_CODE = "a unit code of the catalogue (fjdata/data/indicators), compared with data, never printed from here"
ALLOWED: dict[tuple[str, str], str] = {
    **{
        ("fjdata/report/formatting.py", u): _UNIT_CODE
        for u in ("家", "个", "项", "条", "座", "台", "位", "人", "名", "所", "亿元", "百分点")
    },
}


def chinese_literals(path: Path) -> list[tuple[int, str]]:
    """(line, literal) of every string literal with a CJK character outside docstrings (f-string parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docs = docstring_ids(tree)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs and CJK.search(node.value)
    )


def test_no_chinese_wording_in_code() -> None:
    assert len(SCANNED) >= 10
    found = []
    used = set()
    for path in SCANNED:
        rel = path.relative_to(ROOT).as_posix()
        for line, text in chinese_literals(path):
            if (rel, text) in ALLOWED:
                used.add((rel, text))
            else:
                found.append(f"{rel}:{line}: {text[:60]!r}")
    assert not found, "wording belongs in fjdata/wording/{zh,en}.yaml:\n" + "\n".join(found)
    assert used == set(ALLOWED), f"allow-list entries no longer needed: {sorted(set(ALLOWED) - used)}"


def test_the_scan_sees_literals_but_not_docstrings_or_comments(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""模块说明。"""\n\n\ndef f(lang: str) -> str:\n    """函数说明。"""\n    # 注释\n'
        '    x = "plain"\n    return f"{x}（{lang}）" if lang == "zh" else "数据"\n',
        encoding="utf-8",
    )
    assert chinese_literals(sample) == [(8, "数据"), (8, "（"), (8, "）")]
