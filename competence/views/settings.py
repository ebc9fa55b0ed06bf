from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competence import trust
from staff.models import Role
from staff.permissions import staff_required
from staff.platform.formtools import apply_errors
from staff.platform.history.display import history_for_request
from staff.platform.tenancy import get_for_org

from .. import selectors, services
from ..forms import LadderSettingsForm, LevelForm, RateForm, TemplateItemForm, TrainingForm
from ..models import IntroductionTemplateItem, LadderLevel, PricingPeriod, SupplementRate, Training
from .common import save_form

admin_required = staff_required(Role.ORG_ADMIN)


def _page(request, **forms):
    org = request.organisation
    settings = selectors.ladder_settings(organisation=org)
    context = {
        "settings_form": forms.get("settings_form") or LadderSettingsForm(instance=settings),
        "level_form": forms.get("level_form") or LevelForm(),
        "rate_form": forms.get("rate_form") or RateForm(organisation=org),
        "template_form": forms.get("template_form") or TemplateItemForm(organisation=org),
        "training_form": forms.get("training_form") or TrainingForm(),
        "levels": LadderLevel.objects.filter(organisation=org),
        "rates": SupplementRate.objects.filter(organisation=org).select_related("level"),
        "terms": PricingPeriod.objects.filter(organisation=org).select_related("created_by"),
        "template": IntroductionTemplateItem.objects.filter(organisation=org).select_related("responsible_person"),
        "trainings": Training.objects.filter(organisation=org),
        "history": history_for_request(request, trust.ladder_settings_history()),
    }
    return render(request, "competence/settings.html", context, status=400 if forms else 200)


@admin_required
def ladder_settings(request):
    if request.method == "POST":
        form = LadderSettingsForm(request.POST, instance=selectors.ladder_settings(organisation=request.organisation))
        if form.is_valid():
            try:
                services.ladder_settings_update(
                    organisation=request.organisation, by=request.get_staff(), **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The ladder settings were saved."))
                return redirect("competence:settings")
        return _page(request, settings_form=form)
    return _page(request)


def _save_form(request, form, service, key, message, **extra):
    return save_form(
        request,
        form,
        service,
        message=message,
        success=redirect("competence:settings"),
        failure=lambda bound: _page(request, **{key: bound}),
        **extra,
    )


@require_POST
@admin_required
def level_add(request):
    return _save_form(request, LevelForm(request.POST), services.ladder_level_save, "level_form", _("Saved."))


@admin_required
def level_edit(request, pk: int):
    level = get_for_org(LadderLevel, organisation=request.organisation, pk=pk)
    form = LevelForm(request.POST or None, instance=level)
    if request.method == "POST" and form.is_valid():
        try:
            services.ladder_level_save(organisation=request.organisation, level=level, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("competence:settings")
    return render(request, "competence/level_form.html", {"form": form, "level": level})


@require_POST
@admin_required
def rate_add(request):
    form = RateForm(request.POST, organisation=request.organisation)
    return _save_form(request, form, services.supplement_rate_add, "rate_form", _("Saved."), by=request.get_staff())


@require_POST
@admin_required
def template_item_add(request):
    form = TemplateItemForm(request.POST, organisation=request.organisation)
    return _save_form(request, form, services.intro_template_item_add, "template_form", _("Saved."))


@require_POST
@admin_required
def training_add(request):
    return _save_form(request, TrainingForm(request.POST), services.training_create, "training_form", _("Saved."))


@require_POST
@admin_required
def setup_default(request):
    services.ladder_setup_default(organisation=request.organisation)
    messages.success(request, _("The default ladder was created where something was missing."))
    return redirect("competence:settings")
