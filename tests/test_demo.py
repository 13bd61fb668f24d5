"""`flask demo-data`: every screen of the guide has something to show, built through the workflow."""
from flask_babel import force_locale
from sqlalchemy import func, select

from app.demo import load_demo_data
from app.extensions import db
from app.models import Application, ApplicationKind, CertificationRequest, DecisionProposal, Office, Registration


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
    # Issue 17: one file of each new state.
    assert db.session.scalar(select(func.count()).select_from(DecisionProposal)
                             .where(DecisionProposal.status == "pending")) == 1
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.hearing_notified_at.is_not(None))) == 1
    assert db.session.scalar(select(func.count()).select_from(Application)
                             .where(Application.deadline_extension_days > 0)) == 1
    assert db.session.scalar(select(func.count()).select_from(Application)
                             .where(Application.clock_suspended_at.is_not(None))) == 1
    assert db.session.scalar(select(func.count()).select_from(Office).where(Office.four_eyes)) >= 1


def test_make_runs_demo_command_loads_an_empty_database_and_says_where_to_log_in(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://127.0.0.1:8000")  # make run PORT=8000
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo-data-if-empty"])
    again = runner.invoke(args=["demo-data-if-empty"])

    login = ("Log in at http://127.0.0.1:8000/connexion as agent.fr000600 (an officer; every demo account is in "
             "README.md), password Demo-2026!")
    assert first.output.splitlines() == ["demo data loaded", login]
    assert again.output.splitlines() == ["database not empty: demo data left as it is", login]


def test_the_demo_command_leaves_a_database_with_accounts_alone_and_names_no_demo_account(app, factory):
    factory.officer()
    result = app.test_cli_runner().invoke(args=["demo-data-if-empty"])
    assert result.output.splitlines() == ["database not empty: demo data left as it is"]
