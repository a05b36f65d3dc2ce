from django.test import Client


def test_it_reports_the_database_healthy(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_rejects_post(db: None) -> None:
    assert Client().post("/healthz").status_code == 405


def test_it_serves_haven_stylesheet_and_scripts(db: None) -> None:
    for path in ("/static/haven/haven.css", "/static/haven/chat.js", "/static/haven/confirm.js"):
        response = Client().get(path)
        assert response.status_code == 200, path
