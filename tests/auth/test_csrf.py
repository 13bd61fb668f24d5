"""With CSRF protection on (as in production), a form posted without its token is refused."""
import pytest

from app import create_app
from tests.operator.html import page_text, parse


@pytest.fixture
def csrf_client(app, tmp_path):
    protected = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            # the same engine options too: on PostgreSQL they select the run's own schema
                            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                            "MAIL_FILE_DIR": str(tmp_path / "mail"), "REDIS_URL": None})
    yield protected.test_client()
    with protected.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_post_to_connexion_without_csrf_token_answers_400_with_a_french_page(csrf_client, factory):
    user = factory.operator()

    response = csrf_client.post("/connexion", data={"username": user.username, "password": "Secret-2026!"})

    assert response.status_code == 400
    text = page_text(response)
    assert "Requête invalide" in text
    assert "Le formulaire a expiré ou est invalide : rechargez la page et recommencez." in text
    assert csrf_client.get("/rex/").status_code == 302  # not logged in


def test_post_to_connexion_with_the_page_token_logs_in(csrf_client, factory):
    user = factory.operator()
    token = parse(csrf_client.get("/connexion").data).find("input", name="csrf_token").attrs["value"]

    response = csrf_client.post("/connexion", data={"username": user.username, "password": "Secret-2026!",
                                                    "csrf_token": token})

    assert response.status_code == 302
    assert csrf_client.get("/rex/demandes/en-cours").status_code == 200


def test_logout_without_csrf_token_is_refused(csrf_client, factory):
    user = factory.operator()
    token = parse(csrf_client.get("/connexion").data).find("input", name="csrf_token").attrs["value"]
    csrf_client.post("/connexion", data={"username": user.username, "password": "Secret-2026!",
                                         "csrf_token": token})

    assert csrf_client.post("/deconnexion").status_code == 400
    assert csrf_client.get("/rex/demandes/en-cours").status_code == 200
