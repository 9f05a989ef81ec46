"""Test clocks: a frozen clock of its own for a tenant (partner, merchant, user) and for the
outbox items of that tenant.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 21:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TENANTS = ("partners", "pay_merchants", "users")


def upgrade() -> None:
    op.create_table(
        "test_clocks",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("now_ms", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    for table in TENANTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("test_clock_id", sa.String(length=40), nullable=True))
            batch_op.create_index(f"ix_{table}_test_clock_id", ["test_clock_id"])
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock_id", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_outbox_clock_due", ["clock_id", "status", "due_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_clock_due")
        batch_op.drop_column("clock_id")
    for table in TENANTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_test_clock_id")
            batch_op.drop_column("test_clock_id")
    op.drop_table("test_clocks")
