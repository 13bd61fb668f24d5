"""French by default, English on request (?lang=en, remembered in the session), and a complete English catalogue."""
import re
from pathlib import Path


import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
PO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- the interface -------------------------------------------------------------------------------

def test_login_page_is_french_by_default(client):
    html = _page(client.get("/connexion"))
    assert '<html lang="fr">' in html
    assert "Se connecter" in html
    assert "Identifiant" in html
    assert "Mot de passe" in html
    assert "Log in" not in html


def test_lang_en_switches_to_english_and_sticks_in_the_session(client):
    html = _page(client.get("/connexion?lang=en"))
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Username" in html
    assert "Password" in html
    assert "Se connecter" not in html
    assert "Identifiant" not in html

    # Next request, without the parameter: still English.
    html = _page(client.get("/connexion"))
    assert '<html lang="en">' in html
    assert "Username" in html
    assert "Se connecter" not in html

    # And back to French on request.
    html = _page(client.get("/connexion?lang=fr"))
    assert "Se connecter" in html
    assert "Log in" not in html


def test_unknown_language_falls_back_to_french(client):
    html = _page(client.get("/connexion?lang=de"))
    assert "Se connecter" in html


def test_operator_home_in_english_shows_menu_and_status(factory, login):
    operator = factory.operator()
    application = factory.submitted(operator)
    client = login(operator)

    # Home, in French, then the "English" link of the top bar (?lang=en on the same page).
    response = client.get("/", follow_redirects=True)
    html = _page(response)
    assert "Mes demandes en cours" in html
    assert "En étude" in html
    html = _page(client.get(response.request.path, query_string={"lang": "en"}))
    assert '<html lang="en">' in html
    assert application.reference in html
    assert "My pending applications" in html
    assert "My drafts" in html
    assert "My authorisations" in html
    assert "File an application" in html
    assert "Under review" in html
    assert "Mes demandes en cours" not in html
    assert "En étude" not in html

    # The choice is remembered: the home is English on the next visit.
    html = _page(client.get("/", follow_redirects=True))
    assert "My pending applications" in html
    assert "Under review" in html


# --- the catalogue -------------------------------------------------------------------------------

def _catalog():
    with PO_FILE.open("rb") as f:
        return read_po(f, locale="en")


def _messages():
    return [message for message in _catalog() if message.id]


def _forms(value):
    return list(value) if isinstance(value, (tuple, list)) else [value]


def test_catalogue_is_not_empty():
    assert len(_messages()) > 100


def _problems(message) -> list[str]:
    ids, strings = _forms(message.id), _forms(message.string)
    if message.fuzzy:
        return ["fuzzy"]
    if len(strings) != len(ids):
        return [f"{len(strings)} plural forms for {len(ids)}"]
    expected = set().union(*(PLACEHOLDER.findall(msgid) for msgid in ids))
    problems = []
    for string in strings:
        if not (string and string.strip()):
            problems.append("empty translation")
        elif set(PLACEHOLDER.findall(string)) != expected:
            problems.append(f"placeholders {sorted(expected)} became {sorted(PLACEHOLDER.findall(string))} in {string!r}")
    return problems


def test_every_message_is_translated_without_losing_placeholders():
    problems = [f"{_forms(m.id)[0]!r}: {p}" for m in _messages() for p in _problems(m)]
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po_file():
    """translations/en/LC_MESSAGES/messages.mo is committed: it must be compiled from the current .po."""
    assert MO_FILE.exists(), "run: pybabel compile -d translations"
    with MO_FILE.open("rb") as f:
        compiled = Translations(f)
    for message in _messages():
        if isinstance(message.id, (tuple, list)):
            singular, plural = message.id
            assert compiled.ngettext(singular, plural, 1) == message.string[0], message.id
            assert compiled.ngettext(singular, plural, 2) == message.string[1], message.id
        else:
            assert compiled.gettext(message.id) == message.string, message.id


# --- Flask-Admin on French pages -----------------------------------------------------------------

