"""Countries from pycountry, named in the reader's language."""
import gettext
from functools import lru_cache

import pycountry


@lru_cache(maxsize=4)
def _translator(locale: str):
    if locale == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True)


@lru_cache(maxsize=4)
def country_choices(locale: str = "fr") -> list[tuple[str, str]]:
    tr = _translator(locale)
    names = [(c.alpha_2, tr.gettext(c.name)) for c in pycountry.countries]
    return sorted(names, key=lambda item: item[1])


def country_name(code: str | None, locale: str = "fr") -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    return _translator(locale).gettext(country.name) if country else code


def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code.upper()) is not None
