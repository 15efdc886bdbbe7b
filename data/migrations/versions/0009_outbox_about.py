"""outbox: whom a message to someone else is about

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:10:00

Alerts, nudges and all-clears name a client to a clinician or partner; when the client erases their data,
those copies go too.
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about_person_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_about_person_id'), ['about_person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_about_person_id'))
        batch_op.drop_column('about_person_id')
