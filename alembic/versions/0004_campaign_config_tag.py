"""campaign config tag; report revisions keep replaced versions only

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 16:20:00

Every change to a campaign, its metrics or its targets gives the campaign a new random
`config_tag` in the same transaction, so each process may keep the configuration it read under
that tag (tiendo.campaigns.config). The index on report_revision.report_id repeated the first
column of the unique (report_id, version) key: one B-tree less to write per revision. The
index of a campaign's week carries the unit too, so a week's reports are read from it alone.
report_revision now keeps the versions a correction replaced; the current version is the
report itself, so the rows repeating it are removed.
"""
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('config_tag', sqlmodel.sql.sqltypes.AutoString(length=32),
                                      server_default='', nullable=False))
    # A tag of its own for every existing campaign: tags are never shared between contents.
    conn = op.get_bind()
    for (campaign_id,) in conn.execute(sa.text("SELECT id FROM campaign")).all():
        conn.execute(sa.text("UPDATE campaign SET config_tag = :tag WHERE id = :id"),
                     {"tag": uuid.uuid4().hex, "id": campaign_id})
    with op.batch_alter_table('report_revision', schema=None) as batch_op:
        batch_op.drop_index('ix_report_revision_report_id')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_campaign_period')
        batch_op.create_index('ix_report_campaign_period_unit',
                              ['campaign_id', 'period', 'unit_id'], unique=False)
    op.execute("DELETE FROM report_revision WHERE EXISTS (SELECT 1 FROM report r "
               "WHERE r.id = report_revision.report_id AND r.version = report_revision.version)")


def downgrade() -> None:
    # The rows of current versions are not re-created: before 0004 the list of a report's
    # revisions then ends with its previous version.
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_campaign_period_unit')
        batch_op.create_index('ix_report_campaign_period', ['campaign_id', 'period'],
                              unique=False)
    with op.batch_alter_table('report_revision', schema=None) as batch_op:
        batch_op.create_index('ix_report_revision_report_id', ['report_id'], unique=False)
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('config_tag')
