"""The `teamops` command: run, db, teams, outbox, jobs, manifest."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy.exc import DBAPIError

from bot import yamlfile
from bot.config import Settings, SettingsError, load_settings
from storage.dialect import CONNECT_TIMEOUT


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        settings.configure_logging()
        return args.handler(settings, args) or 0
    except SettingsError as exc:
        print(f"teamops: {exc}", file=sys.stderr)
        return 2
    except TimeoutError:
        print(
            f"teamops: DATABASE_URL: the database server did not answer within {CONNECT_TIMEOUT:g} s",
            file=sys.stderr,
        )
        return 2
    except (DBAPIError, ConnectionError, socket.gaierror) as exc:
        # The database is named in the settings; its driver's first line says what is wrong with it.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"teamops: DATABASE_URL: cannot open the database: {reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


class _Parser(argparse.ArgumentParser):
    """Usage mistakes are one line (`teamops run: argument --port: ...`), exit 2; --help has the rest."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="teamops", description="A Slack bot that runs a business team.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="start the bot (Socket Mode when SLACK_APP_TOKEN is set)")
    run.add_argument("--http", action="store_true", help="serve POST /slack/events and GET /healthz")
    run.add_argument("--host", default="127.0.0.1", help="HTTP address to listen on (default 127.0.0.1)")
    run.add_argument("--port", type=_port, default=3000, help="HTTP port (default 3000)")
    run.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations at start")
    run.set_defaults(handler=_run)

    db = commands.add_parser("db", help="the database schema").add_subparsers(title="db", metavar="ACTION")
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(handler=_db_upgrade)
    db.add_parser("current", help="print the schema revision").set_defaults(handler=_db_current)

    teams = commands.add_parser("teams", help="the roster").add_subparsers(title="teams", metavar="ACTION")
    load = teams.add_parser("import", help="validate a roster file and upsert it (nothing on any error)")
    load.add_argument("file", type=Path, help="the roster, YAML")
    load.set_defaults(handler=_teams_import)
    teams.add_parser("export", help="print the roster as YAML").set_defaults(handler=_teams_export)

    outbox = commands.add_parser("outbox", help="notices waiting for Slack")
    outbox_actions = outbox.add_subparsers(title="outbox", metavar="ACTION")
    outbox_actions.add_parser("status", help="pending, retrying and dead counts").set_defaults(
        handler=_outbox_status
    )
    outbox_actions.add_parser("retry-dead", help="send the dead notices again").set_defaults(
        handler=_outbox_retry
    )

    jobs = commands.add_parser("jobs", help="the clock's jobs").add_subparsers(title="jobs", metavar="ACTION")
    jobs.add_parser("list", help="every job with its team and next run time").set_defaults(handler=_jobs_list)
    run_job = jobs.add_parser("run", help="run one job now, as of --at, and print what it did")
    run_job.add_argument("job", help="the job's name (see `teamops jobs list`)")
    run_job.add_argument("--team", help="only this team (per-team jobs; default every team)")
    run_job.add_argument("--at", type=_instant, help="ISO 8601 instant to run as of (default now)")
    run_job.set_defaults(handler=_jobs_run)

    manifest = commands.add_parser("manifest", help="the Slack app manifest")
    manifest_actions = manifest.add_subparsers(title="manifest", metavar="ACTION")
    check = manifest_actions.add_parser("check", help="validate manifest.yml offline against Slack's schema")
    check.add_argument("--file", type=Path, default=Path("manifest.yml"), help="default ./manifest.yml")
    check.set_defaults(handler=_manifest_check)
    return parser


# The instants a job may run as of: the clock's arithmetic (a deadline days ahead, keys kept for days
# back) stays within Python's years 1 to 9999.
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    if not EARLIEST <= value < LATEST:
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years 1970 to 8999")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return int(text)


def _with_services(settings: Settings, work):
    """Run `work(services)` against the database, whose schema must be current."""
    from bot.slackapp.runtime import prepare_schema, running

    async def go():
        await prepare_schema(settings, apply=False)
        async with running(settings) as services:
            return await work(services)

    return asyncio.run(go())


