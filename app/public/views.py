"""The public register: a page for people, a JSON API for software, the same answers and the same limit."""
import math
import time

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, StringField

from app.extensions import limiter
from app.public import queries
from app.public.numbers import is_eori, is_rex, normalise
from app.public.serializers import as_json, eori_entry, registration_entry

bp = Blueprint("public", __name__)
# One budget per client IP for the page and both APIs together, read from the config at each request.
limiter.shared_limit(lambda: current_app.config["PUBLIC_RATE_LIMIT"], scope="public-register")(bp)

EORI_FORMAT = _l("Numéro EORI mal formé : code pays (2 lettres) suivi de 1 à 15 lettres ou chiffres ; "
                 "en France, FR suivi du SIREN (9 chiffres) ou du SIRET (14 chiffres).")


class LookupForm(Form):
    number = StringField(_l("Numéro REX ou EORI"))


@bp.get("/api/public/rex/<number>")
def rex_api(number: str):
    number = normalise(number)
    entry = registration_entry(number, queries.registration_for(number) if is_rex(number) else None)
    return jsonify(as_json(entry)), 404 if entry["status"] == "unknown" else 200


@bp.get("/api/public/eori/<number>")
def eori_api(number: str):
    number = normalise(number)
    if not is_eori(number):
        return jsonify({"error": str(EORI_FORMAT)}), 400
    entry = eori_entry(number, queries.company_for_eori(number))
    return jsonify(as_json(entry)), 404 if entry["status"] == "unknown" else 200


@bp.get("/registre")
def register():
    form = LookupForm(request.args)
    entry, kind, error = None, None, None
    if "number" in request.args:
        number = normalise(form.number.data)
        if not number:
            error = _("Saisissez un numéro REX ou EORI.")
        elif is_rex(number):
            entry, kind = registration_entry(number, queries.registration_for(number)), "rex"
        elif is_eori(number):
            entry, kind = eori_entry(number, queries.company_for_eori(number)), "eori"
        else:
            error = _("Ce numéro n'est ni un numéro REX (ex. FRREXFR732829320) ni un numéro EORI "
                      "(ex. FR732829320).")
    form.number.errors = [error] if error else []
    return render_template("public/register.html", form=form, entry=entry, kind=kind), 400 if error else 200


@bp.errorhandler(429)
def rate_limited(error):
    # Retry-After itself is set by the limiter (headers_enabled); the body says the same in words.
    current = limiter.current_limit
    seconds = max(1, math.ceil(current.reset_at - time.time())) if current else 60
    if request.path.startswith("/api/"):
        return jsonify({"error": _("Trop de requêtes : réessayez dans %(seconds)d secondes.", seconds=seconds)}), 429
    return render_template("public/rate_limited.html", seconds=seconds), 429
