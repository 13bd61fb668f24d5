"""the content of an incomplete file before the holder's first edit (application.complement_baseline)

Issue 18: « Annuler la saisie du complément » puts the content back as it was, and the history records the
changes of a complement only when it is transmitted.

Revision ID: 0014_search
Revises: 0013_revocation_periods
Create Date: 2026-12-05 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_search'
down_revision = '0013_revocation_periods'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complement_baseline', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('complement_baseline')
