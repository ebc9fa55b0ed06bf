"""A local SAML 2.0 identity provider (pysaml2) for Stabil's tests and demo; see tests/idp/README.md."""
