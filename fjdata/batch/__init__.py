"""Stage 5, the nightly: params files, papermill runs, atomic publishing, the run index."""

# Before any module of this package imports nbformat (a package's __init__ runs before its modules;
# an import inside a module would be sorted after the third-party ones and come too late).
from fjdata.batch import _imports  # noqa: F401
