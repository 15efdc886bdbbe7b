"""failed inbound updates (dead letters)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:05:00

An inbound message whose handling raised is retried a few times, then kept as a dead letter (no text,
no address), so one bad update never blocks anyone else's.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import data.models

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('failed_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('first_failed_at', data.models.UTCDateTime(), nullable=False),
    sa.Column('last_failed_at', data.models.UTCDateTime(), nullable=False),
    sa.Column('dead', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id', name='uq_failed_update')
    )


def downgrade() -> None:
    op.drop_table('failed_update')
