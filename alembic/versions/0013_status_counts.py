"""kept reporting counts per node, week and unit kind (status_total); units by kind and code

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 22:10:00

A cache of the live completeness counts (tiendo.figures.status), invalidated with the kept
totals: empty after the upgrade, filled by reads or by `tiendo rebuild-figures`. The (kind,
code) index lets a page of /completeness read a kind's units in code order until it is full.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'status_total',
        sa.Column('campaign_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('week', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.Column('late', sa.Integer(), nullable=False),
        sa.Column('unsent', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('campaign_id', 'unit_id', 'week', 'kind',
                                name=op.f('pk_status_total')),
    )
    op.create_index('ix_status_total_unit_week', 'status_total', ['unit_id', 'week'])
    op.create_index('ix_unit_kind_code', 'unit', ['kind', 'code'])


def downgrade() -> None:
    op.drop_index('ix_unit_kind_code', table_name='unit')
    op.drop_index('ix_status_total_unit_week', table_name='status_total')
    op.drop_table('status_total')
