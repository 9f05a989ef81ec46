"""When a partner's or a merchant's credentials were last issued by a rotation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 18:02:41.117302
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("partners", "pay_merchants"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("credentials_issued_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table in ("pay_merchants", "partners"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("credentials_issued_at")
