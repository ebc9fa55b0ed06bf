from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff and organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from staff.platform import (
            rls,
            schema,  # noqa: F401 - registers the sign-in signal and the OpenAPI extension
        )

        post_migrate.connect(rls.install_after_migrate, sender=self)
        _register_import_kinds()
        _sane_dates_in_every_form()


def _sane_dates_in_every_form() -> None:
    """Every date or time typed into a form of Stabil must lie in the years 1900-2100 (a field message
    otherwise): a far-off date is a typing error, and 9999-12-31 overflows date arithmetic later (a 500).
    Set once here for all forms, model forms included, instead of in each of the forty forms."""
    from django import forms

    from staff.platform.formtools import validate_sane_date

    for field_class in (forms.DateField, forms.DateTimeField):
        if validate_sane_date not in field_class.default_validators:
            field_class.default_validators = [*field_class.default_validators, validate_sane_date]


def _register_import_kinds() -> None:
    """The file imports of staff's own data (staff/imports/): staff records and absences."""
    from staff.imports import kinds
    from staff.imports.absence_kind import ABSENCES
    from staff.imports.staff_kind import STAFF

    kinds.register(STAFF)
    kinds.register(ABSENCES)
