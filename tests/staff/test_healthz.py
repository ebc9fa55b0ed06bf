import json

from django.urls import reverse


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_unreachable_broker(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert json.loads(response.content)["broker"] == "unavailable"


def test_pages_carry_a_strict_content_security_policy(client, db):
    from django.urls import reverse

    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
