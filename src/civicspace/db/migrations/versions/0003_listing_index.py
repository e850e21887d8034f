"""An index that answers pages of the incident list by itself.

Revision ID: 0003_listing_index
Revises: 0002_summaries
"""

from alembic import op

revision = "0003_listing_index"
down_revision = "0002_summaries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_incidents_listing", "incidents", ["date_lo", "visibility", "verification", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_incidents_listing", table_name="incidents")
