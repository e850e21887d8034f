"""The pairs a linkage run kept apart as contradictory, so re-clustering keeps them apart.

Revision ID: v0002_linkage_apart
Revises: v0001_victim_lists
"""

import sqlalchemy as sa
from alembic import op

revision = "v0002_linkage_apart"
down_revision = "v0001_victim_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_apart",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("record_l", sa.String(length=200), nullable=False),
        sa.Column("record_r", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["linkage_runs.id"],
            name=op.f("fk_linkage_apart_run_id_linkage_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "record_l", "record_r", name=op.f("pk_linkage_apart")),
    )


def downgrade() -> None:
    op.drop_table("linkage_apart")
