"""When the progress jobs run: the reminder at the deadline, the digest an hour later, in team time."""

from __future__ import annotations

import pytest

from bot.services.schedules import TeamClock
from scheduler.jobs.progress import digest_schedule, reminder_schedule


def team(cadence: str, due: str) -> TeamClock:
    return TeamClock("cs-east", "Asia/Shanghai", "cs", {"progress": {"cadence": cadence, "due": due}})


def cron(trigger) -> tuple[str, str, str, str]:
    fields = {field.name: str(field) for field in trigger.fields}
    return fields["day_of_week"], fields["hour"], fields["minute"], str(trigger.timezone)


@pytest.mark.parametrize(
    ("cadence", "due", "reminder", "digest"),
    [
        ("weekly", "fri 17:00", ("fri", "17", "0"), ("fri", "18", "0")),
        ("weekly", "mon 09:15", ("mon", "9", "15"), ("mon", "10", "15")),
        # A weekly digest past midnight runs the next day (Sunday's on Monday).
        ("weekly", "fri 23:30", ("fri", "23", "30"), ("sat", "0", "30")),
        ("weekly", "sun 23:00", ("sun", "23", "0"), ("mon", "0", "0")),
        # Daily runs every day: which days owe a report is the team calendar's (the service skips the rest).
        ("daily", "17:00", ("*", "17", "0"), ("*", "18", "0")),
        ("daily", "23:30", ("*", "23", "30"), ("*", "0", "30")),
    ],
)
def test_the_reminder_runs_at_the_deadline_and_the_digest_an_hour_later(cadence, due, reminder, digest):
    clock = team(cadence, due)

    assert cron(reminder_schedule(clock)) == (*reminder, "Asia/Shanghai")
    assert cron(digest_schedule(clock)) == (*digest, "Asia/Shanghai")
