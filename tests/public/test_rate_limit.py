"""Per-IP limit shared by the page and both APIs; other routes are not limited."""
import pytest


@pytest.fixture
def low_limit(app, monkeypatch):
    # The limit is read from the config at each request (app/public/views.py), so a test may lower it.
    monkeypatch.setitem(app.config, "PUBLIC_RATE_LIMIT", "2 per minute")


def test_api_answers_429_with_retry_after(client, low_limit):
    assert client.get("/api/public/rex/FRREXFR999999999").status_code == 404
    assert client.get("/api/public/eori/FR999999999").status_code == 404
    response = client.get("/api/public/rex/FRREXFR999999999")
    assert response.status_code == 429
    assert response.json["error"].startswith("Trop de requêtes")
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_page_answers_429_in_french(client, low_limit):
    for _ in range(2):
        assert client.get("/registre").status_code == 200
    response = client.get("/registre", query_string={"number": "FR999999999"})
    assert response.status_code == 429
    assert "Trop de requêtes" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0


def test_each_client_ip_has_its_own_budget(client, low_limit):
    for _ in range(3):
        client.get("/api/public/eori/FR999999999")
    other = client.get("/api/public/eori/FR999999999", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 404


def test_other_routes_are_not_limited(client, low_limit):
    for _ in range(3):
        client.get("/registre")
    for _ in range(3):
        response = client.get("/connexion")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers
    assert client.get("/healthz").status_code == 200
