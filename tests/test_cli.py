"""The real `teamops` console script, run as an admin runs it: a subprocess with its own environment."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import time
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from bot.services import deliveries
from scheduler.jobs import JOBS
from storage import migrate, requests
from storage import outbox as outbox_rows
from tests.conftest import ISSUE_EXAMPLE
from tests.processes import REPO, TEAMOPS, free_port, start
from tests.slack.signed import SignedSlack
from tests.support import eventually, sender_for

HEAD = migrate.head_revision()
SIGNING_SECRET = "s"

GOOD_ROSTER = (
    ISSUE_EXAMPLE
    + """\
      - {user: U01CCC}
    complaint_sla:
      high: {acknowledge: 1h, resolve: 2d}
      business_hours: {from: "08:30", to: "17:30"}
      holidays: [2026-10-01]
    meeting: {when: tue 09:00, rotation: [U01BBB, U01AAA]}
  - key: sales
    name: Sales
    channel: C0SALES01
    digest_channel: G0SALESLEADS
    members:
      - {user: U01AAA, role: manager}
"""
)

BAD_ROSTER = """\
teams:
  - key: cs-east
    name: Customer Service East
    channel: "#service"
    digest_channel: C0456EFGH
    timezone: Asia/Shangai
    members:
      - {user: U01AAA, role: lead}
      - {user: U01BBB, colour: blue}
      - {user: U01CCC, role: boss}
