"""Read-side queries of the help pages."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Directorate, Office


def offices_with_directorates():
    """Every customs office with its directorate, by directorate then name (section 1 of the form)."""
    return db.session.scalars(select(Office).join(Office.directorate).options(joinedload(Office.directorate))
                              .order_by(Directorate.name, Office.name)).all()
