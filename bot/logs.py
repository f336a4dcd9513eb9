"""What the libraries we run on say in our logs: each failure in one line, and no warning about a
choice we made on purpose."""

from __future__ import annotations

import logging


class OneLine(logging.Filter):
    """Slack's clients log a whole traceback for every connection retry while Slack cannot be
    reached (Socket Mode's "Failed to connect ... Retrying...", every few seconds). The message
    already names the error; the traceback says nothing an operator can act on, so it is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.levelno >= logging.ERROR and "Retrying" in record.getMessage():
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class NotOurChoice(logging.Filter):
    """Bolt warns that the token is unused whenever SLACK_BOT_TOKEN is set and a client is passed:
    we pass the client on purpose (it carries that token and the Web API's base URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


class Detail(logging.Filter):
    """APScheduler says "Running job ..." and "... executed successfully" at INFO for every run
    (each team's SLA sweep, every minute); what a job did is logged by the clock. Those lines are
    shown at DEBUG, when the log level is DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def quiet_libraries() -> None:
    logging.getLogger("slack_bolt").addFilter(NotOurChoice())
    for name in ("slack_bolt", "slack_sdk", "slack_sdk.socket_mode.aiohttp"):
        logging.getLogger(name).addFilter(OneLine())
    for name in ("apscheduler.scheduler", "apscheduler.executors.default"):
        logging.getLogger(name).addFilter(Detail())
