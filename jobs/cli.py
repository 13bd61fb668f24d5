"""The jobs layer's commands: flask --app wsgi scheduler | deliver-outbox | transmit-rex."""
import click
from flask import Flask


def register(app: Flask) -> None:
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
