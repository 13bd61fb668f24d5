"""No unused import or variable, no undefined name in the product, its jobs and its benches (pyflakes).

Modules that import others for their side effect (registering views, transitions, jobs) are the exception:
`__init__.py` files and the worker, which imports every job module so RQ finds them."""
from pathlib import Path

from pyflakes.api import checkPath
from pyflakes.reporter import Reporter

ROOT = Path(__file__).resolve().parent.parent
SIDE_EFFECT_IMPORTS = ("__init__.py", "worker.py")


class _Collect(Reporter):
    def __init__(self):
        self.messages = []

    def unexpectedError(self, filename, message):
        self.messages.append(f"{filename}: {message}")

    def syntaxError(self, filename, message, lineno, offset, text):
        self.messages.append(f"{filename}:{lineno}: {message}")

    def flake(self, message):
        path = Path(message.filename)
        if path.name in SIDE_EFFECT_IMPORTS and "imported but unused" in str(message):
            return
        self.messages.append(str(message))


def test_pyflakes_finds_nothing_in_app_jobs_and_bench():
    reporter = _Collect()
    for folder in ("app", "jobs", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            checkPath(str(path), reporter)
    assert reporter.messages == []
