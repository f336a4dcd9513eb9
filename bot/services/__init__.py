"""Use-cases, one module per feature. Each opens a unit of work, applies the rules, persists the change
and its notices together, and returns a result for the handler to render. No Slack client here."""