# Texts Flask-Admin writes in English when its French catalogue misses them, and what its bundled date
# picker (bootstrap-daterangepicker, moment) and lists (select2) say in English.
ADMIN_ENGLISH = re.compile(r"\b(items?|Add Filter|Apply|Reset Filters|List|Create|Save|Cancel|Search|With selected|"
                           r"Select all records|Sort by|between|equals|Failed to (create|save) record)\b")
PICKER_ENGLISH = ("'Apply'", "'Cancel'", "'From'", "'To'", "'W'", "'Custom Range'", "Su_Mo", "No matches found",
                  "Searching...", "Please enter")


def _visible(response) -> str:
    """What a person reads on the page: text outside scripts, and the titles, placeholders and button values."""
    from tests.operator.html import parse

    page = parse(response.data)
    parts = []
    for node in [page, *page.iter()]:
        if node.tag in ("script", "style"):
            continue
        parts.extend(c for c in node.children if isinstance(c, str))
        parts.extend(node.attrs.get(a) or "" for a in ("title", "placeholder", "aria-label")
                     if node.tag != "button" or a != "aria-label")
        if node.tag == "input" and node.attrs.get("type") in ("submit", "button"):
            parts.append(node.attrs.get("value") or "")
    return " ".join(" ".join(parts).split())


@pytest.fixture
def officer_pages(factory, login):
    """A back-office list with date filters, a search grid, and an administrator's create form."""
    from app.models import Role

    officer = factory.officer()
    factory.submitted(factory.operator(), office_code=officer.office.code)

    def _pages(lang=None):
        query = {"lang": lang} if lang else {}
        client = login(officer)
        yield client.get("/admin/a_traiter/", query_string=query)
        yield client.get("/admin/historique/", query_string=query)
        client = login(factory.user(Role.ADMIN))
        yield client.get("/admin/services/new/", query_string=query)
        yield client.get("/admin/comptes/", query_string=query)
    return _pages


def test_flask_admin_shows_no_english_on_french_pages(officer_pages):
    for response in officer_pages():
        text = _visible(response)
        assert not ADMIN_ENGLISH.search(text), (response.request.path, ADMIN_ENGLISH.findall(text))
    queue = _visible(next(officer_pages()))
    assert "20 articles" in queue and "Ajouter un filtre" in queue


def test_flask_admin_is_english_on_english_pages(officer_pages):
    queue = _visible(next(officer_pages("en")))
    assert "20 items" in queue and "Add Filter" in queue


def test_flask_admin_messages_missing_from_its_french_catalogue_are_french(app):
    """Flask-Admin 2.2.1's admin.mo lacks two messages of its admin.po, and its page-size menu asks for
    "20 items", a message no catalogue has: translations/fr/LC_MESSAGES/admin.po adds them."""
    from flask_admin import babel
    from flask_admin.helpers import set_current_view
    from flask_babel import refresh

    admin = app.extensions["admin"][0]
    for view in admin._views:
        with app.test_request_context("/admin/?lang=fr"):
            refresh()  # the test's app context outlives the request: forget the last request's language
            set_current_view(view)
            assert babel.gettext("Failed to create record.") == "Échec de la création de l'enregistrement."
            assert babel.gettext("Failed to save record.") == "Échec de l'enregistrement des modifications."
            for size in getattr(view, "page_size_options", ()):
                assert babel.ngettext(f"{size} item", f"{size} items", size) == f"{size} articles", (view, size)
        with app.test_request_context("/admin/?lang=en"):
            refresh()
            set_current_view(view)
            assert babel.gettext("Failed to create record.") == "Failed to create record."


