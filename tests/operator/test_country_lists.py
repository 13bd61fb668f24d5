"""The country lists are rendered from a cache: the markup must be WTForms' own, the chosen country selected."""
import pytest
from wtforms import Form, SelectField
from wtforms.widgets import Select

from app.widgets import LongListSelect
from app.reference.countries import country_choices

CHOICES = [("", "Rechercher un pays")] + country_choices("fr") + [("X1", 'Terre <b>"libre"</b> & co')]


def _render(widget, data, **kwargs) -> str:
    class CountryForm(Form):
        country = SelectField(widget=widget)

    form = CountryForm(data={"country": data})
    form.country.choices = CHOICES
    return str(form.country(**kwargs))


@pytest.mark.parametrize("data", ["FR", "", None, "X1", "ZZ"])
def test_a_country_list_is_the_markup_wtforms_renders(data):
    assert _render(LongListSelect(), data, class_="wide") == _render(Select(), data, class_="wide")


def test_the_chosen_country_is_the_only_one_selected_on_every_render():
    _render(LongListSelect(), "FR")  # the list is now cached

    html = _render(LongListSelect(), "DE")

    assert html.count(" selected ") == 1 and '<option selected value="DE">Allemagne</option>' in html
    assert '<option value="FR">France</option>' in html


def test_a_label_with_markup_is_escaped():
    html = _render(LongListSelect(), None)

    assert "Terre &lt;b&gt;&#34;libre&#34;&lt;/b&gt; &amp; co" in html and "<b>" not in html