"""
BAD_ROSTER_ERRORS = [
    "teams[0].channel: must be a Slack channel ID like C01ABCDEF",
    "teams[0].timezone: unknown time zone 'Asia/Shangai'",
    "teams[0].members[1].colour: unknown key",
    "teams[0].members[2].role: must be one of manager, deputy, lead, member",
]


class Cli:
    """`teamops` in a scratch directory (so no stray .env is read), on a SQLite file of its own."""

    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path
        self.env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(tmp_path),
            # The checkout under test, whichever way the package was installed.
            "PYTHONPATH": str(REPO),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'teamops.db'}",
        }

    def environment(self, **overrides: str | None) -> dict[str, str]:
        env = {**self.env, **overrides}
        return {name: value for name, value in env.items() if value is not None}

    def __call__(self, *args: str, **env: str | None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(TEAMOPS), *args],
            cwd=self.cwd,
            env=self.environment(**env),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )

    def ok(self, *args: str, **env: str | None) -> str:
        result = self(*args, **env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def write(self, name: str, text: str) -> str:
        (self.cwd / name).write_text(text, encoding="utf-8")
        return name


@pytest.fixture
def cli(tmp_path) -> Cli:
    assert TEAMOPS.exists(), f"the console script is not installed at {TEAMOPS}"
    return Cli(tmp_path)


def migrated(cli: Cli) -> Cli:
    """Set up a migrated database in-process (quicker than another `teamops db upgrade`)."""
    migrate.upgrade(cli.env["DATABASE_URL"])
    return cli


def command_paths() -> list[list[str]]:
    """Every command and sub-command the CLI defines, from its own parser."""
    from bot.cli import _parser

    paths: list[list[str]] = []

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        paths.append(path)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])

    walk(_parser(), [])
    return paths


def test_the_command_list_covers_the_documented_commands():
    found = {" ".join(path) for path in command_paths()}
    expected = {"run", "db upgrade", "db current", "teams import", "teams export", "manifest check"}
    assert expected <= found


def test_the_console_script_has_help(cli):
    result = cli("--help")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: teamops")
    for command in ("run", "db", "teams", "manifest"):
        assert command in result.stdout


@pytest.mark.parametrize("path", command_paths(), ids=lambda path: " ".join(path) or "teamops")
def test_every_command_has_help(path, capsys):
    """The console script calls bot.cli:main; calling it here spares a process per command."""
    from bot.cli import main

    with pytest.raises(SystemExit) as exit:
        main([*path, "--help"])

    assert exit.value.code == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"usage: {' '.join(['teamops', *path])}")
    assert err == ""


def test_db_upgrade_then_current_prints_the_head_revision(cli):
    assert cli.ok("db", "current").strip() == "none"

    assert HEAD in cli.ok("db", "upgrade")

    assert cli.ok("db", "current").strip() == HEAD


def test_a_bad_roster_lists_every_error_and_imports_nothing(cli):
    migrated(cli)
    cli.write("bad.yml", BAD_ROSTER)

    result = cli("teams", "import", "bad.yml")

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert sorted(lines[:-1]) == sorted(f"bad.yml: {error}" for error in BAD_ROSTER_ERRORS)
    assert lines[-1] == "4 error(s); nothing was imported"
    assert "Traceback" not in result.stderr
    assert yaml.safe_load(cli.ok("teams", "export")) == {"teams": []}


def test_a_roster_with_bad_references_lists_every_one(cli):
    roster = GOOD_ROSTER.replace("{user: U01CCC}", "{user: U01CCC, supervisor: U09GONE}").replace(
        "key: sales", "key: cs-east"
    )
    cli.write("refs.yml", roster)

    result = cli("teams", "import", "refs.yml")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "refs.yml: teams[0].members[2].supervisor: U09GONE is not a member of this team",
        "refs.yml: teams[1].key: 'cs-east' is used by another team in this file",
        "2 error(s); nothing was imported",
    ]


def test_a_good_roster_imports_and_exports_stably(cli):
    cli.write("roster.yml", GOOD_ROSTER)

    imported = cli.ok("teams", "import", "roster.yml")

    assert "2 team(s) created, 0 updated; 4 member(s) added, 0 updated" in imported
    exported = cli.ok("teams", "export")
    teams = {team["key"]: team for team in yaml.safe_load(exported)["teams"]}
    east = teams["cs-east"]
    assert (east["name"], east["kind"], east["timezone"], east["locale"]) == (
        "Customer Service East",
        "service",
        "Asia/Shanghai",
        "zh-Hans",
    )
    assert east["members"] == [
        {"user": "U01AAA", "role": "lead", "title": "客户顾问"},
        {"user": "U01BBB", "role": "member", "supervisor": "U01AAA", "title": "设计师"},
        {"user": "U01CCC", "role": "member", "supervisor": "U01AAA"},  # the first lead, by default
    ]
    assert east["complaint_sla"]["business_hours"] == {"from": "08:30", "to": "17:30"}
    assert east["meeting"]["rotation"] == ["U01BBB", "U01AAA"]
    assert teams["sales"]["members"] == [{"user": "U01AAA", "role": "manager"}]

    cli.write("exported.yml", exported)
    again = cli.ok("teams", "import", "exported.yml")

    assert "0 team(s) created, 2 updated; 0 member(s) added, 4 updated" in again
    assert cli.ok("teams", "export") == exported, "import(export()) changes nothing"


def test_a_team_without_zone_or_language_takes_the_installations_defaults(cli):
    cli.write("sales.yml", GOOD_ROSTER[GOOD_ROSTER.index("  - key: sales") :].join(["teams:\n", ""]))

    cli.ok("teams", "import", "sales.yml", TEAMOPS_TIMEZONE="Asia/Taipei", TEAMOPS_LOCALE="zh-Hant")

    sales = yaml.safe_load(cli.ok("teams", "export"))["teams"][0]
    assert (sales["timezone"], sales["locale"]) == ("Asia/Taipei", "zh-Hant")


def test_the_readmes_example_roster_imports_as_written(cli):
    result = cli("teams", "import", str(REPO / "roster.example.yml"))

    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout


def test_times_of_day_written_plainly_in_the_roster_are_accepted(cli):
    """YAML 1.1 would read an unquoted 10:00 as the base-60 integer 600 (and 09:30 as a string)."""
    roster = GOOD_ROSTER.replace(
        "    meeting:",
        "    standup: {ask: 09:30, summary: 10:00}\n    progress: {cadence: daily, due: 17:00}\n    meeting:",
    )
    cli.write("times.yml", roster)

    result = cli("teams", "import", "times.yml")

    assert result.returncode == 0, result.stderr
    east = yaml.safe_load(cli.ok("teams", "export"))["teams"][0]
    assert east["standup"] == {"ask": "09:30", "summary": "10:00"}
    assert east["progress"] == {"cadence": "daily", "due": "17:00"}


def test_the_repository_manifest_passes(cli):
    result = cli("manifest", "check", "--file", str(REPO / "manifest.yml"))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def manifest(**change) -> dict:
    data = yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))
    for name, value in change.items():
        if value is None:
            del data[name]
        else:
            data[name] = value
    return data


def test_slash_commands_that_differ_from_the_apps_fail_the_check(cli):
    data = manifest()
    answered = {c["command"] for c in data["features"]["slash_commands"]}
    data["features"]["slash_commands"] = [{"command": "/ghost", "description": "Nobody answers this"}]
    cli.write("ghost.yml", yaml.safe_dump(data, allow_unicode=True))

    result = cli("manifest", "check", "--file", "ghost.yml")

    assert result.returncode == 1
    problems = result.stderr.strip().splitlines()
    assert len(problems) == 1 + len(answered), result.stderr
    assert any("/ghost" in line and "no handler" in line for line in problems)
    for command in answered:
        assert any(command in line and "not declared" in line for line in problems), command


def test_a_manifest_without_display_information_fails_the_check(cli):
    cli.write("nameless.yml", yaml.safe_dump(manifest(display_information=None), allow_unicode=True))

    result = cli("manifest", "check", "--file", "nameless.yml")

    assert result.returncode == 1
    assert "display_information" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "variable"),
    [
        (["db", "current"], {"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        (["db", "upgrade"], {"TEAMOPS_TIMEZONE": "Mars/X"}, "TEAMOPS_TIMEZONE"),
        (["teams", "export"], {"TEAMOPS_LOCALE": "fr"}, "TEAMOPS_LOCALE"),
        (["db", "current"], {"TEAMOPS_LOG_LEVEL": "chatty"}, "TEAMOPS_LOG_LEVEL"),
        (["db", "current"], {"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        (["db", "current"], {"TEAMOPS_LEASE_SECONDS": "soon"}, "TEAMOPS_LEASE_SECONDS"),
        (["run"], {}, "SLACK_BOT_TOKEN"),
        (["run", "--http"], {"SLACK_BOT_TOKEN": "xoxb-x"}, "SLACK_SIGNING_SECRET"),
        (["run"], {"SLACK_BOT_TOKEN": "xoxb-x"}, "SLACK_APP_TOKEN"),
    ],
)
def test_a_missing_or_invalid_setting_is_one_line_naming_the_variable(cli, args, env, variable):
    result = cli(*args, **env)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert result.stdout == ""


def test_a_database_that_cannot_be_opened_is_one_line_naming_the_variable(cli, tmp_path):
    result = cli("db", "current", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/teamops.db")

    assert "Traceback" not in result.stderr, result.stderr[-300:]
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], result.stderr


def test_run_refuses_a_database_that_is_behind_without_migrating(cli):
    result = cli("run", "--http", "--no-migrate", SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET="s")

    assert result.returncode == 2
    assert "run `teamops db upgrade`" in result.stderr
    assert "Traceback" not in result.stderr
    assert asyncio.run(migrate.current_revision(cli.env["DATABASE_URL"])) is None, "nothing was migrated"


@contextmanager
def running_server(directory: Path, slack_api_url: str = "http://127.0.0.1:9/api/"):
    """`teamops run --http` on a free port, once /healthz answers 200 (waiting at most 20 s).
    Slack's Web API is nowhere unless the test gives one."""
    port = free_port()
    env = Cli(directory).environment(
        SLACK_BOT_TOKEN="xoxb-x",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_api_url,
        SLACK_HOOKS_URL=slack_api_url.replace("/api/", "/response/"),  # the fake's response_urls
    )
    log = directory / "server.log"
    process = start(["run", "--http", "--port", str(port)], env, directory, log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, f"teamops run exited early:\n{log.read_text()}"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"/healthz did not answer 200 within 20 s:\n{log.read_text()}"
            time.sleep(0.1)
        yield process, url, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("server")) as (_process, url, _log):
        yield url


