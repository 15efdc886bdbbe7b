"""outbox: index unsent messages only

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 13:00:00

A claim looks at messages not yet sent: one recipient's, or everyone's that are due. The full
indexes made it read a recipient's whole history, which only grows; partial ones hold just the queues.
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

UNSENT = "status IN ('pending', 'sending')"


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_index('ix_outbox_queue')
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_unsent', ['channel', 'address', 'id'], unique=False,
                              sqlite_where=sa.text(UNSENT), postgresql_where=sa.text(UNSENT))
        batch_op.create_index('ix_outbox_due', ['due_at'], unique=False,
                              sqlite_where=sa.text(UNSENT), postgresql_where=sa.text(UNSENT))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.drop_index('ix_outbox_unsent')
        batch_op.create_index('ix_outbox_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_outbox_queue', ['channel', 'address', 'id'], unique=False)
