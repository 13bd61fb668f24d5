"""Free-text searches ("contains", accent- and case-insensitive) that an index answers on PostgreSQL.

On PostgreSQL, migration 0015_search_indexes creates search_fold(text) (lower case, accents removed by
unaccent; immutable) and GIN trigram indexes on search_fold(column) for the searched columns:
contact.full_name and email, goods_line.description, and the side table application_search (a file's exporter
name, reference and EORI, and its office since 0019, kept by a trigger; see the migrations for why not an index
on application).
`folded_contains` compares the same expression with LIKE '%term%', so the planner uses those indexes: a search
reads the rows that share the term's trigrams, not every file of the office, matching or not.
On SQLite (the default) it stays a case-insensitive LIKE scan, as before.
"""
from sqlalchemy import column, func, literal, or_, select, table

from app.extensions import db


# Built by migration 0015 on PostgreSQL only, over expressions the models do not declare: autogenerate (and the
# drift test) leave them alone through `include_object`.
DATABASE_ONLY = {
    "index": frozenset({"ix_contact_full_name_trgm", "ix_contact_email_trgm", "ix_goods_line_description_trgm"}),
    "table": frozenset({"application_search"}),
}
application_search = table("application_search", column("application_id"), column("folded"), column("office_id"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: the search table and indexes exist in the database and not in the models, on purpose."""
    return not (reflected and compare_to is None and name in DATABASE_ONLY.get(type_, ()))


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _folded_pattern(term: str):
    # The term is folded by the same function, in the statement: a constant the planner evaluates, so the
    # trigrams of the pattern are known when it plans and the GIN index applies.
    return literal("%") + func.search_fold(_escape(term)) + literal("%")


def file_contains(application_model, term: str, offices=None):
    """The files whose exporter name, reference or EORI contains `term` (accent-insensitive on PostgreSQL).

    `offices`, the scope of an officer's search, is applied in the side table too (migration 0019): its index
    then reads the matches of those offices only, and the planner estimates them as such."""
    if on_postgresql():
        matching = select(application_search.c.application_id).where(
            application_search.c.folded.like(_folded_pattern(term), escape="\\"))
        if offices is not None:
            matching = matching.where(application_search.c.office_id.in_(offices))
        return application_model.id.in_(matching)
    return or_(application_model.exporter_name.icontains(term, autoescape=True),
               application_model.reference.icontains(term, autoescape=True),
               application_model.exporter_eori.icontains(term, autoescape=True))


def folded_contains(expression, term: str):
    """The SQL condition 'expression contains term', ignoring case and (on PostgreSQL) accents."""
    if on_postgresql():
        return func.search_fold(expression).like(_folded_pattern(term), escape="\\")
    return expression.icontains(term, autoescape=True)

