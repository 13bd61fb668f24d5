"""HTTP security headers with Flask-Talisman: Content-Security-Policy, frame and referrer policies, nosniff,
and https (redirect, HSTS) outside development.

The policy allows scripts and styles from the app's own origin only. What remains inline is allowed by
hash, never by 'unsafe-inline', and only from trusted sources:
- Flask-Admin 2's bootstrap4 templates write a few onclick handlers and javascript: links, which no
  nonce can cover;
- our templates have some literal style="..." attributes.
CSP level 3's 'unsafe-hashes' lets a hash match such an attribute; a handler or a style injected into
a page has no listed hash and is refused.
"""
import base64
import hashlib
import re
from pathlib import Path

import flask_admin.translations
from babel.support import Translations
from flask import Flask, request
from flask_talisman import Talisman

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LITERAL_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"{}]*)"')


def csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def template_style_attributes() -> set[str]:
    """The literal style attributes of our templates (templates/pdf/ aside: xhtml2pdf reads those, no browser)."""
    return {match.group(1)
            for path in TEMPLATES.rglob("*.html") if "pdf" not in path.relative_to(TEMPLATES).parts
            for match in LITERAL_STYLE_ATTRIBUTE.finditer(path.read_text(encoding="utf-8"))}


def admin_inline_handlers(app: Flask) -> set[str]:
    """The inline code Flask-Admin 2.2's bootstrap4 list pages carry: the href of its menu toggles and pager
    ("javascript:void(0)", which Chromium runs on a click, hashed as a whole URL), the onclick of the filter
    menu's items (admin/model/layout.html), of each batch action (admin/actions.html) and of the row delete
    confirmation in each language (admin/model/row_actions.html)."""
    handlers = {"return false;", "javascript:void(0)"}
    for admin in app.extensions.get("admin", []):
        for view in admin._views:
            handlers.update(f"return modelActions.execute('{name}');" for name, _ in getattr(view, "_actions", ()))
    catalogues = flask_admin.translations.__path__[0]
    for language in app.config["LANGUAGES"]:
        message = Translations.load(catalogues, [language], domain="admin").gettext(
            "Are you sure you want to delete this record?")
        handlers.add(f"return faHelpers.safeConfirm('{message}');")
    return handlers


def content_security_policy(app: Flask) -> dict[str, str | list[str]]:
    return {
        "default-src": "'self'",
        # + a per-request nonce (content_security_policy_nonce_in), for Flask-Admin's inline <script>s
        "script-src": ["'self'", "'unsafe-hashes'", *sorted(map(csp_hash, admin_inline_handlers(app)))],
        "style-src": ["'self'", "'unsafe-hashes'", *sorted(map(csp_hash, template_style_attributes()))],
        # Bootstrap 4 draws the icon of an invalid field (and its custom selects and checkboxes) as data: SVG.
        "img-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def init_security_headers(app: Flask) -> None:
    """Once the back-office is registered (its batch actions are part of the policy).

    One Talisman per app, not a shared instance in app.extensions: Talisman keeps the app and its options on
    itself, so a second app in the same process (the tests make several) would change the first one's."""
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        frame_options="DENY",
        referrer_policy="same-origin",  # password reset links carry their token in the path
        content_security_policy=content_security_policy(app),
        content_security_policy_nonce_in=["script-src"],
    )
    # Flask-Admin puts Talisman's nonce on its own <script> tags (its modal forms are inline scripts).
    for admin in app.extensions.get("admin", []):
        admin.csp_nonce_generator = app.jinja_env.globals["csp_nonce"]
    app.after_request(no_store)


def no_store(response):
    """Pages, certificate PDFs, exports and documents are read by one account: no browser or proxy cache keeps
    a copy (the back button after logout, a shared computer). Only the static files may be cached; the
    rest says no-store, whatever Flask's send_file or Flask-Admin's export set."""
    if not (request.endpoint or "").endswith("static"):
        response.headers["Cache-Control"] = "no-store"
    return response
