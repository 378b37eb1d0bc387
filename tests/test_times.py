"""The one time parser and formatter (cockpit.core.times): every upstream's habits, one reading."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cockpit.core.times import parse_time, rfc3339

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T09:30:00Z", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)),
        ("2026-11-27t09:30:00z", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)),  # RFC 3339 allows lower case
        ("2026-11-27T11:30:00+02:00", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)),  # offsets become UTC
        ("2026-11-27T04:00:00-05:30", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)),
        ("2026-11-27T09:30:00", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)),  # naive is UTC
        ("2026-11-27 09:30:00Z", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)),  # git's space
        ("  2026-11-27T09:30:00Z\n", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)),
        ("2026-11-27T09:30:00.25Z", datetime(2026, 11, 27, 9, 30, 0, 250000, tzinfo=UTC)),
        # Go (Alertmanager, Prometheus) writes nanoseconds: kept to the microsecond, truncated
        ("2026-11-27T09:30:00.123456789Z", datetime(2026, 11, 27, 9, 30, 0, 123456, tzinfo=UTC)),
        ("2026-11-27T09:30:00.999999999+01:00", datetime(2026, 11, 27, 8, 30, 0, 999999, tzinfo=UTC)),
        ("2026-11-27T09:30:00.123456789z", datetime(2026, 11, 27, 9, 30, 0, 123456, tzinfo=UTC)),
    ],
)
def test_parse_time_reads_every_upstream_habit_as_aware_utc(text, expected):
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z", "yesterday", "2026-13-45T99:00:00Z",
     "2026-11-27T09:30:00+25:00", 1764235800, 17.5, b"2026-11-27T09:30:00Z", ["2026-11-27T09:30:00Z"], {}],
)
def test_parse_time_gives_none_for_unset_zero_and_garbage(value):
    assert parse_time(value) is None


def test_parse_time_passes_datetimes_through_as_utc():
    assert parse_time(datetime(2026, 11, 27, 9, 30)) == datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    plus_two = timezone(timedelta(hours=2))
    assert parse_time(datetime(2026, 11, 27, 11, 30, tzinfo=plus_two)).tzinfo == UTC


def test_rfc3339_writes_utc_with_z_and_reads_back():
    when = datetime(2026, 11, 27, 11, 30, 0, 500000, tzinfo=timezone(timedelta(hours=2)))
    assert rfc3339(when) == "2026-11-27T09:30:00.500000Z"
    assert rfc3339(when, "seconds") == "2026-11-27T09:30:00Z"
    assert rfc3339(datetime(2026, 11, 27, 9, 30)) == "2026-11-27T09:30:00Z"  # naive is UTC
    assert rfc3339(None) is None
    assert parse_time(rfc3339(when)) == when
