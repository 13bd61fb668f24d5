"""Command-line interface: flask --app wsgi <command>."""
import click
from flask import Flask
from flask_babel import force_locale
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

    @app.cli.command("load-nomenclature")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--partial", is_flag=True,
                  help="The file covers part of the nomenclature: keep the codes it does not mention.")
    @click.option("--dry-run", is_flag=True, help="Report what would change and change nothing.")
    def load_nomenclature(path: str, partial: bool, dry_run: bool):
        """Replace the labels of the HS chapters and headings with official texts.

        PATH is the EU Combined Nomenclature XML export (CN_CODE elements; the chapters and headings in force
        today are read) or a `code;libellé` CSV in UTF-8 (French labels; a whole chapter as 39 or 3900).
        Unless --partial, the file is the whole nomenclature: a chapter or heading it lacks is removed. A
        chapter or heading that files use is never removed: it is kept and reported.
        """
        from datetime import date

        from app.reference import nomenclature

        try:
            report = nomenclature.apply_labels(nomenclature.read_file(path, today=date.today()), partial=partial)
        except nomenclature.NomenclatureError as exc:
            raise click.ClickException(str(exc)) from exc
        for line in report.lines():
            click.echo(line)
        if dry_run:
            db.session.rollback()
            click.echo("dry run: nothing changed")
        else:
            db.session.commit()

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

    @app.cli.command("purge-retention")
    @click.option("--dry-run", is_flag=True, help="Say what would be purged, purge nothing.")
    def purge_retention(dry_run: bool):
        """Purge the personal data of registrations revoked and EORI numbers invalidated more than 10 calendar
        years ago (an anonymous trace stays), and the sent emails older than SENT_EMAIL_RETENTION_DAYS."""
        from app.workflow import retention
        with force_locale("fr"):
            result = retention.purge(dry_run=dry_run)
        verb = "would purge" if dry_run else "purged"
        click.echo(f"{verb}: {len(result['registrations'])} registration period(s)"
                   f" {' '.join(result['registrations'])}".rstrip())
        click.echo(f"{verb}: {len(result['eori_numbers'])} EORI number(s) {' '.join(result['eori_numbers'])}".rstrip())
        click.echo(f"{verb}: {result['sent_emails']} sent email(s)")

    @app.cli.command("workflow")
    def workflow_table():
        """Print the transition table (kind, from, action, to, who, guard, effects): docs/workflow.md."""
        from app.workflow.table import render

        click.echo(render(), nl=False)
