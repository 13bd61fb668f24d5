"""'Aide': pages anyone may read, signed in or not (the conditions of use are linked from sign-up)."""
from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l

from app.help import queries

bp = Blueprint("help", __name__, url_prefix="/aide")

# The sections of the REX filing form (guide 5.2.1 to 5.2.8), each with its help page.
REX_SECTIONS = {
    1: _l("Désignation du service compétent"),
    2: _l("Informations sur l'exportateur"),
    3: _l("Représentant"),
    4: _l("Contacts"),
    5: _l("Marchandises admissibles au bénéfice du régime préférentiel"),
    6: _l("Relation(s) préférentielle(s)"),
    7: _l("Mentions et engagements"),
    8: _l("Gestion des documents"),
}


@bp.get("/")
def index():
    return render_template("help/index.html", sections=REX_SECTIONS, tab="aide")


@bp.get("/formulaire-rex/<int:number>")
def rex_section(number: int):
    if number not in REX_SECTIONS:
        abort(404)
    return render_template(f"help/rex_{number}.html", number=number, title=REX_SECTIONS[number],
                           sections=REX_SECTIONS, tab="aide")


@bp.get("/formulaire-eori")
def eori_form():
    return render_template("help/eori.html", tab="aide")


@bp.get("/conditions-utilisation")
def conditions():
    return render_template("help/conditions.html", tab="aide")


@bp.get("/bureaux-de-douane")
def offices():
    return render_template("help/offices.html", offices=queries.offices_with_directorates(), tab="aide")
