"""The retention page (organisation admins): the retention periods, their change history and every run."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from staff.models import Role
from staff.permissions import staff_required
from staff.platform.formtools import apply_errors, paginate, sort_param
from staff.platform.history.display import history_for_request
from staff.platform.retention import selectors, services, trust
from staff.platform.retention.forms import RetentionSettingsForm


@staff_required(Role.ORG_ADMIN)
def retention(request):
    org = request.organisation
    current = services.retention_settings_get(organisation=org)
    form = RetentionSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_settings_update(organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The retention periods are saved."))
            return redirect("retention:settings")
    sort, order = sort_param(request, selectors.RUN_SORTS, "-date")
    return render(
        request,
        "retention/settings.html",
        {
            "form": form,
            "sort": sort,
            "page": paginate(request, selectors.runs(organisation=org, order=order)),
            "history": history_for_request(request, trust.retention_settings_history()),
        },
        status=400 if form.errors else 200,
    )
