"""deadline sweep and reminders

- reminder_7_sent_at / reminder_1_sent_at on application: each reminder is claimed once
  (UPDATE ... WHERE reminder_X_sent_at IS NULL), and reset when information is requested again;
- ix_application_incomplete_deadline: a partial index on answer_deadline over the incomplete files only,
  read by the deadline sweep and the reminders (jobs/deadlines.py, measured by bench/sweep.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_7_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_1_sent_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_application_incomplete_deadline', 'application', ['answer_deadline'],
                    postgresql_where=sa.text("status = 'incomplete'"), sqlite_where=sa.text("status = 'incomplete'"))


def downgrade():
    op.drop_index('ix_application_incomplete_deadline', table_name='application',
                  postgresql_where=sa.text("status = 'incomplete'"), sqlite_where=sa.text("status = 'incomplete'"))
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('reminder_1_sent_at')
        batch_op.drop_column('reminder_7_sent_at')
