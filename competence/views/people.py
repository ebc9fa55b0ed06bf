from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff import audit
from staff.formtools import apply_errors, paginate, sort_param
from staff.history import sources as history_sources
from staff.history.display import history_for_request
from staff.models import Group, StaffMember, Unit
from staff.permissions import staff_required
from staff.selectors import employment_extents
from staff.tenancy import get_for_org

from .. import selectors, services
from ..forms import ItemDoneForm, MentorForm, PlaceForm, PromoteForm, TrainingPlanForm
from ..models import IntroductionItem, LadderLevel, ReflectionSession
from .common import LADDER_VIEWERS, float_param, int_param, save_form


@staff_required(*LADDER_VIEWERS)
def staff_list(request):
    org = request.organisation
    today = timezone.localdate()
    unit_ids = selectors.visible_unit_ids(access=request.access)
    sort, order = sort_param(request, selectors.people.STAFF_SORTS, "name")
    filters = {
        "q": request.GET.get("q", "").strip(),
        "unit": int_param(request, "unit"),
        "group": int_param(request, "group"),
        "level": int_param(request, "level"),
        "employment_type": request.GET.get("type", "")
        if request.GET.get("type") in StaffMember.EmploymentType.values
        else "",
        "min_years": float_param(request, "min_years"),
        "max_years": float_param(request, "max_years"),
    }
    qs = selectors.staff_list(organisation=org, unit_ids=unit_ids, on=today, order=order, **filters)
    units = Unit.objects.filter(organisation=org)
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    page = paginate(request, qs)
    audit.note(request, page)
    return render(
        request,
        "competence/staff_list.html",
        {
            "page": page,
            "sort": sort,
            "filters": filters,
            "units": units,
            "groups": Group.objects.filter(organisation=org, unit__in=units).select_related("unit"),
            "levels": selectors.ladder_levels(organisation=org),
            "types": StaffMember.EmploymentType.choices,
            "today": today,
        },
    )


def _staff_page(request, member, **forms):
    org = request.organisation
    audit.note(request, member)
    today = timezone.localdate()
    levels = LadderLevel.objects.filter(organisation=org)
    can_assess = selectors.may_assess(access=request.access, member=member)
    context = {
        "member": member,
        "check": selectors.eligibility(staff=member, on=today),
        "timeline": selectors.staff_timeline(member=member),
        "can_assess": can_assess,
        "today": today,
        "history": history_for_request(request, history_sources.ladder_member(member)),
        "extents": employment_extents(member=member),
        **selectors.staff_ladder_details(member=member),
    }
    if can_assess:
        context.update(
            place_form=forms.get("place_form") or PlaceForm(levels=levels, initial={"start": member.employment_start}),
            mentor_form=forms.get("mentor_form")
            or MentorForm(
                mentors=StaffMember.objects.filter(organisation=org, employment_end__isnull=True).exclude(pk=member.pk)
            ),
            training_form=forms.get("training_form") or TrainingPlanForm(organisation=org),
        )
    return render(request, "competence/staff_detail.html", context, status=400 if forms else 200)


@staff_required(*LADDER_VIEWERS)
def staff_detail(request, pk: int):
    member = selectors.staff_for_viewer(organisation=request.organisation, access=request.access, pk=pk)
    return _staff_page(request, member)


def _assessable(request, pk: int) -> StaffMember:
    member = selectors.staff_for_viewer(organisation=request.organisation, access=request.access, pk=pk)
    if not selectors.may_assess(access=request.access, member=member):
        raise PermissionDenied
    audit.note(request, member)
    return member


@staff_required()
def promote(request, pk: int):
    org = request.organisation
    member = _assessable(request, pk)
    today = timezone.localdate()
    form = PromoteForm(
        request.POST or None,
        levels=LadderLevel.objects.filter(organisation=org),
        specialists=selectors.specialists(organisation=org).exclude(pk=member.pk),
    )
    check = selectors.eligibility(staff=member, on=today)
    if not request.POST and check.next:
        form.initial["level"] = check.next.pk
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.placement_promote(
                organisation=org,
                staff=member,
                level=data["level"],
                start=data["start"],
                assessed_on=data["assessed_on"],
                manager=request.get_staff(),
                specialist=data["specialist"],
                motivation=data["motivation"],
                override_reason=data["override_reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is on level %(level)s from %(date)s.")
                % {"name": member.full_name, "level": data["level"], "date": data["start"]},
            )
            return redirect("competence:staff_detail", pk=member.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "competence/promote.html", {"member": member, "form": form, "check": check}, status=status)


@require_POST
@staff_required()
def place(request, pk: int):
    member = _assessable(request, pk)
    return save_form(
        request,
        PlaceForm(request.POST, levels=LadderLevel.objects.filter(organisation=request.organisation)),
        services.placement_start,
        staff=member,
        message=_("The placement was saved."),
        success=redirect("competence:staff_detail", pk=member.pk),
        failure=lambda form: _staff_page(request, member, place_form=form),
    )


@require_POST
@staff_required()
def introduction_create(request, pk: int):
    member = _assessable(request, pk)
    try:
        count = services.introduction_plan_create(
            organisation=request.organisation, staff=member, start=timezone.localdate()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The introduction plan has %(n)s new items.") % {"n": count})
    return redirect("competence:staff_detail", pk=member.pk)


@require_POST
@staff_required()
def mentor_add(request, pk: int):
    org = request.organisation
    member = _assessable(request, pk)
    return save_form(
        request,
        MentorForm(request.POST, mentors=StaffMember.objects.filter(organisation=org, employment_end__isnull=True)),
        services.mentor_assign,
        staff=member,
        message=_("The mentor was saved."),
        success=redirect("competence:staff_detail", pk=member.pk),
        failure=lambda form: _staff_page(request, member, mentor_form=form),
    )


@require_POST
@staff_required()
def training_add(request, pk: int):
    member = _assessable(request, pk)
    return save_form(
        request,
        TrainingPlanForm(request.POST, organisation=request.organisation),
        services.training_plan_add,
        staff=member,
        message=_("The training was added to the development plan."),
        success=redirect("competence:staff_detail", pk=member.pk),
        failure=lambda form: _staff_page(request, member, training_form=form),
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@require_POST
@staff_required()
def item_done(request, pk: int):
    org = request.organisation
    item = get_for_org(IntroductionItem.objects.select_related("staff"), organisation=org, pk=pk)
    form = ItemDoneForm(request.POST)
    if not services.may_tick(access=request.access, item=item):
        raise PermissionDenied
    audit.note(request, item.staff)
    if form.is_valid():
        try:
            services.introduction_item_complete(
                organisation=org,
                item=item,
                by=request.get_staff(),
                done_on=form.cleaned_data["done_on"],
                access=request.access,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("“%(item)s” is done.") % {"item": item.title})
    else:
        messages.error(request, _("Give the date the item was done."))
    return _back(request, "competence:my_ladder")


@require_POST
@staff_required()
def reflection_attendance(request, pk: int):
    org = request.organisation
    session = get_for_org(ReflectionSession.objects.select_related("staff"), organisation=org, pk=pk)
    _assessable(request, session.staff_id)
    services.reflection_attendance_set(organisation=org, session=session, attended=request.POST.get("attended") == "1")
    return redirect("competence:staff_detail", pk=session.staff_id)
