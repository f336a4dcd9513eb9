"""Failures a user can act on. The one error handler renders them in the user's language."""

from __future__ import annotations


class UserError(Exception):
    """A refusal or a bad input: a catalog key and its parameters.

    A parameter named `person` is a Slack user ID and is shown as a mention; every other
    parameter is shown as escaped text. The key is positional-only, so a message may itself take a
    parameter named `key` (error.unknown_team).
    """

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class InvalidForm(Exception):
    """A submitted form's wrong fields, each with the catalog key that says why. Nothing was stored;
    the form shows the messages under its inputs."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(fields)))
        self.fields = fields
