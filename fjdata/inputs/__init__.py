"""Stage 1, what was promised and what happened: plans, targets, indicator catalogue, observations."""
