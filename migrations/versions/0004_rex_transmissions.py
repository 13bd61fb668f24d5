"""transmissions of registrations to the Commission's central REX

One row per registration, modification or revocation to push to the central REX, delivered by
jobs/rex.py with bounded retries (states to_send, sent, acknowledged, error).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rex_transmission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('operation', sa.String(length=10), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('to_send', 'sent', 'acknowledged', 'error')",
                       name=op.f('ck_rex_transmission_state')),
    sa.CheckConstraint("operation IN ('register', 'modify', 'revoke')",
                       name=op.f('ck_rex_transmission_operation')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                            name=op.f('fk_rex_transmission_registration_id_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rex_transmission'))
    )
    with op.batch_alter_table('rex_transmission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rex_transmission_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ix_rex_transmission_state_next_attempt', ['state', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('rex_transmission', schema=None) as batch_op:
        batch_op.drop_index('ix_rex_transmission_state_next_attempt')
        batch_op.drop_index(batch_op.f('ix_rex_transmission_registration_id'))

    op.drop_table('rex_transmission')
