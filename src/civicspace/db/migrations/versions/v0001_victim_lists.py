"""Victim lists, their records, linkage runs, pairs, clusters and review decisions.

Revision ID: v0001_victim_lists
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "v0001_victim_lists"
down_revision = "0001_foundation"
branch_labels = ("victims",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "victim_lists",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("compiler", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("compiled_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("column_mapping", sa.JSON(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_lists")),
    )
    op.create_table(
        "victim_list_records",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("list_id", sa.String(length=200), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("surname_key", sa.String(length=200), nullable=True),
        sa.Column("given_key", sa.String(length=200), nullable=True),
        sa.Column("given_initial", sa.String(length=10), nullable=True),
        sa.Column("patronymic_key", sa.String(length=200), nullable=True),
        sa.Column("patronymic_initial", sa.String(length=10), nullable=True),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("event_day", sa.Integer(), nullable=True),
        sa.Column("place_key", sa.String(length=200), nullable=True),
        sa.Column("initials_only", sa.Boolean(), nullable=False),
        sa.Column("normaliser_version", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["victim_lists.id"],
            name=op.f("fk_victim_list_records_list_id_victim_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_list_records")),
    )
    op.create_index(op.f("ix_victim_list_records_list_id"), "victim_list_records", ["list_id"])
    op.create_index(
        op.f("ix_victim_list_records_surname_key"), "victim_list_records", ["surname_key"]
    )
    op.create_table(
        "linkage_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("engine", sa.String(length=40), nullable=False),
        sa.Column("model_version", sa.String(length=40), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("lists", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_runs")),
    )
    op.create_table(
        "linkage_pairs",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("record_l", sa.String(length=200), nullable=False),
        sa.Column("record_r", sa.String(length=200), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["linkage_runs.id"],
            name=op.f("fk_linkage_pairs_run_id_linkage_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "record_l", "record_r", name=op.f("pk_linkage_pairs")),
    )
    op.create_table(
        "linkage_clusters",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("cluster_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["linkage_runs.id"],
            name=op.f("fk_linkage_clusters_run_id_linkage_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "record_id", name=op.f("pk_linkage_clusters")),
    )
    op.create_index(op.f("ix_linkage_clusters_cluster_id"), "linkage_clusters", ["cluster_id"])
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_l", sa.String(length=200), nullable=False),
        sa.Column("record_r", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
    )
    op.create_index("ix_review_decisions_pair", "review_decisions", ["record_l", "record_r"])


def downgrade() -> None:
    op.drop_index("ix_review_decisions_pair", table_name="review_decisions")
    op.drop_table("review_decisions")
    op.drop_index(op.f("ix_linkage_clusters_cluster_id"), table_name="linkage_clusters")
    op.drop_table("linkage_clusters")
    op.drop_table("linkage_pairs")
    op.drop_table("linkage_runs")
    op.drop_index(op.f("ix_victim_list_records_surname_key"), table_name="victim_list_records")
    op.drop_index(op.f("ix_victim_list_records_list_id"), table_name="victim_list_records")
    op.drop_table("victim_list_records")
    op.drop_table("victim_lists")
