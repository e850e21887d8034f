"""Evidence files and their chain of custody (branch ``evidence``).

Revision ID: e0001_evidence
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "e0001_evidence"
down_revision = "0001_foundation"
branch_labels = ("evidence",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored_as", sa.String(length=80), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("declared_type", sa.String(length=200), nullable=True),
        sa.Column("sniffed_type", sa.String(length=100), nullable=False),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
    )
    op.create_index("ix_evidence_files_record", "evidence_files", ["kind", "record_id"])
    op.create_table(
        "evidence_custody",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["evidence_files.id"],
            name=op.f("fk_evidence_custody_file_id_evidence_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_custody")),
    )
    op.create_index(
        op.f("ix_evidence_custody_file_id"), "evidence_custody", ["file_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("evidence_custody")
    op.drop_table("evidence_files")
