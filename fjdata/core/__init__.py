"""Shared ground: errors, settings and paths, the content-keyed cache, argument checks."""
