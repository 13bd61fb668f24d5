"""stored registration certificates (registration_certificate)

Issue 19: a certificate PDF took 200 ms to render at each download. A registration version is immutable: its PDF
is rendered once, by a job after the version is created, revoked or restored (or at the first download when
missing), stored here with the state it describes, and served from here.

Revision ID: 0016_certificates
Revises: 0015_search_indexes
Create Date: 2026-12-06 08:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_certificates'
down_revision = '0015_search_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration_certificate',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=120), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                            name=op.f('fk_registration_certificate_registration_id_registration'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_registration_certificate'))
    )


def downgrade():
    op.drop_table('registration_certificate')
