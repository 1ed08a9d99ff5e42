"""unit.closed_with_id: which deactivation closed a unit

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 15:30:00

Deactivating a unit closes its whole subtree; each unit it closed now records that unit, so
that reactivating it reopens exactly those (and not the ones closed on their own before).
Units already inactive are taken as closed on their own.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_with_id', sa.Integer(), nullable=True))
    op.execute("UPDATE unit SET closed_with_id = id WHERE NOT active")


def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('closed_with_id')
