from __future__ import annotations

from staff.models import Role

LADDER_VIEWERS = (Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER, Role.DEPARTMENT_HEAD, Role.ORG_ADMIN)
SUPPLEMENT_VIEWERS = (*LADDER_VIEWERS, Role.HR)


def int_param(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else None


def float_param(request, name: str) -> float | None:
    raw = request.GET.get(name, "").replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0 <= value < 100 else None
