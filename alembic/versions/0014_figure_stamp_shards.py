"""figure_stamp split into shards: a node's counter is the sum of its rows (unit_id, shard)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 22:30:00

Writers bump one shard, so that concurrent reports no longer queue on one hot row (see
tiendo.figures.cache). Each counter's value is kept as its shard 0.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _set_aside() -> None:
    op.rename_table('figure_stamp', 'figure_stamp_old')
    if op.get_bind().dialect.name == 'postgresql':  # constraint names are per schema there
        op.execute('ALTER TABLE figure_stamp_old RENAME CONSTRAINT pk_figure_stamp '
                   'TO pk_figure_stamp_old')


def upgrade() -> None:
    _set_aside()
    op.create_table(
        'figure_stamp',
        sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('shard', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('unit_id', 'shard', name=op.f('pk_figure_stamp')),
    )
    op.execute('INSERT INTO figure_stamp (unit_id, shard, stamp) '
               'SELECT unit_id, 0, stamp FROM figure_stamp_old')
    op.drop_table('figure_stamp_old')


def downgrade() -> None:
    _set_aside()
    op.create_table(
        'figure_stamp',
        sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_figure_stamp')),
    )
    op.execute('INSERT INTO figure_stamp (unit_id, stamp) '
               'SELECT unit_id, SUM(stamp) FROM figure_stamp_old GROUP BY unit_id')
    op.drop_table('figure_stamp_old')
