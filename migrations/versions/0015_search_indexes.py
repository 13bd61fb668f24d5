"""trigram indexes for accent-insensitive searches on PostgreSQL (pg_trgm, unaccent, search_fold())

Issue 19: a company name, contact name or goods description search read every file of the office (400 ms at a
million files). On PostgreSQL the searches compare search_fold(text), an immutable SQL function (lower case,
accents removed by unaccent), with LIKE '%term%', which GIN trigram indexes answer (app/search.py).

The file's name and reference are indexed in a narrow side table, application_search, kept by a trigger on
INSERT and on UPDATE OF exporter_name, reference, exporter_eori: a GIN index on application itself would take a new entry at
every change of status (no HOT update when indexed columns change), which doubled the deadline sweep's UPDATE.
Contacts and goods lines are written with their file and rarely changed: their indexes are on the tables.

The extensions live in the schema where they are (public when this migration creates them); the function, the
side table and the indexes in the schema being migrated. SQLite keeps its case-insensitive LIKE scans: nothing
is created there.

Revision ID: 0015_search_indexes
Revises: 0014_search
Create Date: 2026-12-06 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_search_indexes'
down_revision = '0014_search'
branch_labels = None
depends_on = None

# (index, table, expression): the trigram indexes of app/search.py.
INDEXES = (
    ("ix_application_search_trgm", "application_search", "folded"),
    ("ix_contact_full_name_trgm", "contact", "search_fold(full_name)"),
    ("ix_contact_email_trgm", "contact", "search_fold(email)"),
    ("ix_goods_line_description_trgm", "goods_line", "search_fold(description)"),
)
# What a file's search text is: its exporter name, reference and EORI, apart (chr(31) is never typed in a search).
FOLDED = ("search_fold(coalesce({row}exporter_name, '') || chr(31) || coalesce({row}reference, '') || chr(31) || "
          "coalesce({row}exporter_eori, ''))")


def _extension_schema(bind, name: str) -> str:
    return bind.execute(sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                                "WHERE e.extname = :name"), {"name": name}).scalar_one()


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for extension in ("pg_trgm", "unaccent"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public")
    unaccent = _extension_schema(bind, "unaccent")
    trgm = _extension_schema(bind, "pg_trgm")
    # Immutable (unaccent itself is only stable, its dictionary being a setting): the dictionary is named,
    # schema-qualified, so the function means the same whatever the search_path, and may be indexed.
    op.execute(f"""
        CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT lower({unaccent}.unaccent('{unaccent}.unaccent'::regdictionary, value)) $$""")
    op.execute("""
        CREATE TABLE application_search (
            application_id integer PRIMARY KEY REFERENCES application (id) ON DELETE CASCADE,
            folded text NOT NULL)""")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION application_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO application_search (application_id, folded) VALUES (NEW.id, {FOLDED.format(row='NEW.')})
            ON CONFLICT (application_id) DO UPDATE SET folded = EXCLUDED.folded;
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER application_search_sync AFTER INSERT OR UPDATE OF exporter_name, reference, exporter_eori ON application
        FOR EACH ROW EXECUTE FUNCTION application_search_sync()""")
    op.execute(f"INSERT INTO application_search (application_id, folded) SELECT id, {FOLDED.format(row='')} "
               f"FROM application")
    for name, table, expression in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} {trgm}.gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("DROP TRIGGER IF EXISTS application_search_sync ON application")
    op.execute("DROP FUNCTION IF EXISTS application_search_sync()")
    op.execute("DROP TABLE IF EXISTS application_search")
    op.execute("DROP FUNCTION IF EXISTS search_fold(text)")
