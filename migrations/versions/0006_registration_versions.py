"""registration versions, modification requests, revocation, publication consent for EORI

A modification request is an application of kind REX_MODIFICATION pointing at the registration it changes;
validated, it makes a new version of the registration (same number, version_no + 1). Revocation keeps its
ground; a holder's deregistration request is timestamped until an officer confirms it. A registration has
its own discussion thread.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('request_comment', sa.Text(), nullable=True))
        batch_op.create_index('ix_application_registration_id', ['registration_id'], unique=False,
                              postgresql_where=sa.text('registration_id IS NOT NULL'),
                              sqlite_where=sa.text('registration_id IS NOT NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_application_registration_id_registration'), 'registration', ['registration_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_application_application_kind'), type_='check')
        batch_op.create_check_constraint('application_kind', sa.text("kind IN ('REX', 'REX_MODIFICATION')"))

    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eori_publication_consent', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('discussion_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_discussion_message_registration_id'), ['registration_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_discussion_message_registration_id_registration'), 'registration', ['registration_id'], ['id'])

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revocation_ground', sa.Enum('ceased_to_exist', 'conditions_not_met', 'no_longer_exports', 'incorrect_statements', 'data_not_up_to_date', 'holder_request', name='revocation_ground', native_enum=False, create_constraint=True, length=30), nullable=True))
        batch_op.add_column(sa.Column('deregistration_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version_no', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False))



def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('created_at')
        batch_op.drop_column('version_no')
        batch_op.drop_column('deregistration_requested_at')
        batch_op.drop_constraint(op.f('ck_registration_revocation_ground'), type_='check')
        batch_op.drop_column('revocation_ground')

    with op.batch_alter_table('discussion_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_discussion_message_registration_id_registration'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_discussion_message_registration_id'))
        batch_op.drop_column('registration_id')

    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('eori_publication_consent')

    op.execute("DELETE FROM application WHERE kind <> 'REX'")
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_application_application_kind'), type_='check')
        batch_op.create_check_constraint('application_kind', sa.text("kind IN ('REX')"))
        batch_op.drop_constraint(batch_op.f('fk_application_registration_id_registration'), type_='foreignkey')
        batch_op.drop_index('ix_application_registration_id')
        batch_op.drop_column('request_comment')
        batch_op.drop_column('registration_id')

