"""journal notes, and what each partner may hear

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 08:00:00

A long message that fits no question is kept as a journal note when the person says so; each
accountability partner has a sharing level (missed check-ins only, the default, up to slips).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import data.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('written_at', data.models.UTCDateTime(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('journal_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_note_client_id'), ['client_id'], unique=False)
    with op.batch_alter_table('support_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sharing', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default='missed'))


def downgrade() -> None:
    with op.batch_alter_table('support_contact', schema=None) as batch_op:
        batch_op.drop_column('sharing')
    with op.batch_alter_table('journal_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_note_client_id'))
    op.drop_table('journal_note')
