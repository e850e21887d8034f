"""Drop the incident indexes that the listing index makes redundant.

``ix_incidents_listing`` (date_lo, visibility, verification, id) answers what the indexes
on ``date_lo``, ``visibility`` and ``verification`` alone answered, as a covering index;
each of them only cost every write.

Revision ID: 0004_incident_indexes
Revises: 0003_listing_index
"""

from alembic import op

revision = "0004_incident_indexes"
down_revision = "0003_listing_index"
branch_labels = None
depends_on = None

DROPPED = {
    "ix_incidents_date_lo": "date_lo",
    "ix_incidents_visibility": "visibility",
    "ix_incidents_verification": "verification",
}


def upgrade() -> None:
    for name in DROPPED:
        op.drop_index(name, table_name="incidents")


def downgrade() -> None:
    for name, column in DROPPED.items():
        op.create_index(name, "incidents", [column])
