"""The baseline for bench.http_load: a Bolt app that only acks /team, served as teamops serves Slack.

Same Bolt class and defaults (AsyncApp, process_before_response=False, request verification on),
same Web API client pointed at SLACK_API_URL, same ASGI adapter under uvicorn with the access log off.
No database, no middleware of ours: what is left is the cost of Bolt, uvicorn and the signature check.

    SLACK_BOT_TOKEN=... SLACK_SIGNING_SECRET=... SLACK_API_URL=... python -m bench.bare_app --port 3001
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os

import uvicorn
from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build_bare_app() -> AsyncApp:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
        timeout=10,
    )
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/team")
    async def team(ack: AsyncAck) -> None:
        await ack("ok")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="A Bolt app that only acks /team (bench baseline).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    config = uvicorn.Config(
        AsyncSlackRequestHandler(build_bare_app(), path="/slack/events"),
        host=args.host,
        port=args.port,
        log_level="warning",
        http="httptools",
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=20,
    )
    asyncio.run(uvicorn.Server(config).serve())


if __name__ == "__main__":
    main()
