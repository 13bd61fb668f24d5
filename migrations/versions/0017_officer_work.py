"""the officer's day: read markers, saved views, the daily digest setting, indexes of the supervisors' charts

Issue 20. file_read holds when each officer last opened each file (news after that is unread, app/workflow/
news.py); saved_view the named queues of an officer or an office; user.daily_digest the officer's choice of a
daily email; chart_snapshot the aggregates of each office's charts, refreshed every 5 minutes. The indexes let the charts (app/admin_views/charts.py) read aggregates from indexes alone.

Revision ID: 0017_officer_work
Revises: 0016_certificates
Create Date: 2026-12-05 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_officer_work'
down_revision = '0016_certificates'
branch_labels = None
depends_on = None

OPEN = "status IN ('under_review', 'incomplete')"
DECIDED = "decided_at IS NOT NULL"


def upgrade():
    op.create_table('file_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_file_read_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_file_read_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'application_id', name=op.f('pk_file_read'))
    )
    op.create_table('saved_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('endpoint', sa.String(length=60), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_saved_view_office_id_office')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_saved_view_owner_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_view'))
    )
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.create_index('ix_saved_view_office_scope', ['office_id', 'scope'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_view_owner_id'), ['owner_id'], unique=False)
    op.create_table('chart_snapshot',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_chart_snapshot_office_id_office'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('office_id', name=op.f('pk_chart_snapshot'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('daily_digest', sa.Boolean(), server_default='0', nullable=False))
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index('ix_application_office_submitted', ['office_id', 'submitted_at'], unique=False)
        batch_op.create_index('ix_application_office_decided', ['office_id', 'decided_at', 'status', 'submitted_at'],
                              unique=False, postgresql_where=sa.text(DECIDED), sqlite_where=sa.text(DECIDED))
        batch_op.create_index('ix_application_open_office',
                              ['office_id', 'status', 'submitted_at', 'assigned_officer_id'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.create_index('ix_history_event_kind_at', ['kind', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.drop_index('ix_history_event_kind_at')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_open_office', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.drop_index('ix_application_office_decided', postgresql_where=sa.text(DECIDED),
                            sqlite_where=sa.text(DECIDED))
        batch_op.drop_index('ix_application_office_submitted')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('daily_digest')
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_view_owner_id'))
        batch_op.drop_index('ix_saved_view_office_scope')
    op.drop_table('chart_snapshot')
    op.drop_table('saved_view')
    op.drop_table('file_read')
