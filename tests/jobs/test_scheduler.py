"""The periodic scheduler: each job at its interval, once even with two scheduler processes."""

import pytest

import jobs.schedule
from jobs import scheduler

CALLS = []


def tick_job():
    CALLS.append("tick")


@pytest.fixture(autouse=True)
def one_periodic_job(monkeypatch):
    CALLS.clear()
    monkeypatch.setattr(jobs.schedule, "PERIODIC", [("tick", "tests.jobs.test_scheduler.tick_job", 60)])


def test_a_due_job_runs_in_process_without_redis(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    last_run = {}

    assert scheduler.run_due(app, last_run, now=1_000.0) == ["tick"]
    assert CALLS == ["tick"]


def test_a_job_does_not_run_again_before_its_interval(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    last_run = {}
    scheduler.run_due(app, last_run, now=1_000.0)

    assert scheduler.run_due(app, last_run, now=1_030.0) == []
    assert scheduler.run_due(app, last_run, now=1_061.0) == ["tick"]
    assert CALLS == ["tick", "tick"]


def test_two_schedulers_enqueue_a_slot_once_with_redis(app, monkeypatch, redis_url):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    enqueued = []
    monkeypatch.setattr(scheduler, "enqueue", lambda func, **kwargs: enqueued.append(func.__name__))

    first = scheduler.run_due(app, {}, now=6_000.0)
    second = scheduler.run_due(app, {}, now=6_001.0)  # another process, same slot

    assert first == ["tick"] and second == []
    assert enqueued == ["tick_job"]
