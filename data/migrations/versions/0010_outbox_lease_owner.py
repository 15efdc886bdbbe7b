"""outbox: the worker that holds a lease

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 11:00:00

Leases are short and renewed while their worker lives; only the worker that holds a message may renew its
lease, so one whose lease lapsed and was taken over stops instead of sending it a second time.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('lease_owner')
