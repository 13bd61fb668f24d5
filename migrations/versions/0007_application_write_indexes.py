"""fewer indexes on application: cheaper writes, same reads

Every non-HOT update of a file (any status change) writes an entry in each index of the table: at a million
files the deadline sweep spent most of its time there (bench/sweep.py). Dropped: indexes whose column leads a
composite index already (office_id, company_id), the status and deadline indexes that the queues' composite
indexes and the partial ix_application_incomplete_deadline make useless, and the second index on reference:
one unique index with varchar_pattern_ops serves equality, uniqueness and prefix search (LIKE 'x%').

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SINGLE_COLUMN = ('office_id', 'company_id', 'status', 'answer_deadline')


def upgrade():
    for column in SINGLE_COLUMN:
        op.drop_index(f'ix_application_{column}', table_name='application')
    op.drop_index('ix_application_reference_pattern', table_name='application')
    with op.batch_alter_table('application') as batch_op:
        batch_op.drop_constraint(op.f('uq_application_reference'), type_='unique')
    op.create_index('uq_application_reference', 'application', ['reference'], unique=True,
                    postgresql_ops={'reference': 'varchar_pattern_ops'})


def downgrade():
    op.drop_index('uq_application_reference', table_name='application')
    with op.batch_alter_table('application') as batch_op:
        batch_op.create_unique_constraint(op.f('uq_application_reference'), ['reference'])
    op.create_index('ix_application_reference_pattern', 'application', ['reference'],
                    postgresql_ops={'reference': 'varchar_pattern_ops'})
    for column in SINGLE_COLUMN:
        op.create_index(f'ix_application_{column}', 'application', [column])
