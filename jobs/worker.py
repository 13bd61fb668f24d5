"""The rq worker of production: `rq worker -w jobs.worker.AppWorker ...` (Procfile).

rq's Worker forks a work horse per job. With the plain class the horse imports the product and builds the app
for every job (about 2 s of CPU for a job of a few milliseconds, measured by bench/load). This class builds the
app once, in the parent, before any fork: each horse inherits it and only pushes an application context. The
parent never opens a database connection; the horse still starts from an empty pool so that a connection is
never shared across a fork. Building the app also applies app/logging_setup.py: rq's lines and the jobs' go out
through the one logging configuration (JSON with LOG_FORMAT=json), once each.
"""
from rq import Worker

from app import create_app
from app.extensions import db
import jobs.batch  # noqa: F401  (imported once in the parent: the horses inherit the job modules)
import jobs.deadlines  # noqa: F401
import jobs.outbox  # noqa: F401
import jobs.rex  # noqa: F401


class AppWorker(Worker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = create_app()

    def perform_job(self, job, queue):
        with self.app.app_context():
            db.engine.dispose(close=False)
            return super().perform_job(job, queue)
