"""Organisation admin (systemförvaltare): people, logins, roles, structure and settings, in the app."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff import services, trust
from staff.absences.views import section as absence_section
from staff.forms import (
    DepartmentForm,
    GroupForm,
    LoginCreateForm,
    OrganisationSettingsForm,
    RoleAssignmentForm,
    StaffMemberForm,
    UnitForm,
)
from staff.models import Department, Group, Role, RoleAssignment, StaffMember, Unit
from staff.navigation import leaver_page
from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.formtools import apply_errors, paginate, query_id, sort_param
from staff.platform.history.display import history_for_request
from staff.platform.tenancy import get_for_org
from staff.selectors import access_ended, employment_extents, invitation_latest, staff_get

admin_required = staff_required(Role.ORG_ADMIN)

STAFF_SORTS = {"name": "last_name", "unit": "unit__name", "start": "employment_start", "type": "employment_type"}


@admin_required
def staff_list(request):
    org = request.organisation
    qs = StaffMember.objects.filter(organisation=org).select_related("unit", "user")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
            | Q(user__username__icontains=q)
        )
    unit_id = query_id(request, "unit")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    sort, order = sort_param(request, STAFF_SORTS, "name")
    page = paginate(request, qs.order_by(order, "first_name", "pk"))
    audit.note(request, page)
    return render(
        request,
        "staff/admin/staff_list.html",
        {"page": page, "q": q, "sort": sort, "unit_id": unit_id, "units": Unit.objects.filter(organisation=org)},
    )


@admin_required
def staff_create(request):
    org = request.organisation
    form = StaffMemberForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        username = data.pop("username") or None
        social_worker = data.pop("social_worker")
        invite = data.pop("send_invitation")
        notes: list[str] = []
        by = request.get_staff()
        try:
            with transaction.atomic():  # a refused invitation leaves no person behind
                if social_worker:
                    member, notes = services.social_worker_create(organisation=org, by=by, username=username, **data)
                else:
                    member = services.staff_member_create(organisation=org, username=username, **data)
                if invite:
                    invitation = services.invitation_send(organisation=org, member=member, by=by)
                    notes.append(_invitation_sent(invitation))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": member.full_name})
            for note in notes:
                messages.info(request, note)
            return redirect("staff:admin_staff_edit", pk=member.pk)
    return render(request, "staff/admin/staff_form.html", {"form": form, "title": _("Add a person")})


def _invitation_sent(invitation) -> str:
    return _("An invitation was sent to %(email)s. The link works until %(date)s.") % {
        "email": invitation.email,
        "date": date_format(localtime(invitation.expires_at), "DATE_FORMAT"),
    }


def _edit_page(request, member, form, role_form=None, login_form=None, status: int = 200):
    return render(
        request,
        "staff/admin/staff_form.html",
        {
            "form": form,
            "member": member,
            "title": member.full_name,
            "roles": member.roles.select_related("unit", "department"),
            "extents": employment_extents(member=member),
            "access_ended": access_ended(member=member),
            "role_form": role_form or RoleAssignmentForm(prefix="role", organisation=request.organisation),
            "login_form": login_form or LoginCreateForm(prefix="login"),
            "invitation": invitation_latest(member=member),
            "history": history_for_request(request, trust.staff_record_history(member)),
            **absence_section(request, member),
        },
        status=status,
    )


def _person_form(request, member, data=None):
    return StaffMemberForm(data, instance=member, organisation=request.organisation, with_username=False)


@admin_required
def staff_edit(request, pk: int):
    org = request.organisation
    member = staff_get(organisation=org, pk=pk)
    form = _person_form(request, member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        member.refresh_from_db()
        try:
            services.staff_member_update(member=member, by=request.get_staff(), **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            handover = leaver_page(request, member) if member.employment_end else None
            if handover:  # a leaver who still holds cases: warned, and offered their handover
                url, warning = handover
                messages.warning(request, warning)
                return redirect(url)
            return redirect("staff:admin_staff_edit", pk=member.pk)
    return _edit_page(request, member, form)


@admin_required
@require_POST
def staff_role_add(request, pk: int):
    """A refused role: the edit page again, with the message at the role form's field."""
    org = request.organisation
    member = staff_get(organisation=org, pk=pk)
    form = RoleAssignmentForm(request.POST, prefix="role", organisation=org)
    if form.is_valid():
        try:
            services.role_assign(organisation=org, actor=request.get_staff(), member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The role was added."))
            return redirect("staff:admin_staff_edit", pk=member.pk)
    return _edit_page(request, member, _person_form(request, member), form, status=400)


@admin_required
@require_POST
def staff_role_remove(request, pk: int, role_pk: int):
    org = request.organisation
    member = staff_get(organisation=org, pk=pk)
    assignment = get_for_org(RoleAssignment, organisation=org, pk=role_pk, staff=member)
    try:
        services.role_remove(organisation=org, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The role was removed."))
    return redirect("staff:admin_staff_edit", pk=member.pk)


@admin_required
@require_POST
def staff_login_toggle(request, pk: int):
    member = staff_get(organisation=request.organisation, pk=pk)
    active = request.POST.get("active") == "1"
    if member.user_id == request.user.pk and not active:
        messages.error(request, _("You cannot switch off your own login."))
    else:
        try:
            services.login_set_active(member=member, active=active, by=request.get_staff(), by_label="admin page")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("The login was switched on.") if active else _("The login was switched off."))
    return redirect("staff:admin_staff_edit", pk=member.pk)


@admin_required
@require_POST
def staff_login_create(request, pk: int):
    """Give a record without a login a username and send the invitation; a refusal is shown at the field."""
    org = request.organisation
    member = staff_get(organisation=org, pk=pk)
    form = LoginCreateForm(request.POST, prefix="login")
    if form.is_valid():
        try:
            with transaction.atomic():  # no login is left behind when the invitation cannot go
                services.login_create(organisation=org, member=member, username=form.cleaned_data["username"])
                invitation = services.invitation_send(organisation=org, member=member, by=request.get_staff())
        except ValidationError as exc:
            member.refresh_from_db()
            apply_errors(form, exc)
        else:
            messages.success(request, _invitation_sent(invitation))
            return redirect("staff:admin_staff_edit", pk=member.pk)
    return _edit_page(request, member, _person_form(request, member), login_form=form, status=400)


@admin_required
@require_POST
def staff_invitation_send(request, pk: int):
    """Send (or send again) the invitation: a new link; an earlier one stops working."""
    org = request.organisation
    member = staff_get(organisation=org, pk=pk)
    try:
        invitation = services.invitation_send(organisation=org, member=member, by=request.get_staff())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _invitation_sent(invitation))
    return redirect("staff:admin_staff_edit", pk=member.pk)


