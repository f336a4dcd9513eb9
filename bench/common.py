"""What every benchmark shares: its settings, where it runs, and where its figures go."""

from __future__ import annotations

import json
import platform
import subprocess
import time
from pathlib import Path

from bot.config import Settings

REPO = Path(__file__).resolve().parent.parent
# A Slack Web API nobody answers: for the benches that only measure what the bot writes.
NO_SLACK = "http://127.0.0.1:9/api/"


def bench_settings(database_url: str, slack_api_url: str) -> Settings:
    """A bench run's settings: its own database and Slack, no signing, no clock."""
    return Settings(
        _env_file=None,
        SLACK_BOT_TOKEN="xoxb-bench-token",
        SLACK_SIGNING_SECRET="",
        SLACK_APP_TOKEN="",
        SLACK_API_URL=slack_api_url,
        DATABASE_URL=database_url,
        TEAMOPS_SCHEDULER="off",
    )


def environment() -> dict[str, str]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def save(name: str, figures: dict) -> None:
    """Write a run's figures to bench/results/NAME.json (git ignores the folder) and say where."""
    path = REPO / "bench" / "results" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(REPO)}")
