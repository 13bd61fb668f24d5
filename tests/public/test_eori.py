"""GET /api/public/eori/<number>: valid or unknown; name and address only with the holder's consent."""
import pytest


def test_valid_with_consent_shows_name_and_address(client, factory):
    company = factory.company(name="Zyxwv Négoce", eori_publication_consent=True)
    response = client.get(f"/api/public/eori/{company.eori}")
    assert response.status_code == 200
    assert response.json == {"number": company.eori, "status": "valid", "name": "Zyxwv Négoce",
                             "address": {"street": company.address, "postcode": company.postcode,
                                         "city": company.city, "country": "FR"}}
    html = client.get("/registre", query_string={"number": company.eori}).get_data(as_text=True)
    assert "Numéro EORI" in html and "<dd>Valide</dd>" in html and "Zyxwv Négoce" in html


def test_valid_without_consent_shows_status_only(client, factory):
    company = factory.company(name="Zyxwv Négoce")
    response = client.get(f"/api/public/eori/{company.eori.lower()}")
    assert response.status_code == 200
    assert response.json == {"number": company.eori, "status": "valid"}
    html = client.get("/registre", query_string={"number": company.eori}).get_data(as_text=True)
    assert "<dd>Valide</dd>" in html
    for value in ("Zyxwv Négoce", company.address, company.city):
        assert value not in html


def test_unknown(client):
    response = client.get("/api/public/eori/FR999999999")
    assert response.status_code == 404
    assert response.json == {"number": "FR999999999", "status": "unknown"}


@pytest.mark.parametrize("number", ["FR12345", "FR1234567890", "FR1234567890123456", "F1", "12345678901",
                                    "DE1234567890123456", "FR-123456789"])
def test_malformed_is_400(client, number):
    response = client.get(f"/api/public/eori/{number}")
    assert response.status_code == 400
    assert response.json["error"].startswith("Numéro EORI mal formé")


@pytest.mark.parametrize("number", ["FR732829320", "FR73282932000074", "DE123456789012345", "ITAB12", "FRUS1234"])
def test_well_formed_numbers_are_looked_up(client, number):
    assert client.get(f"/api/public/eori/{number}").status_code == 404
