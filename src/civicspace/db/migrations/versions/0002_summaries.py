"""Editors' summaries for country updates.

Revision ID: 0002_summaries
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_summaries"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "summaries",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("verification", sa.String(length=30), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("period_start", sa.String(length=40), nullable=True),
        sa.Column("period_start_lo", sa.Date(), nullable=True),
        sa.Column("period_start_hi", sa.Date(), nullable=True),
        sa.Column("period_end", sa.String(length=40), nullable=True),
        sa.Column("period_end_lo", sa.Date(), nullable=True),
        sa.Column("period_end_hi", sa.Date(), nullable=True),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summaries")),
    )
    for column in (
        "visibility",
        "verification",
        "country",
        "period_start_lo",
        "period_start_hi",
        "period_end_lo",
        "period_end_hi",
    ):
        op.create_index(op.f(f"ix_summaries_{column}"), "summaries", [column], unique=False)


def downgrade() -> None:
    op.drop_table("summaries")
