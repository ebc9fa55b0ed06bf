"""/api/v1/: each domain app contributes its `api_urls.urlpatterns`."""

import importlib

from django.urls import include, path

DOMAIN_APPS = ("staff", "competence", "caseload", "intake", "surveys")

urlpatterns = []
for _name in DOMAIN_APPS:
    try:
        importlib.import_module(f"{_name}.api_urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_name}.api_urls":
            raise
        continue
    urlpatterns.append(path("", include(f"{_name}.api_urls")))
