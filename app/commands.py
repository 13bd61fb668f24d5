"""Command-line interface: flask --app wsgi <command>."""
import click
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Certification, Company, User


def register(app: Flask) -> None:
    from app.rex_standin import register_command as register_rex_standin

    register_rex_standin(app)

    @app.cli.command("load-reference")
    def load_reference():
        """Load offices, HS headings and preferential relations (idempotent)."""
        from app.reference.loader import load_all

        click.echo(load_all())

    @app.cli.command("demo-data")
    def demo_data():
        """Load reference data and the demo accounts and files (idempotent)."""
        from app.demo import load_demo_data

        click.echo(load_demo_data())

    @app.cli.command("demo-data-if-empty")
    def demo_data_if_empty():
        """Load the demo data only when the database has no account yet (used by make run), then say where to log
        in and as whom."""
        from app.demo import DEMO_PASSWORD, load_demo_data

        if db.session.scalar(select(User.id).limit(1)) is None:
            click.echo(load_demo_data())
        else:
            click.echo("database not empty: demo data left as it is")
        if db.session.scalar(select(User.id).where(User.username == "agent.fr000600")) is not None:
            click.echo(f"Log in at {app.config['PUBLIC_BASE_URL']}/connexion as agent.fr000600 (an officer; every "
                       f"demo account is in README.md), password {DEMO_PASSWORD}")

    @app.cli.command("certify")
    @click.argument("username")
    @click.argument("eori")
    @click.option("--client", is_flag=True, help="Certify a customs representative for a client company.")
    def certify(username: str, eori: str, client: bool):
        """Certify an account to act for the company holding EORI."""
        user = db.session.scalar(select(User).where(User.username == username))
        company = db.session.scalar(select(Company).where(Company.eori == eori.upper()))
        if user is None or company is None:
            raise click.ClickException("unknown user or EORI")
        if not db.session.scalar(select(Certification).where(Certification.user_id == user.id,
                                                             Certification.company_id == company.id)):
            db.session.add(Certification(user_id=user.id, company_id=company.id, on_behalf=client))
            db.session.commit()
        click.echo(f"{user.username} certified for {company}")

    @app.cli.command("scheduler")
    @click.option("--tick", default=5.0, help="Seconds between two checks of the schedule.")
    def scheduler(tick: float):
        """Run the periodic jobs of jobs/schedule.py (deadline sweep, reminders, email, REX transmissions).

        Logs through app/logging_setup.py, configured when the command built the app."""
        from jobs.scheduler import run_forever

        run_forever(app, tick)

    @app.cli.command("deliver-outbox")
    def deliver_outbox_command():
        """Deliver pending emails now."""
        from jobs.outbox import deliver_outbox

        click.echo(f"{deliver_outbox()} sent")

    @app.cli.command("transmit-rex")
    def transmit_rex_command():
        """Send the registrations waiting for the Commission's central REX now."""
        from jobs.rex import transmit_pending

        click.echo(f"{transmit_pending()} transmitted")
