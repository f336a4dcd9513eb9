"""GET /metrics after a known sequence of requests: what an operator's dashboard would show."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.slackapp.inbound import MAX_BODY_BYTES
from tests.conftest import CS_EAST
from tests.slack.signed import direct_message

LEAD = "U01AAA"


async def scrape(app_url: str) -> dict[tuple[str, tuple], float]:
    """Every sample /metrics shows, by name and labels."""
    async with httpx.AsyncClient() as http:
        reply = await http.get(f"{app_url}/metrics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def count(samples: dict, kind: str, outcome: str) -> float:
    key = ("teamops_requests_seconds_count", (("kind", kind), ("outcome", outcome)))
    return samples.get(key, 0.0)


async def test_requests_are_counted_by_kind_and_outcome(app_url, slack_client, import_roster, slack):
    await import_roster({"teams": [CS_EAST]})
    slack.profiles[LEAD] = {"locale": "en-US"}
    for _ in range(2):
        assert (await slack_client.command(LEAD, "/team")).status_code == 200
    assert (await slack_client.event(direct_message(LEAD))).status_code == 200
    assert (await slack_client.command(LEAD, "/team", secret="not-the-secret")).status_code == 401
    assert (await slack_client.post(b'{"type": "nothing_we_serve"}', "application/json")).status_code == 400
    too_big = b"x" * (MAX_BODY_BYTES + 1)
    assert (await slack_client.post(too_big, "application/x-www-form-urlencoded")).status_code == 413

    samples = await scrape(app_url)

    assert count(samples, "command:/team", "ok") == 2
    assert count(samples, "event:message", "ok") == 1
    assert count(samples, "unknown", "refused") == 1
    assert count(samples, "unknown", "bad_request") == 1
    assert count(samples, "unknown", "too_large") == 1
    assert count(samples, "command:/team", "failed") == 0
    # Every request was answered well inside Slack's 3 s: all of them in the 3 s bucket.
    in_time = (
        "teamops_requests_seconds_bucket",
        (("kind", "command:/team"), ("le", "3.0"), ("outcome", "ok")),
    )
    assert samples[in_time] == 2
    assert samples[("teamops_outbox_dead", ())] == 0
    assert samples[("teamops_clock_leading", ())] == 0, "no clock runs in this app"