def test_run_http_reports_health(server):
    health = httpx.get(f"{server}/healthz", timeout=5)

    assert health.status_code == 200
    report = health.json()
    assert report["database"] is True
    assert report["schema"] == HEAD


def test_run_http_refuses_an_unsigned_request(server):
    reply = httpx.post(
        f"{server}/slack/events",
        content=b"command=%2Fteam&user_id=U01AAA",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )

    assert reply.status_code == 401


@asynccontextmanager
async def serving_the_roster(cli: Cli, slack, tmp_path: Path):
    """GOOD_ROSTER imported, `teamops run --http` on the fake Slack, and a client signing for it."""
    cli.write("roster.yml", GOOD_ROSTER)
    await asyncio.to_thread(cli.ok, "teams", "import", "roster.yml")
    async with AsyncExitStack() as stack:
        # Started from a thread: waiting for it to answer must not stall the fake Slack on this loop.
        process, url, log = await asyncio.to_thread(stack.enter_context, running_server(tmp_path, slack.url))
        client = SignedSlack(url, SIGNING_SECRET, response_url_base=slack.response_url_base)
        stack.push_async_callback(client.aclose)
        yield process, url, log, client


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=lambda sig: sig.name)
async def test_run_http_finishes_the_request_in_flight_on_a_stop_signal(cli, slack, tmp_path, stop):
    """The answer to a request in flight still goes out, new connections are refused, and the
    process exits 0: uvicorn re-raises the stop signal after its shutdown, and that must not kill
    the process before bot/slackapp/runtime.py stops the sender and the clock (releasing the
    scheduler lease)."""
    async with serving_the_roster(cli, slack, tmp_path) as (process, url, log, client):
        release = slack.hold("users.info")  # the lead's profile: the command stays in flight
        in_flight = asyncio.create_task(client.command("U01AAA", "/team"))
        await slack.wait_for_held("users.info", within=30)

        process.send_signal(stop)

        async def refused() -> bool:
            try:
                async with httpx.AsyncClient(timeout=2) as http:
                    await http.get(f"{url}/healthz")
            except httpx.ConnectError:
                return True
            except httpx.TransportError:  # accepted just before the listening socket closed
                pass
            return False

        await eventually(refused, within=30)
        release.set()
        reply = await in_flight
        assert await asyncio.to_thread(process.wait, 30) == 0, log.read_text()

    assert reply.status_code == 200
    assert "*Customer Service East* (`cs-east`)" in reply.text
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=lambda sig: sig.name)
async def test_run_finishes_what_a_listener_does_after_its_ack_on_a_stop_signal(cli, slack, tmp_path, stop):
    """/complaint acks at once, then opens its form: a stop signal in between still opens the form
    before the process exits, instead of cutting the listener off and closing the database under it."""
    async with serving_the_roster(cli, slack, tmp_path) as (process, _url, log, client):
        release = slack.hold("views.open")
        acked = await client.command("U01AAA", "/complaint")
        await slack.wait_for_held("views.open", within=30)

        process.send_signal(stop)
        # Time for a process that did not wait for its listeners to be gone: it has no request in flight.
        await asyncio.sleep(2)
        assert process.poll() is None, f"the process did not wait for the listener:\n{log.read_text()}"
        release.set()
        assert await asyncio.to_thread(process.wait, 30) == 0, log.read_text()

    assert acked.status_code == 200
    assert len(slack.calls_to("views.open")) == 1, "the form was opened"
    assert "Traceback" not in log.read_text()


