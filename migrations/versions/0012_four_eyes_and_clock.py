"""four eyes per office, the answer period's extension and suspension, the right to be heard before revocation

Issue 17: office settings (four_eyes, max_extension_days, hearing_days); the clock of an incomplete file
(deadline_extension_days, clock_suspended_at, clock_remaining_seconds, clock_suspended_seconds); the hearing
before a revocation on the registration (hearing_*), with a partial index for its jobs.

Revision ID: 0012_four_eyes_and_clock
Revises: 0011_security
Create Date: 2026-12-05 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_four_eyes_and_clock'
down_revision = '0011_security'
branch_labels = None
depends_on = None

GROUNDS = ('ceased_to_exist', 'conditions_not_met', 'no_longer_exports', 'incorrect_statements',
           'data_not_up_to_date', 'holder_request')


def upgrade():
    op.create_table('decision_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_decision_proposal_application_id_application')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_decision_proposal_registration_id_registration')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_decision_proposal_office_id_office')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'], name=op.f('fk_decision_proposal_proposed_by_id_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_decision_proposal_decided_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_proposal'))
    )
    with op.batch_alter_table('decision_proposal', schema=None) as batch_op:
        batch_op.create_index('uq_decision_proposal_pending_application', ['application_id'], unique=True,
                              postgresql_where=sa.text("status = 'pending' AND registration_id IS NULL"),
                              sqlite_where=sa.text("status = 'pending' AND registration_id IS NULL"))
        batch_op.create_index('uq_decision_proposal_pending_registration', ['registration_id'], unique=True,
                              postgresql_where=sa.text("status = 'pending' AND registration_id IS NOT NULL"),
                              sqlite_where=sa.text("status = 'pending' AND registration_id IS NOT NULL"))
        batch_op.create_index('ix_decision_proposal_office_status', ['office_id', 'status'], unique=False)

    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.add_column(sa.Column('four_eyes', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('max_extension_days', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('hearing_days', sa.Integer(), server_default='15', nullable=False))

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_extension_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('clock_suspended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('clock_remaining_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('clock_suspended_seconds', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hearing_ground', sa.Enum(*GROUNDS, name='hearing_ground', native_enum=False,
                                                                create_constraint=True, length=30), nullable=True))
        batch_op.add_column(sa.Column('hearing_grounds', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('hearing_notified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hearing_deadline', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hearing_answer', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('hearing_answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hearing_reminder_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hearing_period_ended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_registration_hearing_deadline', ['hearing_deadline'], unique=False,
                              postgresql_where=sa.text('hearing_deadline IS NOT NULL'),
                              sqlite_where=sa.text('hearing_deadline IS NOT NULL'))


def downgrade():
    op.drop_table('decision_proposal')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_registration_hearing_ground'), type_='check')
        batch_op.drop_index('ix_registration_hearing_deadline', postgresql_where=sa.text('hearing_deadline IS NOT NULL'),
                            sqlite_where=sa.text('hearing_deadline IS NOT NULL'))
        for column in ('hearing_period_ended_at', 'hearing_reminder_sent_at', 'hearing_answered_at', 'hearing_answer',
                       'hearing_deadline', 'hearing_notified_at', 'hearing_grounds', 'hearing_ground'):
            batch_op.drop_column(column)
    with op.batch_alter_table('application', schema=None) as batch_op:
        for column in ('clock_suspended_seconds', 'clock_remaining_seconds', 'clock_suspended_at',
                       'deadline_extension_days'):
            batch_op.drop_column(column)
    with op.batch_alter_table('office', schema=None) as batch_op:
        for column in ('hearing_days', 'max_extension_days', 'four_eyes'):
            batch_op.drop_column(column)
