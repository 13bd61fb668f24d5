"""Periodic jobs, as data: (name, dotted path of the job function, interval in seconds).

The scheduler process enqueues each one every `interval` seconds; the jobs are idempotent and safe to run
twice at once (jobs/deadlines.py), so a late or doubled tick does no harm.
"""
PERIODIC = [
    ("sweep_deadlines", "jobs.deadlines.sweep_deadlines", 300),
    ("send_deadline_reminders", "jobs.deadlines.send_deadline_reminders", 900),
    ("end_hearing_periods", "jobs.hearing.end_hearing_periods", 900),
    ("send_hearing_reminders", "jobs.hearing.send_hearing_reminders", 3600),
    ("purge_retention", "jobs.retention.purge_retention", 86400),
    ("transmit_rex", "jobs.rex.transmit_pending", 60),
    ("deliver_outbox", "jobs.outbox.deliver_outbox", 60),
    ("purge_sessions", "jobs.sessions.purge_sessions", 3600),
    ("render_certificates", "jobs.certificates.render_certificates", 600),
    ("purge_background_tasks", "jobs.batch.purge_tasks", 3600),
    ("send_daily_digests", "jobs.digest.send_daily_digests", 3600),
    ("refresh_chart_snapshots", "jobs.charts.refresh_chart_snapshots", 300),
]
