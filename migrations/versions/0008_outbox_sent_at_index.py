"""index on outbox_email.sent_at

The operations page counts the emails sent in the last 24 hours: sent rows are most of the outbox, so
without this index the count read them all.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 16:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_outbox_email_sent_at'), 'outbox_email', ['sent_at'])


def downgrade():
    op.drop_index(op.f('ix_outbox_email_sent_at'), table_name='outbox_email')
