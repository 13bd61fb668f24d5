"""Row identifiers as they arrive in URLs, query strings and forms: the primary keys are 32-bit integers.

A number beyond them cannot name a row; passed to the database it is an error (PostgreSQL: 'integer out of
range', SQLite: OverflowError), so it is treated as naming nothing: a 404 in a URL, no choice in a form.
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """The `int` of our routes: /rex/demandes/99999999999 is a file that does not exist (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(value) -> int | None:
    """A posted or queried identifier, or None when it cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None
