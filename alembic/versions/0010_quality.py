"""quality_rule, quality_settings, quality_flag: data-quality rules and flags

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 18:35:21

Rules per campaign checked on every report written, a campaign's outlier and pattern
thresholds, and the flags a manager reviews (one per campaign × unit × week × kind × key).
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tiendo.core.types

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('quality_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reviewed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('reviewed_at', tiendo.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', tiendo.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', tiendo.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'unit_id', 'period', 'kind', 'key')
    )
    with op.batch_alter_table('quality_flag', schema=None) as batch_op:
        batch_op.create_index('ix_quality_flag_campaign_period', ['campaign_id', 'period'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_flag_unit_id'), ['unit_id'], unique=False)

    op.create_table('quality_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('metric', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('op', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('right', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('right_metric', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('factor', sa.Float(), nullable=False),
    sa.Column('constant', sa.Float(), nullable=True),
    sa.Column('unit_kinds', sa.JSON(), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', tiendo.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', tiendo.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quality_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_rule_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('quality_settings',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('updated_at', tiendo.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.PrimaryKeyConstraint('campaign_id')
    )


def downgrade() -> None:
    op.drop_table('quality_settings')
    with op.batch_alter_table('quality_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_rule_campaign_id'))

    op.drop_table('quality_rule')
    with op.batch_alter_table('quality_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_flag_unit_id'))
        batch_op.drop_index('ix_quality_flag_campaign_period')

    op.drop_table('quality_flag')
