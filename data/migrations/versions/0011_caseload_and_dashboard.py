"""caseload and dashboard: client invitations by a clinician, dashboard sign-in links and sessions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00

A clinician invites clients (who become theirs), signs in to the dashboard with a single-use link, and an
acknowledgement records where it came from.
"""

import sqlalchemy as sa
from alembic import op

from data.models import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clinician_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_invitation_clinician_id_person', 'person', ['clinician_id'], ['id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('escalation_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), nullable=True))
    op.create_table(
        'dashboard_login',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('clinician_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['clinician_id'], ['person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_dashboard_login_clinician_id', 'dashboard_login', ['clinician_id'])
    op.create_table(
        'dashboard_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('clinician_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['clinician_id'], ['person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('id_hash'),
    )
    op.create_index('ix_dashboard_session_clinician_id', 'dashboard_session', ['clinician_id'])


def downgrade() -> None:
    op.drop_index('ix_dashboard_session_clinician_id', table_name='dashboard_session')
    op.drop_table('dashboard_session')
    op.drop_index('ix_dashboard_login_clinician_id', table_name='dashboard_login')
    op.drop_table('dashboard_login')
    with op.batch_alter_table('escalation_step', schema=None) as batch_op:
        batch_op.drop_column('source')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invitation_clinician_id_person', type_='foreignkey')
        batch_op.drop_column('clinician_id')
