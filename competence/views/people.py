from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from competence import trust
from staff.absences.views import section as absence_section
from staff.models import Group, StaffMember, Unit
from staff.permissions import staff_required
from staff.platform import audit
from staff.platform.formtools import apply_errors, paginate, sort_param
from staff.platform.history.display import history_for_request
from staff.platform.tenancy import get_for_org
from staff.selectors import employment_extents

from .. import selectors, services
from ..dates import add_months
from ..forms import ItemDoneForm, MentorForm, PlaceForm, PromoteForm, TrainingPlanForm
from ..models import IntroductionItem, LadderLevel, ReflectionSession
from .common import LADDER_VIEWERS, float_param, int_param, save_form

ONE_DAY = datetime.timedelta(days=1)


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
        "history": history_for_request(request, trust.ladder_member_history(member)),
        "extents": employment_extents(member=member),
        **absence_section(request, member),
        **selectors.staff_ladder_details(member=member),
    }
    settings = selectors.ladder_settings(organisation=org)
    for mentorship in context["mentorships"]:
        mentorship.length_warning = selectors.mentorship_length_warning(
            settings=settings, start=mentorship.start, end=mentorship.end
        )
    onboarding = selectors.onboarding_of(member=member)
    context.update(
        onboarding=onboarding,
        may_undo=_may_undo(request, member),
        mentor_asked=bool(
            onboarding and onboarding.mentor_request == onboarding.MentorRequest.ASKED and not context["mentorships"]
        ),
        mentor_guideline=(settings.mentor_min_months, settings.mentor_max_months),
    )
    if can_assess:
        start = max(member.employment_start, today)
        context.update(
            place_form=forms.get("place_form") or PlaceForm(levels=levels, initial={"start": member.employment_start}),
            mentor_form=forms.get("mentor_form")
            or MentorForm(
                mentors=StaffMember.objects.filter(organisation=org, employment_end__isnull=True).exclude(pk=member.pk),
                initial={"start": start, "end": add_months(start, settings.mentor_max_months) - ONE_DAY},
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
    """Save the mentor; a length outside the organisation's guideline (6–12 months) is warned of, not refused."""
    org = request.organisation
    member = _assessable(request, pk)
    form = MentorForm(request.POST, mentors=StaffMember.objects.filter(organisation=org, employment_end__isnull=True))
    response = save_form(
        request,
        form,
        services.mentor_assign,
        staff=member,
        message=_("The mentor was saved."),
        success=redirect("competence:staff_detail", pk=member.pk),
        failure=lambda bound: _staff_page(request, member, mentor_form=bound),
    )
    if response.status_code == 302:
        warning = selectors.mentorship_length_warning(
            settings=selectors.ladder_settings(organisation=org),
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
        if warning:
            messages.warning(request, warning)
    return response


def _may_undo(request, member: StaffMember) -> bool:
    """The unit's managers, and the organisation admin who creates people, undo a new social worker's start."""
    return request.access.is_org_admin or selectors.may_assess(access=request.access, member=member)


ONBOARDING_UNDO = {
    "placement": (
        services.onboarding_placement_remove,
        gettext_lazy("Remove the automatic placement"),
        gettext_lazy("Do you really want to remove the placement of %(name)s on level 1 from %(date)s?"),
    ),
    "plan": (
        services.onboarding_plan_remove,
        gettext_lazy("Remove the automatic introduction plan"),
        gettext_lazy(
            "Do you really want to remove the introduction plan of %(name)s? Open items and reflection sessions "
            "without attendance are removed; items already done stay."
        ),
    ),
    "mentor": (
        services.onboarding_mentor_dismiss,
        gettext_lazy("Stop asking for a mentor"),
        gettext_lazy("Do you really want to stop asking for a mentor for %(name)s?"),
    ),
}


@require_POST
@staff_required()
def onboarding_undo(request, pk: int, step: str):
    """Undo one step of a new social worker's start, after a confirmation page (POST without confirm=1)."""
    org = request.organisation
    member = selectors.staff_for_viewer(organisation=org, access=request.access, pk=pk)
    if not _may_undo(request, member):
        raise PermissionDenied
    onboarding = selectors.onboarding_of(member=member)
    if onboarding is None or step not in ONBOARDING_UNDO:
        raise Http404
    audit.note(request, member)
    service, title, question = ONBOARDING_UNDO[step]
    if request.POST.get("confirm") != "1":
        context = {
            "title": title,
            "question": question % {"name": member.full_name, "date": member.employment_start.isoformat()},
            "confirm_label": _("Remove") if step != "mentor" else _("Stop asking"),
            "button_class": "danger",
            "cancel_url": reverse("competence:staff_detail", args=[member.pk]),
        }
        return render(request, "confirm.html", context)
    try:
        service(organisation=org, onboarding=onboarding)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done: the change is in the history below."))
    return redirect("competence:staff_detail", pk=member.pk)


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