JOB_ROW = re.compile(r"^(\S+) +(\S+) +(\d{4}-\d\d-\d\d \d\d:\d\d) (\S+) +(\d{4}-\d\d-\d\d \d\d:\d\d) UTC$")


def test_jobs_list_shows_every_job_with_its_team_and_next_run_in_team_time_and_utc(cli):
    cli.write("roster.yml", GOOD_ROSTER)
    cli.ok("teams", "import", "roster.yml")

    header, *lines = cli.ok("jobs", "list").strip().splitlines()

    assert header.split() == ["JOB", "TEAM", "NEXT", "(TEAM", "TIME)", "NEXT", "(UTC)"]
    rows = {}
    for line in lines:
        match = JOB_ROW.match(line)
        assert match, line
        job, team, local, zone_name, utc = match.groups()
        zone = ZoneInfo({"cs-east": "Asia/Shanghai"}.get(team, "UTC"))
        at = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
        assert at == datetime.strptime(utc, "%Y-%m-%d %H:%M").replace(tzinfo=UTC), line
        assert zone_name == at.tzname()
        assert datetime.now(UTC) - timedelta(minutes=1) < at < datetime.now(UTC) + timedelta(days=8), line
        rows[job, team] = (at.astimezone(zone).strftime("%a %H:%M"), at.astimezone(UTC).strftime("%H:%M"))
    assert {job.name for job in JOBS} == {job for job, _team in rows}
    assert rows["housekeeping", "(all)"][1] == "03:17"
    assert rows["progress-reminder", "cs-east"][0].endswith("17:00")
    assert rows["progress-reminder", "cs-east"][1] == "09:00", "Asia/Shanghai is UTC+8"
    assert rows["progress-reminder", "sales"][1] == "17:00", "a team without a zone runs on TEAMOPS_TIMEZONE"
    assert rows["progress-digest", "cs-east"][1] == "10:00"


