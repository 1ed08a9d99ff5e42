from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from tiendo.core.clock import utcnow
from tiendo.core.types import UTCDateTime


class Reorganization(SQLModel, table=True):
    """One applied set of changes (a resolution), kept with what it did so that it can be
    shown, audited and undone while no successor has reported."""

    __tablename__ = "reorganization"

    id: int | None = Field(default=None, primary_key=True)
    effective_date: date
    note: str = Field(default="", max_length=2000)
    # The lowest unit above everything the changes touch: who may see and undo it.
    anchor_unit_id: int = Field(foreign_key="unit.id", index=True)
    status: str = Field(default="applied", max_length=16)  # applied | undone
    # The request as given, and what applying it did (units made, closed, renamed, moved;
    # roles and tokens moved or revoked; baselines written): what undo reverses.
    changes: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    applied: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by_name: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReorganizationLink(SQLModel, table=True):
    """A predecessor's share going to a successor (1 for a merged unit): what the carried
    figures, the lineage of a chart and the unit pages ("thành lập từ …") read."""

    __tablename__ = "reorganization_link"

    id: int | None = Field(default=None, primary_key=True)
    reorganization_id: int = Field(foreign_key="reorganization.id", index=True)
    from_unit_id: int = Field(foreign_key="unit.id", index=True)
    to_unit_id: int = Field(foreign_key="unit.id", index=True)
    share: float = 1.0
    position: int = 0  # order within the predecessor's successors: ties of the rounding
