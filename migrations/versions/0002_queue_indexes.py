"""indexes of the officers' queues

The queue lists read one office's files in the order of a column, a page at a time; at a million files
each ordering needs an index that starts with the office (measured by bench/queues.py):

- "À traiter" and a status filter on "Tous": office, status, then the last update;
- "Tous les dossiers du service" (every status but draft): office, then the last update;
- "Incomplètes": office, status, then the answer deadline;
- the search box: an EORI is looked up on exporter_eori, and a reference prefix (LIKE 'FR-REX-2026-00%')
  on a varchar_pattern_ops index: the database collation is not C, so on PostgreSQL the unique index on
  reference cannot serve LIKE. The operator class is PostgreSQL's; other databases get a plain index on
  reference (redundant with the unique one, but the model declares a single index for every dialect, so
  the schema does not drift from the models on SQLite either; tests/test_migrations.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_application_office_status_updated', 'application', ['office_id', 'status', 'updated_at'])
    op.create_index('ix_application_office_updated', 'application', ['office_id', 'updated_at'])
    op.create_index('ix_application_office_status_deadline', 'application',
                    ['office_id', 'status', 'answer_deadline'])
    op.create_index('ix_application_exporter_eori', 'application', ['exporter_eori'])
    op.create_index('ix_application_reference_pattern', 'application', ['reference'],
                    postgresql_ops={'reference': 'varchar_pattern_ops'})


def downgrade():
    op.drop_index('ix_application_reference_pattern', table_name='application')
    op.drop_index('ix_application_exporter_eori', table_name='application')
    op.drop_index('ix_application_office_status_deadline', table_name='application')
    op.drop_index('ix_application_office_updated', table_name='application')
    op.drop_index('ix_application_office_status_updated', table_name='application')
