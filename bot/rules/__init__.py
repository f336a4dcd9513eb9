"""The regulations as pure functions: stdlib and pydantic only, `now` always an argument."""
