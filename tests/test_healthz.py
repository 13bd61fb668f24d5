def test_healthz_answers_json_with_the_database_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["status"] == "ok"
    assert body["queue"] in ("in-process", "ok")


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


def test_healthz_reports_an_unreachable_database_with_503(tmp_path):
    from app import create_app
    from app.extensions import db

    broken = create_app({"TESTING": True, "REDIS_URL": None, "MAIL_FILE_DIR": str(tmp_path),
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.sqlite'}"})

    response = broken.test_client().get("/healthz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["database"].startswith("error: ")
    assert body["status"] == "degraded"
    with broken.app_context():
        db.engine.dispose()
