"""Help for operators and officers: the FAQ, a page per section of the filing forms, the conditions of use,
the list of customs offices, and the assistance contact every page footer and error page shows."""
from flask import current_app
from flask_babel import lazy_gettext as _l

DEFAULT_HOURS = _l("du lundi au vendredi, de 8 h 30 à 18 h (hors jours fériés)")


def assistance() -> dict:
    """The assistance contact from the settings (ASSISTANCE_*); `tel` is the phone number as a tel: link wants it."""
    config = current_app.config
    phone = config.get("ASSISTANCE_PHONE") or ""
    return {"email": config.get("ASSISTANCE_EMAIL") or "", "phone": phone,
            "tel": "".join(c for c in phone if c.isdigit() or c == "+"),
            "hours": config.get("ASSISTANCE_HOURS") or str(DEFAULT_HOURS)}
