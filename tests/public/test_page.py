"""/registre: the French page, its form and its errors."""


def test_empty_form(client):
    response = client.get("/registre")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Numéro REX ou EORI" in html and 'method="get"' in html and "<dl>" not in html


def test_bad_input_keeps_what_was_typed(client):
    response = client.get("/registre", query_string={"number": "zz-12 <b>"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="zz-12 &lt;b&gt;"' in html
    assert 'class="error" id="number-error"' in html and "ni un numéro REX" in html
    assert "<dl>" not in html


def test_empty_input_asks_for_a_number(client):
    html = client.get("/registre?number=+").get_data(as_text=True)
    assert "Saisissez un numéro REX ou EORI." in html


def test_french_labels(client, granted):
    registration = granted(consent=True)
    html = client.get("/registre", query_string={"number": registration.number}).get_data(as_text=True)
    for label in ("Numéro REX", "Statut", "Date de validité", "Raison sociale", "Adresse", "Téléphone", "Courriel", "Fax",
                  "Marchandises (positions SH)"):
        assert f"<dt>{label}</dt>" in html, label


def test_login_page_links_to_the_register(client):
    assert 'href="/registre"' in client.get("/connexion").get_data(as_text=True)
