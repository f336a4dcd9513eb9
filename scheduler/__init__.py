"""The clock: APScheduler runner, the scheduler lease, and one job module per feature."""
