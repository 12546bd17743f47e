"""Stage 4, who reads it: HTML blocks, charts, narrative, exploration and coverage pages."""