async def test_jobs_run_as_of_an_instant_prints_what_it_did(cli, services, database_url):
    async with services.unit_of_work() as session:
        await requests.record(session, "event:Ev0OLD", datetime(2026, 11, 21, 3, 16, tzinfo=UTC))
        await requests.record(session, "event:Ev0RECENT", datetime(2026, 11, 21, 3, 18, tzinfo=UTC))

    out = await asyncio.to_thread(
        cli.ok, "jobs", "run", "housekeeping", "--at", "2026-11-23T03:17:00Z", DATABASE_URL=database_url
    )

    assert out.strip() == (
        "housekeeping: forgot 1 delivery key(s) received before 2026-11-23T03:17:00+00:00 minus 2 days "
        "(commands and interactions: minus 5 minutes)"
    )
    assert await deliveries.first_delivery(services, "event:Ev0OLD"), "forgotten: a delivery with it is new"
    assert not await deliveries.first_delivery(services, "event:Ev0RECENT"), "kept"


@pytest.mark.parametrize("at", ["yesterday", "2026-13-01T00:00:00Z"])
def test_jobs_run_refuses_an_instant_that_is_not_iso_8601(cli, at):
    migrated(cli)

    result = cli("jobs", "run", "housekeeping", "--at", at)

    assert result.returncode == 2
    assert f"argument --at: not an ISO 8601 instant: {at!r}" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


OUTBOX_STATUS = re.compile(r"^pending (\d+)  retrying (\d+)  dead (\d+)  oldest pending (\d+s|-)$")


async def test_outbox_status_counts_and_retry_dead_requeues(cli, services, slack, database_url):
    async def enqueue(key: str, channel: str) -> None:
        async with services.unit_of_work() as session:
            await services.notices(session).post(key, channel=channel, text=key)

    async def outbox(*args: str) -> str:
        return (await asyncio.to_thread(cli.ok, "outbox", *args, DATABASE_URL=database_url)).strip()

    assert OUTBOX_STATUS.match(await outbox("status")).groups() == ("0", "0", "0", "-")
    slack.refuse("chat.postMessage", "channel_not_found")
    await enqueue("to-a-deleted-channel", "C0GONE001")
    await sender_for(services).drain()
    slack.fail("chat.postMessage", 503)
    await enqueue("during-an-outage", "C0TEAM001")
    await sender_for(services, base_backoff=3600).drain()  # the retry is an hour away
    await enqueue("waiting-1", "C0TEAM001")
    await enqueue("waiting-2", "C0TEAM002")

    assert OUTBOX_STATUS.match(await outbox("status")).groups()[:3] == ("2", "1", "1")
    assert await outbox("retry-dead") == "requeued 1 dead notice(s)"
    assert OUTBOX_STATUS.match(await outbox("status")).groups()[:3] == ("3", "1", "0")
    async with services.db.reader() as session:
        row = await outbox_rows.by_key(session, "to-a-deleted-channel")
    assert (row.status, row.attempts, row.last_error) == (outbox_rows.PENDING, 0, None)


# -- bad input: one line, exit code, nothing written ---------------------------------------------

