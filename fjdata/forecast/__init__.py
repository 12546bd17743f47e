"""Stage 2, where the trend leads: forecasting methods, projections, rolling-origin backtests."""
