"""Stabil's platform: the mechanisms every app uses and no app's rules live in.

Tenancy (`tenancy`, `rls`), the access log (`audit`), change history (`history`), retention (`retention`),
sign-in (`mfa`, `signin_limits`, `authentication`, `token_views`), the REST plumbing (`api_base`, `schema`),
request middleware (`middleware`), and small tools (`bulk`, `formtools`, `identity_numbers`).

The rule: a module belongs here when it would be the same in any multi-tenant Django product. It may
read the organisation and the staff record (`staff.models`), never an app above staff. What an app
wants from a mechanism (the history it keeps, what retention removes, which of its pages the access log
classifies) the app declares in its own `trust.py`.
"""
