"""Fill the plural entries of the French catalogue with the French source texts (`make translations`).

The msgids are French, so French needs no translation, except for plurals: gettext picks the form of a
message missing from the catalogue by the English rule (n != 1), and would print "0 demandes". With the
entry present, the catalogue's Plural-Forms (n > 1) picks "0 demande", as French writes it.

Usage: python translations/french_plurals.py [path to fr/LC_MESSAGES/messages.po]
"""
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

FRENCH = Path(__file__).resolve().parent / "fr" / "LC_MESSAGES" / "messages.po"


def fill(path: Path = FRENCH) -> int:
    with path.open("rb") as f:
        catalog = read_po(f, locale="fr")
    filled = 0
    for message in catalog:
        if message.id and message.pluralizable and tuple(message.string) != tuple(message.id):
            message.string = tuple(message.id)
            filled += 1
    with path.open("wb") as f:
        write_po(f, catalog)
    return filled


if __name__ == "__main__":
    print(f"{fill(Path(sys.argv[1]) if len(sys.argv) > 1 else FRENCH)} French plural entries filled")
