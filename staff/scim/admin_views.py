"""The organisation admin's SCIM page: the directory's tokens (the key shown once, then only its prefix;
revocable) and the mapping of directory groups to roles. Making a token needs the second step of sign-in, as
an API token does (staff/platform/token_views.py): the token creates and switches off people."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from staff.forms import RoleAssignmentForm
from staff.models import Role
from staff.permissions import staff_required
from staff.platform import mfa
from staff.platform.audit.middleware import security_event_write
from staff.platform.audit.models import SecurityEvent
from staff.platform.formtools import apply_errors, confirm_page
from staff.platform.tenancy import get_for_org
from staff.scim import services
from staff.scim.models import ScimGroup, ScimGroupMapping, ScimToken

admin_required = staff_required(Role.ORG_ADMIN)


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("Which directory uses it, e.g. 'Entra ID'.")
    )


class MappingForm(RoleAssignmentForm):
    group_name = forms.CharField(
        label=gettext_lazy("Directory group"),
        max_length=200,
        help_text=gettext_lazy("The group's display name or object id as the directory sends it."),
    )
    field_order = ["group_name", "role", "unit", "department"]


def _page(request, *, token_form=None, mapping_form=None, new_key=None, status=200):
    org = request.organisation
    context = {
        "token_form": token_form or ScimTokenForm(prefix="token"),
        "mapping_form": mapping_form or MappingForm(prefix="mapping", organisation=org),
        "new_key": new_key,
        "verify_first": status == 403,
        "tokens": ScimToken.objects.filter(organisation=org).select_related("created_by"),
        "mappings": ScimGroupMapping.objects.filter(organisation=org).select_related("unit", "department"),
        "groups": ScimGroup.objects.filter(organisation=org).annotate(member_count=Count("members")),
        "tenant_url": request.build_absolute_uri(reverse("scim:users")).removesuffix("Users"),
    }
    return render(request, "staff/admin/scim.html", context, status=status)


@admin_required
def scim_admin(request):
    org = request.organisation
    if request.method != "POST":
        return _page(request)
    if request.POST.get("action") == "mapping":
        form = MappingForm(request.POST, prefix="mapping", organisation=org)
        if form.is_valid():
            try:
                services.mapping_create(organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The mapping was added."))
                return redirect("staff:admin_scim")
        return _page(request, mapping_form=form, status=400)
    form = ScimTokenForm(request.POST, prefix="token")
    if mfa.second_step_missing(request):
        mfa.record(request, mfa.Kind.MFA_REFUSED, status=403)
        form.add_error(None, _("Confirm with two-step sign-in before you create a SCIM token."))
        return _page(request, token_form=form, status=403)
    if not form.is_valid():
        return _page(request, token_form=form, status=400)
    try:
        _token, key = services.scim_token_create(
            organisation=org, by=request.get_staff(), name=form.cleaned_data["name"]
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _page(request, token_form=form, status=400)
    _token_event(request, SecurityEvent.Kind.SCIM_TOKEN_CREATED)
    return _page(request, new_key=key)


def _token_event(request, kind: str) -> None:
    """A token that creates and switches off people is made or revoked: a security event naming the admin."""
    security_event_write(request, kind, status=200, organisation_id=request.organisation.pk, user_id=request.user.pk)


def _confirm(request, *, title: str, question: str, label: str):
    return confirm_page(request, title=title, question=question, label=label, cancel_url=reverse("staff:admin_scim"))


@admin_required
@require_POST
def scim_token_revoke(request, pk: int):
    token = get_for_org(ScimToken, organisation=request.organisation, pk=pk)
    if request.POST.get("confirm") != "1":
        question = _(
            "Do you really want to revoke the SCIM token %(name)s? The directory can no longer create or "
            "switch off people until it gets a new token."
        ) % {"name": token.name}
        return _confirm(request, title=_("Revoke SCIM token"), question=question, label=_("Revoke"))
    services.scim_token_revoke(organisation=request.organisation, token=token)
    _token_event(request, SecurityEvent.Kind.SCIM_TOKEN_REVOKED)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("staff:admin_scim")


@admin_required
@require_POST
def scim_mapping_delete(request, pk: int):
    mapping = get_for_org(ScimGroupMapping, organisation=request.organisation, pk=pk)
    if request.POST.get("confirm") != "1":
        question = _(
            "Remove the mapping of %(group)s? Roles it gave stay until the directory removes the membership."
        ) % {"group": mapping.group_name}
        return _confirm(request, title=_("Remove mapping"), question=question, label=_("Remove"))
    services.mapping_delete(organisation=request.organisation, mapping=mapping)
    messages.success(request, _("The mapping was removed."))
    return redirect("staff:admin_scim")


urlpatterns = [
    path("admin/scim/", scim_admin, name="admin_scim"),
    path("admin/scim/tokens/<int:pk>/revoke/", scim_token_revoke, name="admin_scim_token_revoke"),
    path("admin/scim/mappings/<int:pk>/delete/", scim_mapping_delete, name="admin_scim_mapping_delete"),
]
