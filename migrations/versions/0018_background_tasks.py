"""background tasks with progress: large batches and exports, kept 7 days ("Mes traitements")

Issue 20. background_task is one batch or export of one officer (progress, state, the export's file);
background_task_item each file a batch went through, done or refused with the reason.

Revision ID: 0018_background_tasks
Revises: 0017_officer_work
Create Date: 2026-12-05 08:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018_background_tasks'
down_revision = '0017_officer_work'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('background_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_background_task_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_task'))
    )
    with op.batch_alter_table('background_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_task_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_task_user_id'), ['user_id'], unique=False)
    op.create_table('background_task_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=24), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_background_task_item_application_id_application'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['background_task.id'], name=op.f('fk_background_task_item_task_id_background_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_task_item'))
    )
    with op.batch_alter_table('background_task_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_task_item_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('background_task_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_task_item_task_id'))
    op.drop_table('background_task_item')
    with op.batch_alter_table('background_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_task_user_id'))
        batch_op.drop_index(batch_op.f('ix_background_task_expires_at'))
    op.drop_table('background_task')
