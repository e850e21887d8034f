"""Encryption at rest: wrapped data keys (branch ``crypto``).

Revision ID: c0001_crypto
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "c0001_crypto"
down_revision = "0001_foundation"
branch_labels = ("crypto",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crypto_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("master_id", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "master_id", name=op.f("pk_crypto_keys")),
    )


def downgrade() -> None:
    op.drop_table("crypto_keys")
