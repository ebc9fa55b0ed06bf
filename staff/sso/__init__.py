"""Sign-in through the organisation's identity provider (OpenID Connect and SAML 2.0, with django-allauth)."""
