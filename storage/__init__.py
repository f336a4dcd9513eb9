"""Persistence: engine and sessions, the unit of work, ORM models, repositories, migrations."""
