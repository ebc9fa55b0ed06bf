from __future__ import annotations

from django.db import models


def save_validated(obj: models.Model) -> models.Model:
    """full_clean, then save: every service writes through here or validates the same way."""
    obj.full_clean()
    obj.save()
    return obj
