"""registration periods under one number; the remedy note of a grant after a revocation; purge marks

Issue 17: a re-registration after a revocation is a new registration period under the same number
(registration.period_no); a grant after a revocation for incorrect statements or data not kept up to date
carries the officer's note that the cause was remedied (registration.remedy_note). Existing rows: a period ends
with each revoked version, so a version's period is 1 + the revoked versions of its number before it.

Revision ID: 0013_revocation_periods
Revises: 0012_four_eyes_and_clock
Create Date: 2026-12-05 08:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_revocation_periods'
down_revision = '0012_four_eyes_and_clock'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_no', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('remedy_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('data_purged_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_purged_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("""
        UPDATE registration SET period_no = 1 + (
            SELECT count(*) FROM registration AS earlier
            WHERE earlier.number = registration.number AND earlier.id < registration.id
              AND earlier.status = 'revoked')
    """)


def downgrade():
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('data_purged_at')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('data_purged_at')
        batch_op.drop_column('remedy_note')
        batch_op.drop_column('period_no')
