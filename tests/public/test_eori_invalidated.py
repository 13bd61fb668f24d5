"""An invalidated EORI number (DA Art. 7): status 'invalid' with its date, never the holder's name or address."""
from datetime import timedelta

import pytest

from app.models._time import utcnow
from app.workflow import eori


@pytest.fixture
def invalidated(factory):
    """A company of office FR000600 that consented to publication, its number invalidated three days ago."""
    def _invalidated(consent=True):
        officer = factory.officer("FR000600")
        company = factory.company(name="Zyxwv Négoce", eori_publication_consent=consent,
                                  office_id=officer.office_id)
        on = utcnow().date() - timedelta(days=3)
        eori.invalidate(officer, company, "holder_request", on, "À la demande du gérant.")
        return company, on
    return _invalidated


@pytest.mark.parametrize("consent", [True, False])
def test_api_answers_invalid_with_the_date_and_no_identity(client, invalidated, consent):
    company, on = invalidated(consent)

    response = client.get(f"/api/public/eori/{company.eori}")

    assert response.status_code == 200
    assert response.json == {"number": company.eori, "status": "invalid", "invalidated_on": on.isoformat()}


def test_page_shows_invalidated_since_and_no_identity(client, invalidated):
    company, on = invalidated()

    response = client.get("/registre", query_string={"number": company.eori})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<dd>Invalidé depuis le {on:%d/%m/%Y}</dd>" in html
    for value in ("Zyxwv Négoce", company.address, company.city):
        assert value not in html
