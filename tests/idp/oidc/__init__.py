"""A real, local OpenID Connect identity provider for Stabil's tests and demo (test-only).

A standalone Django project on django-oauth-toolkit, started as its own process on loopback:
`python -m tests.idp.oidc --port P --config config.json`. See tests/idp/README.md.
Nothing in Stabil imports it; tests reach it over HTTP only (fixture `oidc_provider` in fixtures.py).
"""
