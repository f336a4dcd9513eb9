"""What an operator reads in the log of `teamops run` while Slack cannot be reached: one line per
retry, with its reason; no tracebacks, and no warning about a choice the bot makes on purpose."""

from __future__ import annotations

import signal
import time

from storage import migrate
from tests.processes import environment, start

NOWHERE = "http://127.0.0.1:9/api/"  # nothing listens on the discard port


def test_slack_unreachable_in_socket_mode_is_one_line_per_retry(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'teamops.db'}"
    migrate.upgrade(url)
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
        while "Failed to connect" not in log.read_text() and time.monotonic() < deadline:
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
    assert process.returncode == 0
