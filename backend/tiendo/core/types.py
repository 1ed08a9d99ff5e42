"""Column types shared by every domain."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator
from sqlalchemy import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores UTC; always hands back timezone-aware datetimes, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001, ANN201
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001, ANN201
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _iso_text(value: object) -> object:
    """Timestamps come as ISO 8601 text: a bare number would otherwise pass as Unix time."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}[T ]", value):
        raise ValueError("expected an ISO 8601 date-time with its offset, e.g. "
                         "2024-07-23T15:06:00+07:00")
    return value


def _in_utc_range(value: datetime) -> datetime:
    """0001-01-01T00:00+14:00 is a valid text but no UTC moment (it falls before year 1), and
    would overflow wherever it is stored or compared: refused here as bad input."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date-time out of range once converted to UTC") from None
    return value


# An aware datetime that must be written as ISO 8601 text (JSON bodies and query strings) and
# must exist in UTC.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_in_utc_range)]