def test_the_date_picker_is_french_on_french_pages(officer_pages, client):
    from tests.operator.html import parse

    page = next(officer_pages())
    scripts = [s.attrs["src"] for s in parse(page.data).find_all("script") if s.attrs.get("src")]
    french = "/static/js/admin-fr.js"
    picker = next(s for s in scripts if "daterangepicker.js" in s)
    # After moment and select2, before the picker, form.js and the filters that open it.
    assert scripts.index(french) < scripts.index(picker) < next(
        i for i, s in enumerate(scripts) if "admin/js/form.js" in s)
    assert scripts.index(french) > next(i for i, s in enumerate(scripts) if "moment.min.js" in s)
    nonce = page.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert parse(page.data).find("script", src=french).attrs["nonce"] == nonce

    source = client.get(french).get_data(as_text=True)
    for english in PICKER_ENGLISH:
        assert english not in source, english
    for french_text in ("applyLabel: 'Appliquer'", "cancelLabel: 'Annuler'", "fromLabel: 'Du'", "toLabel: 'Au'",
                        "'Di_Lu_Ma_Me_Je_Ve_Sa'", "janvier_février", "dow: 1", "'DD/MM/YYYY HH:mm'",
                        "Aucun résultat"):
        assert french_text in source, french_text

    english_page = next(officer_pages("en"))
    assert french not in english_page.get_data(as_text=True)


def test_date_filters_read_dates_as_the_french_picker_writes_them(factory, login):
    """"01/12/2026 00:00 au 04/12/2026 23:59" (the French picker), the reader's time; ISO dates still work."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    officer = factory.officer()
    today = factory.submitted(factory.operator(), office_code=officer.office.code)
    client = login(officer)
    now = datetime.now(ZoneInfo("Europe/Paris"))
    yesterday, tomorrow = now - timedelta(days=1), now + timedelta(days=1)

    def shown(value):
        page = client.get("/admin/tous/", query_string={"flt0_dpose_le_between": value})
        assert page.status_code == 200
        return today.reference in page.get_data(as_text=True)

    assert shown(f"{yesterday:%d/%m/%Y} 00:00 au {tomorrow:%d/%m/%Y} 23:59")
    assert not shown(f"{tomorrow:%d/%m/%Y} 00:00 au {tomorrow:%d/%m/%Y} 23:59")
    assert shown(f"{yesterday:%Y-%m-%d} 00:00:00 to {tomorrow:%Y-%m-%d} 23:59:59")
    assert shown(f"{now:%d/%m/%Y} 00:00 au {now:%d/%m/%Y} 23:59")  # today, Paris time


# --- French plurals ------------------------------------------------------------------------------

FR_PO_FILE = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"


def test_french_catalogue_has_the_french_plural_rule_and_every_plural_entry():
    """Without an entry, gettext picks a plural form by the English rule (n != 1): "0 demandes"."""
    with FR_PO_FILE.open("rb") as f:
        catalog = read_po(f, locale="fr")
    assert catalog.plural_forms == "nplurals=2; plural=(n > 1);"
    english_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _messages() if isinstance(m.id, tuple)}
    french = {m.id[0]: m for m in catalog if m.id and isinstance(m.id, tuple)}
    assert set(french) == english_ids
    assert all(tuple(m.string) == tuple(m.id) and not m.fuzzy for m in french.values())
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = Translations(f)
    for message in french.values():
        singular, plural = message.id
        assert compiled.ngettext(singular, plural, 0) == singular
        assert compiled.ngettext(singular, plural, 1) == singular
        assert compiled.ngettext(singular, plural, 2) == plural


def test_counts_follow_french_plural_rules(factory, login):
    from tests.operator.html import parse

    first, second = factory.company(), factory.company()
    operator = factory.user(companies=[first, second])
    client = login(operator)

    def count(path, lang="fr"):
        return parse(client.get(path, query_string={"lang": lang}).data).find("p", class_="count").text()

    assert count("/rex/demandes/en-cours") == "0 demande"
    assert count("/rex/autorisations") == "0 autorisation (en vigueur ou non)"
    assert count("/rex/demandes/en-cours", "en") == "0 applications"
    factory.submitted(operator, first)
    assert count("/rex/demandes/en-cours") == "1 demande"
    factory.submitted(operator, second)
    assert count("/rex/demandes/en-cours") == "2 demandes"
    assert count("/rex/demandes/en-cours", "en") == "2 applications"
