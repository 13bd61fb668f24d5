"""Free-text searches ("contains", accent- and case-insensitive) that an index answers on PostgreSQL.

On PostgreSQL, migration 0015_search_indexes creates search_fold(text) (lower case, accents removed by
unaccent; immutable) and GIN trigram indexes on search_fold(column) for the searched columns:
application.exporter_name, contact.full_name and email, goods_line.description (and application.reference as is).
`folded_contains` compares the same expression with LIKE '%term%', so the planner uses those indexes: a search
reads the rows that share the term's trigrams, not every file of the office, matching or not.
On SQLite (the default) it stays a case-insensitive LIKE scan, as before.
"""
from sqlalchemy import func, literal

from app.extensions import db


# Built by migration 0015 on PostgreSQL only, over expressions the models do not declare: autogenerate (and the
# drift test) leave them alone through `include_object`.
DATABASE_ONLY_INDEXES = frozenset({
    "ix_application_exporter_name_trgm", "ix_application_reference_trgm", "ix_contact_full_name_trgm",
    "ix_contact_email_trgm", "ix_goods_line_description_trgm",
})


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: the trigram indexes exist in the database and not in the models, on purpose."""
    return not (type_ == "index" and reflected and compare_to is None and name in DATABASE_ONLY_INDEXES)


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def folded_contains(column, term: str):
    """The SQL condition 'column contains term', ignoring case and (on PostgreSQL) accents."""
    if on_postgresql():
        # The term is folded by the same function, in the statement: a constant the planner evaluates, so the
        # trigrams of the pattern are known when it plans and the GIN index on search_fold(column) applies.
        pattern = literal("%") + func.search_fold(_escape(term)) + literal("%")
        return func.search_fold(column).like(pattern, escape="\\")
    return column.icontains(term, autoescape=True)


def contains(column, term: str):
    """'column contains term', case-insensitive, for a column indexed as is (ILIKE uses a trigram index)."""
    return column.ilike(f"%{_escape(term)}%", escape="\\")
