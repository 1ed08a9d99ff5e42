"""kept subtree totals per node and week (figure_total) and their counters (figure_stamp)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 19:00:00

A cache of the live figures engine (tiendo.figures.kept): empty after the upgrade, filled by
reads or by `tiendo rebuild-figures`.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'figure_total',
        sa.Column('campaign_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('week', sa.String(length=10), nullable=False),
        sa.Column('target_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('expected', sa.Integer(), nullable=False),
        sa.Column('fresh', sa.Integer(), nullable=False),
        sa.Column('stale', sa.Integer(), nullable=False),
        sa.Column('missing', sa.Integer(), nullable=False),
        sa.Column('numerator', sa.BigInteger(), nullable=False),
        sa.Column('denominator', sa.BigInteger(), nullable=False),
        sa.Column('base_numerator', sa.BigInteger(), nullable=False),
        sa.Column('oldest_period', sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint('campaign_id', 'unit_id', 'week', 'target_id',
                                name=op.f('pk_figure_total')),
    )
    op.create_index('ix_figure_total_unit_week', 'figure_total', ['unit_id', 'week'])
    op.create_table(
        'figure_stamp',
        sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_figure_stamp')),
    )


def downgrade() -> None:
    op.drop_table('figure_stamp')
    op.drop_index('ix_figure_total_unit_week', table_name='figure_total')
    op.drop_table('figure_total')
