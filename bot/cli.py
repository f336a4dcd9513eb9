"""teamops run | db upgrade|current | teams import|export | manifest check."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import yaml

from bot.config import Settings, SettingsError, load_settings


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
    except KeyboardInterrupt:
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="teamops", description="A Slack bot that runs a business team.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="start the bot (Socket Mode when SLACK_APP_TOKEN is set)")
    run.add_argument("--http", action="store_true", help="serve POST /slack/events and GET /healthz")
    run.add_argument("--host", default="127.0.0.1", help="HTTP address to listen on (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
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

    manifest = commands.add_parser("manifest", help="the Slack app manifest")
    manifest_actions = manifest.add_subparsers(title="manifest", metavar="ACTION")
    check = manifest_actions.add_parser("check", help="validate manifest.yml offline against Slack's schema")
    check.add_argument("--file", type=Path, default=Path("manifest.yml"), help="default ./manifest.yml")
    check.set_defaults(handler=_manifest_check)
    return parser


def _run(settings: Settings, args) -> int:
    from bot.runtime import serve

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
    from bot.runtime import prepare_schema, running
    from bot.services import roster

    try:
        data = yaml.safe_load(args.file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
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
        f"{summary.members_added} member(s) added, {summary.members_updated} updated"
    )
    return 0


def _teams_export(settings: Settings, _args) -> int:
    from bot.runtime import prepare_schema, running
    from bot.services import roster

    async def go():
        await prepare_schema(settings, apply=False)
        async with running(settings) as services:
            return await roster.export_roster(services)

    yaml.safe_dump(asyncio.run(go()), sys.stdout, allow_unicode=True, sort_keys=False)
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