@admin_required
@require_POST
def staff_invitation_revoke(request, pk: int):
    member = staff_get(organisation=request.organisation, pk=pk)
    if services.invitation_revoke(organisation=request.organisation, member=member):
        messages.success(request, _("The invitation was revoked: its link no longer works."))
    else:
        messages.info(request, _("There was no open invitation to revoke."))
    return redirect("staff:admin_staff_edit", pk=member.pk)


@admin_required
def structure(request):
    org = request.organisation
    forms_ = {
        "department": DepartmentForm(prefix="department"),
        "unit": UnitForm(prefix="unit", organisation=org),
        "group": GroupForm(prefix="group", organisation=org),
        "settings": OrganisationSettingsForm(prefix="settings", instance=org),
    }
    if request.method == "POST":
        kind = request.POST.get("form")
        if kind in forms_:
            bound = {
                "department": lambda: DepartmentForm(request.POST, prefix="department"),
                "unit": lambda: UnitForm(request.POST, prefix="unit", organisation=org),
                "group": lambda: GroupForm(request.POST, prefix="group", organisation=org),
                "settings": lambda: OrganisationSettingsForm(request.POST, prefix="settings", instance=org),
            }[kind]()
            forms_[kind] = bound
            if bound.is_valid():
                create = {
                    "department": services.department_create,
                    "unit": services.unit_create,
                    "group": services.group_create,
                    "settings": services.organisation_settings_update,
                }[kind]
                try:
                    create(organisation=org, **bound.cleaned_data)
                except ValidationError as exc:
                    apply_errors(bound, exc)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("staff:admin_structure")
    departments = Department.objects.filter(organisation=org).prefetch_related("units")
    groups = Group.objects.filter(organisation=org).select_related("unit")
    return render(
        request,
        "staff/admin/structure.html",
        {
            "forms": forms_,
            "departments": departments,
            "groups": groups,
            "history": history_for_request(request, trust.organisation_history()),
        },
    )


urlpatterns = [
    path("admin/people/", staff_list, name="admin_staff_list"),
    path("admin/people/new/", staff_create, name="admin_staff_create"),
    path("admin/people/<int:pk>/", staff_edit, name="admin_staff_edit"),
    path("admin/people/<int:pk>/roles/", staff_role_add, name="admin_staff_role_add"),
    path("admin/people/<int:pk>/roles/<int:role_pk>/remove/", staff_role_remove, name="admin_staff_role_remove"),
    path("admin/people/<int:pk>/login/", staff_login_toggle, name="admin_staff_login"),
    path("admin/people/<int:pk>/login/new/", staff_login_create, name="admin_staff_login_create"),
    path("admin/people/<int:pk>/invitation/", staff_invitation_send, name="admin_staff_invitation_send"),
    path("admin/people/<int:pk>/invitation/revoke/", staff_invitation_revoke, name="admin_staff_invitation_revoke"),
    path("admin/structure/", structure, name="admin_structure"),
]
