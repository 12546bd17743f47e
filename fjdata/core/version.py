"""The package version, in one place below everything that stamps it (cache keys, workbooks, reports)."""

__version__ = "0.1.0"
