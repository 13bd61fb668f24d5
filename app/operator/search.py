"""'Rechercher une demande ou une autorisation': the header search of every operator page and its advanced search
page (/rex/recherche). An exact reference or number opens the file; anything else lists what matches."""
from datetime import date

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from app.models import Application, ApplicationKind, ApplicationStatus, RegistrationStatus
from app.operator.common import bp, operator_required
from app.queries import reference, search
from app.identifiers import parse_id

MAX_TEXT = 200


def _date(name: str):
    """A date typed in a date field (AAAA-MM-JJ or JJ/MM/AAAA); anything else is ignored and said so."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None, False
    for parse in (date.fromisoformat, lambda v: date(*reversed([int(p) for p in v.split("/")]))):
        try:
            value = parse(raw)
            if 1900 <= value.year <= 2999:
                return value, False
        except (ValueError, TypeError, IndexError):
            continue
    return None, True


def criteria_from_request():
    """The search's criteria from the query string, and the fields whose value was not understood."""
    errors = {}
    date_from, bad_from = _date("du")
    date_to, bad_to = _date("au")
    if bad_from:
        errors["du"] = True
    if bad_to:
        errors["au"] = True
    criteria = search.Criteria(
        text=(request.args.get("q") or "")[:MAX_TEXT], status=request.args.get("statut") or None,
        type=request.args.get("type") or None, date_from=date_from, date_to=date_to,
        holder=(request.args.get("titulaire") or "")[:MAX_TEXT], office_id=parse_id(request.args.get("bureau")))
    return criteria, errors


def statuses():
    """The statuses the advanced search offers: the files' then the registrations' (values may repeat)."""
    seen, options = set(), []
    for status in [*ApplicationStatus, *RegistrationStatus]:
        if status.value not in seen:
            seen.add(status.value)
            options.append(status)
    return options


TYPES = [ApplicationKind.REX, ApplicationKind.REX_MODIFICATION, ApplicationKind.EORI]


@bp.get("/recherche")
@operator_required
def search_page():
    criteria, errors = criteria_from_request()
    if request.args.get("ouvrir") != "0" and criteria.text and not errors:
        found = search.operator_exact(current_user, criteria.text)
        if isinstance(found, Application):
            return redirect(url_for("operator.show", application_id=found.id))
        if found is not None:
            return redirect(url_for("operator.registration", registration_id=found.id))
    results = search.operator_search(current_user, criteria) if not errors else search.Results([], [], False)
    return render_template("operator/search.html", criteria=criteria, results=results, errors=errors,
                           statuses=statuses(), types=TYPES, offices=reference.offices(), args=request.args,
                           file_url=lambda i: url_for("operator.show", application_id=i),
                           registration_url=lambda i: url_for("operator.registration", registration_id=i),
                           tab="recherche"), (422 if errors else 200)
