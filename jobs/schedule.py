"""The periodic jobs, declared as data: (name, dotted path of the job function, interval in seconds).

`flask --app wsgi scheduler` (jobs/scheduler.py) enqueues each at its interval.
"""
PERIODIC = [
    ("deliver_outbox", "jobs.outbox.deliver_outbox", 60),
]
