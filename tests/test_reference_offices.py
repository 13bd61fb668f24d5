"""Customs offices: full names as people read them, and a loader that corrects the names already loaded."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Office
from app.reference.loader import load_offices
from app.reference.offices import OFFICES


def test_office_names_are_written_out_in_full():
    for code, name, city, directorate in OFFICES:
        assert "." not in name and not re.search(r"\b(bureau|pt|aéro|St|Atlant)\b", name), (code, name)


def test_the_loader_gives_offices_loaded_earlier_their_full_name():
    nantes = db.session.scalar(select(Office).where(Office.code == "FR003030"))
    nantes.name = "Nantes Atlant. bureau"  # as an earlier version of the loader wrote it
    db.session.commit()

    assert load_offices() == 1
    db.session.commit()

    assert db.session.get(Office, nantes.id).name == "Nantes Atlantique"
    assert load_offices() == 0  # nothing left to change
    names = dict(db.session.execute(select(Office.code, Office.name)).all())
    assert all(names[code] == name for code, name, _, _ in OFFICES)


def test_office_names_are_full_in_the_form_and_the_queues(factory, login):
    operator = factory.operator()
    draft = factory.draft(operator)
    form = login(operator).get(f"/rex/demandes/{draft.id}/formulaire").get_data(as_text=True)
    assert "Nantes Atlantique (FR003030)" in form and "Atlant." not in form
