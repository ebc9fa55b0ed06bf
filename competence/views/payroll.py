"""The payroll settings (issue 19, part 5): the layout of the file payroll imports, the units' cost centres,
and the months prepared and approved."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from staff.models import Unit
from staff.permissions import staff_required
from staff.platform.formtools import apply_errors, paginate

from .. import payroll, services
from ..forms import PayrollLayoutForm, PayrollPresetForm
from ..models import PayrollApproval, UnitCostCentre


def _page(request, *, layout_form=None, preset_form=None, status=200):
    org = request.organisation
    layout = payroll.layout_for(org)
    centres = dict(UnitCostCentre.objects.filter(organisation=org).values_list("unit_id", "code"))
    units = [
        (
            unit,
            request.POST.get(f"cc-{unit.pk}", centres.get(unit.pk, "")) if status != 200 else centres.get(unit.pk, ""),
        )
        for unit in Unit.objects.filter(organisation=org)
        .select_related("department")
        .order_by("department__name", "name")
    ]
    approvals = PayrollApproval.objects.filter(organisation=org).select_related("prepared_by", "approved_by")
    context = {
        "layout": layout,
        "saved": layout.pk is not None,
        "preset_label": payroll.PRESETS.get(layout.preset, {}).get("label", ""),
        "layout_form": layout_form or PayrollLayoutForm(instance=layout),
        "preset_form": preset_form or PayrollPresetForm(initial={"preset": layout.preset}),
        "units": units,
        "approvals": paginate(request, approvals, per_page=12),
    }
    return render(request, "competence/payroll.html", context, status=status)


@staff_required(*services.PAYROLL_ROLES)
def payroll_settings(request):
    if request.method != "POST":
        return _page(request)
    org, by = request.organisation, request.get_staff()
    action = request.POST.get("action")
    if action == "preset":
        form = PayrollPresetForm(request.POST)
        if not form.is_valid():
            return _page(request, preset_form=form, status=400)
        fields = payroll.preset_fields(form.cleaned_data["preset"])
        held = payroll.layout_for(org)
        fields["pay_code"], fields["correction_pay_code"] = held.pay_code, held.correction_pay_code
        services.payroll_layout_save(organisation=org, by=by, **fields)
        messages.success(request, _("The preset was applied. Check the pay codes."))
        return redirect("competence:payroll")
    if action == "centres":
        codes = {}
        for key, value in request.POST.items():
            if key.startswith("cc-") and key[3:].isdigit():
                codes[int(key[3:])] = value
        too_long = [code for code in codes.values() if len(code.strip()) > 30]
        if too_long:
            messages.error(request, _("A cost centre can be at most 30 characters."))
            return _page(request, status=400)
        try:
            changed = services.cost_centres_save(organisation=org, by=by, codes=codes)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _page(request, status=400)
        messages.success(request, _("%(n)s cost centres were saved.") % {"n": changed})
        return redirect("competence:payroll")
    form = PayrollLayoutForm(request.POST, instance=payroll.layout_for(org))
    if form.is_valid():
        try:
            services.payroll_layout_save(
                organisation=org, by=by, preset=payroll.layout_for(org).preset, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The payroll layout was saved."))
            return redirect("competence:payroll")
    return _page(request, layout_form=form, status=400)
