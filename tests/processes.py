"""Starting the real `teamops` console script as a subprocess, as an admin runs it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEAMOPS = Path(sys.executable).parent / "teamops"
if not TEAMOPS.exists():  # a venv that is not the one running the tests
    TEAMOPS = Path(shutil.which("teamops") or TEAMOPS)


def environment(**settings: str | None) -> dict[str, str]:
    """A clean environment: none of the caller's SLACK_, TEAMOPS_ or DATABASE_ settings, only these
    (None leaves one out), and the checkout under test on the path however the package was installed."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMOPS_", "DATABASE_"))}
    env = {**inherited, "PYTHONPATH": str(REPO), **settings}
    return {name: value for name, value in env.items() if value is not None}


def start(args: list[str], env: dict[str, str], cwd: Path, log: Path | None = None) -> subprocess.Popen:
    """`teamops ARGS` in the background, its output into `log` (or nowhere)."""
    if log is None:
        return subprocess.Popen(
            [str(TEAMOPS), *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    with log.open("w", encoding="utf-8") as output:
        return subprocess.Popen(
            [str(TEAMOPS), *args], cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
