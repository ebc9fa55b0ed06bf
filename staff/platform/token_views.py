"""API tokens in the app: create (the key is shown once), see last use, revoke.

A token skips the second step of sign-in for good, so someone who has two-step sign-in (or whose
organisation requires it of their role) makes one only from a session that did the second step.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from staff import services
from staff.models import ApiToken
from staff.permissions import staff_required
from staff.platform import mfa
from staff.platform.formtools import apply_errors, confirm_page
from staff.platform.tenancy import get_for_org


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. 'Statistics export'."),
    )


@staff_required()
def token_list(request):
    staff = request.get_staff()
    form = ApiTokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST" and mfa.second_step_missing(request):
        mfa.record(request, mfa.Kind.MFA_REFUSED, status=403)
        form.add_error(None, _("Confirm with two-step sign-in before you create an API token."))
        status = 403
    elif request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                organisation=request.organisation, staff=staff, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(organisation=request.organisation, staff=staff)
    context = {"form": form, "tokens": tokens, "new_key": new_key, "verify_first": status == 403}
    return render(request, "staff/api_tokens.html", context, status=status)


@staff_required()
@require_POST
def token_revoke(request, pk: int):
    token = get_for_org(ApiToken, organisation=request.organisation, pk=pk, staff=request.get_staff())
    if request.POST.get("confirm") != "1":
        question = _(
            "Do you really want to revoke the token %(name)s? "
            "Scripts and systems that use it lose their access at once."
        ) % {"name": token.name}
        return confirm_page(
            request,
            title=_("Revoke API token"),
            question=question,
            label=_("Revoke"),
            cancel_url=reverse("staff:api_tokens"),
        )
    services.api_token_revoke(organisation=request.organisation, token=token)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("staff:api_tokens")


urlpatterns = [
    path("api-tokens/", token_list, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", token_revoke, name="api_token_revoke"),
]
