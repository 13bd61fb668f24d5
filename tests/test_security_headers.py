"""Security headers (Flask-Talisman) on operator, back-office and public pages; https in production."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app, workflow
from app.extensions import db
from app.models import Role
from app.security_headers import csp_hash
from tests.factories import PASSWORD
from tests.operator.html import parse

ROOT = Path(__file__).resolve().parent.parent


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def pages(factory, login, client):
    """Each kind of page, as the person who sees it: (client after login, path)."""
    def _pages():
        operator = factory.operator()
        submitted = factory.submitted(operator)
        workflow.comment(operator, submitted, "Première ligne\nSeconde ligne")  # a style attribute in the thread
        officer = factory.officer()
        admin = factory.user(Role.ADMIN)
        factory.user(Role.OPERATOR, companies=[factory.company()])  # a certification row, with its delete button
        yield None, "/connexion"
        yield None, "/registre?number=FR999999999"
        login(operator)
        yield operator, "/rex/demandes/en-cours"
        login(officer)
        yield officer, "/admin/a_traiter/"  # filters and the batch action
        yield officer, f"/admin/dossier/{submitted.id}"  # the instruction page
        login(admin)
        yield admin, "/admin/habilitations/"  # delete buttons, the delete action
        yield admin, "/admin/habilitations/?lang=en"
        client.post("/deconnexion")
    return _pages


def test_every_page_kind_sends_the_security_headers(client, pages):
    for _, path in pages():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert "Strict-Transport-Security" not in response.headers, path  # plain http in tests
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert policy["base-uri"] == ["'none'"], path
        assert policy["form-action"] == ["'self'"], path
        for directive in ("script-src", "style-src"):
            assert "'self'" in policy[directive], path
            assert "'unsafe-inline'" not in policy[directive] and "'unsafe-eval'" not in policy[directive], path
        assert any(s.startswith("'nonce-") for s in policy["script-src"]), path


def test_the_policy_allows_exactly_the_inline_code_the_pages_carry(client, pages):
    """Every inline handler, javascript: link and style attribute on the pages has its hash in the policy, and
    every inline <script> carries the response's nonce: a browser runs the pages as written (tests/e2e/test_csp.py)."""
    handlers_seen, styles_seen = set(), set()
    for _, path in pages():
        response = client.get(path)
        policy = _policy(response)
        [nonce] = [s[len("'nonce-"):-1] for s in policy["script-src"] if s.startswith("'nonce-")]
        for node in parse(response.data).iter():
            for name, value in node.attrs.items():
                if name.startswith("on") or (name == "href" and value.startswith("javascript:")):
                    handlers_seen.add(value)
                    assert csp_hash(value) in policy["script-src"], (path, name, value)
                elif name == "style":
                    styles_seen.add(value)
                    assert csp_hash(value) in policy["style-src"], (path, value)
            if node.tag == "script" and "src" not in node.attrs:
                assert node.attrs.get("nonce") == nonce, path
    assert {"javascript:void(0)", "return false;", "return modelActions.execute('batch');",
            "return modelActions.execute('delete');",
            "return faHelpers.safeConfirm('Êtes-vous bien sûr de vouloir  supprimer cet objet?');",
            "return faHelpers.safeConfirm('Are you sure you want to delete this record?');"} <= handlers_seen
    assert "white-space: pre-line" in styles_seen


def test_flask_admin_script_tags_carry_the_nonce(client, factory, login):
    login(factory.officer())
    response = client.get("/admin/a_traiter/")
    [nonce] = [s for s in _policy(response)["script-src"] if s.startswith("'nonce-")]
    scripts = [s for s in parse(response.data).find_all("script") if "/admin/static/" in s.attrs.get("src", "")]
    assert scripts and all(f"'nonce-{s.attrs.get('nonce')}'" == nonce for s in scripts)


def test_each_response_has_its_own_nonce(client):
    first, second = (_policy(client.get("/connexion"))["script-src"][-1] for _ in range(2))
    assert first.startswith("'nonce-") and first != second


@pytest.fixture
def https_app(app, tmp_path):
    """The session app's database with the production transport settings (Config with APP_ENV=production)."""
    production = create_app({"TESTING": True, "FORCE_HTTPS": True, "SESSION_COOKIE_SECURE": True,
                             "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                             "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                             "MAIL_FILE_DIR": str(tmp_path / "mail"),
                             # the same limiter storage: Flask-Limiter's one instance takes the last app's
                             "REDIS_URL": app.config["REDIS_URL"]})
    yield production
    with production.app_context():
        db.session.remove()
        db.engine.dispose()


def test_in_production_http_is_redirected_and_https_gets_hsts_and_secure_cookies(https_app, factory):
    user = factory.operator()
    client = https_app.test_client()

    response = client.get("/connexion?lang=fr")
    assert response.status_code == 302
    assert response.location == "https://localhost/connexion?lang=fr"

    response = client.post("/connexion", base_url="https://localhost",
                           data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"] == "max-age=31556926; includeSubDomains"
    [cookie] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite"} <= flags
    # Behind the reverse proxy that ends TLS and says so.
    assert client.get("/connexion", headers={"X-Forwarded-Proto": "https"}).status_code == 200


def _config(**env) -> list[str]:
    """Config's transport settings as a fresh process reads them from this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("APP_ENV", "FLASK_DEBUG", "PUBLIC_BASE_URL")}
    code = ("from config import Config as C; "
            "print(C.APP_ENV, C.FORCE_HTTPS, C.SESSION_COOKIE_SECURE, C.REMEMBER_COOKIE_SECURE)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, check=True,
                         capture_output=True, text=True).stdout
    return out.split()


@pytest.mark.parametrize("env, production", [
    ({}, False),  # make run
    ({"PUBLIC_BASE_URL": "https://rex.douane.example"}, False),  # only APP_ENV says production
    ({"APP_ENV": "development", "PUBLIC_BASE_URL": "https://rex.douane.example"}, False),
    ({"APP_ENV": "production"}, True),
    ({"APP_ENV": " Production ", "FLASK_DEBUG": "1"}, True),  # debugging does not turn https off
])
def test_only_production_forces_https_and_secure_cookies(env, production):
    expected = "production" if production else "development"
    assert _config(**env) == [expected, str(production), str(production), str(production)]
