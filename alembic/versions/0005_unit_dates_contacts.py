"""units over time (opened_on, closed_on) and the unit's reporting contact

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:40:00

Existing units are open since before any campaign (opened_on NULL), so every past week keeps
the units it expected. A unit already inactive is closed on the day it was last changed
(its deactivation), the best date the database holds.
"""
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('contact_name', _TEXT(length=255), nullable=True))
        batch_op.add_column(sa.Column('contact_title', _TEXT(length=255), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', _TEXT(length=20), nullable=True))
        batch_op.add_column(sa.Column('contact_email', _TEXT(length=254), nullable=True))
        batch_op.add_column(sa.Column('contact_zalo_phone', _TEXT(length=20), nullable=True))
    conn = op.get_bind()
    for unit_id, updated_at in conn.execute(
            sa.text("SELECT id, updated_at FROM unit WHERE active = :f"), {"f": False}).all():
        if isinstance(updated_at, str):  # SQLite hands back the stored text
            updated_at = datetime.fromisoformat(updated_at)
        if updated_at.tzinfo is None:
            updated_at = updated_at.replace(tzinfo=UTC)
        day = updated_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        conn.execute(sa.text("UPDATE unit SET closed_on = :d WHERE id = :id"),
                     {"d": day, "id": unit_id})


def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        for column in ('contact_zalo_phone', 'contact_email', 'contact_phone', 'contact_title',
                       'contact_name', 'closed_on', 'opened_on'):
            batch_op.drop_column(column)
