"""Intake pages: the queue, registering a report or application, and the item with its decisions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.dates import days_left_text
from staff.models import Role, Unit
from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.formtools import apply_errors, paginate, sort_param
from staff.platform.history.display import history_for_request

from . import selectors, services, trust
from .forms import DecisionForm, IntakeSettingsForm, ProtectionForm, RegisterForm
from .models import IntakeSettings

SORTS = {"case": "case_number", "received": "received_at", "due": "due_date", "": ""}


def intake_unit_ids(request) -> set[int]:
    """Intake units where the person holds a unit role; an organisation admin sees them all."""
    units = Unit.objects.filter(organisation=request.organisation, kind=Unit.Kind.INTAKE)
    if not request.access.is_org_admin:
        units = units.filter(pk__in={u for _r, u in request.access.unit_roles})
    return set(units.values_list("pk", flat=True))


def _item_for(request, pk):
    item = selectors.intake_get(organisation=request.organisation, pk=pk)
    if item.unit_id not in intake_unit_ids(request):
        raise PermissionDenied
    audit.note(request, item)
    audit.note(request, selectors.cases_shown(organisation=request.organisation, numbers=[item.case_number]))
    if item.investigation_id:  # the page names the investigation's case (the same number, as a rule)
        audit.note(request, item.investigation.case)
    return item


@staff_required()
def queue(request):
    unit_ids = intake_unit_ids(request)
    if not unit_ids:
        raise PermissionDenied
    today = timezone.localdate()
    show = "decided" if request.GET.get("show") == "decided" else "pending"
    search = request.GET.get("q", "")[:40]
    sort, order_by = sort_param(request, SORTS, default="")
    items = selectors.intake_queue(
        organisation=request.organisation, unit_ids=unit_ids, today=today, search=search, show=show, order_by=order_by
    )
    page = paginate(request, items)
    audit.note(request, page)
    audit.note(request, selectors.cases_shown(organisation=request.organisation, numbers=[i.case_number for i in page]))
    for item in page:
        item.days_left = (item.due_date - today).days if item.due_date else None
    return render(request, "intake/queue.html", {"page": page, "show": show, "q": search, "sort": sort})


@staff_required()
def register(request):
    unit_ids = intake_unit_ids(request)
    if not unit_ids:
        raise PermissionDenied
    units = Unit.objects.filter(organisation=request.organisation, pk__in=unit_ids)
    initial = {"received_at": timezone.localtime().replace(second=0, microsecond=0), "about_child": True}
    if len(unit_ids) == 1:
        initial["unit"] = next(iter(unit_ids))
    form = RegisterForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.intake_register(
                organisation=request.organisation, actor=request.get_staff(), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if item.decision == item.Decision.LINKED:
                messages.info(request, _("A running investigation exists in this case: the report is linked to it."))
            messages.success(request, _("Registered in case %(number)s.") % {"number": item.case_number})
            return redirect("intake:detail", pk=item.pk)
    return render(request, "intake/register.html", {"form": form})


@staff_required()
def detail(request, pk: int):
    item = _item_for(request, pk)
    units = Unit.objects.filter(organisation=request.organisation, kind=Unit.Kind.INVESTIGATION)
    protection = ProtectionForm(prefix="p")
    decision = DecisionForm(prefix="d", units=units, initial={"decided_on": timezone.localdate()})
    if request.method == "POST":
        actor = request.get_staff()
        assessing = request.POST.get("form") == "protection" or "p-needed" in request.POST
        try:
            if assessing:
                protection = ProtectionForm(request.POST, prefix="p")
                if protection.is_valid():
                    services.intake_assess_protection(
                        organisation=request.organisation, actor=actor, item=item, **protection.cleaned_data
                    )
                    messages.success(request, _("The immediate-protection assessment is recorded."))
                    return redirect("intake:detail", pk=item.pk)
            else:
                decision = DecisionForm(request.POST, prefix="d", units=units)
                if decision.is_valid():
                    services.intake_decide(
                        organisation=request.organisation, actor=actor, item=item, **decision.cleaned_data
                    )
                    messages.success(request, _("The decision is recorded."))
                    return redirect("intake:detail", pk=item.pk)
        except ValidationError as exc:
            apply_errors(protection if assessing else decision, exc)
    today = timezone.localdate()
    days_left = (item.due_date - today).days if item.due_date else None
    return render(
        request,
        "intake/detail.html",
        {
            "item": item,
            "protection": protection,
            "decision": decision,
            "days_left": days_left,
            "days_left_text": "" if days_left is None else days_left_text(days_left),
            "may_assess": services.may_assess(staff=request.get_staff(), unit=item.unit),
            "protection_overdue": item.needs_protection_assessment
            and today > timezone.localtime(item.received_at).date(),
            "history": history_for_request(request, trust.intake_item_history(item)),
        },
    )


@staff_required(Role.ORG_ADMIN)
def settings_edit(request):
    """The organisation's intake settings: the days within which a pre-assessment is decided."""
    current = IntakeSettings.for_org(request.organisation)
    form = IntakeSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_settings_update(organisation=request.organisation, settings=current, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The intake settings are saved."))
            return redirect(reverse("intake:settings"))
    history = history_for_request(request, trust.intake_settings_history())
    context = {"form": form, "title": _("Intake settings"), "submit": _("Save"), "history": history}
    return render(request, "caseload/form.html", context)
