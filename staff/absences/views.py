"""The absences and groups of a person, and the unit's absence calendar (unit manager, organisation admin)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff.models import Absence, GroupMembership, StaffMember
from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.formtools import apply_errors, confirm_page, parse_month
from staff.platform.tenancy import get_for_org
from staff.selectors import staff_get, unit_get

from . import selectors, services
from .forms import AbsenceForm, MembershipEndForm, MembershipForm, UnitAbsenceForm


def _member(request, pk: int) -> StaffMember:
    """The person, if the viewer may change their absences: another organisation's is a 404, a person
    outside the viewer's units a 403."""
    member = staff_get(organisation=request.organisation, pk=pk)
    if not selectors.may_manage(access=request.access, member=member):
        raise PermissionDenied
    audit.note(request, member)
    return member


def _back(request, member: StaffMember) -> str:
    """Where a saved change returns: the person page it was made on (a `next` of this site), else this page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        if target.startswith("/"):
            return target
    return reverse("staff:absences", args=[member.pk])


def section(request, member: StaffMember) -> dict:
    """The context of the absences and groups section (staff/absences/_section.html) of a person page."""
    may = selectors.may_manage(access=request.access, member=member)
    context = {
        "absences": selectors.person_absences(member=member),
        "memberships": selectors.person_memberships(member=member),
        "may_manage_absences": may,
        "today": timezone.localdate(),
    }
    if may:
        context["absence_form"] = AbsenceForm(prefix="absence")
        context["membership_form"] = MembershipForm(
            prefix="membership", groups=selectors.groups_for(access=request.access, member=member)
        )
    return context


def _page(request, member, *, absence_form=None, membership_form=None, status=200):
    context = section(request, member)
    if absence_form is not None:
        context["absence_form"] = absence_form
    if membership_form is not None:
        context["membership_form"] = membership_form
    return render(
        request,
        "staff/absences/person.html",
        context | {"member": member, "back": _back(request, member)},
        status=status,
    )


@staff_required()
def person_absences(request, pk: int):
    """The person's absences and groups; a POST adds an absence."""
    member = _member(request, pk)
    if request.method != "POST":
        return _page(request, member)
    form = AbsenceForm(request.POST, prefix="absence")
    if form.is_valid():
        try:
            services.absence_create(organisation=request.organisation, member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The absence was saved."))
            return redirect(_back(request, member))
    return _page(request, member, absence_form=form, status=400)


@staff_required()
def absence_edit(request, pk: int, absence_pk: int):
    member = _member(request, pk)
    absence = get_for_org(Absence, organisation=request.organisation, pk=absence_pk, staff=member)
    form = AbsenceForm(request.POST or None, instance=absence, prefix="absence")
    if request.method == "POST" and form.is_valid():
        try:
            services.absence_update(organisation=request.organisation, absence=absence, **form.cleaned_data)
        except ValidationError as exc:
            absence.refresh_from_db()
            apply_errors(form, exc)
        else:
            messages.success(request, _("The absence was saved."))
            return redirect(_back(request, member))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "staff/absences/edit.html",
        {"member": member, "absence": absence, "form": form, "back": _back(request, member)},
        status=status,
    )


@staff_required()
@require_POST
def absence_delete(request, pk: int, absence_pk: int):
    member = _member(request, pk)
    absence = get_for_org(Absence, organisation=request.organisation, pk=absence_pk, staff=member)
    if request.POST.get("confirm") != "1":
        return confirm_page(
            request,
            title=_("Remove the absence"),
            question=_("Remove %(kind)s %(start)s–%(end)s (%(extent)s %%) of %(name)s?")
            % {
                "kind": absence.get_kind_display(),
                "start": absence.start,
                "end": absence.end,
                "extent": absence.extent,
                "name": member.full_name,
            },
            label=_("Remove"),
            cancel_url=reverse("staff:absences", args=[member.pk]),
        )
    services.absence_delete(organisation=request.organisation, absence=absence)
    messages.success(request, _("The absence was removed."))
    return redirect("staff:absences", pk=member.pk)


@staff_required()
@require_POST
def membership_add(request, pk: int):
    member = _member(request, pk)
    form = MembershipForm(
        request.POST, prefix="membership", groups=selectors.groups_for(access=request.access, member=member)
    )
    if form.is_valid():
        try:
            services.group_membership_add(organisation=request.organisation, member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The group membership was saved."))
            return redirect(_back(request, member))
    return _page(request, member, membership_form=form, status=400)


@staff_required()
@require_POST
def membership_end(request, pk: int, membership_pk: int):
    member = _member(request, pk)
    membership = get_for_org(GroupMembership, organisation=request.organisation, pk=membership_pk, staff=member)
    form = MembershipEndForm(request.POST)
    if form.is_valid():
        try:
            services.group_membership_end(
                organisation=request.organisation, membership=membership, end=form.cleaned_data["end"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The group membership ends on %(date)s.") % {"date": membership.end})
            return redirect(_back(request, member))
    for error in form.errors.get("end", []) + form.non_field_errors():
        messages.error(request, error)
    return _page(request, member, status=400)


@staff_required()
def unit_calendar(request, pk: int):
    """The unit's month of absences; a POST adds one for a person of the unit."""
    unit = unit_get(organisation=request.organisation, pk=pk)
    if not selectors.may_manage_unit(access=request.access, unit=unit):
        raise PermissionDenied
    today = timezone.localdate()
    month = parse_month(request.GET.get("month")) or today.replace(day=1)
    people = selectors.unit_people(unit=unit, since=min(month, today))
    form = UnitAbsenceForm(request.POST or None, prefix="absence", people=people)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        member = data.pop("member")
        try:
            absence = services.absence_create(organisation=request.organisation, member=member, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The absence of %(name)s was saved.") % {"name": member.full_name})
            return redirect(f"{reverse('staff:unit_absences', args=[unit.pk])}?month={absence.start:%Y-%m}")
    calendar = selectors.unit_month(unit=unit, month=month)
    audit.note(request, [row.member for row in calendar.rows])
    return render(
        request,
        "staff/absences/unit_calendar.html",
        {"unit": unit, "month": calendar, "form": form, "today": today},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("people/<int:pk>/absences/", person_absences, name="absences"),
    path("people/<int:pk>/absences/<int:absence_pk>/", absence_edit, name="absence_edit"),
    path("people/<int:pk>/absences/<int:absence_pk>/delete/", absence_delete, name="absence_delete"),
    path("people/<int:pk>/groups/", membership_add, name="membership_add"),
    path("people/<int:pk>/groups/<int:membership_pk>/end/", membership_end, name="membership_end"),
    path("units/<int:pk>/absences/", unit_calendar, name="unit_absences"),
]
