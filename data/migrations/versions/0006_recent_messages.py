"""conversation state: the last typed messages, for the crisis check's context

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 06:00:00

The crisis check reads a message together with the person's last two typed messages from the
previous 30 minutes ("been saving my pills" ... "nobody would even notice").
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recent', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.drop_column('recent')
