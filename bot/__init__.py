"""teamops: a Slack bot that runs a business team by its management regulations."""
