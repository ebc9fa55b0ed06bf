"""The HR reports: tertial reports, tertial list and turnover, assembled from the domain selectors.

Lives in surveys because it reads staff, competence and caseload; nothing else imports it.
Only aggregates leave this package: no case, no free text, no individual answer.
"""
