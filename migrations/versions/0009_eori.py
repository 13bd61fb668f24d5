"""EORI applications, certification requests ("habilitations"), the EORI facts of a company

An EORI application is an application of kind EORI whose form is eori_request; granting it creates the
company with its number. A certification request asks for the right to act for a company; an officer of
the company's office decides.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 16:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application') as batch_op:
        batch_op.drop_constraint(op.f('ck_application_application_kind'), type_='check')
        batch_op.create_check_constraint('application_kind', sa.text("kind IN ('REX', 'REX_MODIFICATION', 'EORI')"))
    op.create_table('certification_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', name='certification_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_certification_request_company_id_company')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_certification_request_decided_by_id_user')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_certification_request_office_id_office')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_certification_request_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_request'))
    )
    with op.batch_alter_table('certification_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_request_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_certification_request_office_status', ['office_id', 'status', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_request_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_certification_request_pending', ['user_id', 'company_id'], unique=True, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    op.create_table('eori_request',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('basis', sa.Enum('siret', 'siren', name='eori_basis', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('person_type', sa.Enum('natural', 'legal', 'association', name='person_type', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('legal_form', sa.String(length=4), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=True),
    sa.Column('siren', sa.String(length=9), nullable=True),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('vat_number', sa.String(length=13), nullable=True),
    sa.Column('ape_code', sa.String(length=6), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=20), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('publication_consent', sa.Boolean(), nullable=True),
    sa.Column('no_other_eori', sa.Boolean(), nullable=False),
    sa.Column('undertaking', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_eori_request_application_id_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_eori_request'))
    )
    with op.batch_alter_table('eori_request', schema=None) as batch_op:
        batch_op.create_index('ix_eori_request_siren', ['siren'], unique=False)
        batch_op.create_index('ix_eori_request_siret', ['siret'], unique=False)

    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certification_request_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_history_event_certification_request_id'), ['certification_request_id'])
        batch_op.create_foreign_key(batch_op.f('fk_history_event_certification_request_id_certification_request'),
                                    'certification_request', ['certification_request_id'], ['id'])

    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('siren', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('siret', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('eori_granted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('eori_invalidated_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('eori_invalidation_reason', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_company_siren'), ['siren'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_siret'), ['siret'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_company_office_id_office'), 'office', ['office_id'], ['id'])



def downgrade():
    op.execute("DELETE FROM eori_request")
    op.execute("DELETE FROM history_event WHERE application_id IN (SELECT id FROM application WHERE kind = 'EORI')")
    op.execute("DELETE FROM application WHERE kind = 'EORI'")
    with op.batch_alter_table('application') as batch_op:
        batch_op.drop_constraint(op.f('ck_application_application_kind'), type_='check')
        batch_op.create_check_constraint('application_kind', sa.text("kind IN ('REX', 'REX_MODIFICATION')"))
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_company_office_id_office'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_company_siret'))
        batch_op.drop_index(batch_op.f('ix_company_siren'))
        batch_op.drop_column('eori_invalidation_reason')
        batch_op.drop_column('eori_invalidated_on')
        batch_op.drop_column('eori_granted_on')
        batch_op.drop_column('office_id')
        batch_op.drop_column('siret')
        batch_op.drop_column('siren')

    with op.batch_alter_table('eori_request', schema=None) as batch_op:
        batch_op.drop_index('ix_eori_request_siret')
        batch_op.drop_index('ix_eori_request_siren')

    op.drop_table('eori_request')
    op.execute("DELETE FROM history_event WHERE certification_request_id IS NOT NULL")
    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_history_event_certification_request_id_certification_request'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_history_event_certification_request_id'))
        batch_op.drop_column('certification_request_id')
    with op.batch_alter_table('certification_request', schema=None) as batch_op:
        batch_op.drop_index('uq_certification_request_pending', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_certification_request_user_id'))
        batch_op.drop_index('ix_certification_request_office_status')
        batch_op.drop_index(batch_op.f('ix_certification_request_company_id'))

    op.drop_table('certification_request')
