"""What an operator reads in the log of `teamops run` while Slack cannot be reached: one line per
retry, with its reason; no tracebacks, no warning about a choice the bot makes on purpose, and of
the clock what each job did, without APScheduler's own lines for every run."""

from __future__ import annotations

import asyncio
import signal
import time

from bot.config import Settings
from bot.rules.roster import parse_roster
from bot.services import roster
from bot.slackapp.runtime import running
from storage import migrate
from tests.conftest import CS_EAST
from tests.processes import environment, start

NOWHERE = "http://127.0.0.1:9/api/"  # nothing listens on the discard port


async def _import(url: str) -> None:
    async with running(Settings(_env_file=None, DATABASE_URL=url)) as services:
        parsed, errors = parse_roster({"teams": [CS_EAST]})
        assert not errors
        await roster.import_roster(services, parsed)


def test_slack_unreachable_in_socket_mode_is_one_line_per_retry(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'teamops.db'}"
    migrate.upgrade(url)
    asyncio.run(_import(url))  # a team, so that its SLA sweep runs when the clock starts
    env = environment(
        SLACK_BOT_TOKEN="xoxb-x",
        SLACK_APP_TOKEN="xapp-x",
        SLACK_API_URL=NOWHERE,
        DATABASE_URL=url,
        HOME=str(tmp_path),
    )
    log = tmp_path / "run.log"
    process = start(["run"], env, tmp_path, log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(
            line in log.read_text() for line in ("Failed to connect", "job complaint-sla:cs-east:")
        ):
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    text = log.read_text()

    failures = [line for line in text.splitlines() if "Failed to connect" in line]
    assert failures and all("Cannot connect to host 127.0.0.1:9" in line for line in failures), text
    assert "Traceback" not in text, text
    assert "will be unused" not in text, text
    assert "lease lost" not in text, text
    assert "job complaint-sla:cs-east: " in text, "what a job did is said, once"
    assert "Running job" not in text and "executed successfully" not in text, "APScheduler's lines are DEBUG"
    assert process.returncode == 0
