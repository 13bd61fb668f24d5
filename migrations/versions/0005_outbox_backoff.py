"""outbox delivery backoff

A failed delivery is retried after a growing delay (jobs/outbox.py): the row keeps the time of its next
attempt; null means due now.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_email') as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_email') as batch_op:
        batch_op.drop_column('next_attempt_at')
