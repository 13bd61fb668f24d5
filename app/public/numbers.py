"""How numbers typed by the public are normalised and recognised (domain.md 1.4, 3.1, 3.2)."""
import re

# A REX number is the country code, "REX", then the holder's EORI (domain.md section 9).
REX = re.compile(r"^[A-Z]{2}REX[A-Z]{2}[A-Z0-9]{1,15}$")
EU_EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")
# France: FR + SIREN (9 digits) or SIRET (14 digits); non-EU operators registered in France get
# FR + their country's ISO code + a number assigned by customs (domain.md 3.2).
FR_EORI = re.compile(r"^FR(?:[0-9]{9}|[0-9]{14}|[A-Z]{2}[A-Z0-9]{1,13})$")


def normalise(number: str | None) -> str:
    """Numbers are printed in groups and typed in any case: drop every space, upper-case the rest."""
    return "".join((number or "").split()).upper()


def is_rex(number: str) -> bool:
    return bool(REX.match(number))


def is_eori(number: str) -> bool:
    return bool((FR_EORI if number.startswith("FR") else EU_EORI).match(number))
