"""reorganisations: merges, splits, renames and moves of units on an effective date

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 19:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tiendo.core.types

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reorganization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('anchor_unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('applied', sa.JSON(), nullable=False),
    sa.Column('created_by_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', tiendo.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('undone_at', tiendo.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['anchor_unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reorganization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reorganization_anchor_unit_id'), ['anchor_unit_id'],
                              unique=False)
    op.create_table('reorganization_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reorganization_id', sa.Integer(), nullable=False),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_unit_id', sa.Integer(), nullable=False),
    sa.Column('share', sa.Float(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['from_unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['reorganization_id'], ['reorganization.id'], ),
    sa.ForeignKeyConstraint(['to_unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reorganization_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reorganization_link_from_unit_id'), ['from_unit_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_reorganization_link_reorganization_id'),
                              ['reorganization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reorganization_link_to_unit_id'), ['to_unit_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('reorganization_link')
    op.drop_table('reorganization')
