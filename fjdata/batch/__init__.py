"""Stage 5, the nightly: params files, papermill runs, atomic publishing, the run index."""