BAD_FILES = {
    "a second teams: (the last would win and empty the import)": (
        b"teams:\n  - {key: a, name: A, channel: C0A, digest_channel: C0B}\nteams: []\n",
        "line 3, column 1: 'teams' is given twice in this mapping",
    ),
    "a second key: in a team": (
        b"teams:\n  - key: a\n    key: b\n    name: A\n",
        "line 3, column 5: 'key' is given twice in this mapping",
    ),
    "a date that does not exist": (
        b"teams:\n  - key: a\n    complaint_sla: {holidays: [2026-02-30]}\n",
        "line 3, column 32: '2026-02-30' is not a date: day is out of range for month",
    ),
    "bytes that are not UTF-8": (
        b"teams:\n  - key: a\n    name: \xff\xfe\n",
        "line 3: not UTF-8 text (byte 0xff); save the file as UTF-8",
    ),
    "nesting 5,000 deep": (b"[" * 5000 + b"]" * 5000, "line 1, column 51: nested deeper than 50 levels"),
    "a syntax error": (
        b"teams: [\n",
        "line 2, column 1: while parsing a flow node: expected the node content, but found '<stream end>'",
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_roster_that_is_not_good_yaml_is_one_line_with_the_file_and_place(cli, name):
    migrated(cli)
    content, error = BAD_FILES[name]
    (cli.cwd / "roster.yml").write_bytes(content)

    result = cli("teams", "import", "roster.yml")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"roster.yml: {error}"]
    assert yaml.safe_load(cli.ok("teams", "export")) == {"teams": []}


def test_an_endless_file_is_refused_after_reading_a_bounded_amount(cli):
    migrated(cli)

    result = cli("teams", "import", "/dev/zero")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["/dev/zero: larger than 10 MB: not a roster or manifest"]


def test_a_list_at_the_top_says_what_a_roster_looks_like(cli):
    cli.write("list.yml", "- key: cs-east\n  name: East\n")

    result = cli("teams", "import", "list.yml")

    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("list.yml: a roster is a mapping with one key, teams:"), first
    assert "RosterFile" not in result.stderr


def test_roster_errors_come_in_the_files_order_at_their_exact_paths(cli):
    cli.write(
        "paths.yml",
        """\
teams:
  - key: cs-east
    name: East
    channel: "#east"
    digest_channel: C0456EFGH
    members: [{user: U01AAA, role: lead}, {user: U01BBB, supervisor: U09GONE}]
    progress: {due: "someday"}
    complaint_sla: {default_owner: 5}
  - key: Bad Key
    name: B
    channel: C0B
    digest_channel: C0C
""",
    )

    result = cli("teams", "import", "paths.yml")

    paths = [line.split(": ")[1] for line in result.stderr.strip().splitlines()[:-1]]
    assert paths == [
        "teams[0].channel",
        "teams[0].progress.due",
        "teams[0].complaint_sla.default_owner",
        "teams[0].members[1].supervisor",
        "teams[1].key",
    ]


@pytest.fixture
def silent_server():
    """A local socket that accepts connections and never says a word."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


@pytest.mark.parametrize("args", [["db", "current"], ["db", "upgrade"], ["teams", "export"]])
def test_a_database_host_that_never_answers_is_one_line_within_ten_seconds(cli, silent_server, args):
    started = time.monotonic()

    result = cli(*args, DATABASE_URL=f"postgresql+asyncpg://teamops:x@127.0.0.1:{silent_server}/teamops")

    assert time.monotonic() - started < 10
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "teamops: DATABASE_URL: the database server did not answer within 5 s"
    ]


def test_a_database_url_with_a_port_out_of_range_is_one_line(cli):
    result = cli("db", "current", DATABASE_URL="postgresql+asyncpg://teamops:x@127.0.0.1:99999/teamops")

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0] and "99999" in lines[0], result.stderr


def test_run_on_a_port_out_of_range_or_in_use_is_one_line(cli, silent_server):
    migrated(cli)
    env = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s", "TEAMOPS_SCHEDULER": "off"}

    out_of_range = cli("run", "--http", "--port", "99999", **env)
    in_use = cli("run", "--http", "--port", str(silent_server), **env)

    assert out_of_range.returncode == in_use.returncode == 2
    assert out_of_range.stderr.strip().splitlines() == [
        "teamops run: argument --port: '99999' is not a port (1 to 65535) (see teamops run --help)"
    ]
    assert in_use.stderr.strip().splitlines() == [
        f"teamops: --host/--port: cannot listen on 127.0.0.1:{silent_server}: Address already in use"
    ]


@pytest.mark.parametrize("at", ["0001-01-01", "9999-12-31"])
def test_jobs_run_at_the_ends_of_the_calendar_is_one_line(cli, at):
    migrated(cli)

    result = cli("jobs", "run", "housekeeping", "--at", at)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"teamops jobs run: argument --at: {at!r} is outside the years 1970 to 8999 "
        "(see teamops jobs run --help)"
    ]
