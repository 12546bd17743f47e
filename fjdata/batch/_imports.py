"""Import-time tweak for processes that load nbformat (the nightly batch, parameter checks).

jsonschema, which nbformat uses, imports ``rfc3987_syntax`` when that package is installed
(jupyterlab pulls it in); it compiles a grammar at import and costs about 2.5 s, only to check
IRI string formats that notebooks never use. Marking it absent makes jsonschema skip that one
format checker. Nothing else changes; a process that already imported it is left alone.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