def _run(settings: Settings, args) -> int:
    from bot.slackapp.runtime import serve

    settings.require("slack_bot_token")
    if args.http:
        settings.require("slack_signing_secret")
    elif not settings.socket_mode:
        raise SettingsError("SLACK_APP_TOKEN is not set (needed for Socket Mode; or use --http)")
    asyncio.run(
        serve(settings, http=args.http, host=args.host, port=args.port, apply_migrations=not args.no_migrate)
    )
    return 0


def _db_upgrade(settings: Settings, _args) -> int:
    from storage import migrate

    migrate.upgrade(settings.database_url)
    print(f"schema at {migrate.head_revision()}")
    return 0


def _db_current(settings: Settings, _args) -> int:
    from storage import migrate

    print(asyncio.run(migrate.current_revision(settings.database_url)) or "none")
    return 0


def _teams_import(settings: Settings, args) -> int:
    from bot.rules.roster import parse_roster
    from bot.services import roster
    from bot.slackapp.runtime import prepare_schema, running

    try:
        data = yamlfile.read(args.file)
    except yamlfile.Error as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    parsed, errors = parse_roster(data)
    if errors:
        for error in errors:
            print(f"{args.file}: {error}", file=sys.stderr)
        print(f"{len(errors)} error(s); nothing was imported", file=sys.stderr)
        return 1

    async def go():
        await prepare_schema(settings, apply=True)
        async with running(settings) as services:
            return await roster.import_roster(services, parsed)

    summary = asyncio.run(go())
    print(
        f"imported: {summary.teams_created} team(s) created, {summary.teams_updated} updated; "
        f"{summary.members_added} member(s) added, {summary.members_updated} updated, "
        f"{summary.members_removed} removed"
    )
    return 0


def _teams_export(settings: Settings, _args) -> int:
    from bot.services import roster
    from bot.slackapp.runtime import prepare_schema, running

    async def go():
        await prepare_schema(settings, apply=False)
        async with running(settings) as services:
            return await roster.export_roster(services)

    yaml.safe_dump(asyncio.run(go()), sys.stdout, allow_unicode=True, sort_keys=False)
    return 0


def _outbox_status(settings: Settings, _args) -> int:
    from bot import outbox_admin

    status = _with_services(settings, outbox_admin.status)
    age = "-" if status.oldest_pending_age is None else f"{status.oldest_pending_age.total_seconds():.0f}s"
    print(f"pending {status.pending}  retrying {status.retrying}  dead {status.dead}  oldest pending {age}")
    return 0


def _outbox_retry(settings: Settings, _args) -> int:
    from bot import outbox_admin

    print(f"requeued {_with_services(settings, outbox_admin.retry_dead)} dead notice(s)")
    return 0


def _jobs_list(settings: Settings, _args) -> int:
    from scheduler.listing import next_runs

    for line in _with_services(settings, next_runs):
        print(line)
    return 0


def _jobs_run(settings: Settings, args) -> int:
    from scheduler.jobs import JOBS
    from scheduler.runner import run_job

    if args.job not in {job.name for job in JOBS}:
        print(f"teamops: no job {args.job!r}; jobs: {', '.join(j.name for j in JOBS)}", file=sys.stderr)
        return 2

    async def work(services):
        at = args.at or services.now()
        try:
            return await run_job(services, args.job, team_key=args.team, at=at)
        except KeyError:
            return None

    lines = _with_services(settings, work)
    if lines is None:
        print(f"teamops: no team {args.team!r}", file=sys.stderr)
        return 2
    for line in lines:
        print(f"{args.job}: {line}")
    return 0


def _manifest_check(_settings: Settings, args) -> int:
    import handlers
    from bot.manifest import check

    problems = check(args.file, handlers.slash_commands())
    for problem in problems:
        print(f"{args.file}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(
        f"{args.file}: valid; slash commands match the app's ({', '.join(sorted(handlers.slash_commands()))})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
