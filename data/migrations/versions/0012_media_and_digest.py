"""media links and partners' weekly notes: pictures WhatsApp fetches by URL, the digest's day and switch

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:10:00

Twilio sends WhatsApp media only from a public URL: each picture gets an unguessable, expiring link. A
client's partners get a weekly note on the day the client chose, each partner unless switched off.
"""

import sqlalchemy as sa
from alembic import op

from data.models import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'media_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('chart', sa.String(length=120), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('fetches', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_media_link_person_id', 'media_link', ['person_id'])
    with op.batch_alter_table('client_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_weekday', sa.Integer(), nullable=True, server_default='6'))
        batch_op.add_column(sa.Column('next_digest_at', UTCDateTime(), nullable=True))
        batch_op.create_index('ix_client_profile_next_digest_at', ['next_digest_at'])
    with op.batch_alter_table('support_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('support_contact', schema=None) as batch_op:
        batch_op.drop_column('digest')
    with op.batch_alter_table('client_profile', schema=None) as batch_op:
        batch_op.drop_index('ix_client_profile_next_digest_at')
        batch_op.drop_column('next_digest_at')
        batch_op.drop_column('digest_weekday')
    op.drop_index('ix_media_link_person_id', table_name='media_link')
    op.drop_table('media_link')
