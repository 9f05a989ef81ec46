"""Fault rules, shared by every API process and worker of a database.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 16:25:08.552312
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fault_rules",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("family", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("endpoint", sa.String(length=200), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("share_ppm", sa.Integer(), nullable=True),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("partner_client_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_fault_rules")),
    )
    with op.batch_alter_table("fault_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fault_rules_partner_client_id"), ["partner_client_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("fault_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fault_rules_partner_client_id"))

    op.drop_table("fault_rules")
