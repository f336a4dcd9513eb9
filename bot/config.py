"""Settings, read from the environment or a `.env` file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

Locale = Literal["en", "zh-Hans", "zh-Hant"]
LOCALES: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant")

# Each field's environment variable is its name in capitals, without a prefix for the Slack ones
# (Slack's own tooling uses those names) and with TEAMOPS_ for ours.
ENV_NAMES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_api_url": "SLACK_API_URL",
    "slack_hooks_url": "SLACK_HOOKS_URL",
    "database_url": "DATABASE_URL",
    "timezone": "TEAMOPS_TIMEZONE",
    "locale": "TEAMOPS_LOCALE",
    "log_level": "TEAMOPS_LOG_LEVEL",
    "scheduler": "TEAMOPS_SCHEDULER",
    "lease_seconds": "TEAMOPS_LEASE_SECONDS",
    "outbox_give_up_hours": "TEAMOPS_OUTBOX_GIVE_UP_HOURS",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field("", alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    slack_hooks_url: str = Field("https://hooks.slack.com/", alias="SLACK_HOOKS_URL")
    database_url: str = Field("sqlite+aiosqlite:///teamops.db", alias="DATABASE_URL")
    timezone: str = Field("UTC", alias="TEAMOPS_TIMEZONE")
    locale: Locale = Field("en", alias="TEAMOPS_LOCALE")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", alias="TEAMOPS_LOG_LEVEL")
    scheduler: Literal["on", "off"] = Field("on", alias="TEAMOPS_SCHEDULER")
    lease_seconds: float = Field(15.0, gt=1, alias="TEAMOPS_LEASE_SECONDS")
    outbox_give_up_hours: float = Field(24.0, gt=0, alias="TEAMOPS_OUTBOX_GIVE_UP_HOURS")

    @field_validator("slack_api_url", "slack_hooks_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        try:
            port = make_url(value).port
        except ValueError:
            raise ValueError("the port must be a number") from None
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"the port {port} is not between 1 and 65535")
        path = make_url(value).database if value.startswith("sqlite") else None
        if path and path != ":memory:" and not Path(path).expanduser().parent.is_dir():
            # SQLite creates the file but not its folder; said here, before any driver thread starts.
            raise ValueError(f"the folder {Path(path).parent} does not exist")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def require(self, *fields: str) -> None:
        """Raise SettingsError naming the first of `fields` that is empty."""
        for name in fields:
            if not getattr(self, name):
                raise SettingsError(f"{ENV_NAMES[name]} is not set")

    def configure_logging(self) -> None:
        logging.basicConfig(
            level=self.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
        )
        # Alembic narrates its plugins and context at INFO; the CLI says what changed itself.
        logging.getLogger("alembic").setLevel(logging.WARNING)


class SettingsError(Exception):
    """A missing or invalid setting; the CLI prints it on one line and exits 2."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings; turn pydantic's report into one line naming the variable."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        name = ENV_NAMES.get(field, field.upper())
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from None
