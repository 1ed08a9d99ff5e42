from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from tiendo.core.clock import utcnow
from tiendo.core.types import UTCDateTime


class UnitKind(StrEnum):
    city = "city"
    district = "district"
    commune = "commune"
    agency = "agency"
    public_service = "public_service"
    school = "school"
    party = "party"
    mass_org = "mass_org"
    village = "village"


class Unit(SQLModel, table=True):
    """A node of the one unit tree. `path` is the materialised path of ids, e.g. `/1/2/17/`,
    so that "this unit and everything under it" is one prefix match."""

    __tablename__ = "unit"
    __table_args__ = (
        Index("ix_unit_path_prefix", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
        # A kind's units in code order: a page of /completeness reads them until it is full.
        Index("ix_unit_kind_code", "kind", "code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=255)
    kind: str = Field(max_length=32, index=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    path: str = Field(max_length=1024)
    depth: int = 0
    head_name: str | None = Field(default=None, max_length=255)
    head_title: str | None = Field(default=None, max_length=255)
    gso_code: str | None = Field(default=None, max_length=16)
    # True until the unit is closed; which weeks expect it is decided by the two dates below.
    active: bool = True
    # Open from this local date (None: since before any campaign) until the day before
    # `closed_on` (None: still open). A week expects the units open at its due moment.
    opened_on: date | None = None
    closed_on: date | None = None
    # The person who reports for the unit, reached by reminders; never shown on public pages.
    contact_name: str | None = Field(default=None, max_length=255)
    contact_title: str | None = Field(default=None, max_length=255)
    contact_phone: str | None = Field(default=None, max_length=20)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_zalo_phone: str | None = Field(default=None, max_length=20)
    # The unit whose deactivation closed this one (itself, or an ancestor closed with its
    # subtree): reactivating that unit reopens exactly what was closed with it. No foreign key:
    # it is a record of an event, kept even if that unit is deleted later.
    closed_with_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
