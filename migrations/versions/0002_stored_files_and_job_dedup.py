"""stored originals and one active job per content

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 02:00:00

``documents.stored_file``: the original file in the content store (relative to the data
folder). ``jobs.active_sha256`` with a unique index: the sha256 of a queued or running job's
upload (NULL once it finished), so concurrent uploads of the same bytes make one job.
Existing rows keep NULL: older documents have no stored original (their page images answer
404 with that reason) and older active jobs simply do not take part in the deduplication.
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_file', sa.String(length=96), nullable=True))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_sha256', sa.String(length=64), nullable=True))
        batch_op.create_index('ux_jobs_active_sha256', ['active_sha256'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ux_jobs_active_sha256')
        batch_op.drop_column('active_sha256')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('stored_file')
