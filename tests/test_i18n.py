"""French by default, English on request (?lang=en, remembered in the session), and a complete English catalogue."""
import re
from pathlib import Path


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
