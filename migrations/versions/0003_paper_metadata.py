"""paper metadata and near-duplicate links

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 07:20:00

``documents``: ``authors`` (names joined by "; "), ``year``, ``abstract``, ``arxiv_id``,
``doi`` as read from the paper's first page or its LaTeX source, and ``duplicate_of``: the
document this one is another build of (same title and authors), stored without passages or
equations so that it is not indexed twice. All nullable and left NULL for existing rows:
nothing here can be computed without parsing the original again (re-ingest to fill them).
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("authors", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("abstract", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("arxiv_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("doi", sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_documents_duplicate_of", "documents", ["duplicate_of"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_documents_year", ["year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_year")
        batch_op.drop_constraint("fk_documents_duplicate_of", type_="foreignkey")
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("doi")
        batch_op.drop_column("arxiv_id")
        batch_op.drop_column("abstract")
        batch_op.drop_column("year")
        batch_op.drop_column("authors")
