"""SCIM 2.0 provisioning (RFC 7643/7644) of people and groups from an organisation's directory (Entra ID).

`/scim/v2/` authenticates with an organisation's SCIM token (`Authorization: Bearer scim_...`), not with a
person: the token's organisation is the request's organisation and its row-level security context. Users
are staff records with their login; groups are stored as the directory sends them, and the organisation
admin's mapping (`ScimGroupMapping`) turns a membership into a role. See docs/sso.md.
"""
