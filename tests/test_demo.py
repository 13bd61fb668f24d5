"""`flask demo-data`: every screen of the guide has something to show, built through the workflow."""
from flask_babel import force_locale
from sqlalchemy import func, select

from app.demo import load_demo_data
from app.extensions import db
from app.models import Application, ApplicationKind, CertificationRequest, Registration


def test_demo_data_cover_every_status_and_load_once(app):
    with force_locale("fr"):
        assert load_demo_data() == "demo data loaded"
        assert load_demo_data() == "demo data already loaded"
    statuses = set(db.session.scalars(select(Application.status).where(Application.kind == ApplicationKind.REX)))
    assert {s.value for s in statuses} >= {"draft", "under_review", "incomplete", "rejected", "granted", "abandoned"}
    registrations = dict(db.session.execute(
        select(Registration.status, func.count()).group_by(Registration.status)).all())
    assert {s.value: n for s, n in registrations.items()} == {"granted": 1, "superseded": 1, "revoked": 1}
    assert db.session.scalar(select(Application.status).where(Application.kind == ApplicationKind.EORI)).value \
        == "under_review"
    assert db.session.scalar(select(func.count()).select_from(CertificationRequest)) == 1
