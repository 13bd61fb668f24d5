"""RQ workers run job functions outside any request: give them an application context."""
import functools

from flask import has_app_context


def with_app_context(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        from app import create_app

        with create_app().app_context():
            return func(*args, **kwargs)

    return wrapper
