"""server-side sessions (user_session); one pending EORI application per number; the administration log

Issue 16: a signed-in session is a row of user_session; logout and a change of the account's password,
role or enabled flag delete the account's rows (app/auth/sessions.py). Two EORI applications for one
SIRET (or SIREN) can no longer both be pending: a partial unique index, as for REX files per company.
Should a database already hold two such files, the index cannot be built: the upgrade stops and says
which numbers to settle first. admin_log_entry records every change made on an administration screen.

Revision ID: 0011_security
Revises: 0009
Create Date: 2026-12-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_security'
down_revision = '0010_nomenclature_fr'
branch_labels = None
depends_on = None

PENDING_EORI = "kind = 'EORI' AND status IN ('under_review', 'incomplete')"


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    op.create_table('admin_log_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('screen', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=255), nullable=False),
    sa.Column('object_repr', sa.String(length=255), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_admin_log_entry_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_log_entry'))
    )
    with op.batch_alter_table('admin_log_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_log_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_log_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_admin_log_entry_object', ['object_type', 'object_id'], unique=False)

    duplicates = op.get_bind().execute(sa.text(
        f"SELECT exporter_eori FROM application WHERE {PENDING_EORI} GROUP BY exporter_eori HAVING COUNT(*) > 1"
    )).scalars().all()
    if duplicates:
        raise RuntimeError("Several pending EORI applications ask for the same number; reject or abandon all but "
                           f"one of each before upgrading: {', '.join(duplicates)}")
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index('uq_application_pending_eori', ['exporter_eori'], unique=True,
                              postgresql_where=sa.text(PENDING_EORI), sqlite_where=sa.text(PENDING_EORI))


def downgrade():
    op.drop_table('admin_log_entry')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('uq_application_pending_eori')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
    op.drop_table('user_session')
