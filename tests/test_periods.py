from datetime import UTC, datetime, time

import pytest

from tiendo.core.periods import Week
from tiendo.errors import Invalid


def test_week_due_moment_is_thursday_15_local():
    due = Week.parse("2024-W30").due("Asia/Ho_Chi_Minh", 4, time(15, 0))
    assert due.isoformat() == "2024-07-25T15:00:00+07:00"
    assert due.astimezone(UTC) == datetime(2024, 7, 25, 8, 0, tzinfo=UTC)


def test_week_across_new_year():
    assert str(Week.of(datetime(2024, 12, 30).date())) == "2025-W01"
    assert Week.parse("2020-W53").monday.isoformat() == "2020-12-28"
    assert str(Week.parse("2025-W01").shift(-1)) == "2024-W52"


@pytest.mark.parametrize("text", ["2024-W53", "2024-W00", "2024-30", "W30", "", "2024-W3"])
def test_invalid_weeks_are_refused(text):
    with pytest.raises(Invalid):
        Week.parse(text)
