"""Stage 3, how far from the target: judgements, assessments, feasibility of draft targets."""
