"""Block Kit builders: pure functions from data and a translator to Slack payloads."""
