"""A stand-in for the Commission's central REX endpoint, for development and tests.

    flask --app wsgi rex-standin --port 8765 [--fail N] [--record instance/rex-standin.jsonl]

POST /rex/registrations appends the JSON body to a JSON-lines file and answers
{"status": "acknowledged", "received_at": ...}; with --fail N the first N requests answer 503.
GET /rex/registrations lists what was received.
"""
import json
import threading
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask, jsonify, request


def create_standin_app(record_path, fail_first: int = 0) -> Flask:
    standin = Flask("rex_standin")
    path = Path(record_path)
    lock = threading.Lock()
    state = {"failures_left": max(0, int(fail_first)), "requests": 0}

    def received() -> list:
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    @standin.post("/rex/registrations")
    def register():
        with lock:
            state["requests"] += 1
            if state["failures_left"] > 0:
                state["failures_left"] -= 1
                return jsonify({"status": "unavailable", "error": "Service temporairement indisponible"}), 503
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify({"status": "rejected", "error": "JSON object expected"}), 400
        now = datetime.now(timezone.utc).isoformat()
        with lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"received_at": now, "body": body}, ensure_ascii=False) + "\n")
        return jsonify({"status": "acknowledged", "received_at": now, "number": body.get("number")})

    @standin.get("/rex/registrations")
    def listing():
        return jsonify(received())

    standin.config["STANDIN_STATE"] = state
    return standin


def register_command(app: Flask) -> None:
    @app.cli.command("rex-standin")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=8765, show_default=True, type=int)
    @click.option("--fail", "fail_first", default=0, show_default=True, type=int,
                  help="Answer 503 to the first N requests.")
    @click.option("--record", "record_path", default=None,
                  help="JSON-lines file of what is received (default: instance/rex-standin.jsonl).")
    def rex_standin(host: str, port: int, fail_first: int, record_path: str | None):
        """Run a stand-in for the Commission's central REX endpoint (REX_CENTRAL_URL)."""
        from werkzeug.serving import run_simple

        record_path = record_path or str(Path(app.instance_path) / "rex-standin.jsonl")
        click.echo(f"REX stand-in on http://{host}:{port}/rex/registrations, recording to {record_path}")
        run_simple(host, port, create_standin_app(record_path, fail_first), threaded=True)
