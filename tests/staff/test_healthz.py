import json

from django.urls import reverse


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_unreachable_broker(client, db, settings):
    from config.celery_app import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert json.loads(response.content)["broker"] == "unavailable"
