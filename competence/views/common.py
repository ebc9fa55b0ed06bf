from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError

from staff.models import Role
from staff.platform.formtools import apply_errors, query_id

LADDER_VIEWERS = (Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER, Role.DEPARTMENT_HEAD, Role.ORG_ADMIN)
SUPPLEMENT_VIEWERS = (*LADDER_VIEWERS, Role.HR)


def int_param(request, name: str) -> int | None:
    return query_id(request, name)


def float_param(request, name: str) -> float | None:
    raw = request.GET.get(name, "").replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0 <= value < 100 else None


def save_form(request, form, service, *, message: str, success, failure, **extra):
    """Run `service` with the form's data: on success flash `message` and return `success` (a redirect);
    on bad input put the service's Swedish errors on the form and return `failure(form)`."""
    if form.is_valid():
        try:
            service(organisation=request.organisation, **extra, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, message)
            return success
    return failure(form)
